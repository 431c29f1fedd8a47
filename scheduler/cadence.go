package scheduler

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Interval is a step of the calendar: some days, or some calendar months.
type Interval struct {
	Days   int
	Months int
}

func (i Interval) add(t time.Time, n int) time.Time { return t.AddDate(0, n*i.Months, n*i.Days) }

func (i Interval) String() string {
	switch {
	case i.Months > 0:
		return strconv.Itoa(i.Months) + "m"
	case i.Days%7 == 0:
		return strconv.Itoa(i.Days/7) + "w"
	}
	return strconv.Itoa(i.Days) + "d"
}

// Phase is one stretch of the cadence: a check-in every Every until Until
// after the student left school.
type Phase struct {
	Every Interval
	Until Interval
}

// Cadence is how often check-ins come, counted from the day a student left
// school, at which moment of the week, and when never.
type Cadence struct {
	Phases []Phase        // in order; the follow-up ends at the last Until
	Zone   *time.Location // where the moment and quiet hours are read (default DefaultZone)
	Quiet  [2]int         // quiet hours, minutes after midnight: from, to (default 21:30, 09:00)
	Parts  map[string]int // parts of the day the student can choose, minutes after midnight
	Part   string         // the part used when the student chose none (default "afternoon")
}

// DefaultCadence is weekly for 3 months, every two weeks until month 12,
// monthly until month 24; quiet hours 21:30–09:00 in DefaultZone.
func DefaultCadence() Cadence {
	c, _ := ParseCadence(DefaultCadenceSpec)
	c.Zone = DefaultZone()
	c.Quiet = [2]int{21*60 + 30, 9 * 60}
	c.Parts = map[string]int{"morning": 10 * 60, "afternoon": 15 * 60, "evening": 19 * 60}
	c.Part = "afternoon"
	return c
}

// DefaultCadenceSpec is the default cadence in the CADENCE format.
const DefaultCadenceSpec = "1w:3m,2w:12m,1m:24m"

// ParseCadence reads "EVERY:UNTIL,..." with units d (days), w (weeks) and m
// (months), e.g. "1w:3m,2w:12m,1m:24m". Only the phases are set.
func ParseCadence(spec string) (Cadence, error) {
	var c Cadence
	var last time.Time
	base := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, part := range strings.Split(spec, ",") {
		every, until, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok {
			return Cadence{}, fmt.Errorf("cadence %q: want EVERY:UNTIL, e.g. 1w:3m", part)
		}
		e, err := parseInterval(every)
		if err != nil {
			return Cadence{}, fmt.Errorf("cadence %q: %w", part, err)
		}
		u, err := parseInterval(until)
		if err != nil {
			return Cadence{}, fmt.Errorf("cadence %q: %w", part, err)
		}
		end := u.add(base, 1)
		if !end.After(last) {
			return Cadence{}, fmt.Errorf("cadence %q: each phase must end after the one before", part)
		}
		last = end
		c.Phases = append(c.Phases, Phase{Every: e, Until: u})
	}
	return c, nil
}

func parseInterval(s string) (Interval, error) {
	s = strings.TrimSpace(s)
	if len(s) < 2 {
		return Interval{}, fmt.Errorf("%q: want a number and d, w or m", s)
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n <= 0 {
		return Interval{}, fmt.Errorf("%q: want a positive number and d, w or m", s)
	}
	switch s[len(s)-1] {
	case 'd':
		return Interval{Days: n}, nil
	case 'w':
		return Interval{Days: 7 * n}, nil
	case 'm':
		return Interval{Months: n}, nil
	}
	return Interval{}, fmt.Errorf("%q: unit must be d, w or m", s)
}

// ParseQuiet reads quiet hours "21:30-09:00".
func ParseQuiet(spec string) ([2]int, error) {
	from, to, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return [2]int{}, fmt.Errorf("quiet hours %q: want HH:MM-HH:MM", spec)
	}
	a, err := clock(from)
	if err != nil {
		return [2]int{}, err
	}
	b, err := clock(to)
	if err != nil {
		return [2]int{}, err
	}
	return [2]int{a, b}, nil
}

