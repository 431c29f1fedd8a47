package store

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// group commits the one-statement writes of concurrent updates together
// (group commit): an update that arrives while others are being written waits
// for the next batch, and each batch is one round trip and one commit (a pgx
// batch is one implicit transaction). The statements run one after another
// in the batch's transaction, so each sees the ones before it exactly as if
// they had been written one by one: a repeated update is still a duplicate,
// an answer to a step the batch has just moved past is still stale.
//
// Nothing is confirmed before its batch commits. When a statement fails, the
// whole batch rolls back and every update in it is written again on its own,
// so one bad update costs the others a round trip, never their answer.
//
// There is no background goroutine: the writers themselves take turns (at
// most groupSlots batches in flight); a writer whose update another writer
// has taken into its batch waits for that batch. With nothing in flight an
// update is written at once, alone, as before. An update that finds every
// batch busy for longer than groupWait (batches stuck behind a lock) is
// written alone on a connection of its own, so a stuck batch never holds up
// the conversations that are not in it.
type group struct {
	mu    sync.Mutex
	queue []*groupReq
	slots chan struct{}
	wait  time.Duration // 0: never write alone (the store's tests, to form a batch)
}

const (
	groupSlots   = 4  // batches in flight at once, each on one connection
	groupMax     = 64 // the largest batch
	groupWait    = 50 * time.Millisecond
	groupTimeout = 30 * time.Second
)

type groupReq struct {
	r     Record
	args  []any
	taken bool // in a batch (under group.mu)
	done  chan struct{}
	res   Recorded
	err   error
}

func newGroup() *group { return &group{slots: make(chan struct{}, groupSlots), wait: groupWait} }

// groupWrite runs r's recordSQL statement (arguments args) in a batch with
// whatever other updates are waiting, and returns its outcome once the batch
// has committed.
func (s *Store) groupWrite(ctx context.Context, r Record, args []any) (Recorded, error) {
	g := s.group
	req := &groupReq{r: r, args: args, done: make(chan struct{})}
	g.mu.Lock()
	g.queue = append(g.queue, req)
	wait := g.wait
	g.mu.Unlock()
	var alone <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		alone = t.C
	}
	for {
		g.mu.Lock()
		taken := req.taken
		g.mu.Unlock()
		if taken { // in a batch: its outcome is known when the batch ends
			<-req.done
			return req.res, req.err
		}
		select {
		case g.slots <- struct{}{}:
			batch := g.take()
			if len(batch) > 0 {
				s.runBatch(context.WithoutCancel(ctx), batch)
			}
			<-g.slots
		case <-alone:
			if g.withdraw(req) {
				return s.recordRow(ctx, s.db, r, args)
			}
		case <-ctx.Done():
			if g.withdraw(req) { // nothing of it was written
				return Recorded{}, fmt.Errorf("record update: %w", ctx.Err())
			}
		}
	}
}

// take takes the oldest waiting updates, at most groupMax, as a batch.
func (g *group) take() []*groupReq {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := min(len(g.queue), groupMax)
	batch := append([]*groupReq(nil), g.queue[:n]...)
	g.queue = append(g.queue[:0:0], g.queue[n:]...)
	for _, q := range batch {
		q.taken = true
	}
	return batch
}

// withdraw takes req out of the queue if no batch has taken it yet.
func (g *group) withdraw(req *groupReq) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if req.taken {
		return false
	}
	for i, q := range g.queue {
		if q == req {
			g.queue = append(g.queue[:i:i], g.queue[i+1:]...)
			break
		}
	}
	return true
}

// runBatch writes batch in one round trip and one commit and hands each
// update its outcome; when the batch fails, it writes each on its own.
func (s *Store) runBatch(ctx context.Context, batch []*groupReq) {
	ctx, cancel := context.WithTimeout(ctx, groupTimeout)
	defer cancel()
	defer func() {
		for _, q := range batch {
			close(q.done)
		}
	}()
	if len(batch) == 1 {
		q := batch[0]
		q.res, q.err = s.recordRow(ctx, s.db, q.r, q.args)
		return
	}
	b := &pgx.Batch{}
	for _, q := range batch {
		b.Queue(recordSQL, q.args...)
	}
	type row struct {
		owned, handled, advanced bool
		ids                      []int64
	}
	rows := make([]row, len(batch))
	br := s.db.SendBatch(ctx, b)
	var err error
	for i := range batch {
		rw := &rows[i]
		if err = br.QueryRow().Scan(&rw.owned, &rw.handled, &rw.advanced, &rw.ids); err != nil {
			break
		}
	}
	if cerr := br.Close(); err == nil {
		err = cerr // the commit's own outcome
	}
	if err != nil {
		// Rolled back. (If the connection broke at the commit, whether it
		// committed is unknown: written again, a committed update is then
		// a duplicate and its leased replies go out when the lease ends, as
		// after a crash.)
		for _, q := range batch {
			q.res, q.err = s.recordRow(ctx, s.db, q.r, q.args)
		}
		return
	}
	for i, q := range batch {
		rw := rows[i]
		q.res, q.err = recorded(q.r, rw.owned, rw.handled, rw.advanced, rw.ids)
	}
}
