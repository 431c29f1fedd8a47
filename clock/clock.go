// Package clock is Lijntje's one clock: the wall clock, the wall clock moved
// to another start (tests, the demo's "fast-forward"), or a clock that stands
// still until it is moved (tests that step through time).
//
// Everything else takes a func() time.Time; pass a Clock's Now.
package clock

import (
	"sync"
	"time"
)

// Clock is the wall clock plus an offset, or a stopped clock. It is safe for
// concurrent use. Make one with Real, At or Stopped.
type Clock struct {
	mu      sync.Mutex
	stopped bool
	offset  time.Duration // running: how far ahead of the wall clock
	t       time.Time     // stopped: the time it shows
	start   time.Time     // where Reset goes back to (stopped)
}

// Real returns the wall clock (until Advance or Set moves it).
func Real() *Clock { return &Clock{} }

// At returns a clock that runs at the wall clock's pace from start.
func At(start time.Time) *Clock { return &Clock{offset: time.Until(start)} }

// Stopped returns a clock standing at start until Advance or Set moves it.
func Stopped(start time.Time) *Clock { return &Clock{stopped: true, t: start, start: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return c.t
	}
	return time.Now().Add(c.offset)
}

// Advance moves the clock ahead by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		c.t = c.t.Add(d)
		return
	}
	c.offset += d
}

// Set moves the clock to t; a running clock runs on from there.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		c.t = t
		return
	}
	c.offset = time.Until(t)
}

// Reset moves a running clock back to the wall clock, and a stopped clock
// back to its start.
func (c *Clock) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		c.t = c.start
		return
	}
	c.offset = 0
}
