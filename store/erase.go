package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// EraseStudent removes everything about a student (the right to erasure): the
// student, their invites, check-ins, answers and signals, every outbox row to
// their chat or about them, and their conversation in Redis. Their alerts stay
// for the audit trail and the anonymous figures, without student, name or text:
// the student link is cleared, notes and event details are dropped, open cases
// are closed and their pending steps cancelled. It returns ErrNotFound for an
// unknown student.
func (s *Store) EraseStudent(ctx context.Context, id int64) error {
	var chatID int64
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		var err error
		chatID, err = eraseStudentTx(ctx, tx, id, s.now(), false)
		return err
	})
	if err != nil {
		return err
	}
	if chatID != 0 {
		return s.ForgetConv(ctx, chatID)
	}
	return nil
}

// eraseStudentTx erases student id in tx and returns their chat ID (0 when not
// linked). With skipLocked a student another transaction holds is left alone
// (ErrNotFound), so replicas running the retention job share the work.
func eraseStudentTx(ctx context.Context, tx pgx.Tx, id int64, now time.Time, skipLocked bool) (int64, error) {
	lock := "FOR UPDATE"
	if skipLocked {
		lock += " SKIP LOCKED"
	}
	var chat *int64
	err := tx.QueryRow(ctx, `SELECT chat_id FROM students WHERE id = $1 `+lock, id).Scan(&chat)
	if err != nil {
		return 0, fmt.Errorf("student %d: %w", id, notFound(err))
	}
	var chatID int64
	if chat != nil {
		chatID = *chat
	}
	// What coaches already have about them becomes "[verwijderd]" (queued
	// before the rows that find those messages are deleted).
	if _, err := scrubDelivered(ctx, tx, now, id, chatID, true); err != nil {
		return 0, fmt.Errorf("erase student %d: %w", id, err)
	}
	steps := []struct {
		what, sql string
		args      []any
	}{
		// Personal messages between them and a coach, and those carried to a
		// coach's chat (talk: messages.go).
		{"personal messages", `WITH m AS (DELETE FROM coach_messages WHERE student_id = $1 RETURNING outbox_id)
			DELETE FROM outbox WHERE id IN (SELECT outbox_id FROM m WHERE outbox_id IS NOT NULL)`, []any{id}},
		// Messages to their chat, about them, their check-ins or cases, and
		// their voice messages copied to a coach: found by key, never by name.
		{"outbox", `DELETE FROM outbox WHERE ` + aboutStudent, []any{id, chatID}},
		// Their check-ins' cards go with the check-ins; one left in their chat
		// (a check-in of theirs that is somehow gone) goes by the chat.
		{"cards", `DELETE FROM cards WHERE $1::bigint <> 0 AND chat_id = $1`, []any{chatID}},
		{"dead letters", `DELETE FROM update_dead_letters WHERE $1::bigint <> 0 AND chat_id = $1`, []any{chatID}},
		{"alert events", `UPDATE alert_events SET detail = NULL WHERE alert_id IN (SELECT id FROM alerts WHERE student_id = $1)`, []any{id}},
		{"alert steps", `UPDATE alert_steps SET done_at = $1 WHERE done_at IS NULL AND alert_id IN (SELECT id FROM alerts WHERE student_id = $2)`, []any{now, id}},
		{"erased event", `INSERT INTO alert_events (alert_id, at, kind) SELECT id, $2, 'erased' FROM alerts WHERE student_id = $1`, []any{id, now}},
		{"alerts", `UPDATE alerts SET close_note = NULL, student_id = NULL,
			status = 'closed', closed_at = coalesce(closed_at, $2) WHERE student_id = $1`, []any{id, now}},
		{"signals", `DELETE FROM signals WHERE student_id = $1`, []any{id}},
		{"answers", `DELETE FROM answers WHERE student_id = $1`, []any{id}},
		{"checkins", `DELETE FROM checkins WHERE student_id = $1`, []any{id}},
		{"invites", `DELETE FROM invites WHERE student_id = $1`, []any{id}},
		{"student", `DELETE FROM students WHERE id = $1`, []any{id}},
	}
	for _, st := range steps {
		if _, err := tx.Exec(ctx, st.sql, st.args...); err != nil {
			return 0, fmt.Errorf("erase student %d: %s: %w", id, st.what, err)
		}
	}
	return chatID, nil
}

