package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// FollowupAsk is a check-in's step that asks about one agreement or one
// referral.
type FollowupAsk struct {
	Step        string // the flow step; set by the planner
	AgreementID int64
	ReferralID  int64
	Subject     string // the agreement's "what", or the referral's kind
	Previous    string // the answer about the same item the last time, "" when never asked
}

// FollowupAnswer is what a student's answer to a followup step changes,
// written with the answer (see Record.Followup).
type FollowupAnswer struct {
	AgreementID int64
	ReferralID  int64
	Option      string
	Done        bool      // an agreement: it is done, stop asking
	Status      string    // a referral: its new status when it was still "aangemeld" ("" keeps it)
	AskAgainAt  time.Time // a referral: ask again then; zero: stop asking
}

// queueDueFollowups queues the reads of the student's agreement and referral
// to ask about now (the oldest due of each), to fill agreement and referral
// (left nil when none is due).
func queueDueFollowups(b *pgx.Batch, studentID int64, now time.Time, agreement, referral **FollowupAsk) {
	b.Queue(`SELECT id, what, coalesce(last_answer, '') FROM agreements
		WHERE student_id = $1 AND status = 'open' AND ask_after <= $2 ORDER BY ask_after, id LIMIT 1`, studentID, now).
		QueryRow(func(row pgx.Row) error {
			var a FollowupAsk
			return scanFollowup(row, "due agreement", agreement, &a, &a.AgreementID)
		})
	b.Queue(`SELECT id, kind, coalesce(last_answer, '') FROM referrals
		WHERE student_id = $1 AND follow_up_at <= $2 AND status NOT IN ('afgerond', 'gestopt')
		ORDER BY follow_up_at, id LIMIT 1`, studentID, now).
		QueryRow(func(row pgx.Row) error {
			var r FollowupAsk
			return scanFollowup(row, "due referral", referral, &r, &r.ReferralID)
		})
}

// scanFollowup scans an agreement's or referral's (id, subject, previous
// answer) into f and points to f from into; no row leaves into nil.
func scanFollowup(row pgx.Row, what string, into **FollowupAsk, f *FollowupAsk, id *int64) error {
	switch err := row.Scan(id, &f.Subject, &f.Previous); {
	case errors.Is(err, pgx.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("%s: %w", what, err)
	}
	*into = f
	return nil
}

// queueFollowupAsks queues the record of which step of checkinID asks about
// what, and sets previous[step] to that item's previous answer (for rules
// such as "failed twice").
func queueFollowupAsks(b *pgx.Batch, checkinID int64, asks []FollowupAsk, previous map[string]string) {
	for _, a := range asks {
		execNamed(b.Queue(`INSERT INTO followup_asks (checkin_id, step, agreement_id, referral_id, previous)
			VALUES ($1, $2, nullif($3, 0), nullif($4, 0), nullif($5, '')) ON CONFLICT DO NOTHING`,
			checkinID, a.Step, a.AgreementID, a.ReferralID, a.Previous), "followup ask")
		if previous != nil {
			overlayPrevious(previous, a.Step, a.Previous)
		}
	}
}

func overlayPrevious(previous map[string]string, step, answer string) {
	if answer == "" {
		delete(previous, step)
	} else {
		previous[step] = answer
	}
}

// followupPrevious sets previous[step] for the followup steps of checkinID.
func followupPrevious(ctx context.Context, tx pgx.Tx, checkinID int64, previous map[string]string) error {
	rows, err := tx.Query(ctx, `SELECT step, coalesce(previous, '') FROM followup_asks WHERE checkin_id = $1`, checkinID)
	if err != nil {
		return fmt.Errorf("followup previous: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var step, prev string
		if err := rows.Scan(&step, &prev); err != nil {
			return fmt.Errorf("followup previous: %w", err)
		}
		overlayPrevious(previous, step, prev)
	}
	return rows.Err()
}

// FollowupAskFor returns what step of checkinID asks about; ErrNotFound when
// it asks about nothing.
func (s *Store) FollowupAskFor(ctx context.Context, checkinID int64, step string) (FollowupAsk, error) {
	return followupAskFor(ctx, s.db, checkinID, step)
}

func followupAskFor(ctx context.Context, q rowQuerier, checkinID int64, step string) (FollowupAsk, error) {
	a := FollowupAsk{Step: step}
	err := q.QueryRow(ctx, `SELECT coalesce(f.agreement_id, 0), coalesce(f.referral_id, 0), coalesce(a.what, r.kind, ''), coalesce(f.previous, '')
		FROM followup_asks f LEFT JOIN agreements a ON a.id = f.agreement_id LEFT JOIN referrals r ON r.id = f.referral_id
		WHERE f.checkin_id = $1 AND f.step = $2`, checkinID, step).Scan(&a.AgreementID, &a.ReferralID, &a.Subject, &a.Previous)
	if err != nil {
		return FollowupAsk{}, fmt.Errorf("followup ask: %w", notFound(err))
	}
	return a, nil
}

// answerFollowup applies a student's answer about an agreement or referral.
func answerFollowup(ctx context.Context, tx pgx.Tx, f *FollowupAnswer, at time.Time) error {
	var err error
	switch {
	case f.AgreementID != 0:
		_, err = tx.Exec(ctx, `UPDATE agreements SET last_answer = $2, answered_at = $3,
			status = CASE WHEN $4 AND status = 'open' THEN 'done' ELSE status END,
			closed_at = CASE WHEN $4 AND status = 'open' THEN $3 ELSE closed_at END
			WHERE id = $1`, f.AgreementID, f.Option, at, f.Done)
	case f.ReferralID != 0:
		var again *time.Time
		if !f.AskAgainAt.IsZero() {
			again = &f.AskAgainAt
		}
		_, err = tx.Exec(ctx, `UPDATE referrals SET last_answer = $2, answered_at = $3, follow_up_at = $4, updated_at = $3,
			status = CASE WHEN $5 <> '' AND status = 'aangemeld' THEN $5 ELSE status END
			WHERE id = $1`, f.ReferralID, f.Option, at, again, f.Status)
	}
	if err != nil {
		return fmt.Errorf("answer followup: %w", err)
	}
	return nil
}

// eraseFollowupAnswers forgets the student's answers kept with their
// agreements and referrals (copies of answers), as EraseAnswers does.
func eraseFollowupAnswers(ctx context.Context, tx pgx.Tx, studentID int64) error {
	if _, err := tx.Exec(ctx, `UPDATE agreements SET last_answer = NULL, answered_at = NULL WHERE student_id = $1`, studentID); err != nil {
		return fmt.Errorf("erase agreement answers: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE referrals SET last_answer = NULL, answered_at = NULL WHERE student_id = $1`, studentID); err != nil {
		return fmt.Errorf("erase referral answers: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE followup_asks f SET previous = NULL FROM checkins c
		WHERE c.id = f.checkin_id AND c.student_id = $1`, studentID); err != nil {
		return fmt.Errorf("erase followup answers: %w", err)
	}
	return nil
}
