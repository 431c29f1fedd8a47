package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/lijntje/lijntje/severity"
)

// SetOnCall switches coachID's on-call duty and returns the coach as they are now.
func (s *Store) SetOnCall(ctx context.Context, coachID int64, on bool) (Coach, error) {
	c, err := scanCoach(s.db.QueryRow(ctx, `UPDATE coaches SET on_call = $2 WHERE id = $1 RETURNING `+coachCols, coachID, on))
	if err != nil {
		return Coach{}, fmt.Errorf("set on call: %w", notFound(err))
	}
	return c, nil
}

// CoachesOnDuty returns the coaches on call (onCall) or the coordinators (!onCall), by id.
func (s *Store) CoachesOnDuty(ctx context.Context, onCall bool) ([]Coach, error) {
	where := "coordinator"
	if onCall {
		where = "on_call"
	}
	rows, err := s.db.Query(ctx, `SELECT `+coachCols+` FROM coaches WHERE `+where+` ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("coaches: %w", err)
	}
	cs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Coach, error) { return scanCoach(r) })
	if err != nil {
		return nil, fmt.Errorf("coaches: %w", err)
	}
	return cs, nil
}

// CaseloadRow is one student in a coach's overview.
type CaseloadRow struct {
	Student
	LastCheckin   time.Time      // when the last check-in was completed; zero for none
	OpenAlert     severity.Level // severity of the open case, None for none
	OpenAlertID   int64
	CoachName     string
	AnsweredCount int
}

// Caseload returns the students coachID sees: their own, or everyone's for a coordinator.
func (s *Store) Caseload(ctx context.Context, coachID int64) ([]CaseloadRow, error) {
	rows, err := s.db.Query(ctx, `SELECT s.id, coalesce(s.ref, ''), s.name, s.coach_id, s.lang, coalesce(s.left_school, '0001-01-01'::date),
			coalesce(s.chat_id, 0), s.status,
			coalesce((SELECT max(completed_at) FROM checkins c WHERE c.student_id = s.id), '0001-01-01'),
			coalesce(a.severity, ''), coalesce(a.id, 0), co.name
		FROM students s JOIN coaches co ON co.id = s.coach_id
		LEFT JOIN alerts a ON a.student_id = s.id AND a.status <> 'closed'
		WHERE s.coach_id = $1 OR EXISTS (SELECT 1 FROM coaches k WHERE k.id = $1 AND k.coordinator)
		ORDER BY s.name, s.id`, coachID)
	if err != nil {
		return nil, fmt.Errorf("caseload: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (CaseloadRow, error) {
		var c CaseloadRow
		err := r.Scan(&c.ID, &c.Ref, &c.Name, &c.CoachID, &c.Lang, &c.LeftSchool, &c.ChatID, &c.Status,
			&c.LastCheckin, &c.OpenAlert, &c.OpenAlertID, &c.CoachName)
		if c.LeftSchool.Year() == 1 {
			c.LeftSchool = time.Time{}
		}
		if c.LastCheckin.Year() == 1 {
			c.LastCheckin = time.Time{}
		}
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("caseload: %w", err)
	}
	return out, nil
}

// ErrAmbiguous is returned when a name matches more than one student.
var ErrAmbiguous = errors.New("more than one student matches")

// FindStudentFor finds a student by ID or by (part of) their name, among those
// coachID may see: their own students, students whose open case is routed to them,
// or everyone for a coordinator. Someone else's student is ErrNotFound: a coach
// cannot even learn that they exist.
func (s *Store) FindStudentFor(ctx context.Context, coachID int64, query string) (Student, error) {
	query = strings.TrimSpace(query)
	if query == "" {
		return Student{}, ErrNotFound
	}
	const visible = `(s.coach_id = $1 OR EXISTS (SELECT 1 FROM coaches k WHERE k.id = $1 AND k.coordinator)
		OR EXISTS (SELECT 1 FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id WHERE d.coach_id = $1 AND a.student_id = s.id
			AND ` + routedNow + ` AND d.created_at >= coalesce(s.coach_since, '-infinity'))
		OR EXISTS (SELECT 1 FROM stand_ins v WHERE v.coach_id = s.coach_id AND v.stand_in_id = $1 AND v.until > $3))`
	if id, err := strconv.ParseInt(strings.TrimPrefix(query, "#"), 10, 64); err == nil {
		st, err := scanStudent(s.db.QueryRow(ctx, `SELECT `+studentCols+` FROM students s WHERE s.id = $2 AND `+visible, coachID, id, s.now()))
		if err != nil {
			return Student{}, fmt.Errorf("student %d: %w", id, notFound(err))
		}
		return st, nil
	}
	rows, err := s.db.Query(ctx, `SELECT `+studentCols+` FROM students s
		WHERE `+visible+` AND s.name ILIKE '%' || $2 || '%' ORDER BY (lower(s.name) = lower($2)) DESC, s.id LIMIT 5`, coachID, query, s.now())
	if err != nil {
		return Student{}, fmt.Errorf("find student: %w", err)
	}
	found, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Student, error) { return scanStudent(r) })
	if err != nil {
		return Student{}, fmt.Errorf("find student: %w", err)
	}
	switch {
	case len(found) == 0:
		return Student{}, ErrNotFound
	case len(found) == 1 || strings.EqualFold(found[0].Name, query) && !strings.EqualFold(found[1].Name, query):
		return found[0], nil
	}
	return Student{}, ErrAmbiguous
}

// SetStudentLang changes a student's language and drops their cached conversation.
func (s *Store) SetStudentLang(ctx context.Context, id int64, lang string) error {
	var chatID *int64
	if err := s.db.QueryRow(ctx, `UPDATE students SET lang = $2 WHERE id = $1 RETURNING chat_id`, id, lang).Scan(&chatID); err != nil {
		return fmt.Errorf("set student lang: %w", notFound(err))
	}
	if chatID != nil {
		_ = s.ForgetConv(ctx, *chatID)
	}
	return nil
}

// closeNoteTTL is how long a tapped "close" waits for the coach's note.
const closeNoteTTL = 30 * time.Minute

func (k keys) closeNote(chatID int64) string {
	return k.prefix + "note:" + strconv.FormatInt(chatID, 10)
}

// AwaitCloseNote remembers that the next text in chatID is the note that closes alertID.
func (s *Store) AwaitCloseNote(ctx context.Context, chatID, alertID int64) error {
	if err := s.rdb.Set(ctx, s.key.closeNote(chatID), alertID, closeNoteTTL).Err(); err != nil {
		return fmt.Errorf("redis set note: %w", err)
	}
	return nil
}

// TakeCloseNote returns (and forgets) the case waiting for a note in chatID, or 0.
func (s *Store) TakeCloseNote(ctx context.Context, chatID int64) (int64, error) {
	id, err := s.rdb.GetDel(ctx, s.key.closeNote(chatID)).Int64()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("redis get note: %w", err)
	}
	return id, nil
}

// AlertEvent is one entry of a case's audit trail.
type AlertEvent struct {
	At      time.Time
	Kind    string
	CoachID int64
	Detail  string
}

// AlertEvents returns the audit trail of a case, in order.
func (s *Store) AlertEvents(ctx context.Context, alertID int64) ([]AlertEvent, error) {
	rows, err := s.db.Query(ctx, `SELECT at, kind, coalesce(coach_id, 0), coalesce(detail, '') FROM alert_events WHERE alert_id = $1 ORDER BY at, id`, alertID)
	if err != nil {
		return nil, fmt.Errorf("alert events: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AlertEvent, error) {
		var e AlertEvent
		return e, r.Scan(&e.At, &e.Kind, &e.CoachID, &e.Detail)
	})
	if err != nil {
		return nil, fmt.Errorf("alert events: %w", err)
	}
	return out, nil
}
