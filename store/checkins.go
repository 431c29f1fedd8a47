package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Check-in statuses.
const (
	CheckinScheduled = "scheduled"
	CheckinOpen      = "open"
	CheckinCompleted = "completed"
	CheckinExpired   = "expired"
	CheckinPartial   = "partial" // expired with some answers: answered, not missed
	CheckinCancelled = "cancelled"
)

// NotifyChannel is the Postgres channel on which new due check-ins are announced.
const NotifyChannel = "lijntje_due"

// ScheduleCheckin records a check-in for a student due at due, for the slot slot
// (one check-in per student and slot). It returns false when that slot already
// has one. It notifies running servers.
func (s *Store) ScheduleCheckin(ctx context.Context, studentID int64, slot, due time.Time, manual bool) (bool, error) {
	tag, err := s.db.Exec(ctx, `INSERT INTO checkins (student_id, flow_id, slot, due_at, manual)
		VALUES ($1, 'checkin', $2, $3, $4) ON CONFLICT (student_id, slot) DO NOTHING`, studentID, slot, due, manual)
	if err != nil {
		return false, fmt.Errorf("schedule checkin: %w", err)
	}
	if _, err := s.db.Exec(ctx, `SELECT pg_notify($1, '')`, NotifyChannel); err != nil {
		return true, fmt.Errorf("notify: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// OutboxChannel is the Postgres channel on which new outbox rows are
// announced: a trigger (migration 0013) notifies it when a row any sender may
// claim is inserted, on commit of the transaction that inserted it.
const OutboxChannel = "lijntje_outbox"

// Kick wakes the schedulers of every replica (Listen): something they act on
// (a signal, a manual check-in, a chosen moment, a resumed pause) was just
// recorded.
func (s *Store) Kick(ctx context.Context) error {
	if _, err := s.db.Exec(ctx, `SELECT pg_notify($1, '')`, NotifyChannel); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	return nil
}

// Listen calls wake whenever a check-in is scheduled, an alert step is due or
// Kick is called, until ctx ends. It reconnects when the connection drops.
func (s *Store) Listen(ctx context.Context, wake func()) {
	s.listen(ctx, wake, NotifyChannel, AlertChannel)
}

// ListenOutbox calls wake whenever outbox rows for any sender to claim were
// committed, until ctx ends. It reconnects when the connection drops; a
// notification lost meanwhile only waits for the sender's next poll.
func (s *Store) ListenOutbox(ctx context.Context, wake func()) {
	s.listen(ctx, wake, OutboxChannel)
}

func (s *Store) listen(ctx context.Context, wake func(), channels ...string) {
	for ctx.Err() == nil {
		err := s.listenOnce(ctx, wake, channels)
		if ctx.Err() != nil {
			return
		}
		_ = err
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

func (s *Store) listenOnce(ctx context.Context, wake func(), channels []string) error {
	conn, err := s.db.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	for _, ch := range channels {
		if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{ch}.Sanitize()); err != nil {
			conn.Conn().Close(context.Background()) // do not return a connection in LISTEN state
			return err
		}
	}
	wake() // anything that came in while not listening
	for {
		if _, err := conn.Conn().WaitForNotification(ctx); err != nil {
			conn.Conn().Close(context.Background()) // do not return a connection in LISTEN state
			return err
		}
		wake()
	}
}

// DueCheckin is a check-in that is due and claimed for opening.
type DueCheckin struct {
	CheckinID   int64
	StudentID   int64
	ChatID      int64
	StudentName string
	CoachName   string
	Lang        string
	Manual      bool
	Previous    map[string]string    // the previous check-in's answers, step → option
	LastAsked   map[string]time.Time // when each step was last answered
	Agreement   *FollowupAsk         // the agreement to ask about, nil for none
	Referral    *FollowupAsk         // the referral to ask about, nil for none
	Final       bool                 // the last check-in of the follow-up
}

// Opened is how a due check-in starts: its flow version, first step and messages.
type Opened struct {
	FlowID    string
	Version   string
	Step      string
	Skip      []string
	ExpiresAt time.Time
	Out       []Message
	Followups []FollowupAsk // the steps that ask about an agreement or referral
}

// StartDueCheckins claims up to limit due check-ins (SKIP LOCKED, so replicas
// share the work and each opens once), lets plan decide how each opens, and
// records that with its messages in one transaction. A student with an open
// check-in, or an open urgent or crisis case, is skipped for now (a manual
// check-in from a coach still goes). It returns the conversations it opened.
func (s *Store) StartDueCheckins(ctx context.Context, now time.Time, limit int, plan func(DueCheckin) (Opened, error)) ([]Conv, []int64, error) {
	return s.StartDueCheckinsQuiet(ctx, now, limit, false, plan)
}

// StartDueCheckinsQuiet is StartDueCheckins in quiet hours when quiet is
// true: only a manual check-in (a coach's or coordinator's explicit "now")
// opens; planned and overdue ones wait for the morning.
func (s *Store) StartDueCheckinsQuiet(ctx context.Context, now time.Time, limit int, quiet bool, plan func(DueCheckin) (Opened, error)) ([]Conv, []int64, error) {
	var convs []Conv
	var chats, outIDs []int64
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		// The due check-ins are read in the order of checkins_due_idx, and
		// each is looked into (its student, and whether they must wait) on
		// its own, until limit are found: OFFSET 0 keeps Postgres from
		// folding the look-up into a join over every due check-in, which it
		// did with stale statistics after a wave was scheduled, for each page
		// again (a tenth of a second a page at 2,000 due).
		rows, err := tx.Query(ctx, `SELECT c.id, s.id, s.chat_id, s.name, s.coach_name, s.lang, c.manual, c.final
			FROM checkins c CROSS JOIN LATERAL (
			    SELECT s.id, s.chat_id, s.name, co.name AS coach_name, s.lang
			    FROM students s JOIN coaches co ON co.id = s.coach_id
			    WHERE s.id = c.student_id AND s.status = 'active' AND s.chat_id IS NOT NULL
			      AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.student_id = s.id AND o.status = 'open')
			      AND (c.manual OR NOT EXISTS (SELECT 1 FROM alerts a WHERE a.student_id = s.id
			           AND a.status <> 'closed' AND a.severity IN ('urgent', 'crisis')))
			    OFFSET 0) s
			WHERE c.status = 'scheduled' AND c.due_at <= $1 AND (c.manual OR NOT $3)
			ORDER BY c.due_at, c.id LIMIT $2 FOR UPDATE OF c SKIP LOCKED`, now, limit, quiet)
		if err != nil {
			return fmt.Errorf("claim due checkins: %w", err)
		}
		var due []DueCheckin
		for rows.Next() {
			var d DueCheckin
			if err := rows.Scan(&d.CheckinID, &d.StudentID, &d.ChatID, &d.StudentName, &d.CoachName, &d.Lang, &d.Manual, &d.Final); err != nil {
				rows.Close()
				return fmt.Errorf("scan due checkin: %w", err)
			}
			due = append(due, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("claim due checkins: %w", err)
		}
		due = firstPerStudent(due) // two due for one student: the later waits
		for len(due) > 0 {
			n := min(len(due), openChunk)
			if err := openDue(ctx, tx, now, due[:n], plan, &outIDs, &convs, &chats); err != nil {
				return err
			}
			due = due[n:]
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	s.cacheConvs(ctx, chats, convs)
	return convs, outIDs, nil
}

// openChunk is how many due check-ins open together: their reads are one
// round trip and their writes another. A larger chunk saves more round trips
// but holds a core in one burst, and the taps of students answering now wait
// behind it: at 1,000 updates a second the p99 of a tap was 16 ms before
// chunks, 24 ms at 100 and 17-19 ms at 10; at 4 it stays where it was.
const openChunk = 4

// openDue opens the due check-ins: what the plans need is read in one round
// trip, then the plans are made and every opened check-in's writes go in
// another. The opened check-ins' message IDs, conversations and chats are
// appended to outIDs, convs and chats.
func openDue(ctx context.Context, tx pgx.Tx, now time.Time, due []DueCheckin, plan func(DueCheckin) (Opened, error),
	outIDs *[]int64, convs *[]Conv, chats *[]int64) error {
	reads := &pgx.Batch{}
	for i := range due {
		d := &due[i]
		d.Previous, d.LastAsked = map[string]string{}, map[string]time.Time{}
		queuePreviousAnswers(reads, d.StudentID, d.CheckinID, d.Previous)
		queueLastAsked(reads, d.StudentID, d.LastAsked)
		queueDueFollowups(reads, d.StudentID, now, &d.Agreement, &d.Referral)
	}
	if err := tx.SendBatch(ctx, reads).Close(); err != nil {
		return fmt.Errorf("read for the plans: %w", err)
	}
	writes := &pgx.Batch{}
	for _, d := range due {
		o, err := plan(d)
		if err != nil {
			return fmt.Errorf("plan checkin %d: %w", d.CheckinID, err)
		}
		execNamed(writes.Queue(`UPDATE checkins SET status = 'open', flow_id = $2, flow_version = $3, current_step = $4,
			skip_steps = $5, sent_at = $6, expires_at = $7 WHERE id = $1`,
			d.CheckinID, o.FlowID, o.Version, o.Step, nonNil(o.Skip), now, o.ExpiresAt), "open checkin")
		queueFollowupAsks(writes, d.CheckinID, o.Followups, d.Previous)
		if err := queueOutboxAbout(writes, now, false, d.StudentID, o.Out, outIDs); err != nil {
			return err
		}
		*convs = append(*convs, Conv{Role: RoleStudent, ID: d.StudentID, Lang: d.Lang, CheckinID: d.CheckinID,
			Name: FirstName(d.StudentName), Coach: FirstName(d.CoachName),
			Version: o.Version, Step: o.Step, Skip: o.Skip, Previous: d.Previous})
		*chats = append(*chats, d.ChatID)
	}
	if err := tx.SendBatch(ctx, writes).Close(); err != nil {
		return fmt.Errorf("write the opened check-ins: %w", err)
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// previousAnswers returns the answers (step → option) of the student's most recent
// check-in before checkinID that has any answers.
func previousAnswers(ctx context.Context, q pgx.Tx, studentID, checkinID int64) (map[string]string, error) {
	prev := map[string]string{}
	b := &pgx.Batch{}
	queuePreviousAnswers(b, studentID, checkinID, prev)
	return prev, q.SendBatch(ctx, b).Close()
}

// queuePreviousAnswers queues previousAnswers' read on b, to fill prev.
func queuePreviousAnswers(b *pgx.Batch, studentID, checkinID int64, prev map[string]string) {
	// The student's check-ins newest first (checkins_student_idx), each
	// probed for an answer (answers_checkin_step_idx): a few index reads, not
	// a read of every answer the student ever gave. A check-in's answers are
	// its student's own (recordCore writes them only so).
	b.Queue(`SELECT step, coalesce(option, '') FROM answers WHERE checkin_id = (
			SELECT c.id FROM checkins c WHERE c.student_id = $1 AND c.id < $2
			  AND EXISTS (SELECT 1 FROM answers a WHERE a.checkin_id = c.id)
			ORDER BY c.id DESC LIMIT 1)`, studentID, checkinID).
		Query(scanEach("previous answers", func(r pgx.Rows) error {
			var step, opt string
			if err := r.Scan(&step, &opt); err != nil {
				return err
			}
			prev[step] = opt
			return nil
		}))
}

// queueLastAsked queues the read of when the student last answered each step, to fill last.
func queueLastAsked(b *pgx.Batch, studentID int64, last map[string]time.Time) {
	b.Queue(`SELECT step, max(answered_at) FROM answers WHERE student_id = $1 AND checkin_id IS NOT NULL GROUP BY step`, studentID).
		Query(scanEach("last asked", func(r pgx.Rows) error {
			var step string
			var at time.Time
			if err := r.Scan(&step, &at); err != nil {
				return err
			}
			last[step] = at
			return nil
		}))
}

// scanEach is a batched query's callback: scan for every row, errors named what.
func scanEach(what string, scan func(pgx.Rows) error) func(pgx.Rows) error {
	return func(rows pgx.Rows) error {
		for rows.Next() {
			if err := scan(rows); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	}
}

// execNamed makes a batched statement's error name what it did.
func execNamed(qq *pgx.QueuedQuery, what string) {
	qq.Fn = func(br pgx.BatchResults) error {
		if _, err := br.Exec(); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	}
}

// firstPerStudent keeps the first due check-in of each student: a second one
// waits for a later page.
func firstPerStudent(due []DueCheckin) []DueCheckin {
	seen := map[int64]bool{}
	out := due[:0]
	for _, d := range due {
		if !seen[d.StudentID] {
			seen[d.StudentID] = true
			out = append(out, d)
		}
	}
	return out
}

// fillOpenCheckin adds the student's open check-in, if any, to c.
func (s *Store) fillOpenCheckin(ctx context.Context, c *Conv) error {
	var step *string
	var version *string
	err := s.db.QueryRow(ctx, `SELECT id, flow_version, current_step, skip_steps FROM checkins
		WHERE student_id = $1 AND status = 'open' ORDER BY id DESC LIMIT 1`, c.ID).Scan(&c.CheckinID, &version, &step, &c.Skip)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open checkin: %w", err)
	}
	if step != nil {
		c.Step = *step
	}
	if version != nil {
		c.Version = *version
	}
	return s.withTx(ctx, func(tx pgx.Tx) error {
		var err error
		if c.Previous, err = previousAnswers(ctx, tx, c.ID, c.CheckinID); err != nil {
			return err
		}
		return followupPrevious(ctx, tx, c.CheckinID, c.Previous)
	})
}

// SaveFlowVersion keeps the source of a flow version (once).
func (s *Store) SaveFlowVersion(ctx context.Context, flowID, version string, src []byte) error {
	_, err := s.db.Exec(ctx, `INSERT INTO flow_versions (flow_id, version, source) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		flowID, version, src)
	if err != nil {
		return fmt.Errorf("save flow version: %w", err)
	}
	return nil
}

// FlowSource returns the source of a flow version.
func (s *Store) FlowSource(ctx context.Context, flowID, version string) ([]byte, error) {
	var src []byte
	err := s.db.QueryRow(ctx, `SELECT source FROM flow_versions WHERE flow_id = $1 AND version = $2`, flowID, version).Scan(&src)
	if err != nil {
		return nil, fmt.Errorf("flow source: %w", notFound(err))
	}
	return src, nil
}
