package store

import (
	"context"
	"testing"
	"time"
)

// TestTurnsReleaseABatchWhoseRunPanics: when running a batch panics (in the
// caller that took the turn), the other callers in it are released with
// their work as it was (a write then says it did not run, never "written"),
// and the turn is given back for the next batch.
func TestTurnsReleaseABatchWhoseRunPanics(t *testing.T) {
	t.Parallel()
	type work struct{ done bool }
	boom := true
	tu := newTurns(1, 8, 0, func(_ context.Context, batch []*turn[*work]) {
		if boom {
			panic("boom")
		}
		for _, b := range batch {
			b.work.done = true
		}
	})
	tu.slots <- struct{}{} // hold the only turn until both are queued
	ctx := context.Background()
	results := make(chan *work, 2)
	for range 2 {
		go func() {
			w := &work{}
			defer func() {
				_ = recover() // the one that ran the batch sees the panic
				results <- w
			}()
			_, _ = tu.do(ctx, w)
		}()
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		tu.mu.Lock()
		n := len(tu.queue)
		tu.mu.Unlock()
		if n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the two callers did not queue")
		}
	}
	<-tu.slots
	for range 2 {
		if w := <-results; w.done {
			t.Error("work of a batch whose run panicked says it was done")
		}
	}
	boom = false
	w := &work{}
	if ran, err := tu.do(ctx, w); !ran || err != nil || !w.done {
		t.Errorf("after the panic: ran %v, err %v, done %v; want the turn back and the work done", ran, err, w.done)
	}
}
