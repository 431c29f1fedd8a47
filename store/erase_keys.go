package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErasedText replaces a message already delivered to a coach about a student
// whose data was erased.
const ErasedText = "[verwijderd]"

// aboutStudent is the SQL condition for outbox rows that concern student $1
// whose chat is $2 (0 when not linked): by key, never by name.
const aboutStudent = `(($2::bigint <> 0 AND chat_id = $2)
	OR student_id = $1
	OR checkin_id IN (SELECT id FROM checkins WHERE student_id = $1)
	OR alert_id IN (SELECT id FROM alerts WHERE student_id = $1)
	OR ($2::bigint <> 0 AND payload->>'fc' = $2::text))`

// scrubDelivered queues, for every message already delivered to another chat
// (a coach's) about the student, an edit to ErasedText (texts) or a delete
// (photos, files, voice copies). With cases, the case messages (alert
// deliveries) are edited too; without, they are rendered again, which shows
// the case without the texts erased meanwhile (after /stop). It returns how
// many messages it queued.
func scrubDelivered(ctx context.Context, tx pgx.Tx, now time.Time, studentID, chatID int64, cases bool) (int, error) {
	rows, err := tx.Query(ctx, `SELECT DISTINCT ON (chat_id, message_id) chat_id, message_id, method FROM outbox
		WHERE sent_at IS NOT NULL AND message_id IS NOT NULL AND chat_id <> $2 AND method <> 'alert'
		  AND (student_id = $1 OR alert_id IN (SELECT id FROM alerts WHERE student_id = $1)
		       OR ($2::bigint <> 0 AND payload->>'fc' = $2::text))
		ORDER BY chat_id, message_id, id`, studentID, chatID)
	if err != nil {
		return 0, fmt.Errorf("delivered messages: %w", err)
	}
	var msgs []Message
	for rows.Next() {
		var chat int64
		var mid int
		var method string
		if err := rows.Scan(&chat, &mid, &method); err != nil {
			rows.Close()
			return 0, fmt.Errorf("delivered messages: %w", err)
		}
		m := Message{ChatID: chat, Lane: LaneReminder, Kind: KindEdit, Text: ErasedText, EditMessageID: mid}
		switch method {
		case KindPhoto, KindDocument, KindCopy:
			m.Kind, m.Text = KindDelete, ""
		}
		msgs = append(msgs, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("delivered messages: %w", err)
	}
	rows, err = tx.Query(ctx, `SELECT d.id, d.alert_id, d.chat_id, d.message_id FROM alert_deliveries d
		JOIN alerts a ON a.id = d.alert_id WHERE a.student_id = $1 AND d.message_id IS NOT NULL ORDER BY d.id`, studentID)
	if err != nil {
		return 0, fmt.Errorf("case messages: %w", err)
	}
	for rows.Next() {
		var id, alertID, chat int64
		var mid int
		if err := rows.Scan(&id, &alertID, &chat, &mid); err != nil {
			rows.Close()
			return 0, fmt.Errorf("case messages: %w", err)
		}
		if cases {
			msgs = append(msgs, Message{ChatID: chat, Lane: LaneReminder, Kind: KindEdit, Text: ErasedText, EditMessageID: mid})
		} else {
			msgs = append(msgs, Message{ChatID: chat, Lane: LaneReminder, Kind: KindAlert, AlertID: alertID, DeliveryID: id})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("case messages: %w", err)
	}
	if _, err := insertOutbox(ctx, tx, now, false, msgs); err != nil {
		return 0, err
	}
	return len(msgs), nil
}
