-- The relationship (issue 15): agreements a coach makes with a student,
-- referrals to other help, and which check-in asked about which of them.

CREATE TABLE agreements (
    id          bigserial PRIMARY KEY,
    student_id  bigint      NOT NULL REFERENCES students (id) ON DELETE CASCADE,
    coach_id    bigint REFERENCES coaches (id) ON DELETE SET NULL,
    what        text        NOT NULL,
    due_on      date        NOT NULL, -- the date the coach named
    ask_after   timestamptz NOT NULL, -- the end of that day where the student lives
    status      text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'dropped')),
    last_answer text,        -- the student's last answer (option ID) in a check-in
    answered_at timestamptz,
    created_at  timestamptz NOT NULL,
    closed_at   timestamptz
);
CREATE INDEX agreements_student_idx ON agreements (student_id, ask_after) WHERE status = 'open';

CREATE TABLE referrals (
    id           bigserial PRIMARY KEY,
    student_id   bigint      NOT NULL REFERENCES students (id) ON DELETE CASCADE,
    coach_id     bigint REFERENCES coaches (id) ON DELETE SET NULL,
    kind         text        NOT NULL,
    note         text        NOT NULL DEFAULT '',
    status       text        NOT NULL DEFAULT 'aangemeld',
    follow_up_at timestamptz, -- when a check-in asks about it; NULL once answered
    last_answer  text,        -- the student's last answer (option ID) in a check-in
    answered_at  timestamptz,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);
CREATE INDEX referrals_student_idx ON referrals (student_id);

-- A check-in's step that asks about one agreement or referral. previous is
-- that item's answer before this check-in (for rules such as "failed twice").
CREATE TABLE followup_asks (
    checkin_id   bigint NOT NULL REFERENCES checkins (id) ON DELETE CASCADE,
    step         text   NOT NULL,
    agreement_id bigint REFERENCES agreements (id) ON DELETE CASCADE,
    referral_id  bigint REFERENCES referrals (id) ON DELETE CASCADE,
    previous     text,
    PRIMARY KEY (checkin_id, step),
    CHECK ((agreement_id IS NULL) <> (referral_id IS NULL))
);

-- The last check-in of a student's follow-up asks the final feedback steps.
ALTER TABLE checkins ADD COLUMN final boolean NOT NULL DEFAULT false;
