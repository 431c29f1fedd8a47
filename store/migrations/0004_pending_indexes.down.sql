DROP INDEX IF EXISTS outbox_chat_pending_idx;
DROP INDEX IF EXISTS checkins_due_idx;
CREATE INDEX checkins_due_idx ON checkins (due_at) WHERE status = 'scheduled';
