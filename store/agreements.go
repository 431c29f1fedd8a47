package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Agreement statuses.
const (
	AgreementOpen    = "open"
	AgreementDone    = "done"
	AgreementDropped = "dropped"
)

// Agreement is something a coach and a student agreed the student would do,
// by a date. The next check-in after that date asks about it until it is done.
type Agreement struct {
	ID         int64
	StudentID  int64
	CoachID    int64
	CoachName  string
	What       string
	DueOn      time.Time // the date named (midnight UTC of that date)
	AskAfter   time.Time // when check-ins start asking about it
	Status     string
	LastAnswer string // the student's last answer (an option ID), "" when never asked
	AnsweredAt time.Time
	CreatedAt  time.Time
	ClosedAt   time.Time
}

const agreementCols = `a.id, a.student_id, coalesce(a.coach_id, 0), coalesce(co.name, ''), a.what, a.due_on, a.ask_after,
	a.status, coalesce(a.last_answer, ''), coalesce(a.answered_at, '0001-01-01'), a.created_at, coalesce(a.closed_at, '0001-01-01')`

func scanAgreement(r pgx.Row) (Agreement, error) {
	var a Agreement
	err := r.Scan(&a.ID, &a.StudentID, &a.CoachID, &a.CoachName, &a.What, &a.DueOn, &a.AskAfter,
		&a.Status, &a.LastAnswer, &a.AnsweredAt, &a.CreatedAt, &a.ClosedAt)
	a.AnsweredAt, a.ClosedAt = zeroYear1(a.AnsweredAt), zeroYear1(a.ClosedAt)
	return a, err
}

func zeroYear1(t time.Time) time.Time {
	if t.Year() == 1 {
		return time.Time{}
	}
	return t
}

// AddAgreement records an agreement of coachID with studentID: what, by the
// date dueOn; check-ins ask about it from askAfter (the end of that day
// where the student lives).
func (s *Store) AddAgreement(ctx context.Context, studentID, coachID int64, what string, dueOn, askAfter time.Time) (Agreement, error) {
	var id int64
	err := s.db.QueryRow(ctx, `INSERT INTO agreements (student_id, coach_id, what, due_on, ask_after, created_at)
		VALUES ($1, nullif($2, 0), $3, $4, $5, $6) RETURNING id`,
		studentID, coachID, what, dueOn, askAfter, s.now()).Scan(&id)
	if err != nil {
		return Agreement{}, fmt.Errorf("add agreement: %w", err)
	}
	return s.Agreement(ctx, id)
}

// Agreement returns one agreement.
func (s *Store) Agreement(ctx context.Context, id int64) (Agreement, error) {
	a, err := scanAgreement(s.db.QueryRow(ctx, `SELECT `+agreementCols+`
		FROM agreements a LEFT JOIN coaches co ON co.id = a.coach_id WHERE a.id = $1`, id))
	if err != nil {
		return Agreement{}, fmt.Errorf("agreement %d: %w", id, notFound(err))
	}
	return a, nil
}

// Agreements returns a student's agreements by date: only the open ones
// with openOnly.
func (s *Store) Agreements(ctx context.Context, studentID int64, openOnly bool) ([]Agreement, error) {
	rows, err := s.db.Query(ctx, `SELECT `+agreementCols+`
		FROM agreements a LEFT JOIN coaches co ON co.id = a.coach_id
		WHERE a.student_id = $1 AND (NOT $2 OR a.status = 'open') ORDER BY a.due_on, a.id`, studentID, openOnly)
	if err != nil {
		return nil, fmt.Errorf("agreements: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Agreement, error) { return scanAgreement(r) })
	if err != nil {
		return nil, fmt.Errorf("agreements: %w", err)
	}
	return out, nil
}

// CloseAgreement marks an open agreement done or dropped (by the coach).
func (s *Store) CloseAgreement(ctx context.Context, id int64, status string) error {
	if status != AgreementDone && status != AgreementDropped {
		return fmt.Errorf("close agreement: status %q", status)
	}
	tag, err := s.db.Exec(ctx, `UPDATE agreements SET status = $2, closed_at = $3 WHERE id = $1 AND status = 'open'`, id, status, s.now())
	if err != nil {
		return fmt.Errorf("close agreement: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}
