package clock_test

import (
	"testing"
	"time"

	"github.com/lijntje/lijntje/clock"
)

func TestStoppedStandsStillUntilMoved(t *testing.T) {
	start := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	c := clock.Stopped(start)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("Now = %v, want %v", got, start)
	}
	c.Advance(time.Hour)
	if got := c.Now(); !got.Equal(start.Add(time.Hour)) {
		t.Errorf("after Advance: %v", got)
	}
	later := start.AddDate(0, 0, 7)
	c.Set(later)
	if got := c.Now(); !got.Equal(later) {
		t.Errorf("after Set: %v", got)
	}
	c.Reset()
	if got := c.Now(); !got.Equal(start) {
		t.Errorf("after Reset: %v, want the start", got)
	}
}

func TestAtRunsFromStart(t *testing.T) {
	start := time.Now().Add(-100 * 24 * time.Hour)
	c := clock.At(start)
	near := func(got, want time.Time) bool { d := got.Sub(want); return d > -time.Minute && d < time.Minute }
	if got := c.Now(); !near(got, start) {
		t.Fatalf("Now = %v, want about %v", got, start)
	}
	c.Advance(7 * 24 * time.Hour)
	if got := c.Now(); !near(got, start.AddDate(0, 0, 7)) {
		t.Errorf("after Advance: %v", got)
	}
	c.Reset()
	if got := c.Now(); !near(got, time.Now()) {
		t.Errorf("after Reset: %v, want the wall clock", got)
	}
	if got := clock.Real().Now(); !near(got, time.Now()) {
		t.Errorf("Real: %v", got)
	}
	c.Set(start)
	if got := c.Now(); !near(got, start) {
		t.Errorf("after Set: %v", got)
	}
}
