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

func TestInviteIsSingleUseAndExpires(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 22, 20, 0, 0, 0, time.UTC)
	st := storetest.New(t, store.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	coach, _, err := st.AddCoach(ctx, store.Coach{Name: "Sanne de Vries"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	s, code, err := st.AddStudent(ctx, store.NewStudent{Name: "Noor", CoachID: coach.ID}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(code) < 22 || len(code) > 64 {
		t.Fatalf("code %q: want 22..64 characters", code)
	}
	if _, err := st.RedeemInvite(ctx, "wrong-code", 1001); !errors.Is(err, store.ErrInviteInvalid) {
		t.Fatalf("wrong code: got %v, want ErrInviteInvalid", err)
	}
	r, err := st.RedeemInvite(ctx, code, 1001)
	if err != nil || r.Student.ID != s.ID || r.Student.Status != store.StatusActive {
		t.Fatalf("redeem: %+v, %v", r, err)
	}
	if _, err := st.RedeemInvite(ctx, code, 1002); !errors.Is(err, store.ErrInviteInvalid) {
		t.Fatalf("reused code: got %v, want ErrInviteInvalid", err)
	}
	_, code2, _ := st.AddStudent(ctx, store.NewStudent{Name: "Sem", CoachID: coach.ID}, time.Hour)
	now = now.Add(2 * time.Hour)
	if _, err := st.RedeemInvite(ctx, code2, 1003); !errors.Is(err, store.ErrInviteInvalid) {
		t.Fatalf("expired code: got %v, want ErrInviteInvalid", err)
	}
	if _, _, err := st.AddStudent(ctx, store.NewStudent{Name: "X", CoachID: 999}, time.Hour); !errors.Is(err, store.ErrUnknownCoach) {
		t.Fatalf("unknown coach: got %v", err)
	}
}

func TestRenewInviteRevokesOld(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := context.Background()
	coach, _, _ := st.AddCoach(ctx, store.Coach{Name: "Sanne"}, time.Hour)
	s, old, _ := st.AddStudent(ctx, store.NewStudent{Name: "Noor", CoachID: coach.ID}, time.Hour)
	fresh, err := st.RenewInvite(ctx, s.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.RedeemInvite(ctx, old, 2001); !errors.Is(err, store.ErrInviteInvalid) {
		t.Fatalf("old code after renew: got %v, want ErrInviteInvalid", err)
	}
	if _, err := st.RedeemInvite(ctx, fresh, 2001); err != nil {
		t.Fatalf("new code: %v", err)
	}
}

func TestSignalsJoinOneOpenCase(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := context.Background()
	coach, _, _ := st.AddCoach(ctx, store.Coach{Name: "Sanne"}, time.Hour)
	s, _, _ := st.AddStudent(ctx, store.NewStudent{Name: "Noor", CoachID: coach.ID}, time.Hour)
	a1, err := st.RaiseSignals(ctx, s.ID, 0, store.Signal{Code: "money=debts", Severity: severity.Attention})
	if err != nil {
		t.Fatal(err)
	}
	a2, err := st.RaiseSignals(ctx, s.ID, 0, store.Signal{Code: "crisis_text", Severity: severity.Crisis, Detail: "..."})
	if err != nil {
		t.Fatal(err)
	}
	if a1 != a2 {
		t.Fatalf("second signal opened case %d, want it to join case %d", a2, a1)
	}
	v, err := st.Alert(ctx, a1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if v.Severity != severity.Crisis || len(v.Signals) != 2 {
		t.Fatalf("case: severity %s with %d signals, want crisis with 2", v.Severity, len(v.Signals))
	}
	if _, err := st.RaiseSignals(ctx, s.ID, 0, store.Signal{Code: "contact=yes", Severity: severity.Request}); err != nil {
		t.Fatal(err)
	}
	if v, _ = st.Alert(ctx, a1, 0); v.Severity != severity.Crisis {
		t.Fatalf("severity fell to %s", v.Severity)
	}
}

func TestRecordUpdateOnceAndOnlyOnTheCurrentStep(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	st := storetest.New(t, store.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	const chat = 7_000_003_001 // above 2^32, as many are
	s, checkin := storetest.CheckinAt(t, st, chat, now, "mood")
	rec := store.Record{UpdateID: 11, StudentID: s.ID, CheckinID: checkin, Version: "v1", Step: "mood", Option: "4",
		At: now, NextStep: "daytime", Out: []store.Message{
			{ChatID: chat, Kind: store.KindEdit, Text: "first"}, {ChatID: chat, Kind: store.KindSend, Text: "second"}}}
	res, err := st.RecordUpdate(ctx, rec)
	if err != nil || len(res.OutboxIDs) != 2 || res.OutboxIDs[0] >= res.OutboxIDs[1] {
		t.Fatalf("record: %+v %v; want two outbox rows in order", res, err)
	}
	msgs, err := st.OutboxByIDs(ctx, res.OutboxIDs)
	if err != nil || msgs[0].Text != "first" || msgs[1].Text != "second" {
		t.Fatalf("outbox rows %+v, %v", msgs, err)
	}
	if _, err := st.RecordUpdate(ctx, rec); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("same update again: %v, want ErrDuplicate", err)
	}
	rec.UpdateID = 12 // the same tap as a new update: the step is no longer current
	if _, err := st.RecordUpdate(ctx, rec); !errors.Is(err, store.ErrStale) {
		t.Errorf("stale answer: %v, want ErrStale", err)
	}
	var answers, outbox int
	_ = st.DB().QueryRow(ctx, `SELECT (SELECT count(*) FROM answers), (SELECT count(*) FROM outbox)`).Scan(&answers, &outbox)
	if answers != 1 || outbox != 2 {
		t.Errorf("%d answers and %d outbox rows, want 1 and 2", answers, outbox)
	}
}
