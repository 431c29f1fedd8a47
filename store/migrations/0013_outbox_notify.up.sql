-- A row for any sender to claim wakes the senders: a NOTIFY on
-- lijntje_outbox, delivered when the transaction that inserted it commits
-- (Postgres sends one per channel and transaction). Rows inserted already
-- leased (the fast path hands them to its own sender) wake nobody. Senders
-- still poll, so a lost notification only delays a message.
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('lijntje_outbox', '');
	RETURN NULL;
END $$;

CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
	FOR EACH ROW WHEN (NEW.claimed_until IS NULL) EXECUTE FUNCTION outbox_notify();
