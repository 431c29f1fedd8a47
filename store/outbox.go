package store

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// Lanes order the outbox: what a waiting person needs goes first.
const (
	LaneUrgent      = 0 // crisis replies and coach alerts
	LaneInteractive = 1 // replies to a student who just tapped or wrote
	LaneReminder    = 2 // reminders
	LaneBulk        = 3 // new check-ins
)

// Kinds of outgoing message.
const (
	KindSend     = "send"     // a text message, maybe with buttons
	KindEdit     = "edit"     // edit the text (and buttons) of EditMessageID
	KindPhoto    = "photo"    // a PNG (File) with a caption (Text)
	KindDocument = "document" // a file (File, FileName) with a caption
	KindCopy     = "copy"     // copy CopyMessageID from FromChatID (a voice message)
	KindAlert    = "alert"    // render alert AlertID for delivery DeliveryID, sending or editing it
	KindDelete   = "delete"   // delete EditMessageID (a photo, file or copy about an erased student)
)

// Button is one inline keyboard button.
type Button struct {
	Text string `json:"t"`
	Data string `json:"d"`
}

// Message is one thing to send or edit in a chat, kept in the outbox until Telegram has it.
type Message struct {
	ID            int64      `json:"-"`
	ChatID        int64      `json:"-"`
	Lane          int        `json:"-"`
	Kind          string     `json:"k"`
	Text          string     `json:"t,omitempty"`
	Buttons       [][]Button `json:"b,omitempty"`
	EditMessageID int        `json:"e,omitempty"`
	FromChatID    int64      `json:"fc,omitempty"`
	CopyMessageID int        `json:"cm,omitempty"`
	FileName      string     `json:"fn,omitempty"`
	File          []byte     `json:"-"`
	AlertID       int64      `json:"a,omitempty"`
	Fresh         bool       `json:"fr,omitempty"` // an alert sent as a new message even when the coach has one (news)
	DeliveryID    int64      `json:"-"`
	CheckinID     int64      `json:"-"`
	Attempts      int        `json:"-"`
	// StudentID is the student the message concerns (their chat, or a coach's
	// chat about them) and CaseID the case a coach's message is about: erasure
	// finds rows by these keys. Zero when it concerns no student.
	StudentID int64 `json:"-"`
	CaseID    int64 `json:"-"`
	// Card is set (the edit's version) when the message is the edit of
	// check-in CheckinID's card kept in the card's row, not in the outbox
	// (cards.go); ID is then 0. Ref says where a message is kept.
	Card int `json:"-"`
}

// about returns the student and case a message concerns, defaulting to the
// student of the update or job that writes it.
func (m Message) about(student int64) (int64, int64) {
	if m.StudentID != 0 {
		student = m.StudentID
	}
	c := m.CaseID
	if c == 0 {
		c = m.AlertID
	}
	return student, c
}

// claimLease is how long a claimed outbox row stays with one sender before
// another may take it. The sender renews what it holds every few seconds
// (RenewEvery), so a dead sender's rows go out from another within seconds.
const claimLease = 8 * time.Second

// RenewEvery is how often a sender should renew the leases it holds.
const RenewEvery = 2 * time.Second

// insertOutbox adds messages to the outbox. With claimed, the rows are leased to
// the caller, who hands them to its own sender straight away (the fast path).
func insertOutbox(ctx context.Context, tx pgx.Tx, now time.Time, claimed bool, msgs []Message) ([]int64, error) {
	return insertOutboxAbout(ctx, tx, now, claimed, 0, msgs)
}

// insertOutboxAbout is insertOutbox for messages about student (unless a
// message names its own StudentID).
func insertOutboxAbout(ctx context.Context, tx pgx.Tx, now time.Time, claimed bool, student int64, msgs []Message) ([]int64, error) {
	ids := make([]int64, 0, len(msgs))
	b := &pgx.Batch{}
	if err := queueOutboxAbout(b, now, claimed, student, msgs, &ids); err != nil {
		return nil, err
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, err
	}
	return ids, nil
}

// queueOutboxAbout queues insertOutboxAbout's inserts on b; their IDs are
// appended to ids, in order, when b has run.
func queueOutboxAbout(b *pgx.Batch, now time.Time, claimed bool, student int64, msgs []Message, ids *[]int64) error {
	var lease any
	if claimed {
		lease = now.Add(claimLease)
	}
	for _, m := range msgs {
		payload, err := json.Marshal(m)
		if err != nil {
			return fmt.Errorf("encode message: %w", err)
		}
		sid, cid := m.about(student)
		b.Queue(`INSERT INTO outbox (chat_id, lane, method, payload, file, not_before, claimed_until, checkin_id, delivery_id, student_id, alert_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, nullif($8::bigint, 0), nullif($9::bigint, 0), coalesce(nullif($10::bigint, 0), (SELECT student_id FROM alerts WHERE id = $11::bigint)), nullif($11::bigint, 0)) RETURNING id`,
			m.ChatID, m.Lane, m.Kind, payload, m.File, now, lease, m.CheckinID, m.DeliveryID, sid, cid).
			QueryRow(func(row pgx.Row) error {
				var id int64
				if err := row.Scan(&id); err != nil {
					return fmt.Errorf("insert outbox: %w", err)
				}
				*ids = append(*ids, id)
				return nil
			})
	}
	return nil
}

