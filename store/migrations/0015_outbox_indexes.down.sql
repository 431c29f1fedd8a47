DROP INDEX IF EXISTS outbox_chat_message_idx;
CREATE INDEX IF NOT EXISTS outbox_chat_idx ON outbox (chat_id);
CREATE INDEX IF NOT EXISTS outbox_sent_idx ON outbox (sent_at) WHERE sent_at IS NOT NULL;
