DROP INDEX IF EXISTS outbox_sent_idx;
DROP INDEX IF EXISTS outbox_alert_idx;
DROP INDEX IF EXISTS outbox_student_idx;
ALTER TABLE outbox DROP COLUMN IF EXISTS alert_id;
ALTER TABLE outbox DROP COLUMN IF EXISTS student_id;
DROP INDEX IF EXISTS processed_updates_handled_idx;
ALTER TABLE processed_updates DROP CONSTRAINT processed_updates_pkey;
DELETE FROM processed_updates a USING processed_updates b
    WHERE a.update_id = b.update_id AND a.bot_id > b.bot_id;
ALTER TABLE processed_updates ADD PRIMARY KEY (update_id);
ALTER TABLE processed_updates DROP COLUMN bot_id;
DROP TABLE IF EXISTS update_dead_letters;
