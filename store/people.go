package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Coach is a coach linked (or to be linked) to a Telegram chat.
type Coach struct {
	ID          int64
	Name        string
	ChatID      int64 // 0 until the coach accepted their invite
	Hours       string
	Coordinator bool
	OnCall      bool
	Lang        string
}

// Student statuses.
const (
	StatusInvited     = "invited"
	StatusActive      = "active"
	StatusPaused      = "paused"
	StatusUnreachable = "unreachable"
	StatusStopped     = "stopped"
	StatusEnded       = "ended"
)

// Student is a former student in follow-up.
type Student struct {
	ID         int64
	Ref        string
	Name       string
	CoachID    int64
	Lang       string
	LeftSchool time.Time // zero when unknown
	ChatID     int64     // 0 until linked
	Status     string
}

const coachCols = `id, name, coalesce(chat_id, 0), hours, coordinator, on_call, lang`

func scanCoach(row pgx.Row) (Coach, error) {
	var c Coach
	err := row.Scan(&c.ID, &c.Name, &c.ChatID, &c.Hours, &c.Coordinator, &c.OnCall, &c.Lang)
	return c, err
}

const studentCols = `id, coalesce(ref, ''), name, coach_id, lang, coalesce(left_school, '0001-01-01'::date), coalesce(chat_id, 0), status`

func scanStudent(row pgx.Row) (Student, error) {
	var s Student
	err := row.Scan(&s.ID, &s.Ref, &s.Name, &s.CoachID, &s.Lang, &s.LeftSchool, &s.ChatID, &s.Status)
	if s.LeftSchool.Year() == 1 {
		s.LeftSchool = time.Time{}
	}
	return s, err
}

// AddCoach creates a coach and an invite for them.
func (s *Store) AddCoach(ctx context.Context, c Coach, inviteTTL time.Duration) (Coach, string, error) {
	var code string
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		if c.Hours == "" {
			c.Hours = "mon-fri 09:00-17:00"
		}
		if c.Lang == "" {
			c.Lang = "nl"
		}
		err := tx.QueryRow(ctx, `INSERT INTO coaches (name, hours, coordinator, lang) VALUES ($1, $2, $3, $4) RETURNING id`,
			c.Name, c.Hours, c.Coordinator, c.Lang).Scan(&c.ID)
		if err != nil {
			return fmt.Errorf("insert coach: %w", err)
		}
		code, err = s.newInvite(ctx, tx, 0, c.ID, inviteTTL)
		return err
	})
	return c, code, err
}

// Coach returns the coach with id.
func (s *Store) Coach(ctx context.Context, id int64) (Coach, error) {
	c, err := scanCoach(s.db.QueryRow(ctx, `SELECT `+coachCols+` FROM coaches WHERE id = $1`, id))
	if err != nil {
		return Coach{}, fmt.Errorf("coach %d: %w", id, notFound(err))
	}
	return c, nil
}

// CoachByChat returns the coach linked to chatID.
func (s *Store) CoachByChat(ctx context.Context, chatID int64) (Coach, error) {
	c, err := scanCoach(s.db.QueryRow(ctx, `SELECT `+coachCols+` FROM coaches WHERE chat_id = $1`, chatID))
	if err != nil {
		return Coach{}, fmt.Errorf("coach by chat: %w", notFound(err))
	}
	return c, nil
}

// NewStudent is what it takes to invite a student.
type NewStudent struct {
	Name       string
	CoachID    int64
	Lang       string
	LeftSchool time.Time
	Ref        string
	School     string // the school they left; empty when unknown
}

// ErrUnknownCoach is returned when a student names a coach that does not exist.
var ErrUnknownCoach = errors.New("unknown coach")

// AddStudent creates a student and an invite for them.
func (s *Store) AddStudent(ctx context.Context, n NewStudent, inviteTTL time.Duration) (Student, string, error) {
	var st Student
	var code string
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		var err error
		st, code, err = s.addStudentTx(ctx, tx, n, inviteTTL)
		return err
	})
	return st, code, err
}

