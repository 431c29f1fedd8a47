// Package scheduler decides when things happen: it opens check-ins that are
// due and runs the next steps of alerts (routing, re-escalation) from rows in
// Postgres, claimed so that every replica can run it and each step runs once.
// It never calls Telegram: what it decides becomes outbox rows that the bot's
// sender drains.
package scheduler

import (
	"context"
	"log/slog"
	"time"

	"github.com/lijntje/lijntje/store"
)

// Config wires the scheduler.
type Config struct {
	Now           func() time.Time
	Expiry        time.Duration // how long a check-in stays open (default 48h)
	EscalateAfter time.Duration // default 30m
	Tick          time.Duration // how often it looks when nothing wakes it (default 5s)
	// Open decides how a due check-in opens (the bot renders it).
	Open func(store.DueCheckin, time.Time) (store.Opened, error)
	// Sent is told that outbox rows are waiting (wakes the sender).
	Sent func()
}

// Scheduler runs due check-ins and alert steps.
type Scheduler struct {
	cfg  Config
	st   *store.Store
	log  *slog.Logger
	wake chan struct{}
	// LastSweep is when the last alert sweep finished (for /metrics).
	lastSweep func(time.Time)
}

// New returns a scheduler; Run starts it.
func New(cfg Config, st *store.Store, log *slog.Logger) *Scheduler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Expiry <= 0 {
		cfg.Expiry = 48 * time.Hour
	}
	if cfg.EscalateAfter <= 0 {
		cfg.EscalateAfter = 30 * time.Minute
	}
	if cfg.Tick <= 0 {
		cfg.Tick = 5 * time.Second
	}
	if cfg.Sent == nil {
		cfg.Sent = func() {}
	}
	return &Scheduler{cfg: cfg, st: st, log: log, wake: make(chan struct{}, 1), lastSweep: func(time.Time) {}}
}

// Kick makes the scheduler look now (a check-in or signal was just recorded).
func (s *Scheduler) Kick() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run works until ctx ends.
func (s *Scheduler) Run(ctx context.Context) {
	go s.st.Listen(ctx, s.Kick)
	t := time.NewTicker(s.cfg.Tick)
	defer t.Stop()
	for {
		s.RunOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-t.C:
		}
	}
}

// RunOnce does everything that is due now: alert steps first (people first), then check-ins.
func (s *Scheduler) RunOnce(ctx context.Context) {
	if ctx.Err() != nil {
		return
	}
	now := s.cfg.Now()
	if n, err := s.st.RunAlertSteps(ctx, now, 1000, s.decide); err != nil {
		if ctx.Err() != nil {
			return // stopping: the step was rolled back and runs again
		}
		s.log.ErrorContext(ctx, "alert steps", "err", err)
	} else if n > 0 {
		s.cfg.Sent()
	}
	sweepRuns.SetToCurrentTime()
	for ctx.Err() == nil {
		convs, _, err := s.st.StartDueCheckins(ctx, now, 100, func(d store.DueCheckin) (store.Opened, error) {
			return s.cfg.Open(d, now.Add(s.cfg.Expiry))
		})
		if err != nil {
			if ctx.Err() == nil {
				s.log.ErrorContext(ctx, "start due checkins", "err", err)
			}
			return
		}
		if len(convs) == 0 {
			return
		}
		s.cfg.Sent()
	}
}

// decide routes a case: see routing.go.
func (s *Scheduler) decide(st store.AlertStep) (store.StepPlan, error) {
	return Route(st, st.Now, s.cfg.EscalateAfter), nil
}
