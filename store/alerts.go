package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lijntje/lijntje/severity"
)

// AlertChannel is the Postgres channel on which new alert steps are announced.
const AlertChannel = "lijntje_alert"

// Alert statuses.
const (
	AlertOpen   = "open"
	AlertTaken  = "taken"
	AlertClosed = "closed"
)

// AlertStep is a due next step of a case, claimed by one replica's sweep.
type AlertStep struct {
	ID              int64
	Kind            string // "route", "escalate", ...
	AlertID         int64
	StudentID       int64
	StudentCoachID  int64
	Severity        severity.Level
	Status          string
	EscalationLevel int
	OpenedAt        time.Time
	Delivered       []int64 // reachable coaches who already have this case
	// News are the coaches in Delivered whose message predates news in the
	// case (its severity rose, or crisis language joined it): an edit makes
	// no sound, so they should get a new message (StepPlan.Resend).
	News      []int64
	StandInID int64 // who stands in for the student's coach now (0: nobody); see handover.go
	TakenBy   int64 // who took the case on (0: nobody yet)
	Now       time.Time
	// Coaches are the people routing may choose from: the student's own coach,
	// every coach on call and every coordinator (read in the step's transaction).
	Coaches []Coach
}

// StepPlan is what a step does: deliver the case to coaches now, and schedule next steps.
type StepPlan struct {
	Deliver  []int64 // coach IDs
	Next     []NextStep
	Escalate bool    // count this as one more escalation level
	Remind   []int64 // coach IDs to bring the case back to, as a new message (talk: known.go)
	Note     string
	// Resend are coaches who have the case and get it again as a new message
	// (a phone makes no sound for an edit); their old message is edited to
	// point to the new one.
	Resend []int64
	// Quiet leaves the messages of coaches who have the case as they are for
	// now (a request outside working hours): the held step shows what joined.
	Quiet bool
}

// NextStep is a step to run later.
type NextStep struct {
	Kind  string
	DueAt time.Time
}

// RunAlertSteps claims due alert steps (SKIP LOCKED: each runs once across replicas),
// asks decide what each does and records that: deliveries, outbox rows and next
// steps, each step in its own transaction. It returns the outbox IDs it queued.
func (s *Store) RunAlertSteps(ctx context.Context, now time.Time, limit int, decide func(AlertStep) (StepPlan, error)) (int, error) {
	n := 0
	for n < limit {
		done, err := s.runAlertStep(ctx, now, decide)
		if err != nil {
			return n, err
		}
		if !done {
			return n, nil
		}
		n++
	}
	return n, nil
}

func (s *Store) runAlertStep(ctx context.Context, now time.Time, decide func(AlertStep) (StepPlan, error)) (bool, error) {
	found := false
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		var st AlertStep
		var sid *int64
		err := tx.QueryRow(ctx, `SELECT st.id, st.kind, a.id, a.student_id, a.severity, a.status, a.escalation_level, a.opened_at,
				coalesce(a.taken_by, 0)
			FROM alert_steps st JOIN alerts a ON a.id = st.alert_id
			WHERE st.done_at IS NULL AND st.due_at <= $1
			ORDER BY st.due_at, st.id LIMIT 1 FOR UPDATE OF st SKIP LOCKED`, now).
			Scan(&st.ID, &st.Kind, &st.AlertID, &sid, &st.Severity, &st.Status, &st.EscalationLevel, &st.OpenedAt, &st.TakenBy)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("claim alert step: %w", err)
		}
		found = true
		if _, err := tx.Exec(ctx, `UPDATE alert_steps SET done_at = $2 WHERE id = $1`, st.ID, now); err != nil {
			return fmt.Errorf("finish alert step: %w", err)
		}
		if sid != nil {
			st.StudentID = *sid
			if err := tx.QueryRow(ctx, `SELECT coach_id FROM students WHERE id = $1`, *sid).Scan(&st.StudentCoachID); err != nil {
				return fmt.Errorf("student coach: %w", err)
			}
		}
		// A delivery that failed, or to a coach who cannot be reached, does not
		// count as having the case: it goes on to the next in line.
		rows, err := tx.Query(ctx, `SELECT d.coach_id, coalesce(a.news_at > coalesce(d.renewed_at, d.created_at), false)
			FROM alert_deliveries d JOIN coaches c ON c.id = d.coach_id JOIN alerts a ON a.id = d.alert_id
			WHERE d.alert_id = $1 AND d.failed_at IS NULL AND c.unreachable_at IS NULL ORDER BY d.id`, st.AlertID)
		if err != nil {
			return fmt.Errorf("deliveries: %w", err)
		}
		var coachID int64
		var news bool
		_, err = pgx.ForEachRow(rows, []any{&coachID, &news}, func() error {
			st.Delivered = append(st.Delivered, coachID)
			if news {
				st.News = append(st.News, coachID)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("deliveries: %w", err)
		}
		st.Now = now
		if err := tx.QueryRow(ctx, `SELECT coalesce((SELECT stand_in_id FROM stand_ins WHERE coach_id = $1 AND until > $2), 0)`,
			st.StudentCoachID, now).Scan(&st.StandInID); err != nil {
			return fmt.Errorf("stand-in: %w", err)
		}
		rows, err = tx.Query(ctx, `SELECT `+coachCols+` FROM coaches WHERE id = $1 OR id = $2 OR on_call OR coordinator ORDER BY id`,
			st.StudentCoachID, st.StandInID)
		if err != nil {
			return fmt.Errorf("routing coaches: %w", err)
		}
		st.Coaches, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Coach, error) { return scanCoach(r) })
		if err != nil {
			return fmt.Errorf("routing coaches: %w", err)
		}
		if err := hideUnreachable(ctx, tx, st.Coaches); err != nil {
			return err
		}
		plan, err := decide(st)
		if err != nil {
			return fmt.Errorf("decide alert step %d: %w", st.ID, err)
		}
		return applyPlan(ctx, tx, now, st, plan)
	})
	return found, err
}

