package scheduler

import (
	"fmt"
	"time"

	"github.com/lijntje/lijntje/severity"
	"github.com/lijntje/lijntje/store"
)

// Kinds of alert step.
const (
	StepRoute    = "route"    // a case is new or grew: deliver (or hold) it, re-render it for whoever has it
	StepHeld     = "held"     // an attention or request case waited for the coach's working hours
	StepEscalate = "escalate" // an urgent or crisis case was not taken on in time
	StepReroute  = "reroute"  // a coach who had the case cannot be reached: on to the next in line
	StepRemind   = "remind"   // a case open for days is brought back to its coach, once a working day
)

// defaultHours are a coach's hours when theirs cannot be read.
var defaultHours, _ = ParseHours("mon-fri 09:00-17:00")

// Route decides an alert step at now (PRODUCT.md, "Signals and escalation"). It
// does no I/O: everything it needs is in st (the case, who already has it, and
// the student's coach, the coaches on call and the coordinators).
//
// The student's coach is their stand-in while one is named (handover.go).
//
//   - crisis: the student's coach and everyone on call, at once.
//   - urgent: the coach during their working hours, otherwise whoever is on
//     call, otherwise the coach anyway.
//   - attention, request: the coach in their working hours; outside them the
//     case is held (a "held" step due at the start of their next working hours).
//
// Urgent and crisis cases get an "escalate" step escalateAfter later; each one
// not yet taken on goes to the next in line (on call, then every coordinator)
// and schedules the next. Someone who cannot be reached (no linked chat) does
// not count: when nobody reachable is chosen, the coordinators get the case.
//
// News in a case (its severity rose, crisis language joined it, even one
// already taken on) is a new message for whoever has it (StepPlan.Resend), as
// is every escalation: an urgent or crisis case nobody took on goes again to
// everyone in line every escalateAfter. A "reroute" step (a coach who had the
// case cannot be reached) passes the case on to the next in line at once.
//
// Working hours and days are read in zone, the deployment's (nil: DefaultZone()).
func Route(st store.AlertStep, now time.Time, escalateAfter time.Duration, zone *time.Location) store.StepPlan {
	if zone == nil {
		zone = DefaultZone()
	}
	r := router{st: st, zone: zone}
	if st.Kind == StepRemind {
		return r.remind(now)
	}
	if st.Kind == StepRoute && (st.Severity == severity.Attention || st.Severity == severity.Request) {
		own, _ := r.coach(r.owner())
		if start := r.hours(own).NextStart(now); start.After(now) && len(st.Delivered) > 0 {
			// Outside working hours what joins a delivered request waits too
			// (copies make a sound): the held step shows it at the start.
			return store.StepPlan{Quiet: true, Next: []store.NextStep{{Kind: StepHeld, DueAt: start}}}
		}
	}
	if st.Status != store.AlertOpen {
		if st.Kind == StepRoute {
			return store.StepPlan{Resend: st.News} // taken or closed: re-render, and news is a new message
		}
		return store.StepPlan{}
	}
	var p store.StepPlan
	switch st.Kind {
	case StepRoute:
		p = r.route(now, escalateAfter)
		p.Resend = st.News
	case StepHeld:
		p = r.reach(store.StepPlan{Deliver: []int64{r.owner()}})
	case StepEscalate:
		p = r.escalate(now, escalateAfter)
	case StepReroute:
		p = r.reroute(now, escalateAfter)
	}
	return p
}

type router struct {
	st   store.AlertStep
	zone *time.Location // the deployment's: working hours and days are read there
}

// owner is who a case is first for: the student's coach, or their stand-in
// while one is named (a coach away with a stand-in does not get the case).
func (r router) owner() int64 {
	if r.st.StandInID != 0 {
		if c, ok := r.coach(r.st.StandInID); ok && c.ChatID != 0 {
			return c.ID
		}
	}
	return r.st.StudentCoachID
}

func (r router) coach(id int64) (store.Coach, bool) {
	for _, c := range r.st.Coaches {
		if c.ID == id {
			return c, true
		}
	}
	return store.Coach{}, false
}

func (r router) hours(c store.Coach) Hours {
	h, err := ParseHours(c.Hours)
	if err != nil {
		h = defaultHours
	}
	return h.In(r.zone)
}

func (r router) delivered(id int64) bool {
	for _, d := range r.st.Delivered {
		if d == id {
			return true
		}
	}
	return false
}

// onCall returns the reachable coaches on call.
func (r router) onCall() []int64 {
	var out []int64
	for _, c := range r.st.Coaches {
		if c.OnCall && c.ChatID != 0 {
			out = append(out, c.ID)
		}
	}
	return out
}

func (r router) coordinators() []int64 {
	var out []int64
	for _, c := range r.st.Coaches {
		if c.Coordinator && c.ChatID != 0 {
			out = append(out, c.ID)
		}
	}
	return out
}

