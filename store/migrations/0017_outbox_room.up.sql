-- Less work per sent message for Postgres. Every outbox row is updated once
-- it is sent (sent_at, message_id), and a bulk message also when a sender
-- claims it. On a full page the new row version goes to another page, and
-- Postgres first writes a lock on the old one; with room left on the page it
-- stays there, and a claim (which changes no indexed column) is then a HOT
-- update, without new entries in the outbox's indexes. Only new pages get
-- the room. Sent rows are deleted after the retention period, so the table
-- stays small.
ALTER TABLE outbox SET (fillfactor = 60);
