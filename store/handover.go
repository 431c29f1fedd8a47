package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrSameCoach is returned when a student is moved to the coach they have.
var ErrSameCoach = errors.New("the student already has this coach")

// Moved is a hand-over: the student as they are now, their old and new coach.
type Moved struct {
	Student Student
	From    Coach
	To      Coach
}

// MoveStudent hands a student over to another coach. From now on the new coach
// gets their cases and check-ins name the new coach; the old coach no longer
// sees the student (cases delivered before the move stop counting).
func (s *Store) MoveStudent(ctx context.Context, studentID, toCoachID int64) (Moved, error) {
	now := s.now()
	var mv Moved
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		st, err := scanStudent(tx.QueryRow(ctx, `SELECT `+studentCols+` FROM students WHERE id = $1 FOR UPDATE`, studentID))
		if err != nil {
			return fmt.Errorf("student %d: %w", studentID, notFound(err))
		}
		if st.CoachID == toCoachID {
			return ErrSameCoach
		}
		if mv.From, err = scanCoach(tx.QueryRow(ctx, `SELECT `+coachCols+` FROM coaches WHERE id = $1`, st.CoachID)); err != nil {
			return fmt.Errorf("coach %d: %w", st.CoachID, notFound(err))
		}
		if mv.To, err = scanCoach(tx.QueryRow(ctx, `SELECT `+coachCols+` FROM coaches WHERE id = $1`, toCoachID)); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("coach %d: %w", toCoachID, ErrUnknownCoach)
			}
			return fmt.Errorf("coach %d: %w", toCoachID, err)
		}
		if _, err := tx.Exec(ctx, `UPDATE students SET coach_id = $2, coach_since = $3 WHERE id = $1`, studentID, toCoachID, now); err != nil {
			return fmt.Errorf("move student: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO student_moves (student_id, from_coach, to_coach, moved_at) VALUES ($1, $2, $3, $4)`,
			studentID, st.CoachID, toCoachID, now); err != nil {
			return fmt.Errorf("record move: %w", err)
		}
		st.CoachID = toCoachID
		mv.Student = st
		return nil
	})
	if err != nil {
		return Moved{}, err
	}
	if mv.Student.ChatID != 0 {
		_ = s.ForgetConv(ctx, mv.Student.ChatID) // the cached conversation names the old coach
	}
	return mv, nil
}

// StandIn is a coach who takes another coach's cases until a moment.
type StandIn struct {
	Coach Coach // the stand-in
	Until time.Time
}

// SetStandIn names standInID as coachID's stand-in until until (replacing any earlier one).
func (s *Store) SetStandIn(ctx context.Context, coachID, standInID int64, until time.Time) error {
	if coachID == standInID {
		return ErrSameCoach
	}
	_, err := s.db.Exec(ctx, `INSERT INTO stand_ins (coach_id, stand_in_id, until, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (coach_id) DO UPDATE SET stand_in_id = excluded.stand_in_id, until = excluded.until, created_at = excluded.created_at`,
		coachID, standInID, until, s.now())
	if err != nil {
		return fmt.Errorf("set stand-in: %w", err)
	}
	return nil
}

// EndStandIn ends coachID's stand-in; it reports whether there was one.
func (s *Store) EndStandIn(ctx context.Context, coachID int64) (StandIn, bool, error) {
	cur, ok, err := s.CurrentStandIn(ctx, coachID)
	if err != nil || !ok {
		return cur, ok, err
	}
	if _, err := s.db.Exec(ctx, `DELETE FROM stand_ins WHERE coach_id = $1`, coachID); err != nil {
		return cur, false, fmt.Errorf("end stand-in: %w", err)
	}
	return cur, true, nil
}

// CurrentStandIn returns coachID's stand-in when one is named for now.
func (s *Store) CurrentStandIn(ctx context.Context, coachID int64) (StandIn, bool, error) {
	var si StandIn
	err := s.db.QueryRow(ctx, `SELECT c.id, c.name, coalesce(c.chat_id, 0), c.hours, c.coordinator, c.on_call, c.lang, v.until FROM stand_ins v JOIN coaches c ON c.id = v.stand_in_id
		WHERE v.coach_id = $1 AND v.until > $2`, coachID, s.now()).
		Scan(&si.Coach.ID, &si.Coach.Name, &si.Coach.ChatID, &si.Coach.Hours, &si.Coach.Coordinator, &si.Coach.OnCall, &si.Coach.Lang, &si.Until)
	if errors.Is(err, pgx.ErrNoRows) {
		return StandIn{}, false, nil
	}
	if err != nil {
		return StandIn{}, false, fmt.Errorf("stand-in: %w", err)
	}
	return si, true, nil
}

