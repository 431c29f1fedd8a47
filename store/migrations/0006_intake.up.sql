-- Intake that cannot be blocked, bounded tables, erasure by key (issue 13).

-- Updates that failed every attempt, parked so intake moves on. raw is the
-- update as Telegram sent it (so it can be retried); it holds the student's
-- text, so it is erased with the student and dropped after a short window.
CREATE TABLE update_dead_letters (
    bot_id     bigint      NOT NULL DEFAULT 0,
    update_id  bigint      NOT NULL,
    chat_id    bigint      NOT NULL DEFAULT 0,
    raw        jsonb,
    error      text        NOT NULL,
    attempts   int         NOT NULL,
    parked_at  timestamptz NOT NULL,
    PRIMARY KEY (bot_id, update_id)
);
CREATE INDEX update_dead_letters_chat_idx ON update_dead_letters (chat_id);
CREATE INDEX update_dead_letters_parked_idx ON update_dead_letters (parked_at);

-- Update IDs are per bot, and Telegram may restart them: key them by bot and
-- keep them only for a while (see PruneProcessed).
ALTER TABLE processed_updates ADD COLUMN bot_id bigint NOT NULL DEFAULT 0;
ALTER TABLE processed_updates DROP CONSTRAINT processed_updates_pkey;
ALTER TABLE processed_updates ADD PRIMARY KEY (bot_id, update_id);
CREATE INDEX processed_updates_handled_idx ON processed_updates (handled_at);

-- Which student an outbox row concerns, and for coach deliveries the case, so
-- that erasure finds them by key and never by searching names.
ALTER TABLE outbox ADD COLUMN student_id bigint;
ALTER TABLE outbox ADD COLUMN alert_id bigint;
CREATE INDEX outbox_student_idx ON outbox (student_id) WHERE student_id IS NOT NULL;
CREATE INDEX outbox_alert_idx ON outbox (alert_id) WHERE alert_id IS NOT NULL;
CREATE INDEX outbox_sent_idx ON outbox (sent_at) WHERE sent_at IS NOT NULL;

-- Rows written before this migration: key them where the row says whom it
-- concerns (a student's chat, a check-in, a case). A coach's text about a
-- student from before cannot be keyed; it goes with the outbox window.
UPDATE outbox o SET alert_id = d.alert_id FROM alert_deliveries d WHERE o.alert_id IS NULL AND o.delivery_id = d.id;
UPDATE outbox SET alert_id = (payload->>'a')::bigint WHERE alert_id IS NULL AND payload ? 'a';
UPDATE outbox o SET student_id = s.id FROM students s WHERE o.student_id IS NULL AND s.chat_id = o.chat_id;
UPDATE outbox o SET student_id = c.student_id FROM checkins c WHERE o.student_id IS NULL AND o.checkin_id = c.id;
UPDATE outbox o SET student_id = a.student_id FROM alerts a WHERE o.student_id IS NULL AND o.alert_id = a.id;
