-- A check-in's card as one row, updated in place by each tap (cards.go),
-- instead of an outbox row per tap's edit. The outbox row cost every tap
-- seven index entries (four when written, three more when marked sent, as
-- a new row version: pg_waldump, docs/benchmark.md); this row has two, written once per check-in (its first
-- tap), and each later tap and sent-mark changes no indexed column: a HOT
-- update on a page kept half empty for it.
--
-- version counts the edits written, sent_version the newest one Telegram
-- took (or that was given up); a card with version > sent_version has an
-- edit to send. claimed_until leases it to one sender, as an outbox row is;
-- when that sender dies, any sender claims it once the lease has ended, and
-- sends the newest edit only (an older one is of no use any more). seq is
-- taken from the outbox's sequence at each edit, so the card's newest
-- message is found among the check-in's outbox rows and this row (card.go).
-- A deleted check-in (erasure) takes its card with it.
CREATE TABLE cards (
    checkin_id    bigint PRIMARY KEY REFERENCES checkins (id) ON DELETE CASCADE,
    chat_id       bigint NOT NULL,
    version       integer NOT NULL DEFAULT 1,
    sent_version  integer NOT NULL DEFAULT 0,
    attempts      integer NOT NULL DEFAULT 0,
    message_id    integer NOT NULL,
    seq           bigint NOT NULL,
    not_before    timestamptz NOT NULL,
    claimed_until timestamptz,
    error         text,
    payload       jsonb NOT NULL
) WITH (fillfactor = 50);
-- A chat's cards: when the chat blocks the bot, its unsent edits are dropped.
CREATE INDEX cards_chat_idx ON cards (chat_id);
