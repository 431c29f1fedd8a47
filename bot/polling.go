package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-telegram/bot/models"
)

// pollState is one Poller.Run's bookkeeping: which updates it fetched are in
// hand, settled or failed, and the offset that confirms them to Telegram.
type pollState struct {
	p *Poller
	d *Dispatcher

	offset   int64
	maxSeen  int64
	inflight map[int64]heldUpdate // submitted, not settled
	settled  map[int64]bool       // settled, above the offset
	failed   map[int64]bool       // failed and not parked: submitted again when delivered again
	batch    map[int64]bool       // the last fetch's fresh updates, not settled
	early    map[int64]bool       // parked while in hand: its result no longer counts
	results  chan pollResult
}

// heldUpdate is an update in hand and since when.
type heldUpdate struct {
	u     *models.Update
	since time.Time
}

// pollResult is how a submitted update ended.
type pollResult struct {
	id  int64
	err error
}

func newPollState(p *Poller, d *Dispatcher) *pollState {
	return &pollState{p: p, d: d, maxSeen: -1, inflight: map[int64]heldUpdate{}, settled: map[int64]bool{},
		failed: map[int64]bool{}, batch: map[int64]bool{}, early: map[int64]bool{}, results: make(chan pollResult, 256)}
}

func (st *pollState) report(err error) {
	if st.p.OnError != nil {
		st.p.OnError(err)
	}
}

// submit hands the fresh updates of a fetch to the dispatcher (those not in
// hand, settled or confirmed already) and returns how many there were.
func (st *pollState) submit(ups []models.Update) int {
	fresh := 0
	clear(st.batch)
	for i := range ups {
		u := &ups[i]
		if _, ok := st.inflight[u.ID]; ok || st.settled[u.ID] || u.ID < st.offset {
			continue
		}
		delete(st.failed, u.ID)
		fresh++
		st.inflight[u.ID] = heldUpdate{u: u, since: st.p.Now()}
		st.batch[u.ID] = true
		st.maxSeen = max(st.maxSeen, u.ID)
		id := u.ID
		st.d.submit(job{u: u, done: func(err error) { st.results <- pollResult{id, err} }})
	}
	return fresh
}

// take records how an update ended.
func (st *pollState) take(r pollResult) {
	delete(st.inflight, r.id)
	delete(st.batch, r.id)
	parked := errors.Is(r.err, errParked)
	if parked {
		r.err = nil // settled: a dead letter now
	}
	if st.early[r.id] { // parked while in hand, so settled already
		delete(st.early, r.id)
		if r.err == nil && !parked { // handled after all: no dead letter
			if err := st.d.settled(r.id); err != nil {
				st.report(fmt.Errorf("update %d: handled after it was parked, but not unparked: %w", r.id, err))
			}
		}
		return
	}
	if r.err != nil {
		st.failed[r.id] = true
		st.report(fmt.Errorf("update %d: %w", r.id, r.err))
		return
	}
	st.settled[r.id] = true
}

// drain takes every result that is in.
func (st *pollState) drain() {
	for {
		select {
		case r := <-st.results:
			st.take(r)
		default:
			return
		}
	}
}

// advance moves the offset to the oldest update not settled, or the one
// after the newest.
func (st *pollState) advance() {
	next := st.maxSeen + 1
	for id := range st.inflight {
		next = min(next, id)
	}
	for id := range st.failed {
		next = min(next, id)
	}
	if next > st.offset {
		st.offset = next
	}
	for id := range st.settled {
		if id < st.offset {
			delete(st.settled, id)
		}
	}
}

// settle waits for the last fetch's fresh updates to settle, but not long:
// usually they are handled at once and the next fetch confirms them; a slow
// or failing update holds the next fetch no longer than the poller's Hold, and one
// from an earlier fetch (already waited for) not at all. When the fetch
// brought only updates in hand, it waits for one of them.
func (st *pollState) settle(ctx context.Context, fresh, fetched int) {
	hold := st.p.Hold
	if fresh == 0 && fetched > 0 {
		hold /= 2
	}
	over := st.p.HoldTimer(hold)
	for len(st.inflight) > 0 && (fresh == 0 || len(st.batch) > 0) {
		select {
		case <-ctx.Done():
			return
		case r := <-st.results:
			st.take(r)
			if fresh == 0 {
				return
			}
		case <-over:
			return
		}
	}
}

// parkStuck is for when every update Telegram will give (pollLimit from the
// oldest unconfirmed one) is in hand or settled: those in hand keep the
// offset where it is, and nothing new can come in, a crisis message
// neither, until they settle. It parks the ones in hand longer than
// parkAfter while they are still being handled, counts them settled (their
// result then counts no more), and returns how many. Under mere load (a
// batch slower than the hold) no update is that old, and none is parked.
func (st *pollState) parkStuck() int {
	n, now := 0, st.p.Now()
	for id, h := range st.inflight {
		if now.Sub(h.since) < parkAfter {
			continue
		}
		if err := st.d.parkHeld(h.u); err != nil {
			st.report(fmt.Errorf("update %d holds up intake and could not be parked: %w", id, err))
			continue
		}
		delete(st.inflight, id)
		st.early[id] = true
		st.settled[id] = true
		n++
	}
	return n
}

// finish waits (a while) for what is in hand, then confirms what was
// settled, so a successor does not get it again.
func (st *pollState) finish() {
	deadline := time.NewTimer(20 * time.Second)
	defer deadline.Stop()
wait:
	for len(st.inflight) > 0 {
		select {
		case r := <-st.results:
			st.take(r)
		case <-deadline.C:
			break wait
		}
	}
	if len(st.inflight) > 0 || len(st.early) > 0 { // still in hand: their results must not block a worker
		go func() {
			for range st.results {
			}
		}()
	}
	st.advance()
	if st.offset != 0 {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		st.p.confirm(ctx, st.offset)
	}
}
