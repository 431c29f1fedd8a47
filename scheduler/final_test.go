package scheduler_test

import (
	"context"
	"testing"
	"time"

	"github.com/lijntje/lijntje/scheduler"
	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// The last check-in of the follow-up is marked final (it asks the feedback round), and only that one.
func TestPlanMarksTheLastCheckinFinal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, ams(2026, 1, 10, 12, 0))
	noor := f.student("Noor", 1002, time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC))
	s := f.scheduler(scheduler.Config{})
	for day := 0; day < 740; day += 3 {
		if _, err := s.Plan(ctx); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(3 * 24 * time.Hour)
	}
	planned := f.checkinsOf(noor.ID)
	if len(planned) == 0 {
		t.Fatal("no check-ins planned")
	}
	finals := storetest.Count(planned, func(c store.CheckinRow) bool { return c.Final })
	lastFinal := planned[len(planned)-1].Final
	if finals != 1 || !lastFinal {
		t.Errorf("%d final check-ins (the last one final: %v), want exactly the last", finals, lastFinal)
	}
}
