package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// A check-in is one card in the student's chat: each tap edits it into the
// answers so far and the next question (render/card.go). That edit is not an
// outbox row but the card's own row in cards (migration 0020), written by the
// tap's statement (fastpath.go) and updated in place by every later tap: a
// tap then costs Postgres no new index entry, where an outbox row cost seven.
//
// The row keeps what the outbox keeps for a message: the edit is leased to
// the process that wrote it, which sends it at once; a sender that dies
// leaves it to any other once the lease ends (ClaimCards); Telegram's answer
// marks it sent, failed or to be tried again. What differs: a card has one
// edit to send, its newest. A tap's edit replaces one not sent yet (the
// student should see the newest card anyway), and an edit is sent again
// harmlessly (Telegram: "message is not modified").
//
// A card edit needs no place in its chat's order: it changes a message
// already there. What comes after it and rests on it (the edit that takes a
// card's buttons off when the question comes again as a new message) drops
// the unsent edit in the same statement (cardSupersede, supersedeCard), as
// it carries the card's newest text.

// isCardEdit reports whether m is the edit of a check-in's card by a tap:
// the next question or the thank-you, shown on the card the student tapped.
func (m Message) isCardEdit() bool {
	return m.Kind == KindEdit && m.CheckinID != 0 && m.EditMessageID != 0
}

// Ref names where an outgoing message is kept: the outbox row ID or, when
// Card is set, version Card of the card of check-in ID.
type Ref struct {
	ID   int64
	Card int
}

// Ref is where m is kept.
func (m Message) Ref() Ref {
	if m.Card != 0 {
		return Ref{ID: m.CheckinID, Card: m.Card}
	}
	return Ref{ID: m.ID}
}

// Sendable returns the messages of a Record as written (out is its Out):
// each with its outbox ID, or as the card's edit with its version.
func (res Recorded) Sendable(out []Message) []Message {
	msgs := make([]Message, len(out))
	for i, m := range out {
		if i < len(res.OutboxIDs) {
			m.ID = res.OutboxIDs[i]
		}
		if m.ID == 0 && res.CardVersion != 0 && m.isCardEdit() {
			m.Card = res.CardVersion
		}
		msgs[i] = m
	}
	return msgs
}

// cardWrite is the CTE of recordSQL that writes the card's edit ($27 chat,
// $28 message, $29 the edit as JSON; ” for none), leased to the writer
// until $12, once the answer has been applied (ok). It returns the version.
const cardWrite = `INSERT INTO cards (checkin_id, chat_id, message_id, seq, not_before, claimed_until, payload)
			SELECT $4, $27, $28, nextval('outbox_id_seq'), $2, $12, nullif($29::text, '')::jsonb FROM ok WHERE $29::text <> ''
			` + cardNewer + `
			RETURNING version`

// cardNewer makes a card's new edit its newest version: the end of the
// insert of cardWrite and of cardTapsSQL's.
const cardNewer = `ON CONFLICT (checkin_id) DO UPDATE SET version = cards.version + 1, message_id = EXCLUDED.message_id, seq = EXCLUDED.seq,
				not_before = EXCLUDED.not_before, claimed_until = EXCLUDED.claimed_until, attempts = 0, error = NULL, payload = EXCLUDED.payload`

// cardSupersede is the CTE of recordSQL that drops the card's unsent edit
// when an answer to the check-in writes no card edit (typed or spoken): its
// replies retire the card with the card's newest text (CheckinCard).
const cardSupersede = `UPDATE cards SET sent_version = version, claimed_until = NULL
			WHERE $29::text = '' AND $4::bigint <> 0 AND checkin_id = $4 AND version > sent_version AND EXISTS (SELECT 1 FROM ok)`

// supersedeCard drops the unsent edit of check-in checkinID's card, in tx:
// what tx writes carries the card's newest text (a reminder's).
func supersedeCard(ctx context.Context, tx pgx.Tx, checkinID int64) error {
	if _, err := tx.Exec(ctx, `UPDATE cards SET sent_version = version, claimed_until = NULL
		WHERE checkin_id = $1 AND version > sent_version`, checkinID); err != nil {
		return fmt.Errorf("supersede card %d: %w", checkinID, err)
	}
	return nil
}

