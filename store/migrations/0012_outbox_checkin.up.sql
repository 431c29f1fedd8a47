-- A check-in's card: the newest message delivered for a check-in, found by
-- its check-in (a typed answer or a reminder takes the buttons off it).
CREATE INDEX outbox_checkin_idx ON outbox (checkin_id, id) WHERE checkin_id IS NOT NULL;
