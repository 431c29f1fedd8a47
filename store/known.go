package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lijntje/lijntje/severity"
)

// KnownFor is how long a situation a coach marked "known, in hand" stays quiet
// while the answer stays the same; then it alerts once, as attention.
const KnownFor = 28 * 24 * time.Hour

// dampSignals lets check-in signals alert on change. For each signal of
// check-in checkinID (crisis never changes):
//
//   - marked known (CloseKnown) and the same answer as the check-in before:
//     kept without alerting until the mark ends; then it alerts once, as
//     attention, and the mark is gone;
//   - marked known but the answer changed in between: the mark is gone and the
//     signal alerts as new;
//   - urgent, and the same answer as the check-in before: attention (in the
//     coach's hours) instead of urgent.
//
// It returns the signals that alert; the quiet ones are stored here, without a case.
func dampSignals(ctx context.Context, tx pgx.Tx, studentID, checkinID int64, at time.Time, sigs []Signal) ([]Signal, error) {
	if checkinID == 0 {
		return sigs, nil
	}
	out := make([]Signal, 0, len(sigs))
	for _, sg := range sigs {
		step, _, isAnswer := strings.Cut(sg.Detail, "=")
		if sg.Severity == severity.Crisis || !isAnswer {
			out = append(out, sg)
			continue
		}
		var same bool
		err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM signals g WHERE g.student_id = $1 AND g.code = $3 AND g.checkin_id = (
				SELECT a.checkin_id FROM answers a WHERE a.student_id = $1 AND a.step = $2 AND a.checkin_id IS NOT NULL AND a.checkin_id <> $4
				  AND a.answered_at <= $5 ORDER BY a.answered_at DESC, a.id DESC LIMIT 1))`,
			studentID, step, sg.Code, checkinID, at).Scan(&same)
		if err != nil {
			return nil, fmt.Errorf("repeated signal: %w", err)
		}
		var until time.Time
		err = tx.QueryRow(ctx, `SELECT until FROM known_signals WHERE student_id = $1 AND code = $2 FOR UPDATE`, studentID, sg.Code).Scan(&until)
		known := err == nil
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return nil, fmt.Errorf("known signal: %w", err)
		}
		if known {
			if same && at.Before(until) {
				if _, err := tx.Exec(ctx, `INSERT INTO signals (student_id, checkin_id, code, severity, detail, created_at)
					VALUES ($1, $2, $3, $4, nullif($5, ''), $6) ON CONFLICT DO NOTHING`,
					studentID, checkinID, sg.Code, sg.Severity, sg.Detail, at); err != nil {
					return nil, fmt.Errorf("quiet signal: %w", err)
				}
				continue
			}
			if _, err := tx.Exec(ctx, `DELETE FROM known_signals WHERE student_id = $1 AND code = $2`, studentID, sg.Code); err != nil {
				return nil, fmt.Errorf("known signal: %w", err)
			}
			if same { // four weeks of the same: once, as attention
				sg.Severity = severity.Attention
			}
			out = append(out, sg)
			continue
		}
		if same && sg.Severity == severity.Urgent {
			sg.Severity = severity.Attention
		}
		out = append(out, sg)
	}
	return out, nil
}

// CloseKnown closes a taken case as "known, in hand" (note is the closing
// note): each answer that raised it stays quiet while it stays the same, for
// up to KnownFor. Only the coach who took it (or a coordinator) can.
func (s *Store) CloseKnown(ctx context.Context, alertID, coachID int64, note string) error {
	now := s.now()
	return s.withTx(ctx, func(tx pgx.Tx) error {
		// As CloseAlert, with the mark in the same transaction.
		if err := closeAlertTx(ctx, tx, alertID, coachID, now, note); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, alertID, now, "known", coachID, ""); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO known_signals (student_id, code, until, coach_id, created_at)
			SELECT DISTINCT g.student_id, g.code, $3::timestamptz, $2::bigint, $4::timestamptz FROM signals g
			WHERE g.alert_id = $1 AND g.student_id IS NOT NULL AND g.checkin_id IS NOT NULL AND g.severity <> 'crisis'
			ON CONFLICT (student_id, code) DO UPDATE SET until = excluded.until, coach_id = excluded.coach_id, created_at = excluded.created_at`,
			alertID, coachID, now.Add(KnownFor), now)
		if err != nil {
			return fmt.Errorf("mark known: %w", err)
		}
		return refreshDeliveries(ctx, tx, alertID, now)
	})
}

// RemindAfter is how long a case stays open before it is brought back to its
// coach (then once every working day while it stays open).
const RemindAfter = 48 * time.Hour

// RemindMarker is the Text of an alert outbox row that brings a case back as a
// new message instead of editing the one the coach has.
const RemindMarker = "remind"

// applyRemind schedules the first "remind" step of a case when it is routed,
// and brings a case back to the coaches in plan.Remind.
func applyRemind(ctx context.Context, tx pgx.Tx, now time.Time, st AlertStep, plan StepPlan) error {
	if st.Kind == "route" && st.Status != AlertClosed {
		if _, err := tx.Exec(ctx, `INSERT INTO alert_steps (alert_id, kind, due_at)
			SELECT $1, 'remind', $2 WHERE NOT EXISTS (SELECT 1 FROM alert_steps WHERE alert_id = $1 AND kind = 'remind' AND done_at IS NULL)`,
			st.AlertID, now.Add(RemindAfter)); err != nil {
			return fmt.Errorf("schedule remind: %w", err)
		}
	}
	for _, coachID := range plan.Remind {
		var deliveryID, chatID int64
		err := tx.QueryRow(ctx, `INSERT INTO alert_deliveries (alert_id, coach_id, chat_id, created_at)
			SELECT $1, id, chat_id, $3 FROM coaches WHERE id = $2 AND chat_id IS NOT NULL
			ON CONFLICT (alert_id, coach_id) DO UPDATE SET chat_id = excluded.chat_id
			RETURNING id, chat_id`, st.AlertID, coachID, now).Scan(&deliveryID, &chatID)
		if errors.Is(err, pgx.ErrNoRows) {
			continue
		}
		if err != nil {
			return fmt.Errorf("remind: %w", err)
		}
		if _, err := insertOutbox(ctx, tx, now, false, []Message{{ChatID: chatID, Lane: LaneInteractive, Kind: KindAlert,
			AlertID: st.AlertID, DeliveryID: deliveryID, Text: RemindMarker}}); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, st.AlertID, now, "reminded", coachID, ""); err != nil {
			return err
		}
	}
	return nil
}

// HeldCheckins counts the check-ins of studentID that are due but wait for an open case.
func (s *Store) HeldCheckins(ctx context.Context, studentID int64) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM checkins WHERE student_id = $1 AND status = 'scheduled' AND due_at <= $2`,
		studentID, s.now()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("held checkins: %w", err)
	}
	return n, nil
}