func applyPlan(ctx context.Context, tx pgx.Tx, now time.Time, st AlertStep, plan StepPlan) error {
	delivered := map[int64]bool{}
	for _, c := range st.Delivered {
		delivered[c] = true
	}
	// On a route step (the case is new or grew) and a held step (what joined
	// outside working hours) coaches who already have the case get their
	// message re-rendered; other steps only reach new coaches and resend.
	var targets []int64
	if (st.Kind == "route" && !plan.Quiet) || st.Kind == "held" {
		targets = append(targets, st.Delivered...)
	}
	resend := map[int64]bool{}
	for _, c := range plan.Resend {
		if delivered[c] && !resend[c] {
			resend[c] = true
			if !slices.Contains(targets, c) {
				targets = append(targets, c)
			}
		}
	}
	for _, c := range plan.Deliver {
		if !delivered[c] {
			targets = append(targets, c)
			delivered[c] = true
		}
	}
	for _, coachID := range targets {
		if resend[coachID] {
			if err := resendDelivery(ctx, tx, now, st.AlertID, coachID); err != nil {
				return err
			}
			continue
		}
		var deliveryID, chatID int64
		err := tx.QueryRow(ctx, `INSERT INTO alert_deliveries (alert_id, coach_id, chat_id, created_at)
			SELECT $1, id, chat_id, $3 FROM coaches WHERE id = $2 AND chat_id IS NOT NULL AND unreachable_at IS NULL
			ON CONFLICT (alert_id, coach_id) DO UPDATE SET failed_at = NULL
			RETURNING id, chat_id`, st.AlertID, coachID, now).Scan(&deliveryID, &chatID)
		if errors.Is(err, pgx.ErrNoRows) {
			continue // a coach without a linked chat cannot be reached
		}
		if err != nil {
			return fmt.Errorf("deliver alert: %w", err)
		}
		if _, err := insertOutbox(ctx, tx, now, false, []Message{{ChatID: chatID, Lane: LaneUrgent, Kind: KindAlert,
			AlertID: st.AlertID, DeliveryID: deliveryID}}); err != nil {
			return err
		}
		if err := copyVoices(ctx, tx, now, st.AlertID, coachID, chatID); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, st.AlertID, now, "sent", coachID, ""); err != nil {
			return err
		}
	}
	if err := applyRemind(ctx, tx, now, st, plan); err != nil { // known.go
		return err
	}
	if plan.Escalate {
		if _, err := tx.Exec(ctx, `UPDATE alerts SET escalation_level = escalation_level + 1 WHERE id = $1`, st.AlertID); err != nil {
			return fmt.Errorf("escalate: %w", err)
		}
		if err := addEvent(ctx, tx, st.AlertID, now, "escalated", 0, plan.Note); err != nil {
			return err
		}
	}
	for _, n := range plan.Next {
		// One pending step of a kind per case: a case held until 09:00 is delivered
		// once, in one message, however many signals joined it overnight.
		tag, err := tx.Exec(ctx, `INSERT INTO alert_steps (alert_id, kind, due_at)
			SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM alert_steps WHERE alert_id = $1 AND kind = $2 AND done_at IS NULL)`,
			st.AlertID, n.Kind, n.DueAt)
		if err != nil {
			return fmt.Errorf("schedule alert step: %w", err)
		}
		if tag.RowsAffected() == 1 && n.Kind == "held" {
			if err := addEvent(ctx, tx, st.AlertID, now, "held", 0, n.DueAt.UTC().Format(time.RFC3339)); err != nil {
				return err
			}
		}
	}
	return nil
}

