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

// Update IDs are per bot: the same ID from another bot is a new update.
func TestProcessedUpdatesAreKeyedByBot(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	clock := store.WithClock(func() time.Time { return now })
	a := storetest.New(t, clock, store.WithBotID(7000000001))
	b := store.New(a.DB(), a.Redis(), clock, store.WithBotID(7000000002))
	ctx := context.Background()
	if _, err := a.RecordUpdate(ctx, store.Record{UpdateID: 5, At: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.RecordUpdate(ctx, store.Record{UpdateID: 5, At: now}); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("the same bot's update again: %v, want a duplicate", err)
	}
	if _, err := b.RecordUpdate(ctx, store.Record{UpdateID: 5, At: now}); err != nil {
		t.Fatalf("another bot's update 5 was dropped: %v", err)
	}
}

// The daily job keeps the bounded tables bounded: update IDs older than 48
// hours, outbox rows sent a week ago and old parked updates go; what is
// recent, unsent, or a message of an open case stays. An update ID Telegram
// hands out again after the window is handled, not dropped.
func TestPruneTablesKeepsThemBounded(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)
	st := storetest.New(t, store.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	old, recent := now.Add(-3*24*time.Hour), now.Add(-time.Hour)
	for id, at := range map[int64]time.Time{1: old, 2: old, 3: recent} {
		if _, err := st.RecordUpdate(ctx, store.Record{UpdateID: id, At: at}); err != nil {
			t.Fatal(err)
		}
	}
	coach, _, _ := st.AddCoach(ctx, store.Coach{Name: "Sanne"}, time.Hour)
	s := linkStudent(t, st, coach.ID, "Lotte Prune", 7_000_000_009)
	alertID, err := st.RaiseSignals(ctx, s.ID, 0, store.Signal{Code: "crisis_text", Severity: severity.Crisis})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := st.Enqueue(ctx,
		store.Message{ChatID: 7_000_000_009, Kind: store.KindSend, Text: "sent long ago"},
		store.Message{ChatID: 7_000_000_009, Kind: store.KindSend, Text: "sent yesterday"},
		store.Message{ChatID: 7_000_000_009, Kind: store.KindSend, Text: "never sent"},
		store.Message{ChatID: 7_000_000_010, Kind: store.KindAlert, AlertID: alertID},
	)
	if err != nil {
		t.Fatal(err)
	}
	sentAt := []any{now.Add(-8 * 24 * time.Hour), now.Add(-24 * time.Hour), nil, now.Add(-8 * 24 * time.Hour)}
	for i, id := range ids {
		if _, err := st.DB().Exec(ctx, `UPDATE outbox SET sent_at = $2 WHERE id = $1`, id, sentAt[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.ParkUpdate(ctx, store.DeadLetter{UpdateID: 9, ChatID: 7_000_000_001, Error: "x", Attempts: 5}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().Exec(ctx, `UPDATE update_dead_letters SET parked_at = $1`, now.Add(-15*24*time.Hour)); err != nil {
		t.Fatal(err)
	}

	p, err := st.PruneTables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p != (store.Pruned{ProcessedUpdates: 2, SentOutbox: 1, DeadLetters: 1}) {
		t.Errorf("pruned %+v, want 2 update IDs, 1 outbox row, 1 parked update", p)
	}
	var left []string
	rows, _ := st.DB().Query(ctx, `SELECT coalesce(payload->>'t', method) FROM outbox ORDER BY id`)
	for rows.Next() {
		var s string
		_ = rows.Scan(&s)
		left = append(left, s)
	}
	rows.Close()
	if len(left) != 3 || left[0] != "sent yesterday" || left[1] != "never sent" || left[2] != "alert" {
		t.Errorf("outbox after pruning: %q, want yesterday's, the unsent one and the open case's message", left)
	}
	// Telegram restarted its IDs: update 1 is new again.
	if _, err := st.RecordUpdate(ctx, store.Record{UpdateID: 1, At: now}); err != nil {
		t.Errorf("update 1 after the window: %v, want it handled", err)
	}
	if _, err := st.RecordUpdate(ctx, store.Record{UpdateID: 3, At: now}); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("update 3 within the window: %v, want a duplicate", err)
	}
}

// Update IDs recorded before they were keyed by bot still count as handled
// for the bot that adopts them.
func TestAdoptUnkeyedUpdates(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	st := storetest.New(t, store.WithClock(func() time.Time { return now }), store.WithBotID(7000000001))
	ctx := context.Background()
	if _, err := st.DB().Exec(ctx, `INSERT INTO processed_updates (update_id, handled_at) VALUES (41, $1), (42, $1)`, now); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordUpdate(ctx, store.Record{UpdateID: 42, At: now}); err != nil {
		t.Fatal(err)
	}
	if err := st.AdoptUnkeyedUpdates(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordUpdate(ctx, store.Record{UpdateID: 41, At: now}); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("update 41 handled before the upgrade: %v, want a duplicate", err)
	}
}
