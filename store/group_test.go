package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// groupScene is n students, each in a check-in on "mood" (chats above 2^32),
// and one tap each answering it.
func groupScene(t *testing.T, n int) (*store.Store, []store.Record, time.Time) {
	t.Helper()
	now := time.Date(2026, 11, 28, 23, 0, 0, 0, time.UTC) // a Saturday, 23:00
	st := storetest.New(t, store.WithClock(func() time.Time { return now }))
	taps := make([]store.Record, n)
	for i := range n {
		chat := int64(7_400_000_000 + i)
		s, checkin := storetest.CheckinAt(t, st, chat, now, "mood")
		taps[i] = store.Record{UpdateID: int64(900_000 + i), StudentID: s.ID, CheckinID: checkin, Version: "v1",
			Step: "mood", Option: "2", At: now, NextStep: "daytime",
			Owner: store.Owner{Role: store.RoleStudent, ID: s.ID, ChatID: chat},
			Out:   []store.Message{{ChatID: chat, Kind: store.KindEdit, Text: "Dank je. Wat deed je vandaag?"}}}
	}
	return st, taps, now
}

// together runs calls at once while hold holds their round trips, waits
// until all of them are queued (queued), then lets them go as one batch and
// waits for them to return.
func together(t *testing.T, hold func() (release func()), queued func() int, calls []func()) {
	t.Helper()
	release := hold()
	var wg sync.WaitGroup
	for _, call := range calls {
		wg.Go(call)
	}
	for deadline := time.Now().Add(10 * time.Second); queued() < len(calls); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			release()
			t.Fatalf("%d of %d calls queued", queued(), len(calls))
		}
	}
	release()
	wg.Wait()
}

// writeHeld records each record at once, as one batch (together), and
// returns each one's error, in order.
func writeHeld(t *testing.T, ctx context.Context, st *store.Store, records []store.Record) []error {
	t.Helper()
	errs := make([]error, len(records))
	calls := make([]func(), len(records))
	for i, r := range records {
		calls[i] = func() { _, errs[i] = st.RecordUpdate(ctx, r) }
	}
	together(t, func() func() { return st.HoldWrites(false) }, st.QueuedWrites, calls)
	return errs
}

// TestUpdatesWrittenAtOnceShareOneCommit: taps that arrive while others are
// being written are written together, in one transaction, and each is still
// judged on its own: every answer is stored once, and Telegram's redelivery
// of a tap in the same batch is a duplicate, not a second answer.
func TestUpdatesWrittenAtOnceShareOneCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, taps, _ := groupScene(t, 6)
	errs := writeHeld(t, ctx, st, append(taps, taps[2]))
	ok, dup := 0, 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, store.ErrDuplicate):
			dup++
		default:
			t.Errorf("write %d: %v", i, err)
		}
	}
	if ok != len(taps) || dup != 1 {
		t.Errorf("%d written and %d duplicates, want %d and 1", ok, dup, len(taps))
	}
	answers := storetest.Answers(t, st)
	if len(answers) != len(taps) {
		t.Fatalf("%d answers stored, want %d", len(answers), len(taps))
	}
	for _, c := range storetest.Checkins(t, st) {
		if c.Step != "daytime" {
			t.Errorf("check-in %d on %q, want daytime: its answer did not move it on", c.ID, c.Step)
		}
	}
	var commits int
	if err := st.DB().QueryRow(ctx, `SELECT count(DISTINCT xmin::text) FROM answers`).Scan(&commits); err != nil {
		t.Fatal(err)
	}
	if commits != 1 {
		t.Errorf("the %d answers were written in %d transactions, want 1 (one batch)", len(answers), commits)
	}
}

// TestOneFailingUpdateDoesNotSinkItsBatch: when one update's write fails,
// the batch it was in rolls back and every other update in it is written on
// its own: their answers are stored; the failing one is not marked handled,
// so Telegram's redelivery of it is recorded once the fault is gone.
func TestOneFailingUpdateDoesNotSinkItsBatch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, taps, _ := groupScene(t, 5)
	bad := taps[3]
	heal := storetest.PoisonAnswers(t, st, bad.StudentID)
	errs := writeHeld(t, ctx, st, taps)
	for i, err := range errs {
		if i == 3 {
			if err == nil || errors.Is(err, store.ErrDuplicate) || errors.Is(err, store.ErrStale) {
				t.Errorf("the failing update: %v, want its write's error", err)
			}
			continue
		}
		if err != nil {
			t.Errorf("update %d, in the batch of a failing one: %v", i, err)
		}
	}
	if got := len(storetest.Answers(t, st)); got != len(taps)-1 {
		t.Errorf("%d answers stored, want %d (all but the failing one)", got, len(taps)-1)
	}
	for _, id := range storetest.ProcessedUpdates(t, st) {
		if id == bad.UpdateID {
			t.Errorf("the failing update %d is marked handled: its redelivery would be dropped", id)
		}
	}
	heal()
	if _, err := st.RecordUpdate(ctx, bad); err != nil {
		t.Errorf("the failing update redelivered after the fault: %v", err)
	}
	if got := len(storetest.Answers(t, st)); got != len(taps) {
		t.Errorf("%d answers stored after the redelivery, want %d", got, len(taps))
	}
}

// TestWriteGivenUpWhileWaitingWritesNothing: an update whose handler gives up
// (its context ends) while its write still waits for a batch is not written
// at all, so its redelivery is recorded as new.
func TestWriteGivenUpWhileWaitingWritesNothing(t *testing.T) {
	t.Parallel()
	st, taps, _ := groupScene(t, 1)
	release := st.HoldWrites(false)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := st.RecordUpdate(ctx, taps[0])
		done <- err
	}()
	for st.QueuedWrites() < 1 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("write given up while waiting: %v, want context.Canceled", err)
	}
	release()
	if got := len(storetest.ProcessedUpdates(t, st)); got != 0 {
		t.Errorf("%d updates marked handled, want none", got)
	}
	if _, err := st.RecordUpdate(context.Background(), taps[0]); err != nil {
		t.Errorf("the same update redelivered: %v", err)
	}
	if got := len(storetest.Answers(t, st)); got != 1 {
		t.Errorf("%d answers, want 1", got)
	}
}

// TestStuckBatchesDoNotHoldUpOtherConversations: when every batch is busy
// for long (stuck behind a lock, say), an update does not wait for them: it
// is written on its own, and its answer is stored while they are still busy.
func TestStuckBatchesDoNotHoldUpOtherConversations(t *testing.T) {
	t.Parallel()
	st, taps, _ := groupScene(t, 1)
	release := st.HoldWrites(true)
	defer release()
	if _, err := st.RecordUpdate(context.Background(), taps[0]); err != nil {
		t.Fatalf("a tap while every batch is stuck: %v", err)
	}
	if got := len(storetest.Answers(t, st)); got != 1 {
		t.Errorf("%d answers stored while the batches are stuck, want 1", got)
	}
}
