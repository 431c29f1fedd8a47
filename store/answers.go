package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lijntje/lijntje/severity"
)

// ErrDuplicate is returned when an update was handled before.
var ErrDuplicate = errors.New("update already handled")

// ErrStale is returned for an answer to a step that is not the check-in's current one.
var ErrStale = errors.New("answer is stale")

// Signal is a risk an answer or a text showed; a case's severity is the
// highest of its signals and only rises.
type Signal struct {
	Code     string
	Severity severity.Level
	Detail   string
}

// Record is everything one handled update changes, written in one transaction.
type Record struct {
	UpdateID  int64 // 0: not from Telegram (nothing to dedupe)
	StudentID int64
	CheckinID int64 // 0: outside a check-in
	Version   string
	// The answer; an empty Step records none.
	Step, Option, Text, VoiceFileID string
	At                              time.Time
	NextStep                        string // the check-in's step after this answer
	Done                            bool   // the check-in is complete
	Signals                         []Signal
	Out                             []Message       // replies, leased to the caller's sender
	Followup                        *FollowupAnswer // an answer about an agreement or referral
	// Owner, when set, must still own the chat: otherwise nothing is written
	// (ErrNotOwner), checked in the same statement or transaction.
	Owner Owner
	// ManualCheckinFor, when not 0, schedules a manual check-in for that
	// student due now, committed with the update (a repeat schedules none).
	ManualCheckinFor int64
	ManualCheckinDue time.Time // when it is due; zero: At (now)
	// StepKeyed says the update is a tap on a button of the check-in's
	// step: its step is then its key. A check-in's steps only move forward
	// and the answer row keeps the update's ID, so a repeat of the tap finds
	// the step moved on and its answer there (ErrDuplicate) without a mark
	// of its own in processed_updates: one row and its index entries less
	// for every tap. A tap on a step it did not move on (ErrStale) writes
	// nothing, and a repeat of it is stale again. Never for typed text or
	// voice, which a stale step turns into a note that must not be written
	// twice.
	StepKeyed bool
}

// Recorded is what a Record changed.
type Recorded struct {
	// OutboxIDs are the outbox rows of Record.Out, in its order; 0 for the
	// edit of the check-in's card, which is written to the card's row
	// instead, as its version CardVersion (cards.go). Sendable pairs them.
	OutboxIDs   []int64
	CardVersion int
	AlertID     int64 // the case the signals went to, 0 when none
	NewAlert    bool
}

// RecordUpdate writes an answer, the check-in's next state, its signals (joining the
// student's open case or opening one) and the replies, all or nothing. It returns
// ErrDuplicate for an update handled before and ErrStale for an answer that does not
// fit the check-in's current step (its update is marked handled, nothing else is
// written: recordCore). An update without signals, manual check-in or follow-up is
// one statement, committed with those of other updates written at the same
// time (group.go); one with them runs the same statement first in a transaction.
func (s *Store) RecordUpdate(ctx context.Context, r Record) (Recorded, error) {
	if len(r.Signals) == 0 && r.ManualCheckinFor == 0 && r.Followup == nil {
		args, err := s.recordArgs(ctx, s.db, r)
		if err != nil {
			return Recorded{}, err
		}
		return s.groupWrite(ctx, r, args)
	}
	return s.recordTx(ctx, r, nil)
}

// recordTx is RecordUpdate in a transaction: recordCore, then what else the
// update writes (more, for SendPersonal). A stale answer commits its update's mark only.
func (s *Store) recordTx(ctx context.Context, r Record, more func(pgx.Tx, Recorded) error) (Recorded, error) {
	var res Recorded
	stale := false
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		var err error
		res, err = s.recordCore(ctx, tx, r)
		if errors.Is(err, ErrStale) {
			stale = true
			return nil // the update's mark (a tap has none) is committed, nothing else was written
		}
		if err != nil {
			return err
		}
		if r.ManualCheckinFor != 0 {
			due := r.ManualCheckinDue
			if due.IsZero() {
				due = r.At
			}
			if err := scheduleManual(ctx, tx, r.ManualCheckinFor, r.At, due); err != nil {
				return err
			}
		}
		if r.Followup != nil {
			if err := answerFollowup(ctx, tx, r.Followup, r.At); err != nil {
				return err
			}
		}
		if res.AlertID, res.NewAlert, err = raiseSignals(ctx, tx, r.StudentID, r.CheckinID, r.At, r.Signals); err != nil {
			return err
		}
		if more != nil {
			return more(tx, res)
		}
		return nil
	})
	if err == nil && stale {
		return Recorded{}, ErrStale
	}
	return res, err
}

