package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// This file is the store's test support: plain views of what is in the
// tables (for a test to check after the fact, or to print when it fails) and
// the few writes a test needs to set a scene no product path sets. Tests
// reach them through store/storetest; no product path calls them.

// OutboxRow is one outbox row as stored.
type OutboxRow struct {
	ID, ChatID, StudentID int64 // StudentID 0: about no student
	Method                string
	Type                  string // payload's "t": what the message is ("closing", "welcome back", …)
	NotBefore             time.Time
	ClaimedUntil          time.Time // zero: not claimed
	Attempts              int
	Sent, Failed          bool
	Error                 string
	CheckinID             int64  // 0: not part of a check-in
	Lane                  int    // the sender's lane
	FirstButton           string // the callback data of the first button, if any
	Payload               string // the payload as JSON text
}

// OutboxRows returns every outbox row, oldest first.
func (s *Store) OutboxRows(ctx context.Context) ([]OutboxRow, error) {
	rows, err := s.db.Query(ctx, `SELECT id, chat_id, coalesce(student_id, 0), method, coalesce(payload->>'t', ''),
		not_before, coalesce(claimed_until, '0001-01-01'::timestamptz), attempts, sent_at IS NOT NULL, failed_at IS NOT NULL, coalesce(error, ''),
		coalesce(checkin_id, 0), lane, coalesce(payload->'b'->0->0->>'d', ''), payload::text
		FROM outbox ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("outbox rows: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (OutboxRow, error) {
		var o OutboxRow
		err := r.Scan(&o.ID, &o.ChatID, &o.StudentID, &o.Method, &o.Type, &o.NotBefore, &o.ClaimedUntil, &o.Attempts, &o.Sent, &o.Failed, &o.Error, &o.CheckinID, &o.Lane, &o.FirstButton, &o.Payload)
		if o.ClaimedUntil.Year() == 1 {
			o.ClaimedUntil = time.Time{}
		}
		return o, err
	})
	if err != nil {
		return nil, fmt.Errorf("outbox rows: %w", err)
	}
	return out, nil
}

// CardRow is one check-in's card as stored (cards.go).
type CardRow struct {
	CheckinID, ChatID    int64
	Version, SentVersion int
	MessageID            int
	ClaimedUntil         time.Time // zero: not claimed
	Attempts             int
	Error                string
	Payload              string // the newest edit as JSON text
}

// CardRows returns every card, by check-in.
func (s *Store) CardRows(ctx context.Context) ([]CardRow, error) {
	rows, err := s.db.Query(ctx, `SELECT checkin_id, chat_id, version, sent_version, message_id,
		coalesce(claimed_until, '0001-01-01'::timestamptz), attempts, coalesce(error, ''), payload::text
		FROM cards ORDER BY checkin_id`)
	if err != nil {
		return nil, fmt.Errorf("card rows: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (CardRow, error) {
		var c CardRow
		err := r.Scan(&c.CheckinID, &c.ChatID, &c.Version, &c.SentVersion, &c.MessageID, &c.ClaimedUntil, &c.Attempts, &c.Error, &c.Payload)
		if c.ClaimedUntil.Year() == 1 {
			c.ClaimedUntil = time.Time{}
		}
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("card rows: %w", err)
	}
	return out, nil
}

// CheckinRow is one check-in as stored.
type CheckinRow struct {
	ID, StudentID int64
	Slot, Due     time.Time
	Status        string
	Final         bool
	Step          string    // the current step; empty: none
	Sent          time.Time // zero: not sent
}

// CheckinRows returns every check-in, by student and slot.
func (s *Store) CheckinRows(ctx context.Context) ([]CheckinRow, error) {
	rows, err := s.db.Query(ctx, `SELECT id, student_id, slot, due_at, status, final, coalesce(current_step, ''), coalesce(sent_at, '0001-01-01'::timestamptz) FROM checkins ORDER BY student_id, slot`)
	if err != nil {
		return nil, fmt.Errorf("check-in rows: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (CheckinRow, error) {
		var c CheckinRow
		err := r.Scan(&c.ID, &c.StudentID, &c.Slot, &c.Due, &c.Status, &c.Final, &c.Step, &c.Sent)
		if c.Sent.Year() == 1 {
			c.Sent = time.Time{}
		}
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("check-in rows: %w", err)
	}
	return out, nil
}

// SignalRow is one signal as stored.
type SignalRow struct {
	ID, StudentID, CheckinID, AlertID int64 // 0: none
	Code, Severity                    string
	HasDetail                         bool
}

// SignalRows returns every signal, oldest first.
func (s *Store) SignalRows(ctx context.Context) ([]SignalRow, error) {
	rows, err := s.db.Query(ctx, `SELECT id, coalesce(student_id, 0), coalesce(checkin_id, 0), coalesce(alert_id, 0), code, severity, detail IS NOT NULL
		FROM signals ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("signal rows: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (SignalRow, error) {
		var g SignalRow
		return g, r.Scan(&g.ID, &g.StudentID, &g.CheckinID, &g.AlertID, &g.Code, &g.Severity, &g.HasDetail)
	})
	if err != nil {
		return nil, fmt.Errorf("signal rows: %w", err)
	}
	return out, nil
}

