package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/lijntje/lijntje/severity"
)

// The sources of a student's timeline (see bot/timeline.go): each method
// returns the newest limit items of one kind, oldest first.

// TimelineAnswer is an answer, with the agreement or referral it was about.
type TimelineAnswer struct {
	CheckinID   int64 // 0 for a message outside a check-in
	Step        string
	Option      string
	Text        string
	VoiceFileID string
	At          time.Time
	Subject     string // the agreement's "what" or the referral's kind, for a followup step
}

// TimelineAnswers returns a student's newest answers and messages.
func (s *Store) TimelineAnswers(ctx context.Context, studentID int64, limit int) ([]TimelineAnswer, error) {
	rows, err := s.db.Query(ctx, `SELECT * FROM (
			SELECT coalesce(a.checkin_id, 0), a.step, coalesce(a.option, ''), coalesce(a.text, ''), coalesce(a.voice_file_id, ''),
				a.answered_at, coalesce(ag.what, r.kind, ''), a.id
			FROM answers a
			LEFT JOIN followup_asks f ON f.checkin_id = a.checkin_id AND f.step = a.step
			LEFT JOIN agreements ag ON ag.id = f.agreement_id
			LEFT JOIN referrals r ON r.id = f.referral_id
			WHERE a.student_id = $1 ORDER BY a.answered_at DESC, a.id DESC LIMIT $2) t ORDER BY 6, 8`, studentID, limit)
	if err != nil {
		return nil, fmt.Errorf("timeline answers: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (TimelineAnswer, error) {
		var a TimelineAnswer
		var id int64
		err := r.Scan(&a.CheckinID, &a.Step, &a.Option, &a.Text, &a.VoiceFileID, &a.At, &a.Subject, &id)
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("timeline answers: %w", err)
	}
	return out, nil
}

// MissedCheckins returns when a student's newest expired (unanswered) check-ins were sent.
func (s *Store) MissedCheckins(ctx context.Context, studentID int64, limit int) ([]time.Time, error) {
	rows, err := s.db.Query(ctx, `SELECT * FROM (SELECT coalesce(sent_at, due_at) FROM checkins
		WHERE student_id = $1 AND status = 'expired' ORDER BY id DESC LIMIT $2) t ORDER BY 1`, studentID, limit)
	if err != nil {
		return nil, fmt.Errorf("missed checkins: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[time.Time])
	if err != nil {
		return nil, fmt.Errorf("missed checkins: %w", err)
	}
	return out, nil
}

// StudentCase is a case (alert) about a student, as the timeline shows it.
type StudentCase struct {
	ID        int64
	Severity  severity.Level
	Status    string
	OpenedAt  time.Time
	TakenBy   string // the coach's name, "" when nobody took it
	TakenByID int64
	TakenAt   time.Time
	ClosedAt  time.Time
	CloseNote string
	Codes     []string // the signals' codes, oldest first
}

// StudentCases returns a student's newest cases.
func (s *Store) StudentCases(ctx context.Context, studentID int64, limit int) ([]StudentCase, error) {
	rows, err := s.db.Query(ctx, `SELECT * FROM (
			SELECT a.id, a.severity, a.status, a.opened_at, coalesce(co.name, ''), coalesce(a.taken_by, 0),
				coalesce(a.taken_at, '0001-01-01'), coalesce(a.closed_at, '0001-01-01'), coalesce(a.close_note, ''),
				coalesce((SELECT array_agg(sg.code ORDER BY sg.id) FROM signals sg WHERE sg.alert_id = a.id), '{}')
			FROM alerts a LEFT JOIN coaches co ON co.id = a.taken_by
			WHERE a.student_id = $1 ORDER BY a.id DESC LIMIT $2) t ORDER BY 4, 1`, studentID, limit)
	if err != nil {
		return nil, fmt.Errorf("student cases: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (StudentCase, error) {
		var c StudentCase
		err := r.Scan(&c.ID, &c.Severity, &c.Status, &c.OpenedAt, &c.TakenBy, &c.TakenByID, &c.TakenAt, &c.ClosedAt, &c.CloseNote, &c.Codes)
		c.TakenAt, c.ClosedAt = zeroYear1(c.TakenAt), zeroYear1(c.ClosedAt)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("student cases: %w", err)
	}
	return out, nil
}

// StudentPause is when a student's pause ends and when they stopped (zero when not).
type StudentPause struct {
	PausedUntil time.Time
	StoppedAt   time.Time
}

// StudentPauseStop returns a student's pause and stop.
func (s *Store) StudentPauseStop(ctx context.Context, studentID int64) (StudentPause, error) {
	var p StudentPause
	err := s.db.QueryRow(ctx, `SELECT CASE WHEN status = 'paused' THEN coalesce(paused_until, '0001-01-01') ELSE '0001-01-01' END,
			CASE WHEN status = 'stopped' THEN coalesce(ended_at, '0001-01-01') ELSE '0001-01-01' END
		FROM students WHERE id = $1`, studentID).Scan(&p.PausedUntil, &p.StoppedAt)
	if err != nil {
		return StudentPause{}, fmt.Errorf("student pause: %w", notFound(err))
	}
	p.PausedUntil, p.StoppedAt = zeroYear1(p.PausedUntil), zeroYear1(p.StoppedAt)
	return p, nil
}

// RestartStudent makes a stopped student active again; false when they
// were not stopped.
func (s *Store) RestartStudent(ctx context.Context, studentID int64) (bool, error) {
	tag, err := s.db.Exec(ctx, `UPDATE students SET status = 'active', ended_at = NULL, paused_until = NULL
		WHERE id = $1 AND status = 'stopped'`, studentID)
	if err != nil {
		return false, fmt.Errorf("restart student: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// OpenCasesTakenBy returns the open cases coachID took on (a coordinator: every taken case), newest first.
func (s *Store) OpenCasesTakenBy(ctx context.Context, coachID int64) ([]StudentCase, error) {
	rows, err := s.db.Query(ctx, `SELECT a.id, a.severity, coalesce(st.name, '')
		FROM alerts a LEFT JOIN students st ON st.id = a.student_id
		WHERE a.status = 'taken' AND (a.taken_by = $1 OR EXISTS (SELECT 1 FROM coaches k WHERE k.id = $1 AND k.coordinator))
		ORDER BY a.id DESC LIMIT 20`, coachID)
	if err != nil {
		return nil, fmt.Errorf("open cases: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (StudentCase, error) {
		var c StudentCase
		err := r.Scan(&c.ID, &c.Severity, &c.TakenBy) // TakenBy holds the student's name here
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("open cases: %w", err)
	}
	return out, nil
}

// awaitKey is where the text a coach's chat waits for (an agreement, a
// referral's note) is remembered.
func (k keys) awaitText(chatID int64) string { return fmt.Sprintf("%sawait:%d", k.prefix, chatID) }

// awaitTTL is how long a coach's chat waits for such a text.
const awaitTTL = 30 * time.Minute

// AwaitText remembers what the next text in a coach's chat is for (e.g.
// "agreement:<student ID>").
func (s *Store) AwaitText(ctx context.Context, chatID int64, what string) error {
	if err := s.rdb.Set(ctx, s.key.awaitText(chatID), what, awaitTTL).Err(); err != nil {
		return fmt.Errorf("redis set await: %w", err)
	}
	return nil
}

// TakeAwaitText returns (and forgets) what the next text in chatID is for, "" for nothing.
func (s *Store) TakeAwaitText(ctx context.Context, chatID int64) (string, error) {
	v, err := s.rdb.GetDel(ctx, s.key.awaitText(chatID)).Result()
	if err != nil {
		if errors.Is(err, redis.Nil) {
			return "", nil
		}
		return "", fmt.Errorf("redis get await: %w", err)
	}
	return v, nil
}
