package scheduler

import (
	"slices"
	"testing"
	"time"

	"github.com/lijntje/lijntje/severity"
	"github.com/lijntje/lijntje/store"
)

// A rise, a repeat and an unreachable coach (issue 12, the delivery half).
func TestRouteNewsRepeatsAndReroutes(t *testing.T) {
	after := 30 * time.Minute
	unreachableOwn := coaches(true)
	unreachableOwn[0].ChatID = 0 // the store hides the chat of an unreachable coach
	tests := []struct {
		name        string
		st          store.AlertStep
		now         time.Time
		wantDeliver []int64
		wantResend  []int64
		wantQuiet   bool
		wantNext    string
	}{
		{name: "news in a case goes again as a new message",
			st:  store.AlertStep{Kind: StepRoute, Severity: severity.Crisis, Status: store.AlertOpen, Delivered: []int64{own}, News: []int64{own}},
			now: tuesdayNoon, wantDeliver: []int64{own}, wantResend: []int64{own}, wantNext: StepEscalate},
		{name: "crisis language in a taken case is news too",
			st:  store.AlertStep{Kind: StepRoute, Severity: severity.Crisis, Status: store.AlertTaken, Delivered: []int64{own}, News: []int64{own}},
			now: tuesdayNoon, wantResend: []int64{own}},
		{name: "everyone in line has it: everyone gets it again",
			st:  store.AlertStep{Kind: StepEscalate, Severity: severity.Urgent, Status: store.AlertOpen, Delivered: []int64{own, coord}},
			now: tuesdayEvening, wantResend: []int64{own, coord}, wantNext: StepEscalate},
		{name: "a new tier gets it, and those who have it get it again",
			st:  store.AlertStep{Kind: StepEscalate, Severity: severity.Urgent, Status: store.AlertOpen, Delivered: []int64{own}},
			now: tuesdayEvening, wantDeliver: []int64{coord}, wantResend: []int64{own}, wantNext: StepEscalate},
		{name: "an unreachable coach's case goes to the one on call",
			st:  store.AlertStep{Kind: StepReroute, Severity: severity.Request, Status: store.AlertOpen, Coaches: unreachableOwn},
			now: tuesdayNoon, wantDeliver: []int64{onc}},
		{name: "and with nobody on call to the coordinators, escalation going on",
			st:  store.AlertStep{Kind: StepReroute, Severity: severity.Crisis, Status: store.AlertOpen, Coaches: coaches(false)[1:]},
			now: tuesdayNoon, wantDeliver: []int64{coord}, wantNext: StepEscalate},
		{name: "a message joining a delivered request at night waits for the morning",
			st:  store.AlertStep{Kind: StepRoute, Severity: severity.Request, Status: store.AlertOpen, Delivered: []int64{own}},
			now: tuesdayEvening, wantQuiet: true, wantNext: StepHeld},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := tt.st
			st.StudentCoachID = own
			if st.Coaches == nil {
				st.Coaches = coaches(false)
			}
			p := Route(st, tt.now, after, Amsterdam)
			if !slices.Equal(p.Deliver, tt.wantDeliver) {
				t.Errorf("deliver %v, want %v", p.Deliver, tt.wantDeliver)
			}
			if !slices.Equal(p.Resend, tt.wantResend) {
				t.Errorf("resend %v, want %v", p.Resend, tt.wantResend)
			}
			if p.Quiet != tt.wantQuiet {
				t.Errorf("quiet %v, want %v", p.Quiet, tt.wantQuiet)
			}
			next := ""
			if len(p.Next) > 0 {
				next = p.Next[0].Kind
			}
			if next != tt.wantNext {
				t.Errorf("next step %q, want %q", next, tt.wantNext)
			}
		})
	}
}