// AlertRow is one case as stored.
type AlertRow struct {
	ID, StudentID   int64 // StudentID 0: the student was erased
	Severity        string
	Status          string
	CloseNote       string
	EscalationLevel int
}

// AlertRows returns every case, oldest first.
func (s *Store) AlertRows(ctx context.Context) ([]AlertRow, error) {
	rows, err := s.db.Query(ctx, `SELECT id, coalesce(student_id, 0), severity, status, coalesce(close_note, ''), escalation_level
		FROM alerts ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("alert rows: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AlertRow, error) {
		var a AlertRow
		return a, r.Scan(&a.ID, &a.StudentID, &a.Severity, &a.Status, &a.CloseNote, &a.EscalationLevel)
	})
	if err != nil {
		return nil, fmt.Errorf("alert rows: %w", err)
	}
	return out, nil
}

// AlertEventRow is one event of a case's audit trail as stored.
type AlertEventRow struct {
	AlertID int64
	Kind    string
}

// AlertEventRows returns every event of every case, oldest first.
func (s *Store) AlertEventRows(ctx context.Context) ([]AlertEventRow, error) {
	rows, err := s.db.Query(ctx, `SELECT alert_id, kind FROM alert_events ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("alert event rows: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AlertEventRow, error) {
		var e AlertEventRow
		return e, r.Scan(&e.AlertID, &e.Kind)
	})
	if err != nil {
		return nil, fmt.Errorf("alert event rows: %w", err)
	}
	return out, nil
}

// StudentRow is one student as stored, with what Student leaves out.
type StudentRow struct {
	ID, ChatID int64 // ChatID 0: not linked
	Name       string
	CoachID    int64  // 0: none
	Ref        string // the school's reference; empty: none
	LeftSchool string // the date as YYYY-MM-DD; empty: none
	School     string // the school they left; empty: unknown
	Lang       string
	Status     string
	EndedAt    time.Time // zero: not ended
	MomentDay  int       // -1: no moment chosen
	MomentPart string
}

