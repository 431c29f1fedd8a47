package bot

import (
	"testing"
	"time"
)

func TestParseUntil(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, amsterdam) // a Tuesday
	end := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d+1, 0, 0, 0, 0, amsterdam) }
	for _, c := range []struct {
		in   string
		want time.Time // zero: refused
	}{
		{"14-12", end(2026, 12, 14)},
		{"14/12", end(2026, 12, 14)},
		{"14.12.2026", end(2026, 12, 14)},
		{"14-12-26", end(2026, 12, 14)},
		{"2026-12-14", end(2026, 12, 14)},
		{"1-12", end(2026, 12, 1)},   // today: until tonight
		{"30-11", end(2027, 11, 30)}, // yesterday, without a year: next year's
		{"5-1", end(2027, 1, 5)},     // after new year
		{"30-11-2026", time.Time{}},  // past
		{"31-02", time.Time{}},
		{"14-13", time.Time{}},
		{"morgen", time.Time{}},
		{"", time.Time{}},
		{"14-12-2030", time.Time{}}, // more than a year ahead
	} {
		got, ok := parseUntil(c.in, now)
		if ok != !c.want.IsZero() || (ok && !got.Equal(c.want)) {
			t.Errorf("parseUntil(%q) = %v, %v; want %v", c.in, got, ok, c.want)
		}
	}
}

func FuzzParseUntil(f *testing.F) {
	for _, s := range []string{"14-12", "2026-12-14", "31/02/2026", "1.1", "0-0-0", "9999-99-99"} {
		f.Add(s)
	}
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, amsterdam)
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseUntil(s, now)
		if ok && (!got.After(now) || got.After(now.AddDate(1, 0, 1))) {
			t.Errorf("parseUntil(%q) = %v: not within the coming year", s, got)
		}
	})
}
