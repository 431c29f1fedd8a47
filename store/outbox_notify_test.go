package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// TestOutboxRowsWakeTheSenders: a row any sender may claim notifies
// lijntje_outbox when its transaction commits, and ListenOutbox hears it; a
// row inserted already leased to its own sender (the fast path) wakes nobody
// until that sender gives it back (a sender stopping): then it does, since
// the senders claim on a notification or at their next poll.
func TestOutboxRowsWakeTheSenders(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := st.DB().Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { conn.Conn().Close(context.Background()); conn.Release() }()
	if _, err := conn.Exec(ctx, "LISTEN "+store.OutboxChannel); err != nil {
		t.Fatal(err)
	}
	next := func(what string) string {
		t.Helper()
		n, err := conn.Conn().WaitForNotification(ctx)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return n.Payload
	}

	coach, _, err := st.AddCoach(ctx, store.Coach{Name: "Sanne de Vries"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	s, _, err := st.AddStudent(ctx, store.NewStudent{Name: "Noor", CoachID: coach.ID}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// Leased on insert: no notification, so the marker comes first.
	if _, err := st.SendPersonal(ctx, 0, store.PersonalMessage{StudentID: s.ID, CoachID: coach.ID, Direction: store.ToStudent, Text: "hoi"},
		[]store.Message{{ChatID: 1001, Lane: store.LaneInteractive, Kind: store.KindSend, Text: "hoi"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().Exec(ctx, `SELECT pg_notify($1, 'marker')`, store.OutboxChannel); err != nil {
		t.Fatal(err)
	}
	if p := next("marker"); p != "marker" {
		t.Fatalf("a leased row notified (%q); want the marker first", p)
	}
	// For any sender: one notification for the transaction, however many rows.
	if _, err := st.Enqueue(ctx, store.Message{ChatID: 1001, Kind: store.KindSend, Text: "a"}, store.Message{ChatID: 1001, Kind: store.KindSend, Text: "b"}); err != nil {
		t.Fatal(err)
	}
	if p := next("enqueue"); p != "" {
		t.Fatalf("payload %q, want empty", p)
	}
	if _, err := st.DB().Exec(ctx, `SELECT pg_notify($1, 'marker')`, store.OutboxChannel); err != nil {
		t.Fatal(err)
	}
	if p := next("marker"); p != "marker" {
		t.Fatalf("two notifications for one transaction (%q)", p)
	}

	// A leased row given back (a sender stopping) is for any sender now.
	var leased []int64
	for _, o := range storetest.Outbox(t, st) {
		if !o.ClaimedUntil.IsZero() && !o.Sent {
			leased = append(leased, o.ID)
		}
	}
	if len(leased) != 1 {
		t.Fatalf("%d leased rows, want the one written leased", len(leased))
	}
	if err := st.ReleaseOutbox(ctx, leased); err != nil {
		t.Fatal(err)
	}
	if p := next("release"); p != "" {
		t.Fatalf("payload %q after a release, want empty (the marker came first: no notification)", p)
	}

	// ListenOutbox wakes on such a commit.
	woke := make(chan struct{}, 16)
	lctx, stop := context.WithCancel(ctx)
	defer stop()
	go st.ListenOutbox(lctx, func() { woke <- struct{}{} })
	select {
	case <-woke: // the first wake, once it listens: whatever came in before
	case <-ctx.Done():
		t.Fatal("ListenOutbox did not start")
	}
	if _, err := st.Enqueue(ctx, store.Message{ChatID: 1001, Kind: store.KindSend, Text: "c"}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-woke:
	case <-ctx.Done():
		t.Fatal("ListenOutbox did not wake on a committed row")
	}
}