// ClaimCards leases up to limit card edits that no one holds (their sender
// died, or gave them back), oldest first, each card's newest edit. It reads
// every card (one row per open check-in): a sender calls it about once a
// second, not with every sweep of the outbox.
func (s *Store) ClaimCards(ctx context.Context, limit int) ([]Message, error) {
	now := s.now()
	rows, err := s.db.Query(ctx, `UPDATE cards c SET claimed_until = $2, attempts = c.attempts + 1
		FROM (SELECT checkin_id FROM cards
			WHERE version > sent_version AND not_before <= $1 AND (claimed_until IS NULL OR claimed_until < $1)
			ORDER BY seq LIMIT $3 FOR UPDATE SKIP LOCKED) f
		WHERE c.checkin_id = f.checkin_id
		RETURNING c.checkin_id, c.chat_id, c.version, c.attempts, c.payload`, now, now.Add(claimLease), limit)
	if err != nil {
		return nil, fmt.Errorf("claim cards: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Message, error) {
		var m Message
		var payload []byte
		if err := r.Scan(&m.CheckinID, &m.ChatID, &m.Card, &m.Attempts, &payload); err != nil {
			return Message{}, err
		}
		if err := json.Unmarshal(payload, &m); err != nil {
			return Message{}, fmt.Errorf("decode card %d: %w", m.CheckinID, err)
		}
		m.Kind, m.Lane = KindEdit, LaneInteractive
		return m, nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim cards: %w", err)
	}
	return out, nil
}

// markCardsSent marks card edits sent (ID the check-in, Card the version,
// MessageID the message Telegram answered with: the card, or the new message
// its question went in when the card was gone). Only an edit that is still
// the card's newest is marked: once a newer one is written (the student's
// tap on the question it brought), an older edit's mark would change nothing
// that counts, so it is passed over without a write, and a statement that
// marks none commits without one. A card that a tap's write holds just then
// is passed over rather than waited for, so a sent-mark never waits for a
// lock and is never part of a deadlock with a batch of taps (group.go):
// those are returned, to be marked with the next batch.
func (s *Store) markCardsSent(ctx context.Context, sent []SentMessage) ([]SentMessage, error) {
	ids := make([]int64, len(sent))
	vers, mids := make([]int32, len(sent)), make([]int32, len(sent))
	for i, m := range sent {
		ids[i], vers[i], mids[i] = m.ID, int32(m.Card), int32(m.MessageID)
	}
	rows, err := s.db.Query(ctx, `WITH v AS (
			SELECT * FROM unnest($1::bigint[], $2::int[], $3::int[]) AS v(id, ver, mid)
		), held AS (
			SELECT c.checkin_id FROM cards c JOIN v ON c.checkin_id = v.id
			WHERE c.version = v.ver AND c.sent_version < v.ver FOR UPDATE OF c SKIP LOCKED
		), marked AS (
			UPDATE cards c SET sent_version = v.ver, message_id = CASE WHEN v.mid <> 0 THEN v.mid ELSE c.message_id END,
				claimed_until = NULL, error = NULL
			FROM v WHERE c.checkin_id = v.id AND c.version = v.ver AND c.checkin_id IN (SELECT checkin_id FROM held)
			RETURNING c.checkin_id
		)
		SELECT c.checkin_id FROM cards c JOIN v ON c.checkin_id = v.id
		WHERE c.version = v.ver AND c.sent_version < v.ver AND c.checkin_id NOT IN (SELECT checkin_id FROM held)`,
		ids, vers, mids)
	if err != nil {
		return sent, fmt.Errorf("mark cards sent: %w", err)
	}
	busy, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return sent, fmt.Errorf("mark cards sent: %w", err)
	}
	var left []SentMessage
	for _, m := range sent {
		if slices.Contains(busy, m.ID) {
			left = append(left, m)
		}
	}
	return left, nil
}

// RenewCards extends this process's lease on the unsent edits of the cards
// of checkins, passing over any that a write holds (as RenewOutbox does).
func (s *Store) RenewCards(ctx context.Context, checkins []int64) error {
	_, err := s.db.Exec(ctx, `UPDATE cards c SET claimed_until = $2
		FROM (SELECT checkin_id FROM cards WHERE checkin_id = ANY($1) AND version > sent_version FOR UPDATE SKIP LOCKED) held
		WHERE c.checkin_id = held.checkin_id`, checkins, s.now().Add(claimLease))
	if err != nil {
		return fmt.Errorf("renew cards: %w", err)
	}
	return nil
}

// ReleaseCards ends this process's lease on the unsent edits of the cards of
// checkins, so any sender takes them at once.
func (s *Store) ReleaseCards(ctx context.Context, checkins []int64) error {
	_, err := s.db.Exec(ctx, `UPDATE cards SET claimed_until = NULL WHERE checkin_id = ANY($1) AND version > sent_version`, checkins)
	if err != nil {
		return fmt.Errorf("release cards: %w", err)
	}
	return nil
}

// RetryCard releases the edit version of check-in checkinID's card to be
// tried again no earlier than at (unless a newer edit replaced it).
func (s *Store) RetryCard(ctx context.Context, checkinID int64, version int, at time.Time, reason string) error {
	_, err := s.db.Exec(ctx, `UPDATE cards SET not_before = $3, error = $4, claimed_until = NULL
		WHERE checkin_id = $1 AND version = $2 AND sent_version < $2`, checkinID, version, at, reason)
	if err != nil {
		return fmt.Errorf("retry card: %w", err)
	}
	return nil
}

// FailCard gives up the edit version of check-in checkinID's card (a 4xx
// that retrying will not fix). A newer edit is still sent.
func (s *Store) FailCard(ctx context.Context, checkinID int64, version int, reason string) error {
	_, err := s.db.Exec(ctx, `UPDATE cards SET sent_version = greatest(sent_version, $2), error = $3,
		claimed_until = CASE WHEN version <= $2 THEN NULL ELSE claimed_until END WHERE checkin_id = $1`, checkinID, version, reason)
	if err != nil {
		return fmt.Errorf("fail card: %w", err)
	}
	return nil
}

// dropCardsForChat gives up the unsent card edits of chatID (it blocked the bot).
func (s *Store) dropCardsForChat(ctx context.Context, chatID int64, reason string) error {
	_, err := s.db.Exec(ctx, `UPDATE cards SET sent_version = version, error = $2, claimed_until = NULL
		WHERE chat_id = $1 AND version > sent_version`, chatID, reason)
	if err != nil {
		return fmt.Errorf("drop pending cards: %w", err)
	}
	return nil
}

// PruneCards deletes the cards of check-ins no longer open whose newest edit
// is sent or given up: only an open check-in's card is looked up again
// (CheckinCard). It returns how many it deleted.
func (s *Store) PruneCards(ctx context.Context) (int64, error) {
	tag, err := s.db.Exec(ctx, `DELETE FROM cards c WHERE c.sent_version >= c.version
		AND NOT EXISTS (SELECT 1 FROM checkins k WHERE k.id = c.checkin_id AND k.status = 'open')`)
	if err != nil {
		return 0, fmt.Errorf("prune cards: %w", err)
	}
	return tag.RowsAffected(), nil
}
