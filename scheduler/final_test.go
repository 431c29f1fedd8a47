package scheduler_test

import (
	"context"
	"testing"
	"time"

	"github.com/lijntje/lijntje/scheduler"
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
	var finals int
	var lastFinal bool
	if err := f.st.DB().QueryRow(ctx, `SELECT count(*) FILTER (WHERE final),
			(SELECT final FROM checkins WHERE student_id = $1 ORDER BY slot DESC LIMIT 1)
		FROM checkins WHERE student_id = $1`, noor.ID).Scan(&finals, &lastFinal); err != nil {
		t.Fatal(err)
	}
	if finals != 1 || !lastFinal {
		t.Errorf("%d final check-ins (the last one final: %v), want exactly the last", finals, lastFinal)
	}
}
