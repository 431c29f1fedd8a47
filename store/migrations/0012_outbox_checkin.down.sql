DROP INDEX IF EXISTS outbox_checkin_idx;
