-- Two outbox indexes no query uses, paid for by every message: each insert
-- and each "sent" (a new row version, since sent_at is in the pending
-- indexes' predicates) wrote to them.
--  * outbox_sent_idx (sent_at): the prune deletes on coalesce(sent_at,
--    failed_at), which this index cannot serve.
--  * outbox_chat_idx (chat_id): the pending messages of a chat are found
--    through outbox_chat_pending_idx; erasing a chat's messages also matches
--    the payload, so it reads the whole (one week's) outbox either way.
DROP INDEX IF EXISTS outbox_sent_idx;
DROP INDEX IF EXISTS outbox_chat_idx;
