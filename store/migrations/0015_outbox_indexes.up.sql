-- Outbox indexes fitted to what reads them; every message pays for each
-- index on insert and again when marked sent (a new row version, since
-- sent_at is in the pending indexes' predicates).
--  * outbox_sent_idx (sent_at): no query uses it; the prune deletes on
--    coalesce(sent_at, failed_at), which it cannot serve.
--  * outbox_chat_idx (chat_id) becomes (chat_id, message_id) for sent
--    messages only: what a reply to a message looks up (ReplyTarget,
--    AnswerTarget); a chat's pending messages have outbox_chat_pending_idx,
--    and erasing a chat's messages also matches the payload, so it reads the
--    (one week's) outbox either way.
DROP INDEX IF EXISTS outbox_sent_idx;
DROP INDEX IF EXISTS outbox_chat_idx;
CREATE INDEX outbox_chat_message_idx ON outbox (chat_id, message_id) WHERE message_id IS NOT NULL;