// StudentRows returns every student, by ID.
func (s *Store) StudentRows(ctx context.Context) ([]StudentRow, error) {
	rows, err := s.db.Query(ctx, `SELECT id, coalesce(chat_id, 0), name, coalesce(coach_id, 0), coalesce(ref, ''), coalesce(left_school::text, ''), coalesce(school, ''), lang, status, coalesce(ended_at, '0001-01-01'::timestamptz),
		coalesce(moment_day, -1), coalesce(moment_part, '') FROM students ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("student rows: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (StudentRow, error) {
		var x StudentRow
		err := r.Scan(&x.ID, &x.ChatID, &x.Name, &x.CoachID, &x.Ref, &x.LeftSchool, &x.School, &x.Lang, &x.Status, &x.EndedAt, &x.MomentDay, &x.MomentPart)
		if x.EndedAt.Year() == 1 {
			x.EndedAt = time.Time{}
		}
		return x, err
	})
	if err != nil {
		return nil, fmt.Errorf("student rows: %w", err)
	}
	return out, nil
}

// SetEnded marks a student's follow-up as ended at a given moment (as if it
// had ended then), or, with a zero at, leaves the student as they are.
func (s *Store) SetEnded(ctx context.Context, studentID int64, at time.Time) error {
	if at.IsZero() {
		return nil
	}
	if _, err := s.db.Exec(ctx, `UPDATE students SET status = 'ended', ended_at = $2 WHERE id = $1`, studentID, at); err != nil {
		return fmt.Errorf("set ended: %w", err)
	}
	return nil
}

// AddOpenCheckin adds a check-in that is open (sent, waiting for answers)
// since the store's now, without a message: a scene for signals of a check-in.
func (s *Store) AddOpenCheckin(ctx context.Context, studentID int64, flowID string) (int64, error) {
	now := s.now()
	var id int64
	if err := s.db.QueryRow(ctx, `INSERT INTO checkins (student_id, flow_id, slot, due_at, status) VALUES ($1, $2, $3, $3, 'open') RETURNING id`,
		studentID, flowID, now).Scan(&id); err != nil {
		return 0, fmt.Errorf("add open check-in: %w", err)
	}
	return id, nil
}

// AddStudentsDue adds, in one statement, an active student linked to each
// chat, all of coachID, each with a check-in of flowID due at at (a crowd
// for a wave of check-ins).
func (s *Store) AddStudentsDue(ctx context.Context, coachID int64, chats []int64, flowID string, at time.Time) error {
	_, err := s.db.Exec(ctx, `WITH s AS (
			INSERT INTO students (name, coach_id, chat_id, status, linked_at, left_school)
			SELECT 'Noor ' || chat, $1, chat, 'active', $3::timestamptz, $4::date FROM unnest($2::bigint[]) AS chat RETURNING id)
		INSERT INTO checkins (student_id, flow_id, slot, due_at) SELECT id, $5, $3::timestamptz, $3::timestamptz FROM s`,
		coachID, chats, at, at.Format("2006-01-02"), flowID)
	if err != nil {
		return fmt.Errorf("add students due: %w", err)
	}
	return nil
}

// LockOutbox holds a lock on the outbox that makes a sender's claim wait,
// until release is called: a scene for a sweep stuck in Postgres.
func (s *Store) LockOutbox(ctx context.Context) (release func(), err error) {
	return s.holdInTx(ctx, "lock outbox", `LOCK TABLE outbox IN SHARE ROW EXCLUSIVE MODE`)
}

// HoldOutboxRows locks outbox rows ids in a transaction of its own, as a
// sent-mark or a claim holds them while it runs, until release is called.
func (s *Store) HoldOutboxRows(ctx context.Context, ids []int64) (release func(), err error) {
	return s.holdInTx(ctx, "hold outbox rows", `SELECT id FROM outbox WHERE id = ANY($1) ORDER BY id FOR UPDATE`, ids)
}

// HoldCards locks the cards of checkins as a tap's write holds its card,
// until release is called.
func (s *Store) HoldCards(ctx context.Context, checkins []int64) (release func(), err error) {
	return s.holdInTx(ctx, "hold cards", `SELECT checkin_id FROM cards WHERE checkin_id = ANY($1) ORDER BY checkin_id FOR UPDATE`, checkins)
}

// holdInTx runs sql in a transaction of its own and keeps that open, with
// the locks sql took, until release is called.
func (s *Store) holdInTx(ctx context.Context, what, sql string, args ...any) (release func(), err error) {
	tx, err := s.db.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if _, err := tx.Exec(ctx, sql, args...); err != nil {
		_ = tx.Rollback(ctx)
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }, nil
}

// CoachRow is one coach as stored.
type CoachRow struct {
	ID, ChatID  int64 // ChatID 0: not linked
	Name        string
	Unreachable bool // marked unreachable (their chat failed for good)
	OnCall      bool
}

// CoachRows returns every coach, by ID.
func (s *Store) CoachRows(ctx context.Context) ([]CoachRow, error) {
	rows, err := s.db.Query(ctx, `SELECT id, coalesce(chat_id, 0), name, unreachable_at IS NOT NULL, on_call FROM coaches ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("coach rows: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (CoachRow, error) {
		var c CoachRow
		return c, r.Scan(&c.ID, &c.ChatID, &c.Name, &c.Unreachable, &c.OnCall)
	})
	if err != nil {
		return nil, fmt.Errorf("coach rows: %w", err)
	}
	return out, nil
}

