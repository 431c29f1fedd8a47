package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Imported is one student after an import: their ID, and a fresh invite code
// when they got a new link (then Code is set).
type Imported struct {
	Student Student
	Code    string
	Updated bool // the ref existed: the student was updated, not added
	// Kept is set for an updated student who is not linked yet and whose
	// handed-out invite still works: it was left as it is (no Code).
	Kept bool
}

// ImportStudents adds (or, for a known ref, updates) every student in one
// transaction: all or nothing. A student without a ref is always added.
//
// An updated student keeps the invite they were handed: a re-import changes
// names, coaches and dates, never a link. Only with renew does an updated,
// unlinked student get a new invite (the old codes stop working; codes are
// stored hashed and cannot be printed again). An updated student with no
// working invite left (expired or revoked) gets a new one either way. A
// linked student keeps their chat and gets no new code.
func (s *Store) ImportStudents(ctx context.Context, ns []NewStudent, inviteTTL time.Duration, renew bool) ([]Imported, error) {
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
			var left, school any
			if !n.LeftSchool.IsZero() {
				left = n.LeftSchool
			}
			if n.School != "" {
				school = n.School
			}
			var im Imported
			var inserted bool
			row := tx.QueryRow(ctx, `INSERT INTO students (name, coach_id, lang, left_school, ref, school)
				VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (ref) DO UPDATE SET name = excluded.name, coach_id = excluded.coach_id,
					lang = excluded.lang, left_school = excluded.left_school,
					school = coalesce(excluded.school, students.school)
				RETURNING `+studentCols+`, xmax = 0`, n.Name, n.CoachID, n.Lang, left, n.Ref, school)
			err := row.Scan(&im.Student.ID, &im.Student.Ref, &im.Student.Name, &im.Student.CoachID, &im.Student.Lang,
				&im.Student.LeftSchool, &im.Student.ChatID, &im.Student.Status, &inserted)
			if err != nil {
				var pe *pgconn.PgError
				if errors.As(err, &pe) && pe.Code == "23503" {
					return fmt.Errorf("coach %d: %w", n.CoachID, ErrUnknownCoach)
				}
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
			if im.Updated && !renew {
				var open bool
				if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM invites WHERE student_id = $1
					AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2)`, im.Student.ID, s.now()).Scan(&open); err != nil {
					return fmt.Errorf("open invites: %w", err)
				}
				if open {
					im.Kept = true
					out = append(out, im)
					continue
				}
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

// Known is a student an import file names by ref, as the record has them now.
type Known struct {
	Student    Student
	OpenInvite bool // an invite that is unused, not revoked and not expired
}

// StudentsByRef returns the students with these refs, by ref, with whether
// their handed-out invite still works: what an import would change.
func (s *Store) StudentsByRef(ctx context.Context, refs []string) (map[string]Known, error) {
	rows, err := s.db.Query(ctx, `SELECT `+studentCols+`, EXISTS (SELECT 1 FROM invites i WHERE i.student_id = students.id
			AND i.used_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > $2)
		FROM students WHERE ref = ANY($1)`, refs, s.now())
	if err != nil {
		return nil, fmt.Errorf("students by ref: %w", err)
	}
	defer rows.Close()
	out := map[string]Known{}
	for rows.Next() {
		var k Known
		st := &k.Student
		if err := rows.Scan(&st.ID, &st.Ref, &st.Name, &st.CoachID, &st.Lang, &st.LeftSchool, &st.ChatID, &st.Status, &k.OpenInvite); err != nil {
			return nil, fmt.Errorf("students by ref: %w", err)
		}
		if st.LeftSchool.Year() == 1 {
			st.LeftSchool = time.Time{}
		}
		out[st.Ref] = k
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("students by ref: %w", err)
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
