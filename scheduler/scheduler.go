// Package scheduler decides when things happen: it opens check-ins that are
// due and runs the next steps of alerts (routing, re-escalation) from rows in
// Postgres, claimed so that every replica can run it and each step runs once.
// It never calls Telegram nor the bot: what it decides becomes outbox rows,
// rendered with package render in the transaction that decides, and the
// commit wakes the senders (a NOTIFY; they poll too).
package scheduler

import (
	"context"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/locales"
	"github.com/lijntje/lijntje/store"
)

// Config wires the scheduler.
type Config struct {
	Now           func() time.Time
	Expiry        time.Duration // how long a check-in stays open (default 48h)
	EscalateAfter time.Duration // default 30m
	Tick          time.Duration // how often it looks when nothing wakes it (default 5s)
	// Flows and Locales are what the scheduler renders from (package render):
	// check-in openers, reminders, closing and pause-over messages, digests.
	// Without Flows no check-in opens; without Locales nothing else is said.
	// The outbox rows it writes wake the senders through Postgres (NOTIFY).
	Flows   *flows.Catalog
	Locales *locales.Catalog

	// Cadence is how often and when check-ins come (default DefaultCadence).
	Cadence Cadence
	// RemindAfter is how long an unanswered check-in waits for its one reminder (default 4h).
	RemindAfter time.Duration
	// CatchUp is how late a planned check-in may still go out, e.g. after
	// downtime or when a student just chose a moment that passed (default 24h).
	CatchUp time.Duration
	// PlanSpec is the cron spec (in the cadence's zone) on which check-ins
	// are planned (default every 10 minutes); planning also runs at start.
	// PlanOff plans nothing (the benchmark starts its own check-ins).
	PlanSpec string
	// Digests sends coaches their Monday digest (false: none); see talk.go.
	Digests bool
	// Retention is how long personal data stays after a student's follow-up
	// ended (default 360 days); a daily job removes it.
	Retention time.Duration
	// PurgeSpec is the cron spec of that daily job (default 03:15).
	PurgeSpec string
}

// PlanOff as Config.PlanSpec turns planning by cadence off.
const PlanOff = "off"

// Scheduler runs due check-ins and alert steps.
type Scheduler struct {
	cfg  Config
	st   *store.Store
	log  *slog.Logger
	wake chan struct{}
	// LastSweep is when the last alert sweep finished (for /metrics).
	lastSweep func(time.Time)

	versions *flows.Versions // the flow a check-in began with: say.go
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
	cfg.Cadence = cfg.Cadence.WithDefaults()
	if cfg.RemindAfter <= 0 {
		cfg.RemindAfter = 4 * time.Hour
	}
	if cfg.CatchUp <= 0 {
		cfg.CatchUp = 24 * time.Hour
	}
	if cfg.Retention <= 0 {
		cfg.Retention = 360 * 24 * time.Hour
	}
	if cfg.PurgeSpec == "" {
		cfg.PurgeSpec = "15 3 * * *"
	}
	if cfg.PlanSpec == "" {
		cfg.PlanSpec = "*/10 * * * *"
	}
	return &Scheduler{cfg: cfg, st: st, log: log, wake: make(chan struct{}, 1), lastSweep: func(time.Time) {}, versions: flows.NewVersions(cfg.Flows, st.FlowSource)}
}

// WithDefaults fills in what c leaves unset: the default phases (and quiet
// hours, unless c has its own), the zone, the parts of the day and the part
// used when a student chose none. New applies it; the bot reads the quiet
// hours from the result.
func (c Cadence) WithDefaults() Cadence {
	if len(c.Phases) == 0 {
		def := DefaultCadence()
		def.Zone, def.Parts, def.Part = c.Zone, c.Parts, c.Part
		if c.Quiet != [2]int{} {
			def.Quiet = c.Quiet
		}
		c = def
	}
	if c.Zone == nil {
		c.Zone = DefaultZone()
	}
	if len(c.Parts) == 0 {
		c.Parts = DefaultCadence().Parts
	}
	if c.Part == "" {
		c.Part = DefaultCadence().Part
	}
	return c
}

