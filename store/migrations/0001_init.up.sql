-- Lijntje's record. Postgres is the source of truth; Redis only caches.

CREATE TABLE coaches (
    id          bigserial PRIMARY KEY,
    name        text        NOT NULL,
    chat_id     bigint      UNIQUE,
    hours       text        NOT NULL DEFAULT 'mon-fri 09:00-17:00',
    coordinator boolean     NOT NULL DEFAULT false,
    on_call     boolean     NOT NULL DEFAULT false,
    lang        text        NOT NULL DEFAULT 'nl',
    created_at  timestamptz NOT NULL DEFAULT now(),
    linked_at   timestamptz
);

CREATE TABLE students (
    id           bigserial PRIMARY KEY,
    ref          text UNIQUE,
    name         text        NOT NULL,
    coach_id     bigint      NOT NULL REFERENCES coaches (id),
    lang         text        NOT NULL DEFAULT 'nl',
    left_school  date,
    chat_id      bigint UNIQUE,
    status       text        NOT NULL DEFAULT 'invited'
        CHECK (status IN ('invited', 'active', 'paused', 'unreachable', 'stopped', 'ended')),
    paused_until timestamptz,
    moment_day   smallint CHECK (moment_day BETWEEN 0 AND 6),
    moment_part  text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    linked_at    timestamptz,
    ended_at     timestamptz
);
CREATE INDEX students_coach_idx ON students (coach_id);

-- Invite codes are stored hashed: the code itself only ever leaves in the link.
CREATE TABLE invites (
    code_hash  bytea PRIMARY KEY,
    student_id bigint REFERENCES students (id) ON DELETE CASCADE,
    coach_id   bigint REFERENCES coaches (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    revoked_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((student_id IS NULL) <> (coach_id IS NULL))
);
CREATE INDEX invites_student_idx ON invites (student_id);

-- Every version of a flow that ever ran, so an open check-in keeps its version.
CREATE TABLE flow_versions (
    flow_id    text        NOT NULL,
    version    text        NOT NULL,
    source     bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (flow_id, version)
);

CREATE TABLE checkins (
    id           bigserial PRIMARY KEY,
    student_id   bigint      NOT NULL REFERENCES students (id) ON DELETE CASCADE,
    flow_id      text        NOT NULL,
    flow_version text,
    slot         timestamptz NOT NULL,
    manual       boolean     NOT NULL DEFAULT false,
    status       text        NOT NULL DEFAULT 'scheduled'
        CHECK (status IN ('scheduled', 'open', 'completed', 'expired', 'cancelled')),
    due_at       timestamptz NOT NULL,
    sent_at      timestamptz,
    reminded_at  timestamptz,
    expires_at   timestamptz,
    completed_at timestamptz,
    current_step text,
    skip_steps   text[]      NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (student_id, slot)
);
CREATE INDEX checkins_due_idx ON checkins (due_at) WHERE status = 'scheduled';
CREATE INDEX checkins_open_idx ON checkins (student_id) WHERE status = 'open';
CREATE INDEX checkins_student_idx ON checkins (student_id, id);

CREATE TABLE answers (
    id            bigserial PRIMARY KEY,
    student_id    bigint      NOT NULL REFERENCES students (id) ON DELETE CASCADE,
    checkin_id    bigint REFERENCES checkins (id) ON DELETE CASCADE,
    flow_version  text,
    step          text        NOT NULL,
    option        text,
    text          text,
    voice_file_id text,
    answered_at   timestamptz NOT NULL,
    update_id     bigint
);
CREATE UNIQUE INDEX answers_checkin_step_idx ON answers (checkin_id, step) WHERE checkin_id IS NOT NULL;
CREATE INDEX answers_student_idx ON answers (student_id, answered_at);
CREATE INDEX answers_answered_idx ON answers (answered_at);

-- Updates already handled: Telegram may deliver an update twice.
CREATE TABLE processed_updates (
    update_id  bigint PRIMARY KEY,
    handled_at timestamptz NOT NULL DEFAULT now()
);

-- A case: one open alert per student. Signals join the open case.
CREATE TABLE alerts (
    id                 bigserial PRIMARY KEY,
    student_id         bigint REFERENCES students (id) ON DELETE SET NULL,
    severity           text        NOT NULL CHECK (severity IN ('request', 'attention', 'urgent', 'crisis')),
    status             text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'taken', 'closed')),
    opened_at          timestamptz NOT NULL,
    taken_by           bigint REFERENCES coaches (id) ON DELETE SET NULL,
    taken_at           timestamptz,
    closed_at          timestamptz,
    close_note         text,
    escalation_level   int         NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX alerts_one_open_idx ON alerts (student_id) WHERE status <> 'closed';

CREATE TABLE signals (
    id         bigserial PRIMARY KEY,
    student_id bigint REFERENCES students (id) ON DELETE CASCADE,
    checkin_id bigint REFERENCES checkins (id) ON DELETE CASCADE,
    alert_id   bigint REFERENCES alerts (id) ON DELETE SET NULL,
    code       text        NOT NULL,
    severity   text        NOT NULL,
    detail     text,
    created_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX signals_dedupe_idx ON signals (checkin_id, code) WHERE checkin_id IS NOT NULL;
CREATE INDEX signals_alert_idx ON signals (alert_id);

-- One row per coach chat an alert went to; the message is edited as the case moves.
CREATE TABLE alert_deliveries (
    id         bigserial PRIMARY KEY,
    alert_id   bigint      NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    coach_id   bigint      NOT NULL REFERENCES coaches (id) ON DELETE CASCADE,
    chat_id    bigint      NOT NULL,
    message_id int,
    created_at timestamptz NOT NULL,
    sent_at    timestamptz,
    UNIQUE (alert_id, coach_id)
);

-- The audit trail of every alert: created, sent, taken, escalated, closed.
CREATE TABLE alert_events (
    id       bigserial PRIMARY KEY,
    alert_id bigint      NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    at       timestamptz NOT NULL,
    kind     text        NOT NULL,
    coach_id bigint,
    detail   text
);
CREATE INDEX alert_events_alert_idx ON alert_events (alert_id, at);

-- Next steps of alerts (held delivery, re-escalation) with a due time: never only a timer.
CREATE TABLE alert_steps (
    id            bigserial PRIMARY KEY,
    alert_id      bigint      NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    kind          text        NOT NULL,
    due_at        timestamptz NOT NULL,
    claimed_until timestamptz,
    done_at       timestamptz
);
CREATE INDEX alert_steps_due_idx ON alert_steps (due_at) WHERE done_at IS NULL;

-- Everything the bot sends goes through here; a sender drains it by lane, then age.
CREATE TABLE outbox (
    id            bigserial PRIMARY KEY,
    chat_id       bigint      NOT NULL,
    lane          smallint    NOT NULL DEFAULT 3,
    method        text        NOT NULL,
    payload       jsonb       NOT NULL,
    file          bytea,
    not_before    timestamptz NOT NULL,
    claimed_until timestamptz,
    attempts      int         NOT NULL DEFAULT 0,
    sent_at       timestamptz,
    failed_at     timestamptz,
    error         text,
    message_id    int,
    checkin_id    bigint,
    delivery_id   bigint,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_pending_idx ON outbox (lane, id) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_chat_idx ON outbox (chat_id);
