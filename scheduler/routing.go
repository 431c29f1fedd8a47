package scheduler

import (
	"time"

	"github.com/lijntje/lijntje/store"
)

// Route decides an alert step. A case goes to the student's own coach; a
// re-render of a case that grew goes to everyone who already has it.
func Route(st store.AlertStep, escalateAfter time.Duration) store.StepPlan {
	switch st.Kind {
	case "route":
		if st.Status != store.AlertOpen {
			return store.StepPlan{} // re-render only
		}
		return store.StepPlan{Deliver: []int64{st.StudentCoachID}}
	}
	return store.StepPlan{}
}