// Kick makes the scheduler look now (a check-in or signal was just recorded).
func (s *Scheduler) Kick() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run works until ctx ends. Every replica runs it: planning is idempotent
// (one check-in per student and slot) and every claim skips locked rows.
func (s *Scheduler) Run(ctx context.Context) {
	go s.st.Listen(ctx, s.Kick)
	c := cron.New(cron.WithLocation(s.cfg.Cadence.zone()))
	plan := func() {
		if _, err := s.Plan(ctx); err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "plan checkins", "err", err)
		}
		s.Kick()
	}
	if s.cfg.PlanSpec != PlanOff {
		if _, err := c.AddFunc(s.cfg.PlanSpec, plan); err != nil {
			s.log.ErrorContext(ctx, "plan schedule", "spec", s.cfg.PlanSpec, "err", err)
		}
		go plan()
	}
	if _, err := c.AddFunc(s.cfg.PurgeSpec, func() { s.Purge(ctx); s.Prune(ctx) }); err != nil {
		s.log.ErrorContext(ctx, "purge schedule", "spec", s.cfg.PurgeSpec, "err", err)
	}
	c.Start()
	defer func() { <-c.Stop().Done() }()
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

// RunOnce does everything that is due now: pauses, reminders and expiries,
// then alert steps (people first), then new check-ins.
func (s *Scheduler) RunOnce(ctx context.Context) {
	if ctx.Err() != nil {
		return
	}
	now := s.cfg.Now()
	s.checkinUpkeep(ctx, now) // first: an expiry may raise a signal that the alert steps route now
	s.coachUpkeep(ctx, now)   // notes and digests for coaches: talk.go
	for ctx.Err() == nil {
		// Alert steps between every page of check-ins: a crisis during a wave
		// of thousands of due check-ins does not wait for the wave.
		if !s.runAlertSteps(ctx) {
			return
		}
		// In quiet hours only a manual check-in opens: what is planned or
		// overdue (held back by a case closed late, say) waits for the morning.
		convs, _, err := s.st.StartDueCheckinsQuiet(ctx, now, 100, s.cfg.Cadence.InQuiet(now), s.opener(now)) // say.go
		if err != nil {
			if ctx.Err() == nil {
				s.log.ErrorContext(ctx, "start due checkins", "err", err)
			}
			return
		}
		if len(convs) == 0 {
			return
		}
		CountCheckins("sent", len(convs))
	}
}

// runAlertSteps runs every due alert step; false when stopping.
func (s *Scheduler) runAlertSteps(ctx context.Context) bool {
	_, err := s.st.RunAlertSteps(ctx, s.cfg.Now(), 1000, s.decide)
	if err != nil {
		if ctx.Err() != nil {
			return false // stopping: the step was rolled back and runs again
		}
		s.log.ErrorContext(ctx, "alert steps", "err", err)
	}
	sweepRuns.SetToCurrentTime()
	return true
}

// decide routes a case: see routing.go.
func (s *Scheduler) decide(st store.AlertStep) (store.StepPlan, error) {
	return Route(st, st.Now, s.cfg.EscalateAfter, s.cfg.Cadence.Zone), nil
}

// Purge removes the personal data of students whose follow-up ended more than
// Retention ago. Safe in every replica (rows are claimed); it logs counts only.
func (s *Scheduler) Purge(ctx context.Context) (int, error) {
	n, err := s.st.PurgeEnded(ctx, s.cfg.Now().Add(-s.cfg.Retention))
	if err != nil {
		if ctx.Err() == nil {
			s.log.ErrorContext(ctx, "retention purge", "err", err)
		}
		return n, err
	}
	s.log.InfoContext(ctx, "retention purge", "students_erased", n)
	return n, nil
}
