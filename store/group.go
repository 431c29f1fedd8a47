package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// The one-statement writes of concurrent updates are committed together
// (group commit): an update that arrives while others are being written
// waits for the next batch (turns.go), and each batch is one round trip and
// one commit (a pgx batch is one implicit transaction). The statements run
// one after another in the batch's transaction, so each sees the ones before
// it exactly as if they had been written one by one: a repeated update is
// still a duplicate, an answer to a step the batch has just moved past is
// still stale.
//
// Nothing is confirmed before its batch commits. When a statement fails, the
// whole batch rolls back and every update in it is written again on its own,
// so one bad update costs the others a round trip, never their answer. An
// update that finds every batch busy for longer than groupWait (batches
// stuck behind a lock) is written alone on a connection of its own, so a
// stuck batch never holds up the conversations that are not in it.
const (
	groupSlots   = 2  // batches in flight at once, each on one connection: one commits while the next fills
	groupMax     = 64 // the largest batch
	groupWait    = 50 * time.Millisecond
	groupTimeout = 30 * time.Second
)

// write is one update's recordSQL statement and, once run, its outcome.
type write struct {
	r    Record
	args []any
	res  Recorded
	err  error
}

// errNotRun is the outcome of a write whose batch ended without running it.
var errNotRun = errors.New("record update: its batch did not run")

func (s *Store) newGroup() *turns[*write] {
	return newTurns(groupSlots, groupMax, groupWait, s.runBatch)
}

// groupWrite runs r's recordSQL statement (arguments args) in a batch with
// whatever other updates are waiting, and returns its outcome once the batch
// has committed.
func (s *Store) groupWrite(ctx context.Context, r Record, args []any) (Recorded, error) {
	w := &write{r: r, args: args, err: errNotRun} // until its batch says otherwise
	ran, err := s.group.do(ctx, w)
	switch {
	case ran:
		return w.res, w.err
	case err != nil: // given up while waiting: nothing of it was written
		return Recorded{}, fmt.Errorf("record update: %w", err)
	default: // every batch busy for long: alone
		return s.recordRow(ctx, s.db, r, args)
	}
}

// scanCardTaps reads cardTapsSQL's rows into the outcomes of the writes at
// places taps of rows.
func scanCardTaps(br pgx.BatchResults, taps []int, rows []outcome) error {
	res, err := br.Query()
	if err != nil {
		return fmt.Errorf("record taps: %w", err)
	}
	defer res.Close()
	n := 0
	for res.Next() {
		if n == len(taps) {
			return fmt.Errorf("record taps: more rows than the %d taps", len(taps))
		}
		if err := res.Scan(rows[taps[n]].dest()...); err != nil {
			return fmt.Errorf("record taps: %w", err)
		}
		n++
	}
	if err := res.Err(); err != nil {
		return fmt.Errorf("record taps: %w", err)
	}
	if n != len(taps) {
		return fmt.Errorf("record taps: %d rows for %d taps", n, len(taps))
	}
	return nil
}

// runBatch writes batch in one round trip and one commit and sets each
// update's outcome; when the batch fails, it writes each on its own.
func (s *Store) runBatch(ctx context.Context, batch []*turn[*write]) {
	ctx, cancel := context.WithTimeout(ctx, groupTimeout)
	defer cancel()
	if len(batch) == 1 {
		w := batch[0].work
		w.res, w.err = s.recordRow(ctx, s.db, w.r, w.args)
		return
	}
	b := &pgx.Batch{}
	taps, tapArgs, together := cardTapsOf(batch) // first, in one statement
	if len(taps) > 0 {
		b.Queue(cardTapsSQL, tapArgs...)
	}
	for i, t := range batch {
		if !together[i] {
			b.Queue(t.work.r.statement(), t.work.args...)
		}
	}
	rows := make([]outcome, len(batch))
	br := s.db.SendBatch(ctx, b)
	var err error
	if len(taps) > 0 {
		err = scanCardTaps(br, taps, rows)
	}
	for i := range batch {
		if err != nil {
			break
		}
		if !together[i] {
			err = br.QueryRow().Scan(rows[i].dest()...)
		}
	}
	if cerr := br.Close(); err == nil {
		err = cerr // the commit's own outcome
	}
	for i, t := range batch {
		w := t.work
		if err != nil {
			// Rolled back. (If the connection broke at the commit, whether it
			// committed is unknown: written again, a committed update is then
			// a duplicate and its leased replies go out when the lease ends,
			// as after a crash.)
			w.res, w.err = s.recordRow(ctx, s.db, w.r, w.args)
			continue
		}
		w.res, w.err = recorded(w.r, rows[i])
	}
}
