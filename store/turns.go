package store

import (
	"context"
	"runtime"
	"sync"
	"time"
)

// turns lets concurrent callers do their round trips together: a caller
// queues its work and either finds it taken into another caller's batch and
// waits for that batch, or takes a turn (at most cap(slots) batches in
// flight) and runs everything queued, up to max, as one batch. There is no
// background goroutine, and a caller with nothing else in flight or ready
// to run runs its work at once (after one yield: do), alone. The Postgres
// writes of updates use it (group.go), and so do their Redis round trips
// (pipes.go).
type turns[T any] struct {
	mu    sync.Mutex
	queue []*turn[T]
	slots chan struct{}
	max   int
	wait  time.Duration // > 0: a caller whose work waited this long leaves the queue (do's alone)
	run   func(ctx context.Context, batch []*turn[T])
}

// turn is one caller's work in a turns queue.
type turn[T any] struct {
	work  T
	taken bool // in a batch (under turns.mu)
	done  chan struct{}
}

func newTurns[T any](slots, max int, wait time.Duration, run func(context.Context, []*turn[T])) *turns[T] {
	return &turns[T]{slots: make(chan struct{}, slots), max: max, wait: wait, run: run}
}

// do queues work and returns once a batch with it has run (ran true). It
// returns ran false, with the work not done and out of the queue, when ctx
// ends (err is ctx's) or, with t.wait set, when no batch has taken the work
// within t.wait (err nil: the caller does it alone).
// A batch runs with ctx's values but not its cancellation: other callers'
// work is in it.
func (t *turns[T]) do(ctx context.Context, work T) (ran bool, err error) {
	tn := &turn[T]{work: work, done: make(chan struct{})}
	t.mu.Lock()
	t.queue = append(t.queue, tn)
	wait := t.wait
	t.mu.Unlock()
	// Callers come in groups: the updates of one getUpdates answer, whose
	// Redis round trips end together, then reach their writes together. A
	// caller that took a free turn at once would run its work alone while the
	// others of its group wait for the next batch. Yielding first lets those
	// that are ready to run queue their work, and they share this batch; when
	// none is ready, it costs a trip through the scheduler and nothing else.
	runtime.Gosched()
	var alone <-chan time.Time
	if wait > 0 {
		timer := time.NewTimer(wait)
		defer timer.Stop()
		alone = timer.C
	}
	for {
		t.mu.Lock()
		taken := tn.taken
		t.mu.Unlock()
		if taken { // in a batch: done when the batch is
			<-tn.done
			return true, nil
		}
		select {
		case t.slots <- struct{}{}:
			t.runQueued(ctx)
		case <-alone:
			if t.withdraw(tn) {
				return false, nil
			}
		case <-ctx.Done():
			if t.withdraw(tn) {
				return false, ctx.Err()
			}
		}
	}
}

// runQueued runs a batch of the queued work in the turn its caller holds,
// then gives the turn back. Even if run panics, the batch's callers are
// released (their work says it did not run) and the turn is given back.
func (t *turns[T]) runQueued(ctx context.Context) {
	defer func() { <-t.slots }()
	batch := t.take()
	defer func() {
		for _, b := range batch {
			close(b.done)
		}
	}()
	if len(batch) > 0 {
		t.run(context.WithoutCancel(ctx), batch)
	}
}

// take takes the oldest queued work, at most t.max, as a batch.
func (t *turns[T]) take() []*turn[T] {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := min(len(t.queue), t.max)
	batch := append([]*turn[T](nil), t.queue[:n]...)
	t.queue = append(t.queue[:0:0], t.queue[n:]...)
	for _, b := range batch {
		b.taken = true
	}
	return batch
}

// withdraw takes tn out of the queue if no batch has taken it yet.
func (t *turns[T]) withdraw(tn *turn[T]) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if tn.taken {
		return false
	}
	for i, q := range t.queue {
		if q == tn {
			t.queue = append(t.queue[:i:i], t.queue[i+1:]...)
			break
		}
	}
	return true
}