func (c Cadence) zone() *time.Location {
	if c.Zone == nil {
		return DefaultZone()
	}
	return c.Zone
}

// start is midnight of the day the student left school, in the zone.
func (c Cadence) start(left time.Time) time.Time {
	return time.Date(left.Year(), left.Month(), left.Day(), 0, 0, 0, 0, c.zone())
}

// End is when the follow-up of a student who left school on left ends.
func (c Cadence) End(left time.Time) time.Time {
	if len(c.Phases) == 0 {
		return c.start(left)
	}
	return c.Phases[len(c.Phases)-1].Until.add(c.start(left), 1)
}

// Slot returns the start of the cadence period that contains t (the slot a
// check-in is keyed on) and of the next one. ok is false before the first
// slot and from the end of the follow-up on.
func (c Cadence) Slot(left, t time.Time) (slot, next time.Time, ok bool) {
	from := c.start(left)
	if t.Before(from) {
		return time.Time{}, time.Time{}, false
	}
	for _, p := range c.Phases {
		until := p.Until.add(c.start(left), 1)
		if !t.Before(until) {
			from = until // the next phase starts where this one ended
			continue
		}
		n := periods(p.Every, from, t)
		slot = p.Every.add(from, n)
		next = p.Every.add(from, n+1)
		if next.After(until) {
			next = until
		}
		return slot, next, true
	}
	return time.Time{}, time.Time{}, false
}

// periods is how many whole steps of every fit from from up to t (inclusive of t).
func periods(every Interval, from, t time.Time) int {
	// estimate, then correct: calendar months vary in length
	days := t.Sub(from).Hours() / 24
	step := float64(every.Days) + 30.44*float64(every.Months)
	n := int(days / step)
	for n > 0 && every.add(from, n).After(t) {
		n--
	}
	for !every.add(from, n+1).After(t) {
		n++
	}
	return n
}

// Slots lists every slot start from left until the end of the follow-up.
func (c Cadence) Slots(left time.Time) []time.Time {
	var out []time.Time
	t := c.start(left)
	end := c.End(left)
	for t.Before(end) {
		s, next, ok := c.Slot(left, t)
		if !ok {
			break
		}
		out = append(out, s)
		t = next
	}
	return out
}

// Due is when the check-in of the period starting at slot (and ending at
// next) is due: the first time on or after the slot that falls on the
// student's day (day < 0: any day) at their part of the day, pushed out of
// quiet hours.
func (c Cadence) Due(slot time.Time, day int, part string) time.Time {
	z := c.zone()
	at, ok := c.Parts[part]
	if !ok {
		at = c.Parts[c.Part]
	}
	s := slot.In(z)
	d := time.Date(s.Year(), s.Month(), s.Day(), 0, 0, 0, 0, z)
	if day >= 0 && day <= 6 {
		d = d.AddDate(0, 0, (day-int(d.Weekday())+7)%7)
	}
	due := time.Date(d.Year(), d.Month(), d.Day(), at/60, at%60, 0, 0, z)
	return c.OutOfQuiet(due)
}

// InQuiet reports whether t falls in quiet hours.
func (c Cadence) InQuiet(t time.Time) bool {
	if c.Quiet[0] == c.Quiet[1] {
		return false
	}
	l := t.In(c.zone())
	m := l.Hour()*60 + l.Minute()
	from, to := c.Quiet[0], c.Quiet[1]
	if from < to {
		return m >= from && m < to
	}
	return m >= from || m < to
}

// OutOfQuiet moves t in quiet hours to their end (09:00 by default), in
// local time, whatever the UTC offset is that morning.
func (c Cadence) OutOfQuiet(t time.Time) time.Time {
	if !c.InQuiet(t) {
		return t
	}
	z := c.zone()
	l := t.In(z)
	to := c.Quiet[1]
	end := time.Date(l.Year(), l.Month(), l.Day(), to/60, to%60, 0, 0, z)
	if !end.After(t) {
		end = time.Date(l.Year(), l.Month(), l.Day()+1, to/60, to%60, 0, 0, z)
	}
	return end
}