// Enqueue adds messages to the outbox for any sender to claim.
func (s *Store) Enqueue(ctx context.Context, msgs ...Message) ([]int64, error) {
	var ids []int64
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		var err error
		ids, err = insertOutbox(ctx, tx, s.now(), false, msgs)
		return err
	})
	return ids, err
}

// ClaimOutbox leases up to limit sendable messages: the oldest unsent one of each
// chat (so one chat's messages go in order), by lane, then age.
//
// The first unsent message of each chat is found with one sort of the unsent
// rows (DISTINCT ON), and the chosen IDs are fixed before the UPDATE looks at
// them (an InitPlan array), so the plan stays linear in the unsent rows
// whatever the statistics say. The earlier NOT EXISTS form became a nested
// loop over all unsent rows for each unsent row when the outbox had last been
// analysed nearly empty (as before any wave): 4–20 s per claim with 10,000
// due check-ins, during which the sender sent nothing. Two senders claiming at
// once wait for each other's row locks and then skip what the other leased.
func (s *Store) ClaimOutbox(ctx context.Context, limit int) ([]Message, error) {
	now := s.now()
	rows, err := s.db.Query(ctx, `UPDATE outbox SET claimed_until = $2, attempts = attempts + 1
		WHERE id = ANY(ARRAY(
			SELECT f.id FROM (
				SELECT DISTINCT ON (chat_id) id, lane, not_before, claimed_until FROM outbox
				WHERE sent_at IS NULL AND failed_at IS NULL ORDER BY chat_id, id) f
			WHERE f.not_before <= $1 AND (f.claimed_until IS NULL OR f.claimed_until < $1)
			ORDER BY f.lane, f.id LIMIT $3))
		  AND sent_at IS NULL AND failed_at IS NULL AND (claimed_until IS NULL OR claimed_until < $1)
		RETURNING id, chat_id, lane, method, payload, file, coalesce(checkin_id, 0), coalesce(delivery_id, 0), attempts`,
		now, now.Add(claimLease), limit)
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	out, err := collectOutbox(rows)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b Message) int { // RETURNING keeps no order
		return cmp.Or(cmp.Compare(a.Lane, b.Lane), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// collectOutbox reads outbox rows (see scanOutbox for the columns).
func collectOutbox(rows pgx.Rows) ([]Message, error) {
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Message, error) { return scanOutbox(r) })
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	return out, nil
}

// OutboxByIDs returns the messages with ids, in id order (the fast path's own rows).
func (s *Store) OutboxByIDs(ctx context.Context, ids []int64) ([]Message, error) {
	rows, err := s.db.Query(ctx, `SELECT id, chat_id, lane, method, payload, file, coalesce(checkin_id, 0), coalesce(delivery_id, 0), attempts
		FROM outbox WHERE id = ANY($1) ORDER BY id`, ids)
	if err != nil {
		return nil, fmt.Errorf("outbox by ids: %w", err)
	}
	return collectOutbox(rows)
}

func scanOutbox(rows pgx.CollectableRow) (Message, error) {
	var m Message
	var payload []byte
	if err := rows.Scan(&m.ID, &m.ChatID, &m.Lane, &m.Kind, &payload, &m.File, &m.CheckinID, &m.DeliveryID, &m.Attempts); err != nil {
		return Message{}, fmt.Errorf("scan outbox: %w", err)
	}
	kind := m.Kind
	if err := json.Unmarshal(payload, &m); err != nil {
		return Message{}, fmt.Errorf("decode outbox %d: %w", m.ID, err)
	}
	m.Kind = kind
	return m, nil
}

// MarkSent records that Telegram accepted message id (as messageID in the chat).
func (s *Store) MarkSent(ctx context.Context, id int64, messageID int) error {
	now := s.now()
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		var deliveryID *int64
		err := tx.QueryRow(ctx, `UPDATE outbox SET sent_at = $2, message_id = nullif($3, 0), claimed_until = NULL
			WHERE id = $1 RETURNING delivery_id`, id, now, messageID).Scan(&deliveryID)
		if err != nil {
			return fmt.Errorf("mark sent: %w", notFound(err))
		}
		if deliveryID != nil && messageID != 0 {
			var alertID, coachID int64
			var first bool
			err = tx.QueryRow(ctx, `UPDATE alert_deliveries d SET message_id = $2, sent_at = coalesce(d.sent_at, $3)
				FROM alert_deliveries old WHERE d.id = $1 AND old.id = d.id
				RETURNING d.alert_id, d.coach_id, old.sent_at IS NULL`, *deliveryID, messageID, now).Scan(&alertID, &coachID, &first)
			if err != nil {
				return fmt.Errorf("mark delivery sent: %w", notFound(err))
			}
			if first {
				return addEvent(ctx, tx, alertID, now, "delivered", coachID, "")
			}
		}
		return nil
	})
	return err
}

