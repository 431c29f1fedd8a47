package scheduler

import (
	"testing"
	"time"
)

func ams(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, Amsterdam)
}

func TestCadenceOver24Months(t *testing.T) {
	c := DefaultCadence()
	left := time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
	slots := c.Slots(left)
	// weekly until 15 April 2026, every two weeks until 15 January 2027, monthly until 15 January 2028
	var weekly, biweekly, monthly int
	for i, s := range slots {
		if s.Hour() != 0 || s.Minute() != 0 || s.Location() != Amsterdam {
			t.Fatalf("slot %d = %v: want local midnight", i, s)
		}
		switch {
		case s.Before(ams(2026, 4, 15, 0, 0)):
			weekly++
		case s.Before(ams(2027, 1, 15, 0, 0)):
			biweekly++
		default:
			monthly++
		}
		if i == 0 {
			continue
		}
		prev := slots[i-1]
		var want time.Time
		switch {
		case s.Equal(ams(2026, 4, 15, 0, 0)), s.Equal(ams(2027, 1, 15, 0, 0)):
			continue // a phase starts on its own date
		case s.Before(ams(2026, 4, 15, 0, 0)):
			want = prev.AddDate(0, 0, 7)
		case s.Before(ams(2027, 1, 15, 0, 0)):
			want = prev.AddDate(0, 0, 14)
		default:
			want = prev.AddDate(0, 1, 0)
		}
		if !s.Equal(want) {
			t.Errorf("slot %d = %v, want %v", i, s, want)
		}
	}
	if weekly != 13 || biweekly != 20 || monthly != 12 {
		t.Errorf("got %d weekly, %d two-weekly, %d monthly slots; want 13, 20, 12", weekly, biweekly, monthly)
	}
	if end := c.End(left); !end.Equal(ams(2028, 1, 15, 0, 0)) {
		t.Errorf("end = %v, want 15 January 2028", end)
	}
	if _, _, ok := c.Slot(left, ams(2028, 1, 15, 0, 0)); ok {
		t.Error("a slot after the end of the follow-up")
	}
	if _, _, ok := c.Slot(left, ams(2026, 1, 14, 23, 0)); ok {
		t.Error("a slot before the student left school")
	}
	// the slot of a moment in the middle of a two-week period
	slot, next, ok := c.Slot(left, ams(2026, 5, 1, 12, 0))
	if !ok || !slot.Equal(ams(2026, 4, 29, 0, 0)) || !next.Equal(ams(2026, 5, 13, 0, 0)) {
		t.Errorf("slot of 1 May 2026 = %v..%v (%v), want 29 April..13 May", slot, next, ok)
	}
}

func TestParseCadence(t *testing.T) {
	c, err := ParseCadence("3d:1m, 1w:2m")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Phases) != 2 || c.Phases[0].Every != (Interval{Days: 3}) || c.Phases[1].Until != (Interval{Months: 2}) {
		t.Fatalf("parsed %+v", c.Phases)
	}
	for _, bad := range []string{"", "1w", "1x:3m", "0w:3m", "1w:3m,2w:2m"} {
		if _, err := ParseCadence(bad); err == nil {
			t.Errorf("ParseCadence(%q): want an error", bad)
		}
	}
	if q, err := ParseQuiet("22:00-07:30"); err != nil || q != [2]int{22 * 60, 7*60 + 30} {
		t.Errorf("ParseQuiet = %v, %v", q, err)
	}
}

