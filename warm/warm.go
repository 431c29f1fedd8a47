// Package warm runs short tasks each on a goroutine of its own, as `go f()`
// does, but hands a task to a goroutine that has just finished another one
// when such a goroutine is waiting. On the tap's path (a chat's updates, the
// answer to a tap, a send) a new goroutine grows its stack through the same
// deep calls (HTTP, JSON, Postgres) every time: about 8% of the serving process's
// CPU in the benchmark went to copying stacks. A reused goroutine keeps its
// grown stack.
//
// A task never waits for a busy goroutine: when none is idle, it gets a new
// one. So Go behaves like `go f()` for the caller: same concurrency, no queue,
// and a task that blocks holds up nothing else.
package warm

import (
	"sync/atomic"
	"time"
)

// Goroutines reuses goroutines for short tasks. Its zero value is not usable:
// make one with New. It is safe for concurrent use.
type Goroutines struct {
	idle    chan func() // unbuffered: a send succeeds only when a goroutine waits
	after   time.Duration
	maxIdle int32
	waiting atomic.Int32 // goroutines idle or about to be
}

// New makes Goroutines that keep at most maxIdle (at least 1) goroutines
// waiting for a task, each for at most idleFor (at least a millisecond): a
// burst of tasks leaves no more than that behind.
func New(idleFor time.Duration, maxIdle int) *Goroutines {
	return &Goroutines{idle: make(chan func()), after: max(idleFor, time.Millisecond), maxIdle: int32(max(maxIdle, 1))}
}

// Go runs f on a waiting goroutine, or on a new one when none is waiting.
// Like `go f()`, a panic in f ends the program; f recovers what it must.
func (g *Goroutines) Go(f func()) {
	select {
	case g.idle <- f:
	default:
		go g.run(f)
	}
}

// run runs f, then the tasks handed to it, until it waits idle too long.
func (g *Goroutines) run(f func()) {
	t := time.NewTimer(g.after)
	defer t.Stop()
	for {
		f()
		f = nil // nothing of the task stays reachable while idle
		if g.waiting.Add(1) > g.maxIdle {
			g.waiting.Add(-1)
			return
		}
		t.Reset(g.after)
		if f = g.wait(t); f == nil {
			return
		}
	}
}

// idleFrame is the stack a goroutine holds while it waits for a task. The
// garbage collector halves the stack of a goroutine that uses less than a
// quarter of it while it waits (runtime.shrinkstack), and the next task
// grows it again by copying: with a GC every few milliseconds under load,
// a reused goroutine lost what it was kept for. Waiting with this much in
// use keeps stacks of up to four times as much: 64 KB, more than a tap's
// deepest path (HTTP, JSON, templates, Postgres) needs.
const idleFrame = 16 << 10

// wait returns the next task, or nil when none came within t. It waits in
// a frame of idleFrame bytes (see there).
//
//go:noinline
func (g *Goroutines) wait(t *time.Timer) func() {
	var frame [idleFrame]byte
	defer use(frame[:])
	select {
	case f := <-g.idle:
		g.waiting.Add(-1)
		return f
	case <-t.C:
		g.waiting.Add(-1)
		return nil
	}
}

// use keeps a frame on the stack (the compiler drops an unused one).
//
//go:noinline
func use(b []byte) byte { return b[len(b)-1] }