func (s *Store) addStudentTx(ctx context.Context, tx pgx.Tx, n NewStudent, inviteTTL time.Duration) (Student, string, error) {
	if n.Lang == "" {
		n.Lang = "nl"
	}
	var left, ref, school any
	if !n.LeftSchool.IsZero() {
		left = n.LeftSchool
	}
	if n.Ref != "" {
		ref = n.Ref
	}
	if n.School != "" {
		school = n.School
	}
	st, err := scanStudent(tx.QueryRow(ctx, `INSERT INTO students (name, coach_id, lang, left_school, ref, school)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+studentCols, n.Name, n.CoachID, n.Lang, left, ref, school))
	if err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "23503" {
			return Student{}, "", fmt.Errorf("coach %d: %w", n.CoachID, ErrUnknownCoach)
		}
		return Student{}, "", fmt.Errorf("insert student: %w", err)
	}
	code, err := s.newInvite(ctx, tx, st.ID, 0, inviteTTL)
	return st, code, err
}

// Student returns the student with id.
func (s *Store) Student(ctx context.Context, id int64) (Student, error) {
	st, err := scanStudent(s.db.QueryRow(ctx, `SELECT `+studentCols+` FROM students WHERE id = $1`, id))
	if err != nil {
		return Student{}, fmt.Errorf("student %d: %w", id, notFound(err))
	}
	return st, nil
}

// StudentByChat returns the student linked to chatID.
func (s *Store) StudentByChat(ctx context.Context, chatID int64) (Student, error) {
	st, err := scanStudent(s.db.QueryRow(ctx, `SELECT `+studentCols+` FROM students WHERE chat_id = $1`, chatID))
	if err != nil {
		return Student{}, fmt.Errorf("student by chat: %w", notFound(err))
	}
	return st, nil
}

// ActiveStudentIDs returns the IDs of every student with a linked chat who is active.
func (s *Store) ActiveStudentIDs(ctx context.Context) ([]int64, error) {
	rows, err := s.db.Query(ctx, `SELECT id FROM students WHERE status = 'active' AND chat_id IS NOT NULL ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("active students: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("active students: %w", err)
	}
	return ids, nil
}

// Identify says who chatID is: a student, a coach, or nobody (RoleNone).
// It reads the Redis cache first and falls back to Postgres.
func (s *Store) Identify(ctx context.Context, chatID int64) (Conv, error) {
	if c, ok, err := s.CachedConv(ctx, chatID); err == nil && ok {
		return c, nil
	}
	return s.loadConv(ctx, chatID)
}

// loadConv rebuilds a chat's conversation from Postgres and caches it.
func (s *Store) loadConv(ctx context.Context, chatID int64) (Conv, error) {
	var c Conv
	st, err := s.StudentByChat(ctx, chatID)
	switch {
	case err == nil:
		c = Conv{Role: RoleStudent, ID: st.ID, Lang: st.Lang, Name: FirstName(st.Name)}
		if co, err := s.Coach(ctx, st.CoachID); err == nil {
			c.Coach = FirstName(co.Name)
		}
		if err := s.fillOpenCheckin(ctx, &c); err != nil {
			return Conv{}, err
		}
	case errors.Is(err, ErrNotFound):
		co, err := s.CoachByChat(ctx, chatID)
		switch {
		case err == nil:
			c = Conv{Role: RoleCoach, ID: co.ID, Lang: co.Lang, Name: FirstName(co.Name)}
		case errors.Is(err, ErrNotFound):
			return Conv{Role: RoleNone}, nil // strangers are not cached: nothing is stored about them
		default:
			return Conv{}, err
		}
	default:
		return Conv{}, err
	}
	if err := s.CacheConv(ctx, chatID, c); err != nil {
		return c, nil // Redis trouble must not stop the conversation
	}
	return c, nil
}

// ReloadConv drops the cached conversation and rebuilds it from Postgres.
func (s *Store) ReloadConv(ctx context.Context, chatID int64) (Conv, error) {
	_ = s.ForgetConv(ctx, chatID)
	return s.loadConv(ctx, chatID)
}

// MarkUnreachable marks a student who blocked the bot, and drops what waits for them.
func (s *Store) MarkUnreachable(ctx context.Context, studentID, chatID int64) error {
	if _, err := s.db.Exec(ctx, `UPDATE students SET status = 'unreachable' WHERE id = $1 AND status IN ('active', 'paused', 'invited')`, studentID); err != nil {
		return fmt.Errorf("mark unreachable: %w", err)
	}
	if _, err := s.db.Exec(ctx, `UPDATE checkins SET status = 'cancelled' WHERE student_id = $1 AND status IN ('scheduled', 'open')`, studentID); err != nil {
		return fmt.Errorf("cancel checkins: %w", err)
	}
	_ = s.ForgetConv(ctx, chatID)
	return s.DropPendingForChat(ctx, chatID, "forbidden")
}

// CoachHasStudentAlert reports whether a case about studentID is routed to
// coachID now (delivered to them since the student has their current coach,
// not closed, and not taken on by someone else), or coachID stands in for the
// student's coach now. Once the case moves on, so does the coach's view.
func (s *Store) CoachHasStudentAlert(ctx context.Context, coachID, studentID int64) bool {
	var ok bool
	_ = s.db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id
		JOIN students s ON s.id = a.student_id
		WHERE d.coach_id = $1 AND a.student_id = $2 AND `+routedNow+` AND d.created_at >= coalesce(s.coach_since, '-infinity'))
		OR EXISTS (SELECT 1 FROM students s JOIN stand_ins v ON v.coach_id = s.coach_id
		WHERE s.id = $2 AND v.stand_in_id = $1 AND v.until > $3)`, coachID, studentID, s.now()).Scan(&ok)
	return ok
}

// routedNow is true for a case (a, delivered to coach d.coach_id) that is
// still that coach's to act on: not closed, taken on by nobody or by them.
const routedNow = `a.status <> 'closed' AND (a.taken_by IS NULL OR a.taken_by = d.coach_id)`

// FirstName is the first word of a name: greetings and check-ins use first names.
func FirstName(name string) string {
	name = strings.TrimSpace(name)
	if i := strings.IndexAny(name, " \t"); i > 0 {
		return name[:i]
	}
	return name
}