// AnswerRow is one answer as stored.
type AnswerRow struct {
	ID, StudentID, CheckinID int64 // CheckinID 0: not part of a check-in
	Step, Option, Text       string
	HasVoice                 bool
}

// AnswerRows returns every answer, oldest first.
func (s *Store) AnswerRows(ctx context.Context) ([]AnswerRow, error) {
	rows, err := s.db.Query(ctx, `SELECT id, student_id, coalesce(checkin_id, 0), step, coalesce(option, ''), coalesce(text, ''), voice_file_id IS NOT NULL
		FROM answers ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("answer rows: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AnswerRow, error) {
		var a AnswerRow
		return a, r.Scan(&a.ID, &a.StudentID, &a.CheckinID, &a.Step, &a.Option, &a.Text, &a.HasVoice)
	})
	if err != nil {
		return nil, fmt.Errorf("answer rows: %w", err)
	}
	return out, nil
}

// AlertStepRow is one planned step of a case (a reminder, an escalation) as stored.
type AlertStepRow struct {
	ID, AlertID int64
	Kind        string
	Due         time.Time
	Done        bool
}

// AlertStepRows returns every step of every case, oldest first.
func (s *Store) AlertStepRows(ctx context.Context) ([]AlertStepRow, error) {
	rows, err := s.db.Query(ctx, `SELECT id, alert_id, kind, due_at, done_at IS NOT NULL FROM alert_steps ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("alert step rows: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AlertStepRow, error) {
		var a AlertStepRow
		return a, r.Scan(&a.ID, &a.AlertID, &a.Kind, &a.Due, &a.Done)
	})
	if err != nil {
		return nil, fmt.Errorf("alert step rows: %w", err)
	}
	return out, nil
}

// AgreementRow is one agreement as stored.
type AgreementRow struct {
	ID, StudentID int64
	What, Status  string
	LastAnswer    string
}

