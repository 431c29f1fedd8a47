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

// Telegram user IDs are above 2^32 today.
const oldPhone, newPhone, coachPhone = int64(7_000_000_001), int64(7_000_000_002), int64(7_000_000_003)

func TestRecordRefusedForAChatNoLongerTheStudents(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := context.Background()
	coach, coachCode, _ := st.AddCoach(ctx, store.Coach{Name: "Sanne"}, time.Hour)
	s, code, _ := st.AddStudent(ctx, store.NewStudent{Name: "Noor", CoachID: coach.ID}, time.Hour)
	if _, err := st.RedeemInvite(ctx, code, oldPhone); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RedeemInvite(ctx, coachCode, coachPhone); err != nil {
		t.Fatal(err)
	}
	if err := st.CacheConv(ctx, oldPhone, store.Conv{Role: store.RoleStudent, ID: s.ID}); err != nil {
		t.Fatal(err)
	}
	fresh, _ := st.RenewInvite(ctx, s.ID, time.Hour)
	r, err := st.RedeemInvite(ctx, fresh, newPhone)
	if err != nil || r.OldChatID != oldPhone {
		t.Fatalf("redeem on the new phone: %+v %v", r, err)
	}
	if _, ok, _ := st.CachedConv(ctx, oldPhone); ok {
		t.Error("the old phone's conversation is still cached")
	}
	old := store.Owner{Role: store.RoleStudent, ID: s.ID, ChatID: oldPhone}
	msg := store.Message{ChatID: oldPhone, Kind: store.KindSend, Text: "je gegevens"}
	for name, r := range map[string]store.Record{
		"fast path":   {UpdateID: 10, StudentID: s.ID, Step: "message", Text: "hoi", Out: []store.Message{msg}},
		"transaction": {UpdateID: 11, StudentID: s.ID, Signals: []store.Signal{{Code: "contact=yes", Severity: severity.Request}}, Out: []store.Message{msg}},
	} {
		r.Owner, r.At = old, time.Now()
		if _, err := st.RecordUpdate(ctx, r); !errors.Is(err, store.ErrNotOwner) {
			t.Errorf("%s: %v, want ErrNotOwner", name, err)
		}
		r.Owner.ChatID = newPhone
		r.Out[0].ChatID = newPhone
		if _, err := st.RecordUpdate(ctx, r); err != nil {
			t.Errorf("%s on the new phone: %v", name, err)
		}
	}
	if n := storetest.Count(storetest.Outbox(t, st), func(o store.OutboxRow) bool { return o.ChatID == oldPhone }); n != 0 {
		t.Errorf("%d messages queued for the old phone", n)
	}
	if ok, err := st.OwnsChat(ctx, old); ok || err != nil {
		t.Errorf("OwnsChat(old phone) = %v, %v", ok, err)
	}

	// One chat, one role.
	_, other, _ := st.AddStudent(ctx, store.NewStudent{Name: "Bram", CoachID: coach.ID}, time.Hour)
	if _, err := st.RedeemInvite(ctx, other, coachPhone); !errors.Is(err, store.ErrRoleTaken) {
		t.Errorf("a coach's chat redeemed a student's invite: %v", err)
	}
	_, lies, _ := st.AddCoach(ctx, store.Coach{Name: "Lies"}, time.Hour)
	if _, err := st.RedeemInvite(ctx, lies, newPhone); !errors.Is(err, store.ErrRoleTaken) {
		t.Errorf("a student's chat redeemed a coach's invite: %v", err)
	}
	if _, err := st.RedeemInvite(ctx, other, 7_000_000_009); err != nil {
		t.Errorf("the refused invite no longer works for its student: %v", err)
	}
}
