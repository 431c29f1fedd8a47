package scheduler

import (
	"context"
	"fmt"
	"time"

	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/render"
	"github.com/lijntje/lijntje/store"
)

// What the scheduler says, rendered with package render inside the store's
// transactions that decide it: the rows and the decision commit together.

// opener decides how a due check-in opens at now: on the current version of
// the standard flow, expiring after Expiry.
func (s *Scheduler) opener(now time.Time) func(store.DueCheckin) (store.Opened, error) {
	return func(d store.DueCheckin) (store.Opened, error) {
		if s.cfg.Flows == nil || s.cfg.Locales == nil {
			return store.Opened{}, fmt.Errorf("flow %q not found: no flows configured", flows.Standard)
		}
		f, ok := s.cfg.Flows.Current(flows.Standard)
		if !ok {
			return store.Opened{}, fmt.Errorf("flow %q not found", flows.Standard)
		}
		return render.Opener(s.cfg.Locales, f, d, now, now.Add(s.cfg.Expiry))
	}
}

// reminder renders the one reminder of an open check-in, on the flow version
// it started on.
func (s *Scheduler) reminder(ctx context.Context) func(store.Reminder) ([]store.Message, error) {
	return func(r store.Reminder) ([]store.Message, error) {
		if s.cfg.Flows == nil || s.cfg.Locales == nil {
			return nil, nil
		}
		f, err := s.flow(ctx, r.FlowID, r.Version)
		if err != nil {
			return nil, err
		}
		return render.Reminder(s.cfg.Locales, f, r)
	}
}

// closing is the kind message at the end of a student's follow-up.
func (s *Scheduler) closing(st store.Scheduled) []store.Message {
	if s.cfg.Locales == nil {
		return nil
	}
	return render.Closing(s.cfg.Locales, st)
}

// resumed tells a student their pause is over.
func (s *Scheduler) resumed(st store.Scheduled) []store.Message {
	if s.cfg.Locales == nil {
		return nil
	}
	return render.PauseOver(s.cfg.Locales, st)
}

// digest is a coach's Monday digest.
func (s *Scheduler) digest(c store.Coach, d store.Digest) store.Message {
	return render.Digest(s.cfg.Locales, c, d)
}

// flow returns flow id at version: the current one from the catalog, an
// older one from Postgres (where the bot records every version it runs).
func (s *Scheduler) flow(ctx context.Context, id, version string) (*flows.Flow, error) {
	return s.versions.Get(ctx, id, version)
}
