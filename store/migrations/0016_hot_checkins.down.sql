ALTER TABLE checkins RESET (fillfactor);
DROP INDEX IF EXISTS processed_updates_handled_idx;
CREATE INDEX processed_updates_handled_idx ON processed_updates (handled_at);
