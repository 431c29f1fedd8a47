package scheduler

import (
	"context"
	"time"
)

// coachUpkeep sends coaches what waited for their working hours: notes about
// their students (paused, stopped). Each note goes once across replicas.
func (s *Scheduler) coachUpkeep(ctx context.Context, now time.Time) {
	if _, err := s.st.ReleaseCoachNotes(ctx, now, 500); err != nil {
		if ctx.Err() == nil {
			s.log.ErrorContext(ctx, "coach notes", "err", err)
		}
		return
	}
	s.digests(ctx, now)
}

// digestWindow is how long after the start of a coach's week the Monday digest
// may still go (a replica that was down at 09:00 catches up).
const digestWindow = 8 * time.Hour

// digests sends every coach their weekly digest at the start of their first
// working hours of the week (Monday morning for most), once.
func (s *Scheduler) digests(ctx context.Context, now time.Time) {
	if !s.cfg.Digests || s.cfg.Locales == nil {
		return
	}
	zone := s.cfg.Cadence.Zone
	local := now.In(zone)
	monday := time.Date(local.Year(), local.Month(), local.Day()-(int(local.Weekday())+6)%7, 0, 0, 0, 0, zone)
	if now.Sub(monday) > 7*24*time.Hour {
		return
	}
	coaches, err := s.st.CoachesWithoutDigest(ctx, monday)
	if err != nil {
		if ctx.Err() == nil {
			s.log.ErrorContext(ctx, "digests", "err", err)
		}
		return
	}
	for _, c := range coaches {
		h, err := ParseHours(c.Hours)
		if err != nil {
			h = defaultHours
		}
		start := h.In(zone).NextStart(monday)
		if now.Before(start) || now.Sub(start) > digestWindow || start.Sub(monday) >= 7*24*time.Hour {
			continue
		}
		ok, err := s.st.SendDigest(ctx, c, monday, s.digest)
		if err != nil {
			if ctx.Err() == nil {
				s.log.ErrorContext(ctx, "digest", "coach_id", c.ID, "err", err)
			}
			continue
		}
		if ok {
			s.log.InfoContext(ctx, "digest", "coach_id", c.ID)
		}
	}
}
