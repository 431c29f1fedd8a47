package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lijntje/lijntje/severity"
	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// TestStaleRuleIsOneWhateverTheAnswer: a stale answer (to a step the check-in
// has left) is refused the same way whichever kind of answer it is — a plain
// tap (one statement), one with signals, one that schedules a check-in, one
// with a follow-up (a transaction): ErrStale, its update marked handled and
// nothing else written, so that the same update again is a duplicate. An
// answer not from Telegram (update 0) has nothing to mark: stale each time.
func TestStaleRuleIsOneWhateverTheAnswer(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	st := storetest.New(t, store.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	coach, _, _ := st.AddCoach(ctx, store.Coach{Name: "Sanne"}, time.Hour)
	s, code, _ := st.AddStudent(ctx, store.NewStudent{Name: "Noor", CoachID: coach.ID}, time.Hour)
	if _, err := st.RedeemInvite(ctx, code, 3001); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ScheduleCheckin(ctx, s.ID, now, now, true); err != nil {
		t.Fatal(err)
	}
	convs, _, err := st.StartDueCheckins(ctx, now, 10, func(d store.DueCheckin) (store.Opened, error) {
		return store.Opened{FlowID: "checkin", Version: "v1", Step: "mood", ExpiresAt: now.Add(48 * time.Hour)}, nil
	})
	if err != nil || len(convs) != 1 {
		t.Fatalf("start: %v %v", convs, err)
	}
	owner := store.Owner{Role: store.RoleStudent, ID: s.ID, ChatID: 3001}
	tap := func(update int64) store.Record {
		return store.Record{UpdateID: update, StudentID: s.ID, CheckinID: convs[0].CheckinID, Version: "v1", Step: "mood", Option: "1",
			At: now, NextStep: "daytime", Owner: owner, Out: []store.Message{{ChatID: 3001, Kind: store.KindEdit, Text: "next"}}}
	}
	if _, err := st.RecordUpdate(ctx, tap(1)); err != nil { // the check-in moves on to daytime
		t.Fatal(err)
	}
	counts := func() [5]int {
		var c [5]int
		err := st.DB().QueryRow(ctx, `SELECT (SELECT count(*) FROM answers), (SELECT count(*) FROM outbox), (SELECT count(*) FROM signals),
			(SELECT count(*) FROM alerts), (SELECT count(*) FROM checkins)`).Scan(&c[0], &c[1], &c[2], &c[3], &c[4])
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	before := counts()

	kinds := map[string]func(*store.Record){
		"plain tap": func(*store.Record) {},
		"with a signal": func(r *store.Record) {
			r.Signals = []store.Signal{{Code: "mood=1", Severity: severity.Attention, Detail: "mood=1"}}
		},
		"with a check-in": func(r *store.Record) { r.ManualCheckinFor = s.ID },
		"with a follow-up": func(r *store.Record) {
			r.Followup = &store.FollowupAnswer{}
		},
	}
	update := int64(100)
	for name, kind := range kinds {
		update++
		r := tap(update)
		kind(&r)
		if _, err := st.RecordUpdate(ctx, r); !errors.Is(err, store.ErrStale) {
			t.Errorf("%s: stale answer: %v, want ErrStale", name, err)
		}
		if _, err := st.RecordUpdate(ctx, r); !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("%s: the stale answer's update again: %v, want ErrDuplicate (it was handled: refused)", name, err)
		}
		if got := counts(); got != before {
			t.Errorf("%s: a stale answer wrote something: answers, outbox, signals, alerts, check-ins %v, before %v", name, got, before)
		}
		r.UpdateID = 0
		for range 2 {
			if _, err := st.RecordUpdate(ctx, r); !errors.Is(err, store.ErrStale) {
				t.Errorf("%s, not from Telegram: %v, want ErrStale", name, err)
			}
		}
		if got := counts(); got != before {
			t.Errorf("%s, not from Telegram: a stale answer wrote something: %v, before %v", name, got, before)
		}
	}
}