// AlertSignal is one signal of a case, for the alert message.
type AlertSignal struct {
	Code, Detail string
	Severity     severity.Level
	At           time.Time
}

// AlertView is what an alert message shows.
type AlertView struct {
	ID           int64
	StudentID    int64
	StudentName  string
	Severity     severity.Level
	Status       string
	OpenedAt     time.Time
	TakenBy      string
	TakenAt      time.Time
	CloseNote    string
	StudentCoach string // first name of the student's own coach
	Signals      []AlertSignal
	ChatID       int64 // the delivery's chat
	MessageID    int   // the delivery's message, 0 before it was sent
	CoachLang    string
	CoachID      int64
}

// Alert returns the view of alert id as delivery deliveryID sees it (0: no delivery).
func (s *Store) Alert(ctx context.Context, id, deliveryID int64) (AlertView, error) {
	var v AlertView
	var taken *string
	var takenAt *time.Time
	var note *string
	var sid *int64
	var name *string
	var studentCoach *string
	err := s.db.QueryRow(ctx, `SELECT a.id, a.student_id, st.name, a.severity, a.status, a.opened_at, c.name, a.taken_at, a.close_note, sc.name
		FROM alerts a LEFT JOIN students st ON st.id = a.student_id LEFT JOIN coaches c ON c.id = a.taken_by
		LEFT JOIN coaches sc ON sc.id = st.coach_id WHERE a.id = $1`, id).
		Scan(&v.ID, &sid, &name, &v.Severity, &v.Status, &v.OpenedAt, &taken, &takenAt, &note, &studentCoach)
	if err != nil {
		return AlertView{}, fmt.Errorf("alert %d: %w", id, notFound(err))
	}
	if sid != nil {
		v.StudentID = *sid
	}
	if name != nil {
		v.StudentName = *name
	}
	if taken != nil {
		v.TakenBy = *taken
	}
	if studentCoach != nil {
		v.StudentCoach = FirstName(*studentCoach)
	}
	if takenAt != nil {
		v.TakenAt = *takenAt
	}
	if note != nil {
		v.CloseNote = *note
	}
	if deliveryID != 0 {
		var mid *int
		err := s.db.QueryRow(ctx, `SELECT d.chat_id, d.message_id, c.lang, c.id FROM alert_deliveries d JOIN coaches c ON c.id = d.coach_id
			WHERE d.id = $1`, deliveryID).Scan(&v.ChatID, &mid, &v.CoachLang, &v.CoachID)
		if err != nil {
			return AlertView{}, fmt.Errorf("delivery %d: %w", deliveryID, notFound(err))
		}
		if mid != nil {
			v.MessageID = *mid
		}
	}
	rows, err := s.db.Query(ctx, `SELECT code, severity, coalesce(detail, ''), created_at FROM signals WHERE alert_id = $1 ORDER BY id`, id)
	if err != nil {
		return AlertView{}, fmt.Errorf("alert signals: %w", err)
	}
	v.Signals, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (AlertSignal, error) {
		var a AlertSignal
		err := r.Scan(&a.Code, &a.Severity, &a.Detail, &a.At)
		return a, err
	})
	if err != nil {
		return AlertView{}, fmt.Errorf("alert signals: %w", err)
	}
	return v, nil
}

// ErrNotAllowed is returned when someone acts on what is not theirs.
var ErrNotAllowed = errors.New("not allowed")

// ErrAlreadyTaken is returned when a case was taken on by someone else first.
var ErrAlreadyTaken = errors.New("already taken on")

