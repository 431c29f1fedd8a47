package store

import (
	"context"
	"runtime"
	"sync"
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

// TestTurnsCallersReadyTogetherShareABatch: callers that become ready at the
// same moment (the updates of one getUpdates answer after their shared Redis
// round trip) queue their work before any of them runs a batch, so they share
// one instead of each running its own. On one P the schedule is fixed: with
// a caller that runs its turn at once, eight callers made eight batches.
func TestTurnsCallersReadyTogetherShareABatch(t *testing.T) { // not parallel: it sets GOMAXPROCS
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var mu sync.Mutex
	var sizes []int
	tu := newTurns(2, 64, 0, func(_ context.Context, batch []*turn[int]) {
		mu.Lock()
		sizes = append(sizes, len(batch))
		mu.Unlock()
	})
	const callers = 8
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if ran, err := tu.do(context.Background(), i); !ran || err != nil {
				t.Errorf("caller %d: ran %v, err %v", i, ran, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if len(sizes) > 2 {
		t.Errorf("%d callers ready together ran in %d batches %v; want them to share one (at most two)", callers, len(sizes), sizes)
	}
}
