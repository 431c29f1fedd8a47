package store_test

import (
	"context"
	"slices"
	"testing"

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
	if err := st.MarkSentBatch(ctx, []store.SentMessage{{ID: got[0].ID, MessageID: 1}}); err != nil {
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