func (r router) route(now time.Time, after time.Duration) store.StepPlan {
	own, _ := r.coach(r.owner())
	switch r.st.Severity {
	case severity.Crisis:
		p := r.reach(store.StepPlan{Deliver: append([]int64{own.ID}, r.onCall()...)})
		p.Next = []store.NextStep{{Kind: StepEscalate, DueAt: now.Add(after)}}
		return p
	case severity.Urgent:
		deliver := []int64{own.ID}
		if !r.hours(own).Contains(now) {
			if oc := r.onCall(); len(oc) > 0 {
				deliver = oc
			}
		}
		p := r.reach(store.StepPlan{Deliver: deliver})
		p.Next = []store.NextStep{{Kind: StepEscalate, DueAt: now.Add(after)}}
		return p
	default: // attention, request
		if len(r.st.Delivered) > 0 {
			return store.StepPlan{} // the case is out already: its messages are re-rendered
		}
		if start := r.hours(own).NextStart(now); start.After(now) {
			return store.StepPlan{Next: []store.NextStep{{Kind: StepHeld, DueAt: start}}}
		}
		return r.reach(store.StepPlan{Deliver: []int64{own.ID}})
	}
}

// reach makes sure a plan reaches someone: when none of its coaches has a
// linked chat (and nobody has the case yet), the coordinators get it.
func (r router) reach(p store.StepPlan) store.StepPlan {
	for _, id := range p.Deliver {
		if c, ok := r.coach(id); ok && c.ChatID != 0 {
			return p
		}
	}
	if len(r.st.Delivered) > 0 {
		return p
	}
	p.Deliver = append(p.Deliver, r.coordinators()...)
	p.Note = "no reachable coach: coordinators"
	return p
}

func (r router) escalate(now time.Time, after time.Duration) store.StepPlan {
	p := store.StepPlan{Escalate: true, Next: []store.NextStep{{Kind: StepEscalate, DueAt: now.Add(after)}}}
	for _, tier := range []struct {
		name string
		ids  []int64
	}{{"on call", r.onCall()}, {"coordinators", r.coordinators()}} {
		for _, id := range tier.ids {
			if !r.delivered(id) {
				p.Deliver = append(p.Deliver, id)
			}
		}
		if len(p.Deliver) > 0 {
			p.Resend = r.st.Delivered // and again to those who have it
			p.Note = fmt.Sprintf("level %d: %s", r.st.EscalationLevel+1, tier.name)
			return p
		}
	}
	// Everyone in line has it, and nobody took it on: everyone gets it again,
	// as a new message (an edit makes no sound).
	p.Resend = r.st.Delivered
	p.Note = fmt.Sprintf("level %d: everyone in line has it; sent again", r.st.EscalationLevel+1)
	if len(p.Resend) == 0 {
		p.Deliver = r.coordinators()
		p.Note = fmt.Sprintf("level %d: nobody reachable has it: coordinators", r.st.EscalationLevel+1)
	}
	return p
}

// reroute passes a case on when someone who had it cannot be reached: to the
// next in line who does not have it yet (on call, then the coordinators).
// An urgent or crisis case keeps its escalation going.
func (r router) reroute(now time.Time, after time.Duration) store.StepPlan {
	var p store.StepPlan
	for _, tier := range [][]int64{r.onCall(), r.coordinators()} {
		for _, id := range tier {
			if !r.delivered(id) {
				p.Deliver = append(p.Deliver, id)
			}
		}
		if len(p.Deliver) > 0 {
			break
		}
	}
	p.Note = "undeliverable: next in line"
	if len(p.Deliver) == 0 && len(r.st.Delivered) == 0 {
		p.Note = "undeliverable: nobody reachable"
	}
	if r.st.Severity == severity.Urgent || r.st.Severity == severity.Crisis {
		p.Next = []store.NextStep{{Kind: StepEscalate, DueAt: now.Add(after)}}
	}
	return p
}

// remind brings a case that is still not closed back to whoever has it (who
// took it on, or else the student's coach or stand-in), in their working hours,
// and schedules the next reminder at the start of their next working day.
func (r router) remind(now time.Time) store.StepPlan {
	if r.st.Status == store.AlertClosed {
		return store.StepPlan{}
	}
	who := r.st.TakenBy
	if who == 0 {
		who = r.owner()
	}
	h := defaultHours.In(r.zone)
	if c, ok := r.coach(who); ok {
		h = r.hours(c)
	}
	if start := h.NextStart(now); start.After(now) { // outside their hours: at the start of the next
		return store.StepPlan{Next: []store.NextStep{{Kind: StepRemind, DueAt: start}}}
	}
	local := now.In(r.zone)
	tomorrow := time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, r.zone)
	return store.StepPlan{Remind: []int64{who}, Next: []store.NextStep{{Kind: StepRemind, DueAt: h.NextStart(tomorrow)}},
		Note: "brought back"}
}
