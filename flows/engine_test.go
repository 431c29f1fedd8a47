package flows

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// tap and say make inputs.
func tap(step, option string) Input { return Input{Step: step, Option: option} }
func say(text string) Input         { return Input{Text: text} }

// run plays inputs through f from the start and returns the steps asked,
// the answers, the signals and whether the check-in completed.
func run(t *testing.T, f *Flow, skip []string, previous map[string]string, inputs []Input) (asked []string, answers []Answer, signals []Signal, done bool) {
	t.Helper()
	s, next := f.Start(skip)
	s.Previous = previous
	if next != nil {
		asked = append(asked, next.ID)
	}
	for _, in := range inputs {
		o, err := f.Apply(s, in)
		if err != nil {
			t.Fatalf("Apply(%+v) at step %q: %v", in, s.Step, err)
		}
		if o.Done != (o.Next == nil) || o.Done != (o.State.Step == "") {
			t.Fatalf("Apply(%+v): Done %v, Next %v, State.Step %q disagree", in, o.Done, o.Next, o.State.Step)
		}
		s = o.State
		signals = append(signals, o.Signals...)
		done = o.Done
		if o.Next != nil {
			asked = append(asked, o.Next.ID)
		}
	}
	return asked, s.Answers, signals, done
}

var allSteps = []string{"mood", "daytime", "daytime_ok", "money", "housing", "support", "contact", "note"}