// PurgeEnded erases every student whose follow-up ended (students.ended_at)
// before before, each in its own transaction. Students another replica is
// erasing at the same moment are skipped (SKIP LOCKED), so it is safe to run in
// every replica. It returns how many students it erased.
func (s *Store) PurgeEnded(ctx context.Context, before time.Time) (int, error) {
	n := 0
	skip := []int64{} // students erased meanwhile by another replica
	for {
		var chatID int64
		found := false
		err := s.withTx(ctx, func(tx pgx.Tx) error {
			var id int64
			err := tx.QueryRow(ctx, `SELECT id FROM students WHERE ended_at IS NOT NULL AND ended_at < $1
				AND NOT (id = ANY($2)) ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`, before, skip).Scan(&id)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("purge ended: %w", err)
			}
			found = true
			chatID, err = eraseStudentTx(ctx, tx, id, s.now(), true)
			if errors.Is(err, ErrNotFound) { // erased meanwhile
				skip = append(skip, id)
				chatID = -1
				return nil
			}
			return err
		})
		if err != nil {
			return n, err
		}
		if !found {
			return n, nil
		}
		if chatID == -1 {
			continue
		}
		n++
		if chatID != 0 {
			_ = s.ForgetConv(ctx, chatID) // the conv key also expires on its own
		}
	}
}

// EraseAnswers deletes a student's answers (after /stop and its confirmation):
// the answers, the free text kept with their signals, the messages already sent
// to their chat (which echo the tapped answers) and their cached conversation
// (which holds their previous answers). Counts of check-ins, signals and alerts
// stay, without content. It returns how many answers it deleted.
func (s *Store) EraseAnswers(ctx context.Context, studentID int64) (int64, error) {
	var n, chatID int64
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		var chat *int64
		if err := tx.QueryRow(ctx, `SELECT chat_id FROM students WHERE id = $1 FOR UPDATE`, studentID).Scan(&chat); err != nil {
			return fmt.Errorf("student %d: %w", studentID, notFound(err))
		}
		if chat != nil {
			chatID = *chat
		}
		tag, err := tx.Exec(ctx, `DELETE FROM answers WHERE student_id = $1`, studentID)
		if err != nil {
			return fmt.Errorf("erase answers: %w", err)
		}
		n = tag.RowsAffected()
		if _, err := tx.Exec(ctx, `UPDATE signals SET detail = NULL WHERE student_id = $1`, studentID); err != nil {
			return fmt.Errorf("erase signal details: %w", err)
		}
		// Personal messages with a coach are what they said too (messages.go).
		if _, err := tx.Exec(ctx, `WITH m AS (DELETE FROM coach_messages WHERE student_id = $1 RETURNING outbox_id)
			DELETE FROM outbox WHERE id IN (SELECT outbox_id FROM m WHERE outbox_id IS NOT NULL)`, studentID); err != nil {
			return fmt.Errorf("erase personal messages: %w", err)
		}
		// What coaches got about their answers (history texts, charts, voice
		// copies) is edited or deleted; case messages are shown again without
		// the texts.
		if _, err := scrubDelivered(ctx, tx, s.now(), studentID, chatID, false); err != nil {
			return fmt.Errorf("erase sent messages: %w", err)
		}
		if err := eraseFollowupAnswers(ctx, tx, studentID); err != nil { // followups.go
			return err
		}
		// Sent messages echo answers, and so may unsent ones (a question's
		// confirmation): none of them is wanted once the student stopped.
		if _, err := tx.Exec(ctx, `DELETE FROM outbox WHERE ($1::bigint <> 0 AND (chat_id = $1 OR payload->>'fc' = $1::text))
			OR (student_id = $2 AND method <> 'alert')`, chatID, studentID); err != nil {
			return fmt.Errorf("erase sent messages: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM update_dead_letters WHERE $1::bigint <> 0 AND chat_id = $1`, chatID); err != nil {
			return fmt.Errorf("erase parked updates: %w", err)
		}
		// A check-in's card holds its answers too (cards.go).
		if _, err := tx.Exec(ctx, `DELETE FROM cards WHERE ($1::bigint <> 0 AND chat_id = $1)
			OR checkin_id IN (SELECT id FROM checkins WHERE student_id = $2)`, chatID, studentID); err != nil {
			return fmt.Errorf("erase cards: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if chatID != 0 {
		_ = s.ForgetConv(ctx, chatID)
	}
	return n, nil
}
