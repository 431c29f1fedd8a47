package scheduler

import (
	"slices"
	"testing"
	"time"

	"github.com/lijntje/lijntje/severity"
	"github.com/lijntje/lijntje/store"
)

// Tuesday 2026-03-10 is a working day; Saturday 2026-03-28 to Sunday 2026-03-29 is
// the DST night (02:00 → 03:00); Friday 2026-10-23 ... Sunday 2026-10-25 the autumn one.
var (
	tuesdayNoon    = ams(2026, 3, 10, 14, 0)
	tuesdayEvening = ams(2026, 3, 10, 23, 0)
	saturdayNight  = ams(2026, 3, 28, 23, 0)
	dstNight       = time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)  // 03:30 CEST, just after the clock jumped
	autumnNight    = time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC) // 02:30 CET, the repeated hour
	mondayMorning  = ams(2026, 3, 30, 9, 0)
	tuesdayMorning = ams(2026, 3, 11, 9, 0)
	autumnMonday   = ams(2026, 10, 26, 9, 0)
	fridayEvening  = ams(2026, 3, 27, 17, 0)
)

const (
	own   = 1 // the student's coach, mon-fri 09:00-17:00
	onc   = 2 // on call
	coord = 3 // coordinator
)

func coaches(onCall bool) []store.Coach {
	cs := []store.Coach{
		{ID: own, Name: "Sanne", ChatID: 11, Hours: "mon-fri 09:00-17:00"},
		{ID: coord, Name: "Kees", ChatID: 13, Hours: "mon-fri 09:00-17:00", Coordinator: true},
	}
	if onCall {
		cs = append(cs, store.Coach{ID: onc, Name: "Omar", ChatID: 12, Hours: "always", OnCall: true})
	}
	return cs
}

func step(kind, sev string, onCall bool, delivered ...int64) store.AlertStep {
	level, err := severity.Parse(sev)
	if err != nil {
		panic(err)
	}
	return store.AlertStep{ID: 1, Kind: kind, AlertID: 7, StudentID: 5, StudentCoachID: own, Severity: level,
		Status: store.AlertOpen, Delivered: delivered, Coaches: coaches(onCall)}
}

func TestRouteAtEveryKindOfHour(t *testing.T) {
	const after = 30 * time.Minute
	type want struct {
		deliver []int64
		next    string // kind of the next step, "" for none
		due     time.Time
	}
	hours := []struct {
		name string
		at   time.Time
		// the next start of the coach's working hours from at
		nextStart time.Time
	}{
		{"weekday 14:00", tuesdayNoon, tuesdayNoon},
		{"weekday 23:00", tuesdayEvening, tuesdayMorning},
		{"friday 17:00", fridayEvening, mondayMorning},
		{"saturday 23:00", saturdayNight, mondayMorning},
		{"DST night 03:30", dstNight, mondayMorning},
		{"autumn DST night 02:30", autumnNight, autumnMonday},
	}
	for _, h := range hours {
		working := h.at.Equal(h.nextStart)
		cases := []struct {
			severity string
			onCall   bool
			want     want
		}{
			{"crisis", true, want{[]int64{own, onc}, StepEscalate, h.at.Add(after)}},
			{"crisis", false, want{[]int64{own}, StepEscalate, h.at.Add(after)}},
			{"urgent", true, func() want {
				if working {
					return want{[]int64{own}, StepEscalate, h.at.Add(after)}
				}
				return want{[]int64{onc}, StepEscalate, h.at.Add(after)}
			}()},
			{"urgent", false, want{[]int64{own}, StepEscalate, h.at.Add(after)}},
			{"attention", true, func() want {
				if working {
					return want{[]int64{own}, "", time.Time{}}
				}
				return want{nil, StepHeld, h.nextStart}
			}()},
			{"request", false, func() want {
				if working {
					return want{[]int64{own}, "", time.Time{}}
				}
				return want{nil, StepHeld, h.nextStart}
			}()},
		}
		for _, c := range cases {
			name := h.name + "/" + c.severity
			if c.onCall {
				name += "/on call"
			}
			t.Run(name, func(t *testing.T) {
				p := Route(step(StepRoute, c.severity, c.onCall), h.at, after, Amsterdam)
				if !slices.Equal(p.Deliver, c.want.deliver) {
					t.Errorf("deliver %v, want %v", p.Deliver, c.want.deliver)
				}
				if c.want.next == "" {
					if len(p.Next) != 0 {
						t.Errorf("next %v, want none", p.Next)
					}
					return
				}
				if len(p.Next) != 1 || p.Next[0].Kind != c.want.next || !p.Next[0].DueAt.Equal(c.want.due) {
					t.Errorf("next %v, want %s at %v", p.Next, c.want.next, c.want.due.In(Amsterdam))
				}
			})
		}
	}
}

