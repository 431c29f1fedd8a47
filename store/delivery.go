package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// hideUnreachable clears the chat of coaches whose chat cannot be reached, so
// routing (which skips coaches without a chat) passes them by.
func hideUnreachable(ctx context.Context, tx pgx.Tx, coaches []Coach) error {
	rows, err := tx.Query(ctx, `SELECT id FROM coaches WHERE unreachable_at IS NOT NULL`)
	if err != nil {
		return fmt.Errorf("unreachable coaches: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("unreachable coaches: %w", err)
	}
	for _, id := range ids {
		for i := range coaches {
			if coaches[i].ID == id {
				coaches[i].ChatID = 0
			}
		}
	}
	return nil
}

// resendDelivery makes the case's message to coachID a new message (it makes
// a sound; an edit does not); the renderer points the old one to it.
func resendDelivery(ctx context.Context, tx pgx.Tx, now time.Time, alertID, coachID int64) error {
	var deliveryID, chatID int64
	err := tx.QueryRow(ctx, `UPDATE alert_deliveries SET renewed_at = $3
		WHERE alert_id = $1 AND coach_id = $2 AND failed_at IS NULL RETURNING id, chat_id`, alertID, coachID, now).Scan(&deliveryID, &chatID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("resend alert: %w", err)
	}
	// Fresh: the renderer sends a new message whatever the delivery has, and
	// points the message it had (if any, by then) to the new one.
	msgs := []Message{{ChatID: chatID, Lane: LaneUrgent, Kind: KindAlert, AlertID: alertID, DeliveryID: deliveryID, Fresh: true}}
	if _, err := insertOutbox(ctx, tx, now, false, msgs); err != nil {
		return err
	}
	if err := copyVoices(ctx, tx, now, alertID, coachID, chatID); err != nil {
		return err
	}
	return addEvent(ctx, tx, alertID, now, "resent", coachID, "")
}

// ChatFailure is what CoachChatFailed changed.
type ChatFailure struct {
	Coach Coach
	// Newly is true when the coach just became unreachable: the coordinators
	// (in Tell) should hear about it.
	Newly bool
	Tell  []Coach
	// Rerouted is how many open cases go on to the next in line.
	Rerouted int
}

// CoachChatFailed records that outbox message outboxID to chatID cannot be
// delivered (the chat blocked the bot, was deleted, or refused it for good).
// When chatID is a coach's, only that message fails (not the others waiting
// for the chat), the coach is marked unreachable until they come back with
// /start, a failed alert delivery (deliveryID) is marked, and every open case
// they have gets a "reroute" step due now, so it goes on to the next in line.
// It returns ErrNotFound when chatID is not a coach's chat.
func (s *Store) CoachChatFailed(ctx context.Context, outboxID, chatID, deliveryID int64, reason string) (ChatFailure, error) {
	now := s.now()
	var f ChatFailure
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		c, err := scanCoach(tx.QueryRow(ctx, `SELECT `+coachCols+` FROM coaches WHERE chat_id = $1 FOR UPDATE`, chatID))
		if err != nil {
			return fmt.Errorf("coach of chat: %w", notFound(err))
		}
		f.Coach = c
		if _, err := tx.Exec(ctx, `UPDATE outbox SET failed_at = $2, error = $3, claimed_until = NULL WHERE id = $1`, outboxID, now, reason); err != nil {
			return fmt.Errorf("mark failed: %w", err)
		}
		tag, err := tx.Exec(ctx, `UPDATE coaches SET unreachable_at = $2 WHERE id = $1 AND unreachable_at IS NULL`, c.ID, now)
		if err != nil {
			return fmt.Errorf("mark coach unreachable: %w", err)
		}
		f.Newly = tag.RowsAffected() == 1
		if deliveryID != 0 {
			var alertID int64
			err := tx.QueryRow(ctx, `UPDATE alert_deliveries SET failed_at = $2 WHERE id = $1 RETURNING alert_id`, deliveryID, now).Scan(&alertID)
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("mark delivery failed: %w", err)
			}
			if err == nil {
				if err := addEvent(ctx, tx, alertID, now, "undeliverable", c.ID, reason); err != nil {
					return err
				}
			}
		}
		tag, err = tx.Exec(ctx, `INSERT INTO alert_steps (alert_id, kind, due_at)
			SELECT DISTINCT d.alert_id, 'reroute', $2::timestamptz FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id
			WHERE d.coach_id = $1 AND a.status = 'open'
			  AND NOT EXISTS (SELECT 1 FROM alert_steps x WHERE x.alert_id = d.alert_id AND x.kind = 'reroute' AND x.done_at IS NULL)`, c.ID, now)
		if err != nil {
			return fmt.Errorf("reroute cases: %w", err)
		}
		f.Rerouted = int(tag.RowsAffected())
		if f.Newly {
			rows, err := tx.Query(ctx, `SELECT `+coachCols+` FROM coaches
				WHERE coordinator AND chat_id IS NOT NULL AND unreachable_at IS NULL AND id <> $1 ORDER BY id`, c.ID)
			if err != nil {
				return fmt.Errorf("coordinators: %w", err)
			}
			f.Tell, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Coach, error) { return scanCoach(r) })
			if err != nil {
				return fmt.Errorf("coordinators: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, `SELECT pg_notify($1, '')`, AlertChannel); err != nil {
			return fmt.Errorf("notify alert: %w", err)
		}
		return nil
	})
	return f, err
}

// CoachBack records that coachID can be reached again (they wrote /start);
// it reports whether they had been unreachable.
func (s *Store) CoachBack(ctx context.Context, coachID int64) (bool, error) {
	tag, err := s.db.Exec(ctx, `UPDATE coaches SET unreachable_at = NULL WHERE id = $1 AND unreachable_at IS NOT NULL`, coachID)
	if err != nil {
		return false, fmt.Errorf("coach back: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// ForgetAlertMessage forgets the message of delivery deliveryID (the coach
// deleted it, so it cannot be edited): the next render sends a new one.
func (s *Store) ForgetAlertMessage(ctx context.Context, deliveryID int64) error {
	if _, err := s.db.Exec(ctx, `UPDATE alert_deliveries SET message_id = NULL WHERE id = $1`, deliveryID); err != nil {
		return fmt.Errorf("forget alert message: %w", err)
	}
	return nil
}

// CoachUnreachable reports whether coachID's chat could not be reached lately
// (until they come back with /start).
func (s *Store) CoachUnreachable(ctx context.Context, coachID int64) (bool, error) {
	var gone bool
	err := s.db.QueryRow(ctx, `SELECT unreachable_at IS NOT NULL FROM coaches WHERE id = $1`, coachID).Scan(&gone)
	if err != nil {
		return false, fmt.Errorf("coach %d: %w", coachID, notFound(err))
	}
	return gone, nil
}