func TestQuietHours(t *testing.T) {
	c := DefaultCadence()
	for _, tc := range []struct {
		at    time.Time
		quiet bool
	}{
		{ams(2026, 6, 1, 21, 29), false}, {ams(2026, 6, 1, 21, 30), true}, {ams(2026, 6, 2, 3, 0), true},
		{ams(2026, 6, 2, 8, 59), true}, {ams(2026, 6, 2, 9, 0), false}, {ams(2026, 6, 2, 15, 0), false},
	} {
		if got := c.InQuiet(tc.at); got != tc.quiet {
			t.Errorf("InQuiet(%v) = %v, want %v", tc.at, got, tc.quiet)
		}
	}
	// a check-in due in the evening at 22:00 waits for 09:00 the next morning
	c.Parts["late"] = 22 * 60
	if got, want := c.Due(ams(2026, 6, 1, 0, 0), 1, "late"), ams(2026, 6, 2, 9, 0); !got.Equal(want) {
		t.Errorf("due at 22:00 = %v, want %v", got, want)
	}
	// 02:00 the same night also goes to 09:00 that morning
	if got, want := c.OutOfQuiet(ams(2026, 6, 2, 2, 0)), ams(2026, 6, 2, 9, 0); !got.Equal(want) {
		t.Errorf("02:00 = %v, want %v", got, want)
	}
	if got := c.Due(ams(2026, 6, 1, 0, 0), 3, "evening"); !got.Equal(ams(2026, 6, 3, 19, 0)) {
		t.Errorf("Wednesday evening = %v", got)
	}
	if got := c.Due(ams(2026, 6, 1, 0, 0), -1, ""); !got.Equal(ams(2026, 6, 1, 15, 0)) {
		t.Errorf("no moment chosen = %v, want the slot's day at 15:00", got)
	}
}

func TestDueAcrossDST(t *testing.T) {
	c := DefaultCadence()
	c.Parts["late"] = 22 * 60
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		name string
		slot time.Time
		day  int
		part string
		want time.Time
	}{
		// March 2026: clocks go forward on Sunday 29 March at 02:00.
		{"Sunday morning before spring", ams(2026, 3, 19, 0, 0), 0, "morning", utc("2026-03-22T09:00:00Z")},
		{"Sunday morning on the spring change", ams(2026, 3, 26, 0, 0), 0, "morning", utc("2026-03-29T08:00:00Z")},
		{"Saturday late pushed into the short night", ams(2026, 3, 26, 0, 0), 6, "late", utc("2026-03-29T07:00:00Z")},
		{"Monday evening after spring", ams(2026, 3, 26, 0, 0), 1, "evening", utc("2026-03-30T17:00:00Z")},
		// October 2026: clocks go back on Sunday 25 October at 03:00.
		{"Sunday morning on the autumn change", ams(2026, 10, 22, 0, 0), 0, "morning", utc("2026-10-25T09:00:00Z")},
		{"Saturday late pushed into the long night", ams(2026, 10, 22, 0, 0), 6, "late", utc("2026-10-25T08:00:00Z")},
		{"Saturday evening before autumn", ams(2026, 10, 22, 0, 0), 6, "evening", utc("2026-10-24T17:00:00Z")},
		{"Sunday morning after autumn", ams(2026, 10, 29, 0, 0), 0, "morning", utc("2026-11-01T09:00:00Z")},
	} {
		got := c.Due(tc.slot, tc.day, tc.part)
		if !got.Equal(tc.want) {
			t.Errorf("%s: due %v (%v), want %v", tc.name, got.UTC(), got, tc.want)
		}
		if c.InQuiet(got) {
			t.Errorf("%s: due %v in quiet hours", tc.name, got)
		}
	}
	// Weekly slots keep local midnight across both changes.
	left := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, s := range c.Slots(left) {
		if s.Hour() != 0 {
			t.Fatalf("slot %v is not at local midnight", s)
		}
	}
}

func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{"CADENCE": "1w:1m,1m:6m", "QUIET_HOURS": "22:00-08:00", "REMIND_AFTER": "3h"}
	cfg, err := ConfigFromEnv(Config{}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Cadence.Phases) != 2 || cfg.Cadence.Quiet != [2]int{22 * 60, 8 * 60} || cfg.RemindAfter != 3*time.Hour ||
		cfg.Expiry != 48*time.Hour || cfg.Cadence.Zone.String() != "Europe/Amsterdam" {
		t.Fatalf("config %+v", cfg)
	}
	env["CADENCE"] = "weekly"
	if _, err := ConfigFromEnv(Config{}, func(k string) string { return env[k] }); err == nil {
		t.Fatal("a bad CADENCE was accepted")
	}
}
