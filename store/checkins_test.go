package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// Due check-ins open oldest first, a page at a time. Students who must wait
// (an open check-in, an open urgent case, no chat yet) are passed over
// without holding up the ones behind them, however early their check-ins
// were due; a coach's explicit "now" goes even in quiet hours and past an
// urgent case.
func TestDueCheckinsOpenOldestFirstPastTheOnesThatWait(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 28, 23, 0, 0, 0, time.UTC) // a Saturday, 23:00
	st := storetest.New(t, store.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	coach := storetest.Coach(t, st, store.Coach{Name: "Sanne"}, 0)
	chat := int64(7_300_000_000) // above 2^32, as many are
	linked := func(name string) int64 {
		chat++
		return storetest.LinkedStudent(t, st, store.NewStudent{Name: name, CoachID: coach.ID}, chat).ID
	}
	due := func(studentID int64, ago time.Duration) int64 {
		return storetest.CheckinDue(t, st, studentID, now.Add(-ago))
	}

	// The ones that wait, due first of all.
	busy := linked("Busy")
	storetest.OpenCheckin(t, st, busy)
	urgent := linked("Urgent")
	storetest.AlertRow(t, st, urgent, "urgent", "open", now.Add(-10*time.Hour))
	invited, _ := storetest.Student(t, st, store.NewStudent{Name: "Invited", CoachID: coach.ID})
	waiting := []int64{due(busy, 9*time.Hour), due(urgent, 8*time.Hour), due(invited.ID, 7*time.Hour),
		due(linked("Later"), -time.Hour)} // the last is due in an hour

	// The ones that go, in the order they were due.
	attention := linked("Attention")
	storetest.AlertRow(t, st, attention, "attention", "open", now.Add(-10*time.Hour))
	want := []int64{due(attention, 6*time.Hour)}
	manual := linked("Manual")
	storetest.AlertRow(t, st, manual, "urgent", "open", now.Add(-10*time.Hour))
	if _, err := st.ScheduleCheckin(ctx, manual, now.Add(-5*time.Hour), now.Add(-5*time.Hour), true); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		want = append(want, due(linked("Due"), time.Duration(4-i)*time.Hour))
	}

	open := func(limit int, quiet bool) []int64 {
		t.Helper()
		convs, _, err := st.StartDueCheckinsQuiet(ctx, now, limit, quiet, func(store.DueCheckin) (store.Opened, error) {
			return store.Opened{FlowID: "checkin", Version: "v1", Step: "mood", ExpiresAt: now.Add(48 * time.Hour)}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, c := range convs {
			ids = append(ids, c.CheckinID)
		}
		return ids
	}
	checkinOf := func(studentID int64) int64 {
		for _, c := range storetest.Checkins(t, st) {
			if c.StudentID == studentID && c.Status == "open" {
				return c.ID
			}
		}
		return 0
	}

	// In quiet hours only the coach's explicit check-in opens.
	if got := open(10, true); len(got) != 1 || got[0] != checkinOf(manual) || got[0] == 0 {
		t.Fatalf("quiet hours: opened %v, want only the manual check-in of the student with an urgent case", got)
	}
	var got []int64
	for page, n := open(2, false), 1; len(page) > 0; page, n = open(2, false), n+1 {
		if len(page) > 2 || n > 5 {
			t.Fatalf("page %d of 2 opened %v; so far %v", n, page, got)
		}
		got = append(got, page...)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("opened %v, want %v (oldest first, past the ones that wait)", got, want)
	}
	for _, c := range storetest.Checkins(t, st) {
		if slices.Contains(waiting, c.ID) && c.Status != "scheduled" {
			t.Fatalf("check-in %d of a student who waits is %s, want scheduled", c.ID, c.Status)
		}
	}
}
