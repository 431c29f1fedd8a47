package store_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// pipeHook counts the pipelines of lookups and finishes a Redis client sends
// and, while broken is set, fails them as a dropped connection does: no
// command gets a reply. (A new connection's own set-up pipeline passes.)
type pipeHook struct {
	pipelines atomic.Int64
	broken    atomic.Bool
}

var errConnDropped = errors.New("read tcp 127.0.0.1:6379: connection reset by peer")

func (h *pipeHook) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (h *pipeHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }
func (h *pipeHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if !fastPath(cmds) {
			return next(ctx, cmds)
		}
		h.pipelines.Add(1)
		if h.broken.Load() {
			for _, c := range cmds {
				c.SetErr(errConnDropped)
			}
			return errConnDropped
		}
		return next(ctx, cmds)
	}
}

// fastPath says whether cmds are lookups and finishes (MGET and SET).
func fastPath(cmds []redis.Cmder) bool {
	for _, c := range cmds {
		if n := c.Name(); n == "mget" || n == "set" {
			return true
		}
	}
	return false
}

// convScene is n students in a check-in on "mood", chats above 2^32, their
// conversations cached as the scheduler leaves them; and a hook on the
// store's Redis client.
func convScene(t *testing.T, n int) (*store.Store, *pipeHook, []int64, []store.Student, []int64) {
	t.Helper()
	now := time.Date(2026, 11, 28, 23, 0, 0, 0, time.UTC) // a Saturday, 23:00
	st := storetest.New(t, store.WithClock(func() time.Time { return now }))
	chats, students, checkins := make([]int64, n), make([]store.Student, n), make([]int64, n)
	for i := range n {
		chats[i] = 6_100_000_000 + int64(i)*7919
		students[i], checkins[i] = storetest.CheckinAt(t, st, chats[i], now, "mood")
	}
	h := &pipeHook{}
	st.Redis().AddHook(h)
	return st, h, chats, students, checkins
}

// finishAtOnce ends a tap in each chat at once (updates from first on), each
// caching its chat's conversation on the step after "mood".
func finishAtOnce(t *testing.T, st *store.Store, first int64, chats []int64, students []store.Student, checkins []int64) {
	t.Helper()
	calls := make([]func(), len(chats))
	for i := range chats {
		calls[i] = func() {
			c := store.Conv{Role: store.RoleStudent, ID: students[i].ID, Name: "Noor", CheckinID: checkins[i], Version: "v1", Step: "daytime"}
			st.Finish(context.Background(), first+int64(i), chats[i], &c)
		}
	}
	together(t, func() func() { return st.HoldRedis(false) }, st.QueuedRedis, calls)
}

// TestRedisRoundTripsAtOnceShareOnePipeline: the round trips of updates
// handled at the same moment go to Redis together, and each update still
// gets its own chat's conversation and its own mark.
func TestRedisRoundTripsAtOnceShareOnePipeline(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const n = 40
	st, h, chats, students, checkins := convScene(t, n)

	// Forty taps end at once: each caches its chat's conversation on the next step.
	finishAtOnce(t, st, 500_000_000, chats, students, checkins)
	if got := h.pipelines.Load(); got > 2 {
		t.Errorf("%d taps ending at once took %d round trips to Redis, want them together (at most 2)", n, got)
	}

	// The same forty again (Telegram's redelivery) and forty new taps, at once.
	h.pipelines.Store(0)
	type looked struct {
		seen bool
		conv store.Conv
		err  error
	}
	again, next := make([]looked, n), make([]looked, n)
	var calls []func()
	for i := range n {
		calls = append(calls, func() {
			a := &again[i]
			a.seen, a.conv, a.err = st.Lookup(ctx, int64(500_000_000+i), chats[i])
		}, func() {
			b := &next[i]
			b.seen, b.conv, b.err = st.Lookup(ctx, int64(600_000_000+i), chats[i])
		})
	}
	together(t, func() func() { return st.HoldRedis(false) }, st.QueuedRedis, calls)
	if got := h.pipelines.Load(); got > 2 {
		t.Errorf("%d updates arriving at once took %d round trips to Redis, want them together (at most 2)", 2*n, got)
	}
	for i := range n {
		if a := again[i]; a.err != nil || !a.seen {
			t.Errorf("chat %d: the redelivered update was seen %v (err %v), want seen", chats[i], a.seen, a.err)
		}
		b := next[i]
		if b.err != nil || b.seen {
			t.Errorf("chat %d: a new update was seen %v (err %v), want new", chats[i], b.seen, b.err)
			continue
		}
		if b.conv.ID != students[i].ID || b.conv.CheckinID != checkins[i] || b.conv.Step != "daytime" {
			t.Errorf("chat %d got the conversation of student %d, check-in %d on %q; want its own (%d, %d) on daytime",
				chats[i], b.conv.ID, b.conv.CheckinID, b.conv.Step, students[i].ID, checkins[i])
		}
	}
}

