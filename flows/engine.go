package flows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Errors of Apply.
var (
	// ErrStale: the input is for another step than the current one (an old
	// or forged button, a step already answered) or the check-in is over.
	ErrStale = errors.New("flows: not the current step")
	// ErrUnknownOption: the step has no such option.
	ErrUnknownOption = errors.New("flows: unknown option")
	// ErrNeedsOption: text, voice or nothing given where a button is needed.
	ErrNeedsOption = errors.New("flows: answer needs a button")
)

// MonthlyInterval is how long a monthly step is skipped after it was asked:
// four weeks less a day of slack for DST and scheduling jitter, so that a
// weekly schedule asks it every fourth check-in.
const MonthlyInterval = 27 * 24 * time.Hour

// Answer is one answer to one step.
type Answer struct {
	Step        string `json:"step"`
	Option      string `json:"option,omitempty"`        // the tapped button
	Text        string `json:"text,omitempty"`          // free text (or a voice message's caption)
	VoiceFileID string `json:"voice_file_id,omitempty"` // a voice message's Telegram file ID
}

// State is where a check-in is. It is plain data: store it (as JSON, say)
// with the check-in and the flow's ID and Version.
type State struct {
	Step     string            `json:"step"` // the current step, "" when finished
	Answers  []Answer          `json:"answers,omitempty"`
	Skip     []string          `json:"skip,omitempty"`     // steps not asked this time
	Previous map[string]string `json:"previous,omitempty"` // previous check-in's answers: step → option
}

// Input is what the student sent for the current step: a button tap
// (Option, with the Step from its callback_data), or free text or a voice
// message. An empty Step means the current step.
type Input struct {
	Step, Option, Text, VoiceFileID string
}

// Signal is what an answer says about risk.
type Signal struct {
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	Step     string   `json:"step"`
	Option   string   `json:"option"`
}

// Outcome is the result of applying an input.
type Outcome struct {
	Answer  Answer
	State   State // the new state; the one passed to Apply is unchanged
	Next    *Step // the step to ask now, nil when finished
	Done    bool  // the check-in is complete: send the closer
	Signals []Signal
}

// Start begins a check-in that does not ask the steps in skip, nor the
// steps with a Kind (see StartAsking). It returns the first step to ask, or
// nil when every step is skipped. Set State.Previous to the previous
// check-in's answers (step → option) before the first Apply; rules such as
// mood=1x2 look at it.
func (f *Flow) Start(skip []string) (State, *Step) { return f.StartAsking(skip, nil) }

// StartAsking is Start that also asks the steps with a Kind named in ask:
// those the check-in has an agreement or referral to ask about. The others
// go into State.Skip.
func (f *Flow) StartAsking(skip, ask []string) (State, *Step) {
	s := State{Skip: slices.Clone(skip)}
	for _, st := range f.Steps {
		if st.Kind != KindQuestion && !slices.Contains(ask, st.ID) && !slices.Contains(s.Skip, st.ID) {
			s.Skip = append(s.Skip, st.ID)
		}
	}
	if len(f.Steps) == 0 {
		return s, nil
	}
	next := f.ask(s.Skip, f.Steps[0].ID)
	if next != nil {
		s.Step = next.ID
	}
	return s, next
}

// ask returns the step to ask at id: id itself or, when skipped, the first
// step after it that is not skipped; nil at the end.
func (f *Flow) ask(skip []string, id string) *Step {
	for range len(f.Steps) + 1 { // the graph has no loops; this bounds it anyway
		s, ok := f.StepByID(id)
		if !ok {
			return nil
		}
		if !slices.Contains(skip, id) {
			return s
		}
		id = s.Next
	}
	return nil
}

// Apply applies the student's input to state s and returns the outcome.
// It fails with ErrStale, ErrUnknownOption or ErrNeedsOption (wrapped);
// s is never modified.
func (f *Flow) Apply(s State, in Input) (Outcome, error) {
	if s.Step == "" || (in.Step != "" && in.Step != s.Step) {
		return Outcome{}, ErrStale
	}
	step, ok := f.StepByID(s.Step)
	if !ok {
		return Outcome{}, fmt.Errorf("%w: flow %s %s has no step %q", ErrStale, f.ID, f.Version, s.Step)
	}
	a := Answer{Step: step.ID}
	text := strings.TrimSpace(in.Text)
	switch {
	case in.Option != "":
		if _, ok := step.Option(in.Option); !ok {
			return Outcome{}, fmt.Errorf("%w: %q for step %s", ErrUnknownOption, in.Option, step.ID)
		}
		a.Option = in.Option
	case text != "" || in.VoiceFileID != "":
		if !step.FreeText {
			return Outcome{}, fmt.Errorf("%w: step %s", ErrNeedsOption, step.ID)
		}
		a.Text, a.VoiceFileID = text, in.VoiceFileID
	default:
		return Outcome{}, fmt.Errorf("%w: empty answer to step %s", ErrNeedsOption, step.ID)
	}

	target := step.Next
	for _, b := range step.Branches {
		if a.Option != "" && slices.Contains(b.When, a.Option) {
			target = b.Next
			break
		}
	}
	next := f.ask(s.Skip, target)
	o := Outcome{
		Answer: a,
		State: State{
			Answers:  append(slices.Clip(s.Answers), a),
			Skip:     s.Skip,
			Previous: s.Previous,
		},
		Next:    next,
		Done:    next == nil,
		Signals: f.signals(a, s.Previous),
	}
	if next != nil {
		o.State.Step = next.ID
	}
	return o, nil
}

// signals returns the signals of the rules that fire on a: only those of
// the highest severity, so mood=1x2 (urgent) hides mood<=2 (attention).
func (f *Flow) signals(a Answer, previous map[string]string) []Signal {
	if a.Option == "" {
		return nil
	}
	var out []Signal
	for _, r := range f.Rules {
		if r.Step != a.Step || !slices.Contains(r.Options, a.Option) {
			continue
		}
		if len(r.Previous) > 0 && !slices.Contains(r.Previous, previous[a.Step]) {
			continue
		}
		sig := Signal{Code: r.Code, Severity: r.Severity, Step: a.Step, Option: a.Option}
		switch {
		case len(out) == 0 || sig.Severity == out[0].Severity:
			out = append(out, sig)
		case sig.Severity > out[0].Severity:
			out = []Signal{sig}
		}
	}
	return out
}

// SkipFor returns the steps to skip in a check-in starting at now: the
// monthly steps asked less than MonthlyInterval before now. lastAsked maps
// a step ID to when it was last asked and answered; use the start of the
// last check-in with an answer to it, so that a step left unanswered is
// asked again next time. Steps never asked are asked.
func (f *Flow) SkipFor(lastAsked map[string]time.Time, now time.Time) []string {
	var skip []string
	for _, s := range f.Steps {
		if s.Every != EveryMonthly {
			continue
		}
		if t, ok := lastAsked[s.ID]; ok && now.Sub(t) < MonthlyInterval {
			skip = append(skip, s.ID)
		}
	}
	return skip
}

// QuietOption returns the first option of step that no rule turns into a
// signal, whatever came before: an answer that needs no coach.
func (f *Flow) QuietOption(step string) (string, bool) {
	s, ok := f.StepByID(step)
	if !ok {
		return "", false
	}
	for _, o := range s.Options {
		quiet := true
		for _, r := range f.Rules {
			if r.Step == step && slices.Contains(r.Options, o.ID) {
				quiet = false
				break
			}
		}
		if quiet {
			return o.ID, true
		}
	}
	return "", false
}
