package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lijntje/lijntje/severity"
)

// WeekRow is one student in a coach's week: what needs their attention.
type WeekRow struct {
	CaseloadRow
	LastContact time.Time      // the student's latest answer or message; zero for none
	NewRisk     severity.Level // the highest severity of a signal in the last week, None for none
	Silent      bool           // active, but no answer for SilentAfter (or never, linked that long ago)
}

// SilentAfter is how long without any answer makes an active student "silent".
const SilentAfter = 21 * 24 * time.Hour

// Attention returns the students coachID sees (their own, those of a coach
// they stand in for now, or everyone for a coordinator), what needs attention
// first: an open case (the most severe first), a new risk this week, silence,
// then the rest by name.
func (s *Store) Attention(ctx context.Context, coachID int64) ([]WeekRow, error) {
	now := s.now()
	rows, err := s.db.Query(ctx, `SELECT s.id, coalesce(s.ref, ''), s.name, s.coach_id, s.lang, coalesce(s.left_school, '0001-01-01'::date),
			coalesce(s.chat_id, 0), s.status, co.name,
			coalesce((SELECT max(completed_at) FROM checkins c WHERE c.student_id = s.id), '0001-01-01'),
			coalesce(a.severity, ''), coalesce(a.id, 0),
			greatest(coalesce((SELECT max(answered_at) FROM answers x WHERE x.student_id = s.id), '0001-01-01'),
			         coalesce((SELECT max(created_at) FROM coach_messages m WHERE m.student_id = s.id AND m.direction = 'to_coach'), '0001-01-01')),
			coalesce((SELECT g.severity FROM signals g WHERE g.student_id = s.id AND g.created_at > $2
				ORDER BY CASE g.severity WHEN 'crisis' THEN 4 WHEN 'urgent' THEN 3 WHEN 'attention' THEN 2 ELSE 1 END DESC LIMIT 1), ''),
			coalesce(s.linked_at, s.created_at)
		FROM students s JOIN coaches co ON co.id = s.coach_id
		LEFT JOIN alerts a ON a.student_id = s.id AND a.status <> 'closed'
		WHERE s.coach_id = $1 OR EXISTS (SELECT 1 FROM coaches k WHERE k.id = $1 AND k.coordinator)
		   OR EXISTS (SELECT 1 FROM stand_ins v WHERE v.coach_id = s.coach_id AND v.stand_in_id = $1 AND v.until > $3)`,
		coachID, now.Add(-7*24*time.Hour), now)
	if err != nil {
		return nil, fmt.Errorf("attention: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (WeekRow, error) {
		var w WeekRow
		var since time.Time
		err := r.Scan(&w.ID, &w.Ref, &w.Name, &w.CoachID, &w.Lang, &w.LeftSchool, &w.ChatID, &w.Status, &w.CoachName,
			&w.LastCheckin, &w.OpenAlert, &w.OpenAlertID, &w.LastContact, &w.NewRisk, &since)
		if w.LeftSchool.Year() == 1 {
			w.LeftSchool = time.Time{}
		}
		if w.LastCheckin.Year() == 1 {
			w.LastCheckin = time.Time{}
		}
		if w.LastContact.Year() == 1 {
			w.LastContact = time.Time{}
		}
		last := w.LastContact
		if last.IsZero() {
			last = since
		}
		w.Silent = w.Status == StatusUnreachable || (w.Status == StatusActive && now.Sub(last) >= SilentAfter)
		return w, err
	})
	if err != nil {
		return nil, fmt.Errorf("attention: %w", err)
	}
	slices.SortStableFunc(out, func(a, b WeekRow) int {
		return cmp.Or(-cmp.Compare(a.weight(), b.weight()), cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// weight orders a coach's week: open cases by severity, then new risks, then silence.
func (w WeekRow) weight() int {
	n := 0
	n += 100 * int(w.OpenAlert)
	n += 10 * int(w.NewRisk)
	if w.Silent {
		n++
	}
	return n
}

// Digest is the figures of a coach's Monday digest.
type Digest struct {
	Open, Silent, NewRisk int
}

// WeekDigest counts what needs coachID's attention this week.
func (s *Store) WeekDigest(ctx context.Context, coachID int64) (Digest, error) {
	rows, err := s.Attention(ctx, coachID)
	if err != nil {
		return Digest{}, err
	}
	var d Digest
	for _, r := range rows {
		if r.OpenAlert != severity.None {
			d.Open++
		}
		if r.Silent {
			d.Silent++
		}
		if r.NewRisk != severity.None {
			d.NewRisk++
		}
	}
	return d, nil
}

// CoachesWithoutDigest returns the linked coaches who have no digest for week yet.
func (s *Store) CoachesWithoutDigest(ctx context.Context, week time.Time) ([]Coach, error) {
	rows, err := s.db.Query(ctx, `SELECT `+coachCols+` FROM coaches c WHERE chat_id IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM coach_digests d WHERE d.coach_id = c.id AND d.week = $1) ORDER BY id`, week)
	if err != nil {
		return nil, fmt.Errorf("coaches without digest: %w", err)
	}
	cs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Coach, error) { return scanCoach(r) })
	if err != nil {
		return nil, fmt.Errorf("coaches without digest: %w", err)
	}
	return cs, nil
}

// SendDigest claims coach c's digest for week (once across replicas) and
// queues what render makes of their figures; a coach without students gets
// none (but the week counts as done). It reports whether it queued a message.
func (s *Store) SendDigest(ctx context.Context, c Coach, week time.Time, render func(Coach, Digest) Message) (bool, error) {
	d, err := s.WeekDigest(ctx, c.ID)
	if err != nil {
		return false, err
	}
	rows, err := s.Attention(ctx, c.ID)
	if err != nil {
		return false, err
	}
	sent := false
	err = s.withTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO coach_digests (coach_id, week, sent_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
			c.ID, week, s.now())
		if err != nil {
			return fmt.Errorf("claim digest: %w", err)
		}
		if tag.RowsAffected() == 0 || len(rows) == 0 || c.ChatID == 0 {
			return nil
		}
		m := render(c, d)
		m.ChatID = c.ChatID
		if _, err := insertOutbox(ctx, tx, s.now(), false, []Message{m}); err != nil {
			return err
		}
		sent = true
		return nil
	})
	return sent, err
}
