package scheduler_test

import (
	"context"
	"testing"
	"time"

	"github.com/lijntje/lijntje/scheduler"
	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

func TestPurgeRemovesOnlyStudentsPastRetention(t *testing.T) {
	t.Parallel()
	now := time.Date(2027, 6, 1, 3, 15, 0, 0, scheduler.Amsterdam)
	st := storetest.New(t, store.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	coach, _, err := st.AddCoach(ctx, store.Coach{Name: "Sanne"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	ended := map[string]time.Duration{"Old": 400 * 24 * time.Hour, "Recent": 100 * 24 * time.Hour, "Active": 0}
	ids := map[string]int64{}
	for name, ago := range ended {
		s, _, err := st.AddStudent(ctx, store.NewStudent{Name: name, CoachID: coach.ID}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = s.ID
		if ago > 0 {
			storetest.Ended(t, st, s.ID, now.Add(-ago))
		}
	}
	s := scheduler.New(scheduler.Config{Now: func() time.Time { return now }, Retention: 365 * 24 * time.Hour}, st,
		storetest.Logger(t))
	n, err := s.Purge(ctx)
	if err != nil || n != 1 {
		t.Fatalf("purge: %d, %v; want 1 student erased", n, err)
	}
	for name, id := range ids {
		_, err := st.Student(ctx, id)
		if gone := err != nil; gone != (name == "Old") {
			t.Errorf("%s: erased=%v", name, gone)
		}
	}
}