// RaiseSignals records signals outside any update (a blocked bot, missed check-ins).
func (s *Store) RaiseSignals(ctx context.Context, studentID, checkinID int64, sigs ...Signal) (int64, error) {
	var alertID int64
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		var err error
		alertID, _, err = raiseSignals(ctx, tx, studentID, checkinID, s.now(), sigs)
		return err
	})
	return alertID, err
}

// raiseSignals stores each new signal (one per code per check-in) and adds it to the
// student's open case, opening one when there is none. A case's severity only rises.
// A new case, or a case whose severity rose, gets a "route" step due now.
func raiseSignals(ctx context.Context, tx pgx.Tx, studentID, checkinID int64, at time.Time, sigs []Signal) (int64, bool, error) {
	sigs, err := dampSignals(ctx, tx, studentID, checkinID, at, sigs) // alert on change, keep known ones quiet: known.go
	if err != nil {
		return 0, false, err
	}
	if len(sigs) == 0 {
		return 0, false, nil
	}
	var fresh []Signal
	var ids []int64
	for _, sg := range sigs {
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO signals (student_id, checkin_id, code, severity, detail, created_at)
			VALUES ($1, nullif($2::bigint, 0), $3, $4, nullif($5, ''), $6) ON CONFLICT DO NOTHING RETURNING id`,
			studentID, checkinID, sg.Code, sg.Severity, sg.Detail, at).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			continue // the same signal for the same check-in: alerted once
		}
		if err != nil {
			return 0, false, fmt.Errorf("insert signal: %w", err)
		}
		fresh = append(fresh, sg)
		ids = append(ids, id)
	}
	if len(fresh) == 0 {
		return 0, false, nil
	}
	top := fresh[0]
	for _, sg := range fresh[1:] {
		if sg.Severity > top.Severity {
			top = sg
		}
	}
	var alertID int64
	var level severity.Level
	err = tx.QueryRow(ctx, `SELECT id, severity FROM alerts WHERE student_id = $1 AND status <> 'closed' FOR UPDATE`, studentID).
		Scan(&alertID, &level)
	created := false
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		err = tx.QueryRow(ctx, `INSERT INTO alerts (student_id, severity, opened_at) VALUES ($1, $2, $3) RETURNING id`,
			studentID, top.Severity, at).Scan(&alertID)
		if err != nil {
			return 0, false, fmt.Errorf("open case: %w", err)
		}
		created = true
		if err := addEvent(ctx, tx, alertID, at, "created", 0, top.Severity.String()); err != nil {
			return 0, false, err
		}
	case err != nil:
		return 0, false, fmt.Errorf("find open case: %w", err)
	default:
		if top.Severity > level {
			if _, err := tx.Exec(ctx, `UPDATE alerts SET severity = $2 WHERE id = $1`, alertID, top.Severity); err != nil {
				return 0, false, fmt.Errorf("raise case: %w", err)
			}
			if err := addEvent(ctx, tx, alertID, at, "raised", 0, top.Severity.String()); err != nil {
				return 0, false, err
			}
		} else if err := addEvent(ctx, tx, alertID, at, "joined", 0, top.Code); err != nil {
			return 0, false, err
		}
	}
	if !created && (top.Severity > level || top.Severity == severity.Crisis) {
		// News: whoever has the case gets a new message, not only a silent edit.
		if _, err := tx.Exec(ctx, `UPDATE alerts SET news_at = $2 WHERE id = $1`, alertID, at); err != nil {
			return 0, false, fmt.Errorf("case news: %w", err)
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE signals SET alert_id = $1 WHERE id = ANY($2)`, alertID, ids); err != nil {
		return 0, false, fmt.Errorf("attach signals: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO alert_steps (alert_id, kind, due_at) VALUES ($1, 'route', $2)`, alertID, at); err != nil {
		return 0, false, fmt.Errorf("schedule route: %w", err)
	}
	if _, err := tx.Exec(ctx, `SELECT pg_notify($1, '')`, AlertChannel); err != nil {
		return 0, false, fmt.Errorf("notify alert: %w", err)
	}
	return alertID, created, nil
}

func addEvent(ctx context.Context, tx pgx.Tx, alertID int64, at time.Time, kind string, coachID int64, detail string) error {
	_, err := tx.Exec(ctx, `INSERT INTO alert_events (alert_id, at, kind, coach_id, detail) VALUES ($1, $2, $3, nullif($4::bigint, 0), nullif($5, ''))`,
		alertID, at, kind, coachID, detail)
	if err != nil {
		return fmt.Errorf("alert event: %w", err)
	}
	return nil
}