// FindCoach finds a coach by ID or by (part of) their name.
func (s *Store) FindCoach(ctx context.Context, query string) (Coach, error) {
	query = strings.TrimSpace(query)
	if query == "" {
		return Coach{}, ErrNotFound
	}
	if id, err := strconv.ParseInt(strings.TrimPrefix(query, "#"), 10, 64); err == nil {
		return s.Coach(ctx, id)
	}
	rows, err := s.db.Query(ctx, `SELECT `+coachCols+` FROM coaches WHERE name ILIKE '%' || $1 || '%'
		ORDER BY (lower(name) = lower($1)) DESC, (lower(split_part(name, ' ', 1)) = lower($1)) DESC, id LIMIT 5`, query)
	if err != nil {
		return Coach{}, fmt.Errorf("find coach: %w", err)
	}
	found, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Coach, error) { return scanCoach(r) })
	if err != nil {
		return Coach{}, fmt.Errorf("find coach: %w", err)
	}
	exact := func(c Coach) bool {
		return strings.EqualFold(c.Name, query) || strings.EqualFold(FirstName(c.Name), query)
	}
	switch {
	case len(found) == 0:
		return Coach{}, ErrNotFound
	case len(found) == 1 || exact(found[0]) && !exact(found[1]):
		return found[0], nil
	}
	return Coach{}, ErrAmbiguous
}

// NoteForCoach keeps a short note for coachID about studentID (kind says what
// about, e.g. "paused"), to be sent at due (their working hours).
func (s *Store) NoteForCoach(ctx context.Context, coachID, studentID int64, kind, text string, due time.Time) error {
	_, err := s.db.Exec(ctx, `INSERT INTO coach_notes (coach_id, student_id, kind, text, due_at) VALUES ($1, nullif($2, 0), $3, $4, $5)`,
		coachID, studentID, kind, text, due)
	if err != nil {
		return fmt.Errorf("note for coach: %w", err)
	}
	return nil
}

// ReleaseCoachNotes moves due notes to the outbox (each once across replicas)
// and returns how many it moved. A note for a coach without a chat is dropped.
func (s *Store) ReleaseCoachNotes(ctx context.Context, now time.Time, limit int) (int, error) {
	n := 0
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT n.id, coalesce(c.chat_id, 0), n.text FROM coach_notes n JOIN coaches c ON c.id = n.coach_id
			WHERE n.sent_at IS NULL AND n.due_at <= $1 ORDER BY n.due_at, n.id LIMIT $2 FOR UPDATE OF n SKIP LOCKED`, now, limit)
		if err != nil {
			return fmt.Errorf("due notes: %w", err)
		}
		var ids []int64
		var msgs []Message
		for rows.Next() {
			var id, chat int64
			var text string
			if err := rows.Scan(&id, &chat, &text); err != nil {
				rows.Close()
				return fmt.Errorf("due notes: %w", err)
			}
			ids = append(ids, id)
			if chat != 0 {
				msgs = append(msgs, Message{ChatID: chat, Lane: LaneInteractive, Kind: KindSend, Text: text})
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("due notes: %w", err)
		}
		if len(ids) == 0 {
			return nil
		}
		if _, err := insertOutbox(ctx, tx, now, false, msgs); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE coach_notes SET sent_at = $2 WHERE id = ANY($1)`, ids, now); err != nil {
			return fmt.Errorf("release notes: %w", err)
		}
		n = len(msgs)
		return nil
	})
	return n, err
}

// CaseOwner is who gets news about studentID now: their coach, or the coach's
// stand-in while one is named.
func (s *Store) CaseOwner(ctx context.Context, studentID int64) (Student, Coach, error) {
	st, err := s.Student(ctx, studentID)
	if err != nil {
		return Student{}, Coach{}, err
	}
	if si, ok, err := s.CurrentStandIn(ctx, st.CoachID); err != nil {
		return st, Coach{}, err
	} else if ok && si.Coach.ChatID != 0 {
		return st, si.Coach, nil
	}
	c, err := s.Coach(ctx, st.CoachID)
	return st, c, err
}
