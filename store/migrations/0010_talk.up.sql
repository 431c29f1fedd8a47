-- Issue 15 (talk): personal messages between a coach and a student, hand-over
-- of a student to another coach, stand-ins, and situations a coach marked as
-- known ("bekend, loopt").

-- Every personal message, both ways. outbox_id is the message as sent, so a
-- Telegram reply to it finds its way back.
CREATE TABLE coach_messages (
    id         bigserial PRIMARY KEY,
    student_id bigint      NOT NULL REFERENCES students (id) ON DELETE CASCADE,
    coach_id   bigint      REFERENCES coaches (id) ON DELETE SET NULL,
    direction  text        NOT NULL CHECK (direction IN ('to_student', 'to_coach')),
    text       text        NOT NULL,
    outbox_id  bigint,
    created_at timestamptz NOT NULL
);
CREATE INDEX coach_messages_student_idx ON coach_messages (student_id, created_at);
CREATE INDEX coach_messages_outbox_idx ON coach_messages (outbox_id) WHERE outbox_id IS NOT NULL;

-- Since when the student has their current coach: cases delivered to an
-- earlier coach no longer let that coach see the student.
ALTER TABLE students ADD COLUMN coach_since timestamptz;

-- Hand-overs, for the student's history.
CREATE TABLE student_moves (
    id         bigserial PRIMARY KEY,
    student_id bigint      NOT NULL REFERENCES students (id) ON DELETE CASCADE,
    from_coach bigint      REFERENCES coaches (id) ON DELETE SET NULL,
    to_coach   bigint      REFERENCES coaches (id) ON DELETE SET NULL,
    moved_at   timestamptz NOT NULL
);
CREATE INDEX student_moves_student_idx ON student_moves (student_id);

-- A coach's stand-in for a period: their cases go to the stand-in until then.
CREATE TABLE stand_ins (
    coach_id    bigint      PRIMARY KEY REFERENCES coaches (id) ON DELETE CASCADE,
    stand_in_id bigint      NOT NULL REFERENCES coaches (id) ON DELETE CASCADE,
    until       timestamptz NOT NULL,
    created_at  timestamptz NOT NULL,
    CHECK (coach_id <> stand_in_id)
);

-- A situation a coach marked as known when closing a case: the same signal
-- with the same answer does not alert again until it changes or until passes.
CREATE TABLE known_signals (
    student_id bigint      NOT NULL REFERENCES students (id) ON DELETE CASCADE,
    code       text        NOT NULL,
    until      timestamptz NOT NULL,
    coach_id   bigint      REFERENCES coaches (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (student_id, code)
);

-- Short notes for a coach that wait for their working hours (a student paused
-- or stopped). The scheduler moves due notes to the outbox; a note waiting in
-- the outbox itself would hold back every later message to that chat.
CREATE TABLE coach_notes (
    id         bigserial PRIMARY KEY,
    coach_id   bigint      NOT NULL REFERENCES coaches (id) ON DELETE CASCADE,
    student_id bigint      REFERENCES students (id) ON DELETE CASCADE,
    kind       text        NOT NULL,
    text       text        NOT NULL,
    due_at     timestamptz NOT NULL,
    sent_at    timestamptz
);
CREATE INDEX coach_notes_due_idx ON coach_notes (due_at) WHERE sent_at IS NULL;

-- The Monday digest each coach got, one per week: claimed once across replicas.
CREATE TABLE coach_digests (
    coach_id bigint      NOT NULL REFERENCES coaches (id) ON DELETE CASCADE,
    week     date        NOT NULL,
    sent_at  timestamptz NOT NULL,
    PRIMARY KEY (coach_id, week)
);

-- A student's recent signals: the overview's "new risk" and alerting on change read them.
CREATE INDEX signals_student_idx ON signals (student_id, created_at);
