package scheduler

import (
	"slices"
	"testing"
	"time"

	"github.com/lijntje/lijntje/store"
)

const standIn = 4 // stands in for own; works mon-fri 09:00-17:00

func withStandIn(st store.AlertStep) store.AlertStep {
	st.StandInID = standIn
	st.Coaches = append(st.Coaches, store.Coach{ID: standIn, Name: "Ahmed", ChatID: 14, Hours: "mon-fri 09:00-17:00"})
	return st
}

func TestStandInGetsTheCoachsCases(t *testing.T) {
	const after = 30 * time.Minute
	for _, c := range []struct {
		name     string
		st       store.AlertStep
		at       time.Time
		deliver  []int64
		nextKind string
	}{
		{"urgent in hours", withStandIn(step(StepRoute, "urgent", true)), tuesdayNoon, []int64{standIn}, StepEscalate},
		{"urgent at night: on call", withStandIn(step(StepRoute, "urgent", true)), tuesdayEvening, []int64{onc}, StepEscalate},
		{"crisis: stand-in and on call", withStandIn(step(StepRoute, "crisis", true)), tuesdayNoon, []int64{standIn, onc}, StepEscalate},
		{"attention held for the stand-in's hours", withStandIn(step(StepRoute, "attention", false)), tuesdayEvening, nil, StepHeld},
		{"held step goes to the stand-in", withStandIn(step(StepHeld, "attention", false)), tuesdayMorning, []int64{standIn}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := Route(c.st, c.at, after, Amsterdam)
			if !slices.Equal(p.Deliver, c.deliver) {
				t.Errorf("deliver %v, want %v", p.Deliver, c.deliver)
			}
			kind := ""
			if len(p.Next) > 0 {
				kind = p.Next[0].Kind
			}
			if kind != c.nextKind {
				t.Errorf("next %q, want %q", kind, c.nextKind)
			}
		})
	}
	// A stand-in without a linked chat does not count: the coach gets the case.
	st := withStandIn(step(StepRoute, "urgent", false))
	st.Coaches[len(st.Coaches)-1].ChatID = 0
	if p := Route(st, tuesdayNoon, after, Amsterdam); !slices.Equal(p.Deliver, []int64{own}) {
		t.Errorf("unlinked stand-in: deliver %v, want the coach", p.Deliver)
	}
}

func TestRemindOnceAWorkingDay(t *testing.T) {
	open := step(StepRemind, "urgent", false)
	taken := step(StepRemind, "urgent", false)
	taken.Status, taken.TakenBy = store.AlertTaken, coord
	closed := step(StepRemind, "urgent", false)
	closed.Status = store.AlertClosed
	friday := ams(2026, 3, 13, 11, 0)
	for _, c := range []struct {
		name   string
		st     store.AlertStep
		at     time.Time
		remind []int64
		next   time.Time
	}{
		{"open, in hours: the coach, again tomorrow at 09:00", open, tuesdayNoon, []int64{own}, ams(2026, 3, 11, 9, 0)},
		{"taken: who took it", taken, tuesdayNoon, []int64{coord}, ams(2026, 3, 11, 9, 0)},
		{"at night: waits for the morning", open, tuesdayEvening, nil, ams(2026, 3, 11, 9, 0)},
		{"friday: next on monday", open, friday, []int64{own}, ams(2026, 3, 16, 9, 0)},
		{"closed: nothing", closed, tuesdayNoon, nil, time.Time{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := Route(c.st, c.at, 30*time.Minute, Amsterdam)
			if !slices.Equal(p.Remind, c.remind) {
				t.Errorf("remind %v, want %v", p.Remind, c.remind)
			}
			var next time.Time
			if len(p.Next) > 0 {
				if p.Next[0].Kind != StepRemind {
					t.Errorf("next step %q, want remind", p.Next[0].Kind)
				}
				next = p.Next[0].DueAt
			}
			if !next.Equal(c.next) {
				t.Errorf("next at %v, want %v", next, c.next)
			}
			if len(p.Deliver) > 0 {
				t.Errorf("a reminder delivered the case anew to %v", p.Deliver)
			}
		})
	}
}
