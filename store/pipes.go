package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// The fast path's Redis round trips of concurrent updates (Lookup at the
// start of each, Finish at its end) share one pipeline, as their Postgres
// writes share one commit (group.go): an update that arrives while others'
// round trips are in flight waits for the next pipeline (turns.go). Each
// caller still waits for its own replies, so a chat's Lookup and Finish stay
// in order, and nothing is written later than it would be alone. Redis runs
// a pipeline's commands one after another; two commands of one pipeline are
// never about the same chat's conversation, since a chat's updates are
// handled one at a time.
//
// A round trip that finds every pipeline busy for longer than pipeWait (a
// Redis that answers slowly) goes alone on a connection of its own, as every
// round trip did before, so a slow pipeline holds nobody up for long.
const (
	pipeSlots = 2   // pipelines in flight at once, each on one connection
	pipeMax   = 128 // the most round trips in one pipeline
	pipeWait  = 20 * time.Millisecond
)

// redisOp is one update's Redis round trip: a lookup (the update's mark and
// the chat's conversation) or a finish (with mark, the mark set; with conv,
// the conversation cached).
type redisOp struct {
	lookup, mark     bool
	updateID, chatID int64
	conv             []byte // finish: the conversation to cache (JSON); nil: none

	vals []any // lookup: the mark and the conversation, nil where none
	err  error // lookup: the round trip failed; finish: a command failed
}

// errPipeNotRun is the outcome of a round trip whose pipeline ended without it.
var errPipeNotRun = errors.New("redis: its pipeline did not run")

func (s *Store) newPipes() *turns[*redisOp] {
	return newTurns(pipeSlots, pipeMax, pipeWait, s.runPipe)
}

// roundTrip does op in a pipeline shared with whatever other round trips are
// waiting, or alone when every pipeline stays busy; op.err says how it went.
func (s *Store) roundTrip(ctx context.Context, op *redisOp) {
	op.err = errPipeNotRun // until its pipeline says otherwise
	ran, err := s.pipes.do(ctx, op)
	switch {
	case ran:
	case err != nil: // given up while waiting: nothing of it was sent
		op.err = err
	default:
		s.runPipe(ctx, []*turn[*redisOp]{{work: op}})
	}
}

// runPipe sends the round trips of batch as one pipeline and sets each one's outcome.
func (s *Store) runPipe(ctx context.Context, batch []*turn[*redisOp]) {
	pipe := s.rdb.Pipeline()
	lookups := make([]*redis.SliceCmd, len(batch))
	finishes := make([][2]*redis.StatusCmd, len(batch))
	for i, t := range batch {
		op := t.work
		if op.lookup {
			lookups[i] = pipe.MGet(ctx, s.key.update(s.bot, op.updateID), s.key.conv(op.chatID))
			continue
		}
		if op.mark {
			finishes[i][0] = pipe.Set(ctx, s.key.update(s.bot, op.updateID), 1, updateTTL)
		}
		if op.conv != nil {
			finishes[i][1] = pipe.Set(ctx, s.key.conv(op.chatID), op.conv, convTTL)
		}
	}
	_, _ = pipe.Exec(ctx) // each command keeps its own error
	for i, t := range batch {
		op := t.work
		if op.lookup {
			op.vals, op.err = lookups[i].Result()
			continue
		}
		op.err = nil
		for _, c := range finishes[i] {
			if c != nil && op.err == nil {
				op.err = c.Err()
			}
		}
	}
}

// lookupConv is Lookup's round trip: whether updateID was handled before,
// and chatID's cached conversation (ok false: none, damaged, or Redis away).
func (s *Store) lookupConv(ctx context.Context, updateID, chatID int64) (seen bool, c Conv, ok bool) {
	op := &redisOp{lookup: true, updateID: updateID, chatID: chatID}
	s.roundTrip(ctx, op)
	if op.err != nil || len(op.vals) != 2 {
		return false, Conv{}, false
	}
	if op.vals[0] != nil {
		return true, Conv{}, true
	}
	v, isString := op.vals[1].(string)
	if !isString || json.Unmarshal([]byte(v), &c) != nil {
		return false, Conv{}, false
	}
	return false, c, true
}

// Finish is the fast path's last step, in one Redis round trip (shared with
// other updates'): the update is marked handled and, when conv is not nil,
// the chat's conversation cached. When conv was to be cached and may not
// have been, the cached conversation is dropped: better none than a stale one.
func (s *Store) Finish(ctx context.Context, updateID, chatID int64, conv *Conv) {
	s.finish(ctx, &redisOp{mark: true, updateID: updateID, chatID: chatID}, conv)
}

// FinishKeyed is Finish for an update whose record was keyed by its step
// (Record.KeyedByStep, a tap on a check-in's button): Postgres knows a
// repeat of it by its step, so it gets no mark, and only conv (when not nil)
// is cached.
func (s *Store) FinishKeyed(ctx context.Context, chatID int64, conv *Conv) {
	s.finish(ctx, &redisOp{chatID: chatID}, conv)
}

// finish sends op, a finish, with conv (nil: none) to cache; with neither a
// mark to set nor a conversation to cache, it sends nothing.
func (s *Store) finish(ctx context.Context, op *redisOp, conv *Conv) {
	if conv != nil {
		op.conv, _ = json.Marshal(conv) // nil when it cannot be encoded: only the mark goes, if any
	}
	if op.mark || op.conv != nil {
		s.roundTrip(ctx, op)
	}
	if conv != nil && (op.conv == nil || op.err != nil) {
		// Even when ctx has ended (given up while waiting), within Redis's own timeouts.
		_ = s.ForgetConv(context.WithoutCancel(ctx), op.chatID)
	}
}