// TestStandardPaths covers every branch and every rule of the standard flow.
func TestStandardPaths(t *testing.T) {
	f := standard(t)
	calm := func(mood, daytime string, rest ...Input) []Input {
		return append([]Input{tap("mood", mood), tap("daytime", daytime)}, rest...)
	}
	tail := []Input{tap("money", "ok"), tap("housing", "yes"), tap("support", "yes"), tap("contact", "no"), tap("note", "done")}
	withOK := func(ok string) []Input { return append([]Input{tap("daytime_ok", ok)}, tail...) }
	noOK := []string{"mood", "daytime", "money", "housing", "support", "contact", "note"}
	sig := func(code string, sev Severity, step, option string) Signal {
		return Signal{Code: code, Severity: sev, Step: step, Option: option}
	}
	tests := []struct {
		name     string
		skip     []string
		previous map[string]string
		inputs   []Input
		asked    []string
		signals  []Signal
	}{
		{name: "work, all well", inputs: calm("4", "work", withOK("yes")...), asked: allSteps},
		{name: "school so-so", inputs: calm("3", "school", withOK("so_so")...), asked: allSteps},
		{name: "internship", inputs: calm("5", "internship", withOK("yes")...), asked: allSteps},
		{name: "looking skips daytime_ok", inputs: calm("3", "looking", tail...), asked: noOK},
		{name: "daytime=home", inputs: calm("3", "home", tail...), asked: noOK,
			signals: []Signal{sig("daytime=home", Urgent, "daytime", "home")}},
		{name: "daytime_ok=stopped", inputs: calm("3", "work", withOK("stopped")...), asked: allSteps,
			signals: []Signal{sig("daytime_ok=stopped", Urgent, "daytime_ok", "stopped")}},
		{name: "daytime_ok=no", inputs: calm("3", "school", withOK("no")...), asked: allSteps,
			signals: []Signal{sig("daytime_ok=no", Attention, "daytime_ok", "no")}},
		{name: "mood=1 once", inputs: calm("1", "looking", tail...), asked: noOK,
			signals: []Signal{sig("mood<=2", Attention, "mood", "1")}},
		{name: "mood=1 after a 2", previous: map[string]string{"mood": "2"}, inputs: calm("1", "looking", tail...), asked: noOK,
			signals: []Signal{sig("mood<=2", Attention, "mood", "1")}},
		{name: "mood=1 twice in a row", previous: map[string]string{"mood": "1", "money": "debts"}, inputs: calm("1", "looking", tail...), asked: noOK,
			signals: []Signal{sig("mood=1x2", Urgent, "mood", "1")}},
		{name: "mood=2 after a 1", previous: map[string]string{"mood": "1"}, inputs: calm("2", "looking", tail...), asked: noOK,
			signals: []Signal{sig("mood<=2", Attention, "mood", "2")}},
		{name: "mood=3 after a 1", previous: map[string]string{"mood": "1"}, inputs: calm("3", "looking", tail...), asked: noOK},
		{name: "money=debts", inputs: calm("4", "looking", tap("money", "debts"), tap("housing", "yes"), tap("support", "yes"), tap("contact", "no"), tap("note", "done")), asked: noOK,
			signals: []Signal{sig("money=debts", Attention, "money", "debts")}},
		{name: "money=tight", inputs: calm("4", "looking", tap("money", "tight"), tap("housing", "unsure"), tap("support", "yes"), tap("contact", "no"), tap("note", "done")), asked: noOK},
		{name: "housing=no", inputs: calm("4", "looking", tap("money", "ok"), tap("housing", "no"), tap("support", "yes"), tap("contact", "no"), tap("note", "done")), asked: noOK,
			signals: []Signal{sig("housing=no", Urgent, "housing", "no")}},
		{name: "support=no", inputs: calm("4", "looking", tap("money", "ok"), tap("housing", "yes"), tap("support", "no"), tap("contact", "no"), tap("note", "done")), asked: noOK,
			signals: []Signal{sig("support=no", Attention, "support", "no")}},
		{name: "contact=yes", inputs: calm("4", "looking", tap("money", "ok"), tap("housing", "yes"), tap("support", "yes"), tap("contact", "yes"), tap("note", "done")), asked: noOK,
			signals: []Signal{sig("contact=yes", Request, "contact", "yes")}},
		{name: "everything at once", previous: map[string]string{"mood": "1"},
			inputs: []Input{tap("mood", "1"), tap("daytime", "work"), tap("daytime_ok", "stopped"), tap("money", "debts"), tap("housing", "no"), tap("support", "no"), tap("contact", "yes"), say("help")},
			asked:  allSteps,
			signals: []Signal{
				sig("mood=1x2", Urgent, "mood", "1"),
				sig("daytime_ok=stopped", Urgent, "daytime_ok", "stopped"),
				sig("money=debts", Attention, "money", "debts"),
				sig("housing=no", Urgent, "housing", "no"),
				sig("support=no", Attention, "support", "no"),
				sig("contact=yes", Request, "contact", "yes"),
			}},
		{name: "monthly steps skipped", skip: []string{"housing", "support"},
			inputs: calm("4", "work", tap("daytime_ok", "yes"), tap("money", "ok"), tap("contact", "no"), tap("note", "done")),
			asked:  []string{"mood", "daytime", "daytime_ok", "money", "contact", "note"}},
		{name: "skipped branch target continues to its next", skip: []string{"daytime_ok", "money"},
			inputs: calm("4", "work", tail[1:]...),
			asked:  []string{"mood", "daytime", "housing", "support", "contact", "note"}},
		{name: "skipped first step", skip: []string{"mood"},
			inputs: []Input{tap("daytime", "looking"), tap("money", "ok"), tap("housing", "yes"), tap("support", "yes"), tap("contact", "no"), tap("note", "done")},
			asked:  noOK[1:]},
		{name: "skipped last step", skip: []string{"note", "nonexistent"},
			inputs: calm("4", "looking", tail[:4]...),
			asked:  noOK[:6]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			asked, answers, signals, done := run(t, f, tt.skip, tt.previous, tt.inputs)
			if !done {
				t.Error("not done after the last input")
			}
			if diff := cmp.Diff(tt.asked, asked); diff != "" {
				t.Errorf("steps asked (-want +got):\n%s", diff)
			}
			var answered []string
			for _, a := range answers {
				answered = append(answered, a.Step)
			}
			if diff := cmp.Diff(tt.asked, answered); diff != "" {
				t.Errorf("steps answered (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.signals, signals); diff != "" {
				t.Errorf("signals (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNote(t *testing.T) {
	f := standard(t)
	// At the note step, after the rest.
	s, _ := f.Start([]string{"mood", "daytime", "daytime_ok", "money", "housing", "support", "contact"})
	if s.Step != "note" {
		t.Fatalf("Start at %q, want note", s.Step)
	}
	tests := []struct {
		name string
		in   Input
		want Answer
	}{
		{"done", tap("note", "done"), Answer{Step: "note", Option: "done"}},
		{"text", say("  Ik heb een nieuwe baan!  "), Answer{Step: "note", Text: "Ik heb een nieuwe baan!"}},
		{"text for the step", Input{Step: "note", Text: "hoi"}, Answer{Step: "note", Text: "hoi"}},
		{"voice", Input{VoiceFileID: "AwACAgQ"}, Answer{Step: "note", VoiceFileID: "AwACAgQ"}},
		{"voice with caption", Input{VoiceFileID: "AwACAgQ", Text: "luister"}, Answer{Step: "note", Text: "luister", VoiceFileID: "AwACAgQ"}},
	}
	for _, tt := range tests {
		o, err := f.Apply(s, tt.in)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		want := Outcome{Answer: tt.want, State: State{Answers: []Answer{tt.want}, Skip: s.Skip}, Done: true}
		if diff := cmp.Diff(want, o); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestApplyErrors(t *testing.T) {
	f := standard(t)
	start, _ := f.Start(nil)
	atDaytime, err := f.Apply(start, tap("mood", "4"))
	if err != nil {
		t.Fatal(err)
	}
	s := atDaytime.State
	noteState, _ := f.Start(allSteps[:7])
	done, err := f.Apply(noteState, tap("note", "done"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		state State
		in    Input
		want  error
	}{
		{"repeated tap on an answered step", s, tap("mood", "2"), ErrStale},
		{"forged step", s, tap("housing", "no"), ErrStale},
		{"unknown step", s, tap("nope", "x"), ErrStale},
		{"finished check-in", done.State, tap("note", "done"), ErrStale},
		{"text after the end", done.State, say("nog iets"), ErrStale},
		{"state at a step the flow lacks", State{Step: "gone"}, tap("gone", "x"), ErrStale},
		{"unknown option", s, tap("daytime", "space"), ErrUnknownOption},
		{"option of another step", s, tap("daytime", "debts"), ErrUnknownOption},
		{"unknown option, no step", s, Input{Option: "6"}, ErrUnknownOption},
		{"text on a button step", s, say("werken"), ErrNeedsOption},
		{"voice on a button step", s, Input{VoiceFileID: "x"}, ErrNeedsOption},
		{"empty input", s, Input{}, ErrNeedsOption},
		{"blank text", noteState, say(" \n\t "), ErrNeedsOption},
	}
	for _, tt := range tests {
		before := cloneState(tt.state)
		o, err := f.Apply(tt.state, tt.in)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
		if diff := cmp.Diff(Outcome{}, o); diff != "" {
			t.Errorf("%s: outcome on error (-want +got):\n%s", tt.name, diff)
		}
		if diff := cmp.Diff(before, tt.state); diff != "" {
			t.Errorf("%s: state changed (-before +after):\n%s", tt.name, diff)
		}
	}
}

func cloneState(s State) State {
	c := s
	c.Answers = append([]Answer(nil), s.Answers...)
	c.Skip = append([]string(nil), s.Skip...)
	return c
}

// TestApplyPure checks that Apply leaves its state alone: two answers to
// the same state do not see each other.
func TestApplyPure(t *testing.T) {
	f := standard(t)
	s, _ := f.Start([]string{"housing"})
	s.Previous = map[string]string{"mood": "1"}
	o1, err := f.Apply(s, tap("mood", "1"))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := f.Apply(o1.State, tap("daytime", "work"))
	b, _ := f.Apply(o1.State, tap("daytime", "home"))
	if a.State.Answers[1].Option != "work" || b.State.Answers[1].Option != "home" {
		t.Errorf("answers share memory: %+v, %+v", a.State.Answers, b.State.Answers)
	}
	if len(o1.State.Answers) != 1 || len(s.Answers) != 0 {
		t.Errorf("Apply changed its input state: %+v, %+v", o1.State, s)
	}
	if diff := cmp.Diff(State{Step: "daytime_ok", Answers: []Answer{{Step: "mood", Option: "1"}, {Step: "daytime", Option: "work"}},
		Skip: []string{"housing", "fit", "agreement", "referral", "feedback_lijntje", "feedback_coach"}, Previous: map[string]string{"mood": "1"}}, a.State); diff != "" {
		t.Errorf("state (-want +got):\n%s", diff)
	}
}

func TestStartAllSkipped(t *testing.T) {
	f := standard(t)
	s, next := f.Start(allSteps)
	if next != nil || s.Step != "" {
		t.Errorf("Start(all skipped) = %+v, %v; want nothing to ask", s, next)
	}
	if _, err := f.Apply(s, tap("mood", "3")); !errors.Is(err, ErrStale) {
		t.Errorf("Apply after an empty start: %v", err)
	}
}

func TestSkipFor(t *testing.T) {
	f := standard(t)
	now := time.Date(2025, 3, 30, 19, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	tests := []struct {
		name string
		last map[string]time.Time
		want []string
	}{
		{"never asked", nil, nil},
		{"asked last week", map[string]time.Time{"housing": now.Add(-7 * day), "support": now.Add(-7 * day), "mood": now.Add(-time.Hour)}, []string{"housing", "support"}},
		{"asked 26 days 23 hours ago", map[string]time.Time{"housing": now.Add(-27*day + time.Hour)}, []string{"housing"}},
		{"asked four weeks ago, an hour short (DST)", map[string]time.Time{"housing": now.Add(-28*day + time.Hour)}, nil},
		{"asked a month ago", map[string]time.Time{"housing": now.AddDate(0, -1, 0), "support": now.Add(-14 * day)}, []string{"support"}},
		{"asked in the future (clock skew)", map[string]time.Time{"support": now.Add(time.Hour)}, []string{"support"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, f.SkipFor(tt.last, now)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}

	// A weekly schedule asks the monthly steps every fourth check-in.
	last := map[string]time.Time{}
	var asked []int
	for week := range 9 {
		at := now.Add(time.Duration(week) * 7 * day)
		skip := f.SkipFor(last, at)
		_, next := f.Start(skip)
		if next == nil {
			t.Fatal("nothing to ask")
		}
		if len(skip) == 0 {
			asked = append(asked, week)
			last["housing"], last["support"] = at, at
		}
	}
	if diff := cmp.Diff([]int{0, 4, 8}, asked); diff != "" {
		t.Errorf("weeks asking the monthly steps (-want +got):\n%s", diff)
	}
}

func TestConcurrentApply(t *testing.T) {
	f := standard(t)
	inputs := []Input{tap("mood", "1"), tap("daytime", "home"), tap("money", "ok"),
		tap("housing", "yes"), tap("support", "yes"), tap("contact", "no"), say("doei")}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			s, _ := f.Start(nil)
			s.Previous = map[string]string{"mood": "1"}
			for _, in := range inputs {
				o, err := f.Apply(s, in)
				if err != nil {
					t.Errorf("Apply(%+v): %v", in, err)
					return
				}
				s = o.State
			}
			if s.Step != "" || len(s.Answers) != len(inputs) {
				t.Errorf("end state %+v", s)
			}
		})
	}
	wg.Wait()
}

// The quiet answers (the benchmark's students tap them) carry a check-in
// from the first question to the end without a single signal, whatever the
// previous check-in said.
func TestQuietOptionsRaiseNoSignal(t *testing.T) {
	f := standard(t)
	for _, previous := range []map[string]string{nil, {"mood": "1", "daytime": "home", "money": "worse"}} {
		s, next := f.Start(nil)
		s.Previous = previous
		for n := 0; next != nil; n++ {
			if n > len(f.Steps) {
				t.Fatalf("no end after %d answers", n)
			}
			in := Input{Step: next.ID}
			if opt, ok := f.QuietOption(next.ID); ok {
				in.Option = opt
			} else if len(next.Options) > 0 {
				t.Fatalf("step %q: every option raises a signal", next.ID)
			} else {
				in.Text = "gaat prima"
			}
			o, err := f.Apply(s, in)
			if err != nil {
				t.Fatal(err)
			}
			if len(o.Signals) > 0 {
				t.Errorf("quiet answer %+v raised %+v", in, o.Signals)
			}
			s, next = o.State, o.Next
		}
	}
	if _, ok := f.QuietOption("no such step"); ok {
		t.Error("a quiet option for a step that does not exist")
	}
}
