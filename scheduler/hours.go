package scheduler

import (
	"fmt"
	"strings"
	"time"
)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(fmt.Sprintf("time zone %s: %v (build with time/tzdata)", name, err))
	}
	return loc
}

// Hours are a coach's working hours: ranges of days with a daily window.
type Hours struct {
	Always bool
	Ranges []HoursRange
	Zone   *time.Location // where the hours are read: the deployment's (TIMEZONE); nil: DefaultZone()
}

// In returns the hours read in zone.
func (h Hours) In(zone *time.Location) Hours {
	h.Zone = zone
	return h
}

func (h Hours) zone() *time.Location {
	if h.Zone == nil {
		return DefaultZone()
	}
	return h.Zone
}

// HoursRange is e.g. mon-fri 09:00-17:00.
type HoursRange struct {
	Days       [7]bool // by time.Weekday
	Start, End int     // minutes after midnight
}

var dayNames = map[string]time.Weekday{"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6,
	"zo": 0, "ma": 1, "di": 2, "wo": 3, "do": 4, "vr": 5, "za": 6}

// ParseHours reads "mon-fri 09:00-17:00", "always", or several ranges split by ",".
func ParseHours(spec string) (Hours, error) {
	spec = strings.ToLower(strings.TrimSpace(spec))
	if spec == "always" || spec == "altijd" {
		return Hours{Always: true}, nil
	}
	if spec == "" {
		return Hours{}, fmt.Errorf(`empty working hours: want e.g. "mon-fri 09:00-17:00" or "always"`)
	}
	var h Hours
	for _, part := range strings.Split(spec, ",") {
		fields := strings.Fields(part)
		if len(fields) != 2 {
			return Hours{}, fmt.Errorf(`%q: want DAYS HH:MM-HH:MM, e.g. "mon-fri 09:00-17:00"`, strings.TrimSpace(part))
		}
		var r HoursRange
		for _, d := range strings.Split(fields[0], "+") {
			from, to, isRange := strings.Cut(d, "-")
			a, ok1 := dayNames[from]
			b, ok2 := a, true
			if isRange {
				b, ok2 = dayNames[to]
			}
			if !ok1 || !ok2 {
				return Hours{}, fmt.Errorf("%q: unknown day (use mon, tue, wed, thu, fri, sat, sun)", d)
			}
			for i := a; ; i = (i + 1) % 7 {
				r.Days[i] = true
				if i == b {
					break
				}
			}
		}
		start, end, ok := strings.Cut(fields[1], "-")
		var err error
		if !ok {
			return Hours{}, fmt.Errorf("%q: want HH:MM-HH:MM", fields[1])
		}
		if r.Start, err = clock(start); err != nil {
			return Hours{}, err
		}
		if r.End, err = clock(end); err != nil {
			return Hours{}, err
		}
		if r.End <= r.Start {
			return Hours{}, fmt.Errorf("%q: the end must be after the start", fields[1])
		}
		h.Ranges = append(h.Ranges, r)
	}
	return h, nil
}

func clock(s string) (int, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("%q: want HH:MM", s)
	}
	return t.Hour()*60 + t.Minute(), nil
}

// Contains reports whether t falls inside the working hours (in their zone).
func (h Hours) Contains(t time.Time) bool {
	if h.Always {
		return true
	}
	t = t.In(h.zone())
	m := t.Hour()*60 + t.Minute()
	for _, r := range h.Ranges {
		if r.Days[t.Weekday()] && m >= r.Start && m < r.End {
			return true
		}
	}
	return false
}

// NextStart returns the first moment at or after t inside the working hours:
// t itself when t is inside them. Hours without any range (which ParseHours
// does not produce) have no next start: t is returned, so nothing waits forever.
func (h Hours) NextStart(t time.Time) time.Time {
	if h.Always || len(h.Ranges) == 0 || h.Contains(t) {
		return t
	}
	zone := h.zone()
	local := t.In(zone)
	var best time.Time
	for i := 0; i <= 7; i++ {
		day := time.Date(local.Year(), local.Month(), local.Day()+i, 0, 0, 0, 0, zone)
		for _, r := range h.Ranges {
			if !r.Days[day.Weekday()] {
				continue
			}
			// time.Date normalizes a start inside a DST gap to the first valid moment.
			start := time.Date(day.Year(), day.Month(), day.Day(), r.Start/60, r.Start%60, 0, 0, zone)
			if start.Before(t) {
				continue
			}
			if best.IsZero() || start.Before(best) {
				best = start
			}
		}
		if !best.IsZero() {
			return best
		}
	}
	return t
}
