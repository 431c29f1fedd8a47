-- Voice messages a coach already received as a copy, so a case that is shown
-- again does not send the same voice message twice.
CREATE TABLE signal_copies (
    signal_id bigint NOT NULL REFERENCES signals (id) ON DELETE CASCADE,
    coach_id  bigint NOT NULL REFERENCES coaches (id) ON DELETE CASCADE,
    PRIMARY KEY (signal_id, coach_id)
);
