package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// ReferralKinds are where a coach can refer a student to.
var ReferralKinds = []string{"jobcoach", "schuldhulp", "uwv", "gemeente", "hulpverlening", "other"}

// ReferralStatuses are the states of a referral, in order.
var ReferralStatuses = []string{"aangemeld", "in_contact", "loopt", "afgerond", "gestopt"}

// Referral is a coach sending a student to other help, and how it goes.
type Referral struct {
	ID         int64
	StudentID  int64
	CoachID    int64
	CoachName  string
	Kind       string // one of ReferralKinds
	Note       string
	Status     string    // one of ReferralStatuses
	FollowUpAt time.Time // when a check-in asks about it; zero when it will not
	LastAnswer string    // the student's last answer in a check-in (an option ID)
	AnsweredAt time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

const referralCols = `r.id, r.student_id, coalesce(r.coach_id, 0), coalesce(co.name, ''), r.kind, r.note, r.status,
	coalesce(r.follow_up_at, '0001-01-01'), coalesce(r.last_answer, ''), coalesce(r.answered_at, '0001-01-01'), r.created_at, r.updated_at`

func scanReferral(row pgx.Row) (Referral, error) {
	var r Referral
	err := row.Scan(&r.ID, &r.StudentID, &r.CoachID, &r.CoachName, &r.Kind, &r.Note, &r.Status,
		&r.FollowUpAt, &r.LastAnswer, &r.AnsweredAt, &r.CreatedAt, &r.UpdatedAt)
	r.FollowUpAt, r.AnsweredAt = zeroYear1(r.FollowUpAt), zeroYear1(r.AnsweredAt)
	return r, err
}

// AddReferral records a referral of studentID by coachID; a check-in asks
// the student about it from followUp on.
func (s *Store) AddReferral(ctx context.Context, studentID, coachID int64, kind, note string, followUp time.Time) (Referral, error) {
	if !slices.Contains(ReferralKinds, kind) {
		return Referral{}, fmt.Errorf("add referral: kind %q is not one of %v", kind, ReferralKinds)
	}
	var id int64
	now := s.now()
	err := s.db.QueryRow(ctx, `INSERT INTO referrals (student_id, coach_id, kind, note, follow_up_at, created_at, updated_at)
		VALUES ($1, nullif($2, 0), $3, $4, $5, $6, $6) RETURNING id`, studentID, coachID, kind, note, followUp, now).Scan(&id)
	if err != nil {
		return Referral{}, fmt.Errorf("add referral: %w", err)
	}
	return s.Referral(ctx, id)
}

// Referral returns one referral.
func (s *Store) Referral(ctx context.Context, id int64) (Referral, error) {
	r, err := scanReferral(s.db.QueryRow(ctx, `SELECT `+referralCols+`
		FROM referrals r LEFT JOIN coaches co ON co.id = r.coach_id WHERE r.id = $1`, id))
	if err != nil {
		return Referral{}, fmt.Errorf("referral %d: %w", id, notFound(err))
	}
	return r, nil
}

// Referrals returns a student's referrals, oldest first.
func (s *Store) Referrals(ctx context.Context, studentID int64) ([]Referral, error) {
	rows, err := s.db.Query(ctx, `SELECT `+referralCols+`
		FROM referrals r LEFT JOIN coaches co ON co.id = r.coach_id WHERE r.student_id = $1 ORDER BY r.created_at, r.id`, studentID)
	if err != nil {
		return nil, fmt.Errorf("referrals: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Referral, error) { return scanReferral(r) })
	if err != nil {
		return nil, fmt.Errorf("referrals: %w", err)
	}
	return out, nil
}

// SetReferralStatus changes a referral's status. A referral that is over
// (afgerond, gestopt) is no longer asked about.
func (s *Store) SetReferralStatus(ctx context.Context, id int64, status string) (Referral, error) {
	if !slices.Contains(ReferralStatuses, status) {
		return Referral{}, fmt.Errorf("set referral status: %q is not one of %v", status, ReferralStatuses)
	}
	tag, err := s.db.Exec(ctx, `UPDATE referrals SET status = $2, updated_at = $3,
		follow_up_at = CASE WHEN $2 IN ('afgerond', 'gestopt') THEN NULL ELSE follow_up_at END WHERE id = $1`, id, status, s.now())
	if err != nil {
		return Referral{}, fmt.Errorf("set referral status: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return Referral{}, ErrNotFound
	}
	return s.Referral(ctx, id)
}

// ReferralCount is how many referrals of one kind are in one status.
type ReferralCount struct {
	Cohort string // the year the students left school, "" when unknown
	Kind   string
	Status string
	Count  int
}

// ReferralCounts counts referrals by cohort (year of leaving school), kind
// and status, for the report.
func (s *Store) ReferralCounts(ctx context.Context) ([]ReferralCount, error) {
	rows, err := s.db.Query(ctx, `SELECT coalesce(extract(year FROM s.left_school)::text, ''), r.kind, r.status, count(*)
		FROM referrals r JOIN students s ON s.id = r.student_id
		GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`)
	if err != nil {
		return nil, fmt.Errorf("referral counts: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ReferralCount, error) {
		var c ReferralCount
		return c, r.Scan(&c.Cohort, &c.Kind, &c.Status, &c.Count)
	})
	if err != nil {
		return nil, fmt.Errorf("referral counts: %w", err)
	}
	return out, nil
}

// SetReferralNote sets a referral's note.
func (s *Store) SetReferralNote(ctx context.Context, id int64, note string) error {
	tag, err := s.db.Exec(ctx, `UPDATE referrals SET note = $2, updated_at = $3 WHERE id = $1`, id, note, s.now())
	if err != nil {
		return fmt.Errorf("set referral note: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

// AnswerCount is how many answers one option of one step got, per cohort.
type AnswerCount struct {
	Cohort string // the year the students left school, "" when unknown
	Step   string
	Option string
	Count  int
}

// AnswerCounts counts the answers to steps by cohort (year of leaving
// school), step and option: the pilot's questions in the report.
func (s *Store) AnswerCounts(ctx context.Context, steps []string) ([]AnswerCount, error) {
	rows, err := s.db.Query(ctx, `SELECT coalesce(extract(year FROM s.left_school)::text, ''), a.step, coalesce(a.option, ''), count(*)
		FROM answers a JOIN students s ON s.id = a.student_id
		WHERE a.step = ANY($1) AND a.option IS NOT NULL
		GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`, steps)
	if err != nil {
		return nil, fmt.Errorf("answer counts: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AnswerCount, error) {
		var c AnswerCount
		return c, r.Scan(&c.Cohort, &c.Step, &c.Option, &c.Count)
	})
	if err != nil {
		return nil, fmt.Errorf("answer counts: %w", err)
	}
	return out, nil
}
