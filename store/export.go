package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ExportRow is one answer as exported for the pilot's evaluation.
type ExportRow struct {
	StudentID   int64
	CheckinID   int64 // 0 for a message outside a check-in
	FlowVersion string
	Step        string
	Option      string
	Text        string
	VoiceFileID string
	AnsweredAt  time.Time
	// Filled by ExportAnswers only: the student's coach and the school's ref.
	CoachID   int64
	CoachName string
	Ref       string
}

// ExportFilter narrows an export; zero fields do not filter.
type ExportFilter struct {
	From, To time.Time
	CoachID  int64
}

// ExportAnswers streams every answer matching f, oldest first, to fn without
// holding them all in memory.
func (s *Store) ExportAnswers(ctx context.Context, f ExportFilter, fn func(ExportRow) error) error {
	var from, to any
	if !f.From.IsZero() {
		from = f.From
	}
	if !f.To.IsZero() {
		to = f.To
	}
	rows, err := s.db.Query(ctx, `SELECT a.student_id, coalesce(a.checkin_id, 0), coalesce(a.flow_version, ''), a.step,
			coalesce(a.option, ''), coalesce(a.text, ''), coalesce(a.voice_file_id, ''), a.answered_at,
			s.coach_id, coalesce(c.name, ''), coalesce(s.ref, '')
		FROM answers a JOIN students s ON s.id = a.student_id LEFT JOIN coaches c ON c.id = s.coach_id
		WHERE ($1::timestamptz IS NULL OR a.answered_at >= $1) AND ($2::timestamptz IS NULL OR a.answered_at < $2)
		  AND ($3::bigint = 0 OR s.coach_id = $3)
		ORDER BY a.answered_at, a.id`, from, to, f.CoachID)
	if err != nil {
		return fmt.Errorf("export answers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r ExportRow
		if err := rows.Scan(&r.StudentID, &r.CheckinID, &r.FlowVersion, &r.Step, &r.Option, &r.Text, &r.VoiceFileID, &r.AnsweredAt,
			&r.CoachID, &r.CoachName, &r.Ref); err != nil {
			return fmt.Errorf("export answers: %w", err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("export answers: %w", err)
	}
	return nil
}

// RecentAnswers returns a student's latest answers, newest last.
func (s *Store) RecentAnswers(ctx context.Context, studentID int64, limit int) ([]ExportRow, error) {
	rows, err := s.db.Query(ctx, `SELECT * FROM (SELECT a.student_id, coalesce(a.checkin_id, 0), coalesce(a.flow_version, ''), a.step,
			coalesce(a.option, ''), coalesce(a.text, ''), coalesce(a.voice_file_id, ''), a.answered_at
		FROM answers a WHERE a.student_id = $1 ORDER BY a.answered_at DESC, a.id DESC LIMIT $2) r ORDER BY 8`, studentID, limit)
	if err != nil {
		return nil, fmt.Errorf("recent answers: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (ExportRow, error) {
		var e ExportRow
		err := r.Scan(&e.StudentID, &e.CheckinID, &e.FlowVersion, &e.Step, &e.Option, &e.Text, &e.VoiceFileID, &e.AnsweredAt)
		return e, err
	})
}