// MarkFailed records that message id cannot be sent (a 4xx that retrying will not fix).
func (s *Store) MarkFailed(ctx context.Context, id int64, reason string) error {
	_, err := s.db.Exec(ctx, `UPDATE outbox SET failed_at = $2, error = $3, claimed_until = NULL WHERE id = $1`, id, s.now(), reason)
	if err != nil {
		return fmt.Errorf("mark failed: %w", err)
	}
	return nil
}

// Retry releases message id to be tried again no earlier than at.
func (s *Store) Retry(ctx context.Context, id int64, at time.Time, reason string) error {
	_, err := s.db.Exec(ctx, `UPDATE outbox SET not_before = $2, error = $3, claimed_until = NULL WHERE id = $1`, id, at, reason)
	if err != nil {
		return fmt.Errorf("retry: %w", err)
	}
	return nil
}

// DropPendingForChat fails every unsent message to chatID, card edits too
// (the chat blocked the bot).
func (s *Store) DropPendingForChat(ctx context.Context, chatID int64, reason string) error {
	_, err := s.db.Exec(ctx, `UPDATE outbox SET failed_at = $2, error = $3, claimed_until = NULL
		WHERE chat_id = $1 AND sent_at IS NULL AND failed_at IS NULL`, chatID, s.now(), reason)
	if err != nil {
		return fmt.Errorf("drop pending: %w", err)
	}
	return s.dropCardsForChat(ctx, chatID, reason)
}

// ReleaseOutbox ends this process's lease on unsent messages ids.
func (s *Store) ReleaseOutbox(ctx context.Context, ids []int64) error {
	// Given back, the rows are for any sender: wake them, as a new row does
	// (the senders claim on a notification, or at their next poll).
	_, err := s.db.Exec(ctx, `WITH r AS (UPDATE outbox SET claimed_until = NULL WHERE id = ANY($1) AND sent_at IS NULL RETURNING 1)
		SELECT pg_notify($2, '') WHERE EXISTS (SELECT 1 FROM r)`, ids, OutboxChannel)
	if err != nil {
		return fmt.Errorf("release outbox: %w", err)
	}
	return nil
}

// RenewOutbox extends this process's lease on unsent messages ids. It passes
// over a row that another transaction holds (MarkSentBatch marking it sent,
// say) instead of waiting for it: it never waits for a lock, so it is never
// part of a deadlock. Before, it could hold one row and wait for a second
// that a sent-mark held, while the sent-mark waited for the first; Postgres
// broke that off after a second, and the sender's marks waited that long.
func (s *Store) RenewOutbox(ctx context.Context, ids []int64) error {
	_, err := s.db.Exec(ctx, `UPDATE outbox o SET claimed_until = $2
		FROM (SELECT id FROM outbox WHERE id = ANY($1) AND sent_at IS NULL AND failed_at IS NULL FOR UPDATE SKIP LOCKED) held
		WHERE o.id = held.id`,
		ids, s.now().Add(claimLease))
	if err != nil {
		return fmt.Errorf("renew outbox: %w", err)
	}
	return nil
}

// SentMessage is a message Telegram took, and the message ID it got: an
// outbox row (ID), or with Card the edit of a check-in's card (ID the
// check-in, Card the edit's version).
type SentMessage struct {
	ID        int64
	MessageID int
	Card      int
}

// SentAs is what marks m sent as Telegram's message messageID.
func SentAs(m Message, messageID int) SentMessage {
	r := m.Ref()
	return SentMessage{ID: r.ID, MessageID: messageID, Card: r.Card}
}

// MarkSentBatch marks many messages sent: the outbox rows in one statement,
// the card edits in another. It returns the card edits it could not mark
// yet, to be marked with the next batch (markCardsSent).
func (s *Store) MarkSentBatch(ctx context.Context, sent []SentMessage) ([]SentMessage, error) {
	var rows, cards []SentMessage
	for _, m := range sent {
		if m.Card != 0 {
			cards = append(cards, m)
		} else {
			rows = append(rows, m)
		}
	}
	var left []SentMessage
	if len(cards) > 0 {
		var err error
		if left, err = s.markCardsSent(ctx, cards); err != nil {
			return sent, err // none marked: all again with the next batch
		}
	}
	if len(rows) == 0 {
		return left, nil
	}
	ids := make([]int64, len(rows))
	mids := make([]int32, len(rows))
	for i, m := range rows {
		ids[i], mids[i] = m.ID, int32(m.MessageID)
	}
	// Planned anew each time (the unnamed statement, which needs none of
	// pgx's caches either): a plan cached while the outbox was nearly empty,
	// as at the start of a wave, reads the whole outbox for every batch once
	// it has grown.
	_, err := s.db.Exec(ctx, `UPDATE outbox o SET sent_at = $1, message_id = nullif(v.mid, 0), claimed_until = NULL
		FROM unnest($2::bigint[], $3::int[]) AS v(id, mid) WHERE o.id = v.id`, pgx.QueryExecModeExec, s.now(), ids, mids)
	if err != nil {
		return append(left, rows...), fmt.Errorf("mark sent: %w", err)
	}
	return left, nil
}