// AgreementRows returns every agreement, oldest first.
func (s *Store) AgreementRows(ctx context.Context) ([]AgreementRow, error) {
	rows, err := s.db.Query(ctx, `SELECT id, student_id, what, status, coalesce(last_answer, '') FROM agreements ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("agreement rows: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AgreementRow, error) {
		var a AgreementRow
		return a, r.Scan(&a.ID, &a.StudentID, &a.What, &a.Status, &a.LastAnswer)
	})
	if err != nil {
		return nil, fmt.Errorf("agreement rows: %w", err)
	}
	return out, nil
}

// ProcessedUpdateIDs returns the IDs of every update marked processed, of any bot.
func (s *Store) ProcessedUpdateIDs(ctx context.Context) ([]int64, error) {
	rows, err := s.db.Query(ctx, `SELECT update_id FROM processed_updates ORDER BY update_id`)
	if err != nil {
		return nil, fmt.Errorf("processed updates: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("processed updates: %w", err)
	}
	return out, nil
}

// AddAlertRow adds a case as a bare row (no signal, no event, no steps): a
// scene for what reads the cases as they stand, like the metrics.
func (s *Store) AddAlertRow(ctx context.Context, studentID int64, severity, status string, openedAt time.Time) (int64, error) {
	var id int64
	if err := s.db.QueryRow(ctx, `INSERT INTO alerts (student_id, severity, status, opened_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		studentID, severity, status, openedAt).Scan(&id); err != nil {
		return 0, fmt.Errorf("add alert row: %w", err)
	}
	return id, nil
}

// CoachMessageRow is one message between a coach and a student as stored.
type CoachMessageRow struct {
	ID, StudentID, CoachID int64 // CoachID 0: none (or erased)
	Direction, Text        string
}

// CoachMessageRows returns every message between a coach and a student, oldest first.
func (s *Store) CoachMessageRows(ctx context.Context) ([]CoachMessageRow, error) {
	rows, err := s.db.Query(ctx, `SELECT id, student_id, coalesce(coach_id, 0), direction, text FROM coach_messages ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("coach message rows: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (CoachMessageRow, error) {
		var m CoachMessageRow
		return m, r.Scan(&m.ID, &m.StudentID, &m.CoachID, &m.Direction, &m.Text)
	})
	if err != nil {
		return nil, fmt.Errorf("coach message rows: %w", err)
	}
	return out, nil
}

// AlertDeliveryRow is one delivery of a case to a coach as stored.
type AlertDeliveryRow struct {
	ID, AlertID, CoachID, ChatID int64
	Sent                         bool
}

// AlertDeliveryRows returns every delivery of every case, oldest first.
func (s *Store) AlertDeliveryRows(ctx context.Context) ([]AlertDeliveryRow, error) {
	rows, err := s.db.Query(ctx, `SELECT id, alert_id, coach_id, chat_id, sent_at IS NOT NULL FROM alert_deliveries ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("alert delivery rows: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AlertDeliveryRow, error) {
		var d AlertDeliveryRow
		return d, r.Scan(&d.ID, &d.AlertID, &d.CoachID, &d.ChatID, &d.Sent)
	})
	if err != nil {
		return nil, fmt.Errorf("alert delivery rows: %w", err)
	}
	return out, nil
}

// KnownSignalRow is one mark of a situation the coach knows about, as stored.
type KnownSignalRow struct {
	StudentID int64
	Code      string
	Until     time.Time
}

// KnownSignalRows returns every known-situation mark, by student and code.
func (s *Store) KnownSignalRows(ctx context.Context) ([]KnownSignalRow, error) {
	rows, err := s.db.Query(ctx, `SELECT student_id, code, until FROM known_signals ORDER BY student_id, code`)
	if err != nil {
		return nil, fmt.Errorf("known signal rows: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (KnownSignalRow, error) {
		var k KnownSignalRow
		return k, r.Scan(&k.StudentID, &k.Code, &k.Until)
	})
	if err != nil {
		return nil, fmt.Errorf("known signal rows: %w", err)
	}
	return out, nil
}

// DeadLetterRow is one parked update as stored.
type DeadLetterRow struct {
	BotID, UpdateID, ChatID int64
	Attempts                int
	HasRaw                  bool // its content is kept
}

// DeadLetterRows returns every parked update, by bot and update ID.
func (s *Store) DeadLetterRows(ctx context.Context) ([]DeadLetterRow, error) {
	rows, err := s.db.Query(ctx, `SELECT bot_id, update_id, chat_id, attempts, raw IS NOT NULL FROM update_dead_letters ORDER BY bot_id, update_id`)
	if err != nil {
		return nil, fmt.Errorf("dead letter rows: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (DeadLetterRow, error) {
		var d DeadLetterRow
		return d, r.Scan(&d.BotID, &d.UpdateID, &d.ChatID, &d.Attempts, &d.HasRaw)
	})
	if err != nil {
		return nil, fmt.Errorf("dead letter rows: %w", err)
	}
	return out, nil
}

// PoisonAnswers makes recording any answer of a student fail (a trigger that
// raises), until heal is called: a scene for a chat whose every update errors.
func (s *Store) PoisonAnswers(ctx context.Context, studentID int64) (heal func(context.Context) error, err error) {
	if _, err := s.db.Exec(ctx, fmt.Sprintf(`
		CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'poisoned for the test'; END $$;
		CREATE TRIGGER poison BEFORE INSERT ON answers FOR EACH ROW WHEN (NEW.student_id = %d) EXECUTE FUNCTION poison();`, studentID)); err != nil {
		return nil, fmt.Errorf("poison answers: %w", err)
	}
	return func(ctx context.Context) error {
		if _, err := s.db.Exec(ctx, `DROP TRIGGER poison ON answers`); err != nil {
			return fmt.Errorf("heal answers: %w", err)
		}
		return nil
	}, nil
}

// TableRowCounts counts the rows of every table of the store's schema.
func (s *Store) TableRowCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.db.Query(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
	if err != nil {
		return nil, fmt.Errorf("tables: %w", err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("tables: %w", err)
	}
	out := make(map[string]int, len(tables))
	for _, tb := range tables {
		var n int
		if err := s.db.QueryRow(ctx, fmt.Sprintf(`SELECT count(*) FROM %q`, tb)).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", tb, err)
		}
		out[tb] = n
	}
	return out, nil
}

// AddCheckinDue adds a scheduled check-in of flowID for a student, due (and
// slotted) at at: a check-in the scheduler has not got to yet.
func (s *Store) AddCheckinDue(ctx context.Context, studentID int64, flowID string, at time.Time) (int64, error) {
	var id int64
	if err := s.db.QueryRow(ctx, `INSERT INTO checkins (student_id, flow_id, slot, due_at) VALUES ($1, $2, $3, $3) RETURNING id`,
		studentID, flowID, at).Scan(&id); err != nil {
		return 0, fmt.Errorf("add check-in due: %w", err)
	}
	return id, nil
}

// CloseAlertRows marks every case closed at at, as bare rows (no event, no
// message): a scene for what follows once no case is open.
func (s *Store) CloseAlertRows(ctx context.Context, at time.Time) error {
	if _, err := s.db.Exec(ctx, `UPDATE alerts SET status = 'closed', closed_at = $1`, at); err != nil {
		return fmt.Errorf("close alert rows: %w", err)
	}
	return nil
}

// InviteRow is one invite as stored (without its code).
type InviteRow struct {
	StudentID, CoachID int64 // one of them 0
	Used, Revoked      bool
}

// InviteRows returns every invite, oldest first.
func (s *Store) InviteRows(ctx context.Context) ([]InviteRow, error) {
	rows, err := s.db.Query(ctx, `SELECT coalesce(student_id, 0), coalesce(coach_id, 0), used_at IS NOT NULL, revoked_at IS NOT NULL
		FROM invites ORDER BY created_at, code_hash`)
	if err != nil {
		return nil, fmt.Errorf("invite rows: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (InviteRow, error) {
		var i InviteRow
		return i, r.Scan(&i.StudentID, &i.CoachID, &i.Used, &i.Revoked)
	})
	if err != nil {
		return nil, fmt.Errorf("invite rows: %w", err)
	}
	return out, nil
}

// AddCoachRow adds a coach as a bare row (no invite, no chat) with a fixed
// ID (0: the next one): a scene for what reads the coaches' names, like the
// report. A fixed ID does not move the ID sequence on.
func (s *Store) AddCoachRow(ctx context.Context, id int64, name string) (int64, error) {
	if err := s.db.QueryRow(ctx, `INSERT INTO coaches (id, name) VALUES (coalesce(nullif($1::bigint, 0), nextval('coaches_id_seq')), $2) RETURNING id`,
		id, name).Scan(&id); err != nil {
		return 0, fmt.Errorf("add coach row: %w", err)
	}
	return id, nil
}

// NewStudentRow is a student to add as a bare row.
type NewStudentRow struct {
	Name       string
	CoachID    int64
	LeftSchool string // the date as YYYY-MM-DD; empty: none
	Status     string // empty: invited
	Ref        string // the school's reference; empty: none
}

// AddStudentRows adds students as bare rows (no invite, no chat), in order
// and in one transaction, and returns their IDs: a scene for what reads the
// students as they stand, like the report.
func (s *Store) AddStudentRows(ctx context.Context, students []NewStudentRow) ([]int64, error) {
	b := &pgx.Batch{}
	for _, n := range students {
		b.Queue(`INSERT INTO students (name, coach_id, left_school, status, ref)
			VALUES ($1, $2, nullif($3, '')::date, coalesce(nullif($4, ''), 'invited'), nullif($5, '')) RETURNING id`,
			n.Name, n.CoachID, n.LeftSchool, n.Status, n.Ref)
	}
	ids, err := s.addRows(ctx, b)
	if err != nil {
		return nil, fmt.Errorf("add student rows: %w", err)
	}
	return ids, nil
}

// NewCheckinRow is a check-in to add as a bare row.
type NewCheckinRow struct {
	StudentID      int64
	FlowID         string
	Slot, Due      time.Time
	Sent, Reminded time.Time // zero: not sent, not reminded
	Status         string    // empty: scheduled
}

// AddCheckinRows adds check-ins as bare rows (no message, no answers), in
// order and in one transaction, and returns their IDs: a scene for what
// reads the check-ins as they stand, like the report and the export.
func (s *Store) AddCheckinRows(ctx context.Context, checkins []NewCheckinRow) ([]int64, error) {
	b := &pgx.Batch{}
	for _, c := range checkins {
		b.Queue(`INSERT INTO checkins (student_id, flow_id, slot, due_at, sent_at, reminded_at, status)
			VALUES ($1, $2, $3, $4, $5, $6, coalesce(nullif($7, ''), 'scheduled')) RETURNING id`,
			c.StudentID, c.FlowID, c.Slot, c.Due, nullTime(c.Sent), nullTime(c.Reminded), c.Status)
	}
	ids, err := s.addRows(ctx, b)
	if err != nil {
		return nil, fmt.Errorf("add check-in rows: %w", err)
	}
	return ids, nil
}

// NewAnswerRow is an answer to add as a bare row.
type NewAnswerRow struct {
	StudentID   int64
	CheckinID   int64  // 0: not part of a check-in
	FlowVersion string // empty: none
	Step        string
	Option      string // empty: none
	Text        string // empty: none
	VoiceFileID string // empty: no voice message
	At          time.Time
}

// AddAnswerRows adds answers as bare rows (no signal, no check-in moved on),
// in order and in one transaction, and returns their IDs: a scene for what
// reads the answers as they stand, like the export and the report.
func (s *Store) AddAnswerRows(ctx context.Context, answers []NewAnswerRow) ([]int64, error) {
	b := &pgx.Batch{}
	for _, a := range answers {
		b.Queue(`INSERT INTO answers (student_id, checkin_id, flow_version, step, option, text, voice_file_id, answered_at)
			VALUES ($1, nullif($2::bigint, 0), nullif($3, ''), $4, nullif($5, ''), nullif($6, ''), nullif($7, ''), $8) RETURNING id`,
			a.StudentID, a.CheckinID, a.FlowVersion, a.Step, a.Option, a.Text, a.VoiceFileID, a.At)
	}
	ids, err := s.addRows(ctx, b)
	if err != nil {
		return nil, fmt.Errorf("add answer rows: %w", err)
	}
	return ids, nil
}

// AddTakenAlertRow is AddAlertRow for a case taken on at takenAt (zero: not
// taken on): a scene for the time to take a case on, in the report.
func (s *Store) AddTakenAlertRow(ctx context.Context, studentID int64, severity, status string, openedAt, takenAt time.Time) (int64, error) {
	var id int64
	if err := s.db.QueryRow(ctx, `INSERT INTO alerts (student_id, severity, status, opened_at, taken_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		studentID, severity, status, openedAt, nullTime(takenAt)).Scan(&id); err != nil {
		return 0, fmt.Errorf("add taken alert row: %w", err)
	}
	return id, nil
}

// addRows runs a batch of inserts that each return one ID, in one
// transaction, and returns the IDs in order.
func (s *Store) addRows(ctx context.Context, b *pgx.Batch) ([]int64, error) {
	tx, err := s.db.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	ids := make([]int64, b.Len())
	br := tx.SendBatch(ctx, b)
	for i := range ids {
		if err := br.QueryRow().Scan(&ids[i]); err != nil {
			_ = br.Close()
			return nil, fmt.Errorf("row %d: %w", i+1, err)
		}
	}
	if err := br.Close(); err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, err
	}
	return ids, nil
}

// nullTime is t, or NULL for the zero time.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
