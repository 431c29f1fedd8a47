package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lijntje/lijntje/severity"
)

// Scheduled is a student as the scheduler sees them.
type Scheduled struct {
	ID          int64
	ChatID      int64
	Name        string
	CoachName   string
	Lang        string
	Status      string
	LeftSchool  time.Time // the day they left school; zero when unknown (count from Linked, in local time)
	Linked      time.Time // when they accepted their invite
	MomentDay   int       // 0 (Sunday) .. 6, or -1 when not chosen
	MomentPart  string    // "" when not chosen
	PausedUntil time.Time
}

const scheduledCols = `s.id, coalesce(s.chat_id, 0), s.name, co.name, s.lang, s.status,
	coalesce(s.left_school, '0001-01-01'),
	coalesce(s.linked_at, s.created_at), coalesce(s.moment_day, -1), coalesce(s.moment_part, ''),
	coalesce(s.paused_until, '0001-01-01')`

func scanScheduled(row pgx.Row) (Scheduled, error) {
	var s Scheduled
	err := row.Scan(&s.ID, &s.ChatID, &s.Name, &s.CoachName, &s.Lang, &s.Status, &s.LeftSchool, &s.Linked,
		&s.MomentDay, &s.MomentPart, &s.PausedUntil)
	if s.PausedUntil.Year() == 1 {
		s.PausedUntil = time.Time{}
	}
	if s.LeftSchool.Year() == 1 {
		s.LeftSchool = time.Time{}
	}
	return s, err
}

// ScheduledPage returns up to limit linked students in follow-up (active or
// paused) with an id above after, in id order: callers page with the last id
// they saw, so memory does not grow with the number of students.
func (s *Store) ScheduledPage(ctx context.Context, after int64, limit int) ([]Scheduled, error) {
	rows, err := s.db.Query(ctx, `SELECT `+scheduledCols+` FROM students s JOIN coaches co ON co.id = s.coach_id
		WHERE s.id > $1 AND s.status IN ('active', 'paused') AND s.chat_id IS NOT NULL ORDER BY s.id LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("students page: %w", err)
	}
	defer rows.Close()
	var out []Scheduled
	for rows.Next() {
		st, err := scanScheduled(rows)
		if err != nil {
			return nil, fmt.Errorf("students page: %w", err)
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// ScheduledStudent returns one student as the scheduler sees them.
func (s *Store) ScheduledStudent(ctx context.Context, id int64) (Scheduled, error) {
	st, err := scanScheduled(s.db.QueryRow(ctx, `SELECT `+scheduledCols+` FROM students s JOIN coaches co ON co.id = s.coach_id
		WHERE s.id = $1`, id))
	if err != nil {
		return Scheduled{}, fmt.Errorf("student %d: %w", id, notFound(err))
	}
	return st, nil
}

// Planned is a check-in the cadence asks for: one per student and slot.
type Planned struct {
	StudentID int64
	Slot, Due time.Time
	Final     bool // the last check-in of the follow-up
}

// PlanCheckins records planned check-ins, one per student and slot (so every
// replica may plan the same ones). A slot still waiting gets the new due time
// (the student chose another moment); one that opened, or was cancelled, stays.
// It returns how many rows were new or moved.
func (s *Store) PlanCheckins(ctx context.Context, ps []Planned) (int, error) {
	if len(ps) == 0 {
		return 0, nil
	}
	ids := make([]int64, len(ps))
	slots := make([]time.Time, len(ps))
	dues := make([]time.Time, len(ps))
	finals := make([]bool, len(ps))
	for i, p := range ps {
		ids[i], slots[i], dues[i], finals[i] = p.StudentID, p.Slot, p.Due, p.Final
	}
	tag, err := s.db.Exec(ctx, `INSERT INTO checkins (student_id, flow_id, slot, due_at, final)
		SELECT id, 'checkin', slot, due, final FROM unnest($1::bigint[], $2::timestamptz[], $3::timestamptz[], $4::boolean[]) AS p(id, slot, due, final)
		ON CONFLICT (student_id, slot) DO UPDATE SET due_at = EXCLUDED.due_at
		WHERE checkins.status = 'scheduled' AND NOT checkins.manual AND checkins.due_at <> EXCLUDED.due_at`, ids, slots, dues, finals)
	if err != nil {
		return 0, fmt.Errorf("plan checkins: %w", err)
	}
	if tag.RowsAffected() > 0 {
		if _, err := s.db.Exec(ctx, `SELECT pg_notify($1, '')`, NotifyChannel); err != nil {
			return int(tag.RowsAffected()), fmt.Errorf("notify: %w", err)
		}
	}
	return int(tag.RowsAffected()), nil
}

// EndFollowUp ends a student's follow-up (status ended, ended_at now), cancels
// what was still planned and queues msgs (the closing message), once: only the
// replica that changes the status sends them. It returns the outbox IDs.
func (s *Store) EndFollowUp(ctx context.Context, studentID int64, now time.Time, msgs []Message) ([]int64, error) {
	var ids []int64
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE students SET status = 'ended', ended_at = $2, paused_until = NULL
			WHERE id = $1 AND status IN ('active', 'paused')`, studentID, now)
		if err != nil {
			return fmt.Errorf("end follow-up: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE checkins SET status = 'cancelled' WHERE student_id = $1 AND status = 'scheduled'`, studentID); err != nil {
			return fmt.Errorf("cancel checkins: %w", err)
		}
		ids, err = insertOutboxAbout(ctx, tx, now, false, studentID, msgs)
		return err
	})
	return ids, err
}

