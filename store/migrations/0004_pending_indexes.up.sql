-- Faster claims under load: due check-ins in the order they are opened, and a
-- chat's unsent messages (the sender only takes a chat's oldest unsent one).
DROP INDEX IF EXISTS checkins_due_idx;
CREATE INDEX checkins_due_idx ON checkins (due_at, id) WHERE status = 'scheduled';
CREATE INDEX outbox_chat_pending_idx ON outbox (chat_id, id) WHERE sent_at IS NULL AND failed_at IS NULL;
