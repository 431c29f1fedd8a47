package scheduler

import (
	"context"
	"time"
)

// coachUpkeep sends coaches what waited for their working hours: notes about
// their students (paused, stopped). Each note goes once across replicas.
func (s *Scheduler) coachUpkeep(ctx context.Context, now time.Time) {
	n, err := s.st.ReleaseCoachNotes(ctx, now, 500)
	if err != nil {
		if ctx.Err() == nil {
			s.log.ErrorContext(ctx, "coach notes", "err", err)
		}
		return
	}
	if n > 0 {
		s.cfg.Sent()
	}
}