// TakeAlert records that coachID takes case id on. Exactly one coach wins a race;
// the others get ErrAlreadyTaken with the winner's name. Every coach who got the
// case gets their message updated, and pending escalation steps are cancelled.
func (s *Store) TakeAlert(ctx context.Context, id, coachID int64) (string, error) {
	now := s.now()
	var winner string
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		var status string
		var takenBy *string
		var allowed bool
		err := tx.QueryRow(ctx, `SELECT a.status, c.name,
			EXISTS (SELECT 1 FROM alert_deliveries d WHERE d.alert_id = a.id AND d.coach_id = $2)
			OR EXISTS (SELECT 1 FROM coaches k WHERE k.id = $2 AND k.coordinator)
			OR EXISTS (SELECT 1 FROM students s WHERE s.id = a.student_id AND s.coach_id = $2)
			FROM alerts a LEFT JOIN coaches c ON c.id = a.taken_by WHERE a.id = $1 FOR UPDATE OF a`, id, coachID).
			Scan(&status, &takenBy, &allowed)
		if err != nil {
			return fmt.Errorf("alert %d: %w", id, notFound(err))
		}
		if !allowed {
			return ErrNotAllowed
		}
		if status != AlertOpen {
			if takenBy != nil {
				winner = *takenBy
			}
			if winner == "" {
				// After waiting for the lock, the joined coach row is the one from
				// before the winner committed: read the winner's name afresh.
				_ = tx.QueryRow(ctx, `SELECT c.name FROM alerts a JOIN coaches c ON c.id = a.taken_by WHERE a.id = $1`, id).Scan(&winner)
			}
			return ErrAlreadyTaken
		}
		if err := tx.QueryRow(ctx, `UPDATE alerts SET status = 'taken', taken_by = $2, taken_at = $3 WHERE id = $1
			RETURNING (SELECT name FROM coaches WHERE id = $2)`, id, coachID, now).Scan(&winner); err != nil {
			return fmt.Errorf("take alert: %w", err)
		}
		if err := addEvent(ctx, tx, id, now, "taken", coachID, ""); err != nil {
			return err
		}
		return refreshDeliveries(ctx, tx, id, now)
	})
	return winner, err
}

// CloseAlert closes a taken case with a note; only the coach who took it (or a coordinator) can.
func (s *Store) CloseAlert(ctx context.Context, id, coachID int64, note string) error {
	now := s.now()
	return s.withTx(ctx, func(tx pgx.Tx) error {
		if err := closeAlertTx(ctx, tx, id, coachID, now, note); err != nil {
			return err
		}
		return refreshDeliveries(ctx, tx, id, now)
	})
}

// closeAlertTx closes a taken case with a note, records it and cancels its
// pending steps; ErrNotAllowed unless coachID took it or is a coordinator.
func closeAlertTx(ctx context.Context, tx pgx.Tx, id, coachID int64, now time.Time, note string) error {
	tag, err := tx.Exec(ctx, `UPDATE alerts SET status = 'closed', closed_at = $3, close_note = nullif($4, '')
		WHERE id = $1 AND status = 'taken' AND (taken_by = $2 OR EXISTS (SELECT 1 FROM coaches WHERE id = $2 AND coordinator))`,
		id, coachID, now, note)
	if err != nil {
		return fmt.Errorf("close alert: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotAllowed
	}
	if err := addEvent(ctx, tx, id, now, "closed", coachID, note); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE alert_steps SET done_at = $2 WHERE alert_id = $1 AND done_at IS NULL`, id, now); err != nil {
		return fmt.Errorf("cancel steps: %w", err)
	}
	return nil
}

// refreshDeliveries queues a re-render of every delivered message of a case, and
// cancels its pending escalation steps.
func refreshDeliveries(ctx context.Context, tx pgx.Tx, id int64, now time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE alert_steps SET done_at = $2 WHERE alert_id = $1 AND done_at IS NULL AND kind = 'escalate'`, id, now); err != nil {
		return fmt.Errorf("cancel escalation: %w", err)
	}
	rows, err := tx.Query(ctx, `SELECT id, chat_id FROM alert_deliveries WHERE alert_id = $1 AND failed_at IS NULL ORDER BY id`, id)
	if err != nil {
		return fmt.Errorf("deliveries: %w", err)
	}
	type d struct{ id, chat int64 }
	ds, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (d, error) {
		var x d
		return x, r.Scan(&x.id, &x.chat)
	})
	if err != nil {
		return fmt.Errorf("deliveries: %w", err)
	}
	for _, x := range ds {
		if _, err := insertOutbox(ctx, tx, now, false, []Message{{ChatID: x.chat, Lane: LaneUrgent, Kind: KindAlert, AlertID: id, DeliveryID: x.id}}); err != nil {
			return err
		}
	}
	return nil
}
