package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Imported is one student after an import: their ID, and a fresh invite code
// unless they are already linked to a chat (then Code is empty).
type Imported struct {
	Student Student
	Code    string
	Updated bool // the ref existed: the student was updated, not added
}

// ImportStudents adds (or, for a known ref, updates) every student in one
// transaction: all or nothing. A student without a ref is always added. An
// updated student who is not linked yet gets a new invite (their old codes stop
// working, since codes are stored hashed and cannot be printed again); a linked
// one keeps their chat and gets no new code.
func (s *Store) ImportStudents(ctx context.Context, ns []NewStudent, inviteTTL time.Duration) ([]Imported, error) {
	out := make([]Imported, 0, len(ns))
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		for _, n := range ns {
			if n.Ref == "" {
				st, code, err := s.addStudentTx(ctx, tx, n, inviteTTL)
				if err != nil {
					return err
				}
				out = append(out, Imported{Student: st, Code: code})
				continue
			}
			if n.Lang == "" {
				n.Lang = "nl"
			}
			var left any
			if !n.LeftSchool.IsZero() {
				left = n.LeftSchool
			}
			var im Imported
			var inserted bool
			row := tx.QueryRow(ctx, `INSERT INTO students (name, coach_id, lang, left_school, ref)
				VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (ref) DO UPDATE SET name = excluded.name, coach_id = excluded.coach_id,
					lang = excluded.lang, left_school = excluded.left_school
				RETURNING `+studentCols+`, xmax = 0`, n.Name, n.CoachID, n.Lang, left, n.Ref)
			err := row.Scan(&im.Student.ID, &im.Student.Ref, &im.Student.Name, &im.Student.CoachID, &im.Student.Lang,
				&im.Student.LeftSchool, &im.Student.ChatID, &im.Student.Status, &inserted)
			if err != nil {
				return fmt.Errorf("import student (ref %s): %w", n.Ref, err)
			}
			if im.Student.LeftSchool.Year() == 1 {
				im.Student.LeftSchool = time.Time{}
			}
			im.Updated = !inserted
			if im.Updated && im.Student.ChatID != 0 {
				out = append(out, im)
				continue
			}
			if im.Updated {
				if _, err := tx.Exec(ctx, `UPDATE invites SET revoked_at = $2 WHERE student_id = $1 AND used_at IS NULL AND revoked_at IS NULL`,
					im.Student.ID, s.now()); err != nil {
					return fmt.Errorf("revoke invites: %w", err)
				}
			}
			if im.Code, err = s.newInvite(ctx, tx, im.Student.ID, 0, inviteTTL); err != nil {
				return err
			}
			out = append(out, im)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Coaches returns every coach, by ID.
func (s *Store) Coaches(ctx context.Context) ([]Coach, error) {
	rows, err := s.db.Query(ctx, `SELECT `+coachCols+` FROM coaches ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("coaches: %w", err)
	}
	cs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Coach, error) { return scanCoach(r) })
	if err != nil {
		return nil, fmt.Errorf("coaches: %w", err)
	}
	return cs, nil
}