// ResumePaused makes students whose pause ended active again and queues what
// say(student) returns for each. Each is resumed by one replica.
func (s *Store) ResumePaused(ctx context.Context, now time.Time, limit int, say func(Scheduled) []Message) (int, error) {
	n := 0
	var chats []int64
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+scheduledCols+` FROM students s JOIN coaches co ON co.id = s.coach_id
			WHERE s.status = 'paused' AND s.paused_until <= $1 ORDER BY s.paused_until LIMIT $2 FOR UPDATE OF s SKIP LOCKED`, now, limit)
		if err != nil {
			return fmt.Errorf("paused students: %w", err)
		}
		var due []Scheduled
		for rows.Next() {
			st, err := scanScheduled(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("paused students: %w", err)
			}
			due = append(due, st)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, st := range due {
			if _, err := tx.Exec(ctx, `UPDATE students SET status = 'active', paused_until = NULL WHERE id = $1`, st.ID); err != nil {
				return fmt.Errorf("resume: %w", err)
			}
			if st.ChatID != 0 {
				if _, err := insertOutboxAbout(ctx, tx, now, false, st.ID, say(st)); err != nil {
					return err
				}
				chats = append(chats, st.ChatID)
			}
			n++
		}
		return nil
	})
	for _, c := range chats {
		_ = s.ForgetConv(ctx, c)
	}
	return n, err
}

// Pause pauses a student's check-ins until until: what was planned or open is cancelled.
func (s *Store) Pause(ctx context.Context, studentID int64, until time.Time) (bool, error) {
	ok := false
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE students SET status = 'paused', paused_until = $2
			WHERE id = $1 AND status IN ('active', 'paused')`, studentID, until)
		if err != nil {
			return fmt.Errorf("pause: %w", err)
		}
		if ok = tag.RowsAffected() == 1; !ok {
			return nil
		}
		return cancelCheckins(ctx, tx, studentID)
	})
	return ok, err
}

// Resume ends a student's pause now.
func (s *Store) Resume(ctx context.Context, studentID int64) (bool, error) {
	tag, err := s.db.Exec(ctx, `UPDATE students SET status = 'active', paused_until = NULL WHERE id = $1 AND status = 'paused'`, studentID)
	if err != nil {
		return false, fmt.Errorf("resume: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// StopCheckins ends a student's check-ins at their request (status stopped).
func (s *Store) StopCheckins(ctx context.Context, studentID int64, now time.Time) (bool, error) {
	ok := false
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE students SET status = 'stopped', paused_until = NULL, ended_at = $2
			WHERE id = $1 AND status IN ('active', 'paused', 'invited')`, studentID, now)
		if err != nil {
			return fmt.Errorf("stop: %w", err)
		}
		if ok = tag.RowsAffected() == 1; !ok {
			return nil
		}
		return cancelCheckins(ctx, tx, studentID)
	})
	return ok, err
}

func cancelCheckins(ctx context.Context, tx pgx.Tx, studentID int64) error {
	if _, err := tx.Exec(ctx, `UPDATE checkins SET status = 'cancelled', current_step = NULL
		WHERE student_id = $1 AND status IN ('scheduled', 'open')`, studentID); err != nil {
		return fmt.Errorf("cancel checkins: %w", err)
	}
	return nil
}

// SetMoment records the day (0 Sunday .. 6) and part of the day a student wants their check-ins.
func (s *Store) SetMoment(ctx context.Context, studentID int64, day int, part string) error {
	if _, err := s.db.Exec(ctx, `UPDATE students SET moment_day = $2, moment_part = $3 WHERE id = $1`, studentID, day, part); err != nil {
		return fmt.Errorf("set moment: %w", err)
	}
	return nil
}

// Reminder is an open check-in that waited long enough for its one reminder.
type Reminder struct {
	CheckinID   int64
	StudentID   int64
	ChatID      int64
	StudentName string
	CoachName   string
	Lang        string
	FlowID      string
	Version     string
	Step        string
	// Followup is what the current step asks about (an agreement or a
	// referral); nil when it asks about nothing.
	Followup *FollowupAsk
	// CardMessageID and CardText are the check-in's card (see CheckinCard):
	// the reminder takes its buttons off. CardMessageID is 0 when there is none.
	CardMessageID int
	CardText      string
}

