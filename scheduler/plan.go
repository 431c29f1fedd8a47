package scheduler

import (
	"context"
	"time"

	"github.com/lijntje/lijntje/store"
)

// planPage is how many students Plan holds at once.
const planPage = 500

// Plan pages over the students in follow-up (never all at once) and records
// the check-in of the slot they are in now, due at their moment; it ends the
// follow-up of students whose cadence is over, with a closing message. Safe
// to run in every replica at once. It returns how many check-ins it planned.
func (s *Scheduler) Plan(ctx context.Context) (int, error) {
	now := s.cfg.Now()
	total := 0
	var after int64
	for ctx.Err() == nil {
		page, err := s.st.ScheduledPage(ctx, after, planPage)
		if err != nil {
			return total, err
		}
		if len(page) == 0 {
			break
		}
		after = page[len(page)-1].ID
		var planned []store.Planned
		for _, st := range page {
			p, end := s.planOne(st, now)
			if end && s.cfg.Cadence.InQuiet(now) {
				continue // the closing message goes in the morning
			}
			if end {
				if err := s.end(ctx, st, now); err != nil {
					return total, err
				}
				continue
			}
			if p != nil {
				planned = append(planned, *p)
			}
		}
		n, err := s.st.PlanCheckins(ctx, planned)
		if err != nil {
			return total, err
		}
		total += n
		if len(page) < planPage {
			break
		}
	}
	return total, ctx.Err()
}

// planOne decides a student's check-in for now: nil when none is due in
// this slot; end when the follow-up is over.
func (s *Scheduler) planOne(st store.Scheduled, now time.Time) (*store.Planned, bool) {
	c := s.cfg.Cadence
	if st.LeftSchool.IsZero() { // unknown: count from the day they joined
		l := st.Linked.In(c.Zone)
		st.LeftSchool = time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
	}
	if !now.Before(c.End(st.LeftSchool)) {
		return nil, true
	}
	if st.Status != store.StatusActive {
		return nil, false
	}
	slot, next, ok := c.Slot(st.LeftSchool, now)
	if !ok {
		return nil, false
	}
	due := c.Due(slot, st.MomentDay, st.MomentPart)
	if due.Before(st.Linked) || due.Before(now.Add(-s.cfg.CatchUp)) {
		return nil, false // that moment passed before they joined, or too long ago
	}
	final := !next.Before(c.End(st.LeftSchool)) // the final feedback steps ask then
	return &store.Planned{StudentID: st.ID, Slot: slot, Due: due, Final: final}, false
}

// end closes a student's follow-up with a kind message.
func (s *Scheduler) end(ctx context.Context, st store.Scheduled, now time.Time) error {
	ids, err := s.st.EndFollowUp(ctx, st.ID, now, s.closing(st))
	if err != nil {
		return err
	}
	if len(ids) > 0 {
		s.log.InfoContext(ctx, "follow-up ended", "student_id", st.ID)
	}
	return nil
}

// checkinUpkeep resumes paused students whose pause is over, sends the one
// reminder of check-ins left unanswered (never in quiet hours) and expires
// check-ins whose time is up.
func (s *Scheduler) checkinUpkeep(ctx context.Context, now time.Time) {
	// Nothing but replies goes to a student in quiet hours: a pause ends in the morning.
	quiet := s.cfg.Cadence.InQuiet(now)
	if !quiet {
		if _, err := s.st.ResumePaused(ctx, now, 500, s.resumed); err != nil {
			s.log.ErrorContext(ctx, "resume paused", "err", err)
		}
	}
	if !quiet {
		if _, err := s.st.RemindCheckins(ctx, now, now.Add(-s.cfg.RemindAfter), 500, s.reminder(ctx)); err != nil {
			s.log.ErrorContext(ctx, "remind checkins", "err", err)
		}
	}
	if _, err := s.st.PruneCards(ctx); err != nil { // cards of check-ins that are over
		s.log.ErrorContext(ctx, "prune cards", "err", err)
	}
	if exp, err := s.st.ExpireCheckins(ctx, now, 1000); err != nil {
		s.log.ErrorContext(ctx, "expire checkins", "err", err)
	} else {
		missed := 0
		for _, e := range exp {
			if !e.Partial {
				missed++ // a partial check-in was answered: not missed
			}
			if e.MissedTwice {
				s.log.InfoContext(ctx, "two check-ins missed", "student_id", e.StudentID, "checkin_id", e.CheckinID)
			}
		}
		checkinsExpired.Add(float64(missed))
	}
}
