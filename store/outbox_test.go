package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// TestClaimOutboxFirstOfEachChatByLane: a claim takes the oldest unsent
// message of each chat, urgent lanes first, never one already leased, also
// when the outbox was analysed empty (as before a wave).
func TestClaimOutboxFirstOfEachChatByLane(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := context.Background()
	if _, err := st.DB().Exec(ctx, `ANALYZE outbox`); err != nil {
		t.Fatal(err)
	}
	msg := func(chat int64, lane int, text string) store.Message {
		return store.Message{ChatID: chat, Lane: lane, Kind: store.KindSend, Text: text}
	}
	var wave []store.Message
	for c := range int64(300) {
		wave = append(wave, msg(1000+c, store.LaneBulk, "opener"))
	}
	if _, err := st.Enqueue(ctx, wave...); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Enqueue(ctx, msg(1000, store.LaneInteractive, "after the opener"), msg(7, store.LaneInteractive, "reply"),
		msg(8, store.LaneUrgent, "113"), msg(8, store.LaneUrgent, "second")); err != nil {
		t.Fatal(err)
	}
	got, err := st.ClaimOutbox(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	texts := func(ms []store.Message) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.Text)
		}
		return out
	}
	if want := []string{"113", "reply", "opener"}; !slices.Equal(texts(got), want) {
		t.Fatalf("first claim %q, want %q (lanes first, one per chat, chat 1000's opener before its reply)", texts(got), want)
	}
	rest, err := st.ClaimOutbox(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(rest) != 299 {
		t.Fatalf("second claim: %d messages, want the 299 other openers", len(rest))
	}
	for _, m := range rest {
		if m.Text != "opener" || m.ChatID == 1000 {
			t.Fatalf("second claim took %q for chat %d", m.Text, m.ChatID)
		}
	}
	// Once the first of chat 8 is sent, its second is next.
	if _, err := st.MarkSentBatch(ctx, []store.SentMessage{{ID: got[0].ID, MessageID: 1}}); err != nil {
		t.Fatal(err)
	}
	next, err := st.ClaimOutbox(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(texts(next), []string{"second"}) {
		t.Fatalf("after the first was sent: %q, want chat 8's second", texts(next))
	}
}

// A lease renewal never waits for a row another transaction holds. A
// sent-mark holds the rows it marks; when the renewal waited for one of
// them while holding another the sent-mark wanted next, Postgres broke the
// deadlock off after a second, and every chat's next message waited for it.
// The renewal now passes over a held row (it is being marked sent, or failed)
// and renews the others.
func TestLeaseRenewalPassesOverHeldRows(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 28, 23, 0, 0, 0, time.UTC) // a Saturday, 23:00
	st := storetest.New(t, store.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	var msgs []store.Message
	for c := range int64(3) {
		msgs = append(msgs, store.Message{ChatID: 6_100_000_000 + c, Lane: store.LaneInteractive, Kind: store.KindSend, Text: "hoe gaat het?"})
	}
	if _, err := st.Enqueue(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	claimed, err := st.ClaimOutbox(ctx, 10)
	if err != nil || len(claimed) != 3 {
		t.Fatalf("claim: %d messages, %v", len(claimed), err)
	}
	ids := []int64{claimed[0].ID, claimed[1].ID, claimed[2].ID}
	release := storetest.HoldOutboxRows(t, st, ids[1]) // the middle one is being marked sent

	now = now.Add(2 * time.Second)
	renewCtx, cancel := context.WithTimeout(ctx, 10*time.Second) // it must not wait for the held row at all
	defer cancel()
	if err := st.RenewOutbox(renewCtx, ids); err != nil {
		t.Fatalf("renew with one row held elsewhere: %v (it waited for the lock)", err)
	}
	release()
	leased := map[int64]time.Time{}
	for _, o := range storetest.Outbox(t, st) {
		leased[o.ID] = o.ClaimedUntil
	}
	for _, id := range []int64{ids[0], ids[2]} {
		if !leased[id].Equal(leased[ids[1]].Add(2 * time.Second)) {
			t.Fatalf("message %d leased until %v, want renewed two seconds past the held one (%v)", id, leased[id], leased[ids[1]])
		}
	}
}