// RemindCheckins claims open check-ins sent at or before sentBefore that had
// no reminder yet and have not expired, and queues what render returns for
// each, once (SKIP LOCKED and reminded_at). It returns how many it reminded.
func (s *Store) RemindCheckins(ctx context.Context, now, sentBefore time.Time, limit int, render func(Reminder) ([]Message, error)) (int, error) {
	n := 0
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT c.id, s.id, s.chat_id, s.name, co.name, s.lang, c.flow_id, coalesce(c.flow_version, ''), coalesce(c.current_step, '')
			FROM checkins c JOIN students s ON s.id = c.student_id JOIN coaches co ON co.id = s.coach_id
			WHERE c.status = 'open' AND c.reminded_at IS NULL AND c.sent_at <= $1 AND (c.expires_at IS NULL OR c.expires_at > $2)
			  AND s.status = 'active' AND s.chat_id IS NOT NULL
			ORDER BY c.sent_at LIMIT $3 FOR UPDATE OF c SKIP LOCKED`, sentBefore, now, limit)
		if err != nil {
			return fmt.Errorf("claim reminders: %w", err)
		}
		var due []Reminder
		for rows.Next() {
			var r Reminder
			if err := rows.Scan(&r.CheckinID, &r.StudentID, &r.ChatID, &r.StudentName, &r.CoachName, &r.Lang, &r.FlowID, &r.Version, &r.Step); err != nil {
				rows.Close()
				return fmt.Errorf("scan reminder: %w", err)
			}
			due = append(due, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range due {
			a, err := followupAskFor(ctx, tx, r.CheckinID, r.Step)
			switch {
			case err == nil:
				r.Followup = &a
			case !errors.Is(err, ErrNotFound):
				return err
			}
			if r.CardMessageID, r.CardText, err = checkinCard(ctx, tx, r.CheckinID); err != nil {
				return err
			}
			msgs, err := render(r)
			if err != nil {
				return fmt.Errorf("render reminder %d: %w", r.CheckinID, err)
			}
			if _, err := tx.Exec(ctx, `UPDATE checkins SET reminded_at = $2 WHERE id = $1`, r.CheckinID, now); err != nil {
				return fmt.Errorf("mark reminded: %w", err)
			}
			if r.CardMessageID != 0 { // its edit of the card carries the card's newest text
				if err := supersedeCard(ctx, tx, r.CheckinID); err != nil {
					return err
				}
			}
			if _, err := insertOutboxAbout(ctx, tx, now, false, r.StudentID, msgs); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// Expired is a check-in that expired unanswered, or answered in part (Partial).
type Expired struct {
	CheckinID   int64
	StudentID   int64
	Partial     bool // answered in part: not missed
	MissedTwice bool // the one before it was missed too: a signal was raised
	AlertID     int64
}

// ExpireCheckins closes open check-ins whose time is up: with no answer at
// all they count as missed (expired), with some as partial (answered). When
// a student's two latest finished check-ins are both missed,
// it raises the attention signal "missed_twice" (once per check-in).
func (s *Store) ExpireCheckins(ctx context.Context, now time.Time, limit int) ([]Expired, error) {
	var out []Expired
	var students []int64
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		// A check-in with any answer (every button but the optional note,
		// say) is partial: answered, not missed.
		rows, err := tx.Query(ctx, `UPDATE checkins c SET current_step = NULL,
				status = CASE WHEN EXISTS (SELECT 1 FROM answers a WHERE a.checkin_id = c.id) THEN 'partial' ELSE 'expired' END
			WHERE id IN (SELECT id FROM checkins WHERE status = 'open' AND expires_at <= $1
			             ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)
			RETURNING id, student_id, status = 'partial'`, now, limit)
		if err != nil {
			return fmt.Errorf("expire checkins: %w", err)
		}
		for rows.Next() {
			var e Expired
			if err := rows.Scan(&e.CheckinID, &e.StudentID, &e.Partial); err != nil {
				rows.Close()
				return fmt.Errorf("expire checkins: %w", err)
			}
			out = append(out, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i, e := range out {
			students = append(students, e.StudentID)
			if e.Partial {
				continue
			}
			var missed int
			err := tx.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'expired') FROM (
					SELECT status FROM checkins WHERE student_id = $1 AND status IN ('completed', 'partial', 'expired')
					ORDER BY coalesce(sent_at, due_at) DESC, id DESC LIMIT 2) last`, e.StudentID).Scan(&missed)
			if err != nil {
				return fmt.Errorf("count missed: %w", err)
			}
			if missed < 2 {
				continue
			}
			out[i].MissedTwice = true
			out[i].AlertID, _, err = raiseSignals(ctx, tx, e.StudentID, e.CheckinID, now,
				[]Signal{{Code: "missed_twice", Severity: severity.Attention}})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, id := range students {
		var chat int64
		if s.db.QueryRow(ctx, `SELECT coalesce(chat_id, 0) FROM students WHERE id = $1`, id).Scan(&chat) == nil && chat != 0 {
			_ = s.ForgetConv(ctx, chat) // the conversation is no longer in a check-in
		}
	}
	return out, nil
}