func TestRouteHeldDeliversToCoach(t *testing.T) {
	p := Route(step(StepHeld, "attention", true), mondayMorning, time.Hour, Amsterdam)
	if !slices.Equal(p.Deliver, []int64{own}) || len(p.Next) != 0 {
		t.Fatalf("held step: %+v", p)
	}
	// A second signal while held does not deliver, it waits for the same step.
	p = Route(step(StepRoute, "attention", false), saturdayNight, time.Hour, Amsterdam)
	if len(p.Deliver) != 0 || p.Next[0].Kind != StepHeld {
		t.Fatalf("joined while held: %+v", p)
	}
	// Once the case is out, a route step only re-renders.
	p = Route(step(StepRoute, "attention", false, own), tuesdayNoon, time.Hour, Amsterdam)
	if len(p.Deliver) != 0 || len(p.Next) != 0 {
		t.Fatalf("grown case: %+v", p)
	}
}

func TestRouteTakenCaseOnlyRerenders(t *testing.T) {
	for _, kind := range []string{StepRoute, StepEscalate, StepHeld} {
		st := step(kind, "crisis", true, own)
		st.Status = store.AlertTaken
		if p := Route(st, saturdayNight, time.Hour, Amsterdam); len(p.Deliver) != 0 || len(p.Next) != 0 || p.Escalate {
			t.Errorf("%s on a taken case: %+v", kind, p)
		}
	}
}

func TestEscalationChain(t *testing.T) {
	const after = 30 * time.Minute
	at := saturdayNight
	// Urgent on a Saturday night with someone on call: on call first.
	st := step(StepRoute, "urgent", true)
	p := Route(st, at, after, Amsterdam)
	if !slices.Equal(p.Deliver, []int64{onc}) {
		t.Fatalf("route: %v", p.Deliver)
	}
	// Not taken on: the next in line are the coordinators.
	st = step(StepEscalate, "urgent", true, onc)
	p = Route(st, at.Add(after), after, Amsterdam)
	if !p.Escalate || !slices.Equal(p.Deliver, []int64{coord}) || p.Next[0].Kind != StepEscalate || !p.Next[0].DueAt.Equal(at.Add(2*after)) {
		t.Fatalf("first escalation: %+v", p)
	}
	// Still not taken on: everyone in line has it, the chain keeps going.
	st = step(StepEscalate, "urgent", true, onc, coord)
	st.EscalationLevel = 1
	p = Route(st, at.Add(2*after), after, Amsterdam)
	if !p.Escalate || len(p.Deliver) != 0 || len(p.Next) != 1 {
		t.Fatalf("second escalation: %+v", p)
	}
	// With no one on call, the coach's case goes to the coordinators.
	st = step(StepEscalate, "crisis", false, own)
	p = Route(st, at.Add(after), after, Amsterdam)
	if !slices.Equal(p.Deliver, []int64{coord}) {
		t.Fatalf("no on call: %+v", p)
	}
}

func TestUnreachableCoachFallsBackToCoordinators(t *testing.T) {
	st := step(StepRoute, "urgent", false)
	st.Coaches[0].ChatID = 0 // the coach never linked their chat
	p := Route(st, tuesdayNoon, time.Hour, Amsterdam)
	if !slices.Contains(p.Deliver, coord) {
		t.Fatalf("unreachable coach: %+v", p)
	}
}

func TestNextStart(t *testing.T) {
	h, _ := ParseHours("mon-fri 09:00-17:00, sat 10:00-12:00")
	for _, c := range []struct{ at, want time.Time }{
		{ams(2026, 3, 10, 8, 59), ams(2026, 3, 10, 9, 0)},
		{ams(2026, 3, 10, 16, 59), ams(2026, 3, 10, 16, 59)},
		{ams(2026, 3, 10, 17, 0), ams(2026, 3, 11, 9, 0)},
		{ams(2026, 3, 27, 18, 0), ams(2026, 3, 28, 10, 0)},
		{ams(2026, 3, 28, 12, 0), ams(2026, 3, 30, 9, 0)},
		{dstNight, ams(2026, 3, 30, 9, 0)},
	} {
		if got := h.NextStart(c.at); !got.Equal(c.want) {
			t.Errorf("NextStart(%v) = %v, want %v", c.at.In(Amsterdam), got.In(Amsterdam), c.want.In(Amsterdam))
		}
	}
	always, _ := ParseHours("always")
	if !always.NextStart(dstNight).Equal(dstNight) {
		t.Error("always: not now")
	}
	// A window that starts inside the DST gap opens when the clock has jumped.
	gap, _ := ParseHours("sun 02:30-04:00")
	if got, want := gap.NextStart(ams(2026, 3, 28, 12, 0)), time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("DST gap: %v, want %v", got, want)
	}
}