// TestDroppedPipelineLeavesNoStaleConversation: when the connection drops
// under a shared pipeline, no tap in it leaves its chat's old conversation
// cached (the next tap would find the old step), and an update that cannot
// reach Redis is handled from Postgres, which has the check-in where it is.
func TestDroppedPipelineLeavesNoStaleConversation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const n = 6
	st, h, chats, students, checkins := convScene(t, n)
	h.broken.Store(true)
	finishAtOnce(t, st, 700_000_000, chats, students, checkins)
	for _, chat := range chats {
		_, ok, err := st.CachedConv(ctx, chat)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			t.Errorf("chat %d: its old conversation is still cached after the pipeline failed", chat)
		}
	}
	seen, c, err := st.Lookup(ctx, 700_000_000, chats[0])
	if err != nil || seen {
		t.Fatalf("an update while Redis is unreachable: seen %v, err %v; want it handled from Postgres", seen, err)
	}
	if c.ID != students[0].ID || c.CheckinID != checkins[0] || c.Step != "mood" {
		t.Errorf("from Postgres: student %d, check-in %d on %q; want %d, %d on mood", c.ID, c.CheckinID, c.Step, students[0].ID, checkins[0])
	}
}

// TestBusyPipelinesDoNotHoldUpAnUpdate: when every pipeline is busy for long
// (a Redis that answers slowly), an update does not wait for them: its round
// trip goes on its own.
func TestBusyPipelinesDoNotHoldUpAnUpdate(t *testing.T) {
	t.Parallel()
	st, _, chats, students, _ := convScene(t, 1)
	release := st.HoldRedis(true)
	defer release()
	seen, c, err := st.Lookup(context.Background(), 800_000_000, chats[0])
	if err != nil || seen || c.ID != students[0].ID || c.Step != "mood" {
		t.Errorf("an update while every pipeline is busy: seen %v, student %d on %q, err %v; want student %d on mood",
			seen, c.ID, c.Step, err, students[0].ID)
	}
}

// TestFinishGivenUpWhileWaitingDropsTheConversation: a tap whose handling
// ends (shutdown) while its round trip waits for a pipeline does not leave
// its chat's old conversation cached.
func TestFinishGivenUpWhileWaitingDropsTheConversation(t *testing.T) {
	t.Parallel()
	st, _, chats, students, checkins := convScene(t, 1)
	release := st.HoldRedis(false)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		c := store.Conv{Role: store.RoleStudent, ID: students[0].ID, CheckinID: checkins[0], Version: "v1", Step: "daytime"}
		st.Finish(ctx, 900_000_000, chats[0], &c)
	})
	for st.QueuedRedis() < 1 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	wg.Wait()
	release()
	if _, ok, err := st.CachedConv(context.Background(), chats[0]); err != nil || ok {
		t.Errorf("after a tap's finish was given up: cached %v (err %v), want no conversation cached", ok, err)
	}
}

// TestKeyedTapFinishesWithoutAMark: a tap on a check-in's button is known by
// its step in Postgres, so its finish caches the chat's conversation on the
// next step and sets no mark: Telegram's redelivery of it is not seen in
// Redis (the record finds it a repeat). With no conversation to cache, its
// finish costs no round trip at all.
func TestKeyedTapFinishesWithoutAMark(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, h, chats, students, checkins := convScene(t, 2)
	c := store.Conv{Role: store.RoleStudent, ID: students[0].ID, Name: "Noor", CheckinID: checkins[0], Version: "v1", Step: "daytime"}
	st.FinishKeyed(ctx, chats[0], &c)
	seen, got, err := st.Lookup(ctx, 910_000_000, chats[0]) // the tap, redelivered
	if err != nil || seen {
		t.Errorf("the redelivered tap: seen %v, err %v; want not seen (no mark)", seen, err)
	}
	if got.ID != students[0].ID || got.CheckinID != checkins[0] || got.Step != "daytime" {
		t.Errorf("the cached conversation: student %d, check-in %d on %q; want %d, %d on daytime",
			got.ID, got.CheckinID, got.Step, students[0].ID, checkins[0])
	}
	h.pipelines.Store(0)
	st.FinishKeyed(ctx, chats[1], nil)
	if n := h.pipelines.Load(); n != 0 {
		t.Errorf("a keyed finish with nothing to cache took %d round trips to Redis, want none", n)
	}
}
