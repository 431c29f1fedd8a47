package flows

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/lijntje/lijntje/severity"
)

// Standard is the ID of the standard check-in flow.
const Standard = "checkin"

// Values of Step.Every.
const (
	EveryCheckin = ""        // asked in every check-in (the default)
	EveryMonthly = "monthly" // asked when last asked at least MonthlyInterval ago
)

// End is the target of a `next` or branch that ends the check-in.
const End = "end"

// MaxCallbackData is Telegram's limit on a button's callback_data, in bytes.
const MaxCallbackData = 64

// idPattern is the syntax of flow, step and option IDs: they go into
// callback_data, stored answers and exports.
var idPattern = regexp.MustCompile(`^[a-z0-9_]+$`)

// Severity orders signals: None < Request < Attention < Urgent < Crisis.
// It is severity.Level, the one scale flows, store and bot share.
type Severity = severity.Level

// Severities, from none to the highest.
const (
	None      = severity.None
	Request   = severity.Request
	Attention = severity.Attention
	Urgent    = severity.Urgent
	Crisis    = severity.Crisis
)

// ParseSeverity parses the String form of a severity.
func ParseSeverity(s string) (Severity, error) { return severity.Parse(s) }

// Flow is a check-in dialogue, parsed from a flow file. A Flow is never
// modified after Parse and is safe for concurrent use.
type Flow struct {
	ID      string
	Version string // content hash of Source: a changed file is a new version

	// Message IDs (in locales) of the texts around the questions.
	Opener   string // first message; data .Name, .Coach
	Closer   string // thank-you after the last step; data .Name, .Coach
	Reminder string // the one reminder of an unanswered check-in; data .Name, .Coach
	Chosen   string // a question edited to show the tapped answer; data .Question, .Choice

	Steps  []Step // Steps[0] is the first step
	Rules  []Rule
	Source []byte // the flow file; store it to Parse this version again later

	index map[string]int // step ID → index in Steps
}

// Step is one question of a flow.
type Step struct {
	ID       string   `yaml:"id"`
	Question string   `yaml:"question"`  // message ID
	Options  []Option `yaml:"options"`   // buttons
	FreeText bool     `yaml:"free_text"` // text or a voice message answers it too
	Every    string   `yaml:"every"`     // EveryCheckin or EveryMonthly
	Branches []Branch `yaml:"branches"`  // the first branch whose When has the answer wins
	Next     string   `yaml:"next"`      // after Parse: the next step ID, "" to end

	// Kind makes a step ask about something the coach recorded: KindAgreement
	// or KindReferral. Such a step is asked only when the student has one due
	// (the caller skips it otherwise); its question gets the item's data.
	Kind string `yaml:"kind"`
	// AfterWeeks is, for a KindReferral step, how many weeks after a referral
	// the check-in asks about it.
	AfterWeeks int `yaml:"after_weeks"`
	// Role is what the step's answers mean to the coach's chart and the
	// coordinator's report: RoleMood, RoleActivity or "" (none).
	Role string `yaml:"role"`
}

// Values of Step.Role: at most one step of a flow has each. Nothing outside
// the flow file names the steps or options that play them.
const (
	// RoleMood is how the student is: options "1".."n", the higher the
	// better (the upper panel of the coach's chart).
	RoleMood = "mood"
	// RoleActivity is what the student does during the day, the options
	// best first: the lower panel of the coach's chart (best on top) and
	// where students are at 3/6/12/24 months in the report (in this order).
	RoleActivity = "activity"
)

// StepWithRole returns the step of f playing role.
func (f *Flow) StepWithRole(role string) (Step, bool) {
	for _, s := range f.Steps {
		if s.Role == role {
			return s, true
		}
	}
	return Step{}, false
}

// Values of Step.Kind.
const (
	KindQuestion  = ""          // an ordinary question
	KindAgreement = "agreement" // asks about an agreement that is due; data .What
	KindReferral  = "referral"  // asks about a referral after AfterWeeks; data .Kind
	KindPilot     = "pilot"     // for the pilot's evaluation: not in a student's first check-in
	KindFinal     = "final"     // only in the last check-in of the follow-up
)

// StepsOfKind returns the IDs of the steps of kind k, in flow order.
func (f *Flow) StepsOfKind(k string) []string {
	var ids []string
	for _, s := range f.Steps {
		if s.Kind == k {
			ids = append(ids, s.ID)
		}
	}
	return ids
}

// ReferralFollowUp is how long after a referral the check-in asks about it:
// the after_weeks of the flow's referral step (3 weeks when it has none).
func (f *Flow) ReferralFollowUp() time.Duration {
	for _, s := range f.Steps {
		if s.Kind == KindReferral && s.AfterWeeks > 0 {
			return time.Duration(s.AfterWeeks) * 7 * 24 * time.Hour
		}
	}
	return 3 * 7 * 24 * time.Hour
}

// Option is an answer button.
type Option struct {
	ID    string `yaml:"id"`
	Label string `yaml:"label"` // message ID, with an emoji
}

// Branch sends the dialogue to Next when the answer is one of When.
type Branch struct {
	When []string `yaml:"when"` // option IDs
	Next string   `yaml:"next"` // after Parse: a step ID, "" to end
}

// Rule turns an answer into a signal.
type Rule struct {
	Code     string   // stable, e.g. "daytime=home", "mood=1x2"
	Severity Severity // Request or higher
	Step     string
	Options  []string // fires when the answer is one of these
	Previous []string // and, if set, the previous check-in's answer to Step is one of these
}

// Option returns the option with the given ID.
func (s *Step) Option(id string) (Option, bool) {
	for _, o := range s.Options {
		if o.ID == id {
			return o, true
		}
	}
	return Option{}, false
}

// StepByID returns the step with the given ID.
func (f *Flow) StepByID(id string) (*Step, bool) {
	i, ok := f.index[id]
	if !ok {
		return nil, false
	}
	return &f.Steps[i], true
}

// Problem is something wrong with a flow file.
type Problem struct {
	File    string // flow file name, "" when not known
	Step    string // step ID, "" for the flow as a whole
	Message string
}

func (p Problem) Error() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File + ": ")
	}
	if p.Step != "" {
		b.WriteString("step " + p.Step + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// file is the YAML form of a flow.
type file struct {
	ID       string `yaml:"id"`
	Opener   string `yaml:"opener"`
	Closer   string `yaml:"closer"`
	Reminder string `yaml:"reminder"`
	Chosen   string `yaml:"chosen"`
	Steps    []Step `yaml:"steps"`
	Rules    []struct {
		Code     string   `yaml:"code"`
		Severity string   `yaml:"severity"`
		Step     string   `yaml:"step"`
		Options  []string `yaml:"options"`
		Previous []string `yaml:"previous"`
	} `yaml:"rules"`
}

// Parse parses and validates a flow file. Its error lists every problem
// found; message IDs are not checked against translations (see Check).
func Parse(src []byte) (*Flow, error) {
	f, problems := parse(src)
	if len(problems) > 0 {
		errs := make([]error, len(problems))
		for i, p := range problems {
			errs[i] = p
		}
		return nil, fmt.Errorf("flows: invalid flow: %w", errors.Join(errs...))
	}
	return f, nil
}

// parse returns the flow and its problems; the flow is nil only when the
// file is not a YAML flow at all.
func parse(src []byte) (*Flow, []Problem) {
	var ff file
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&ff); err != nil {
		if errors.Is(err, io.EOF) {
			err = errors.New("empty file")
		}
		return nil, []Problem{{Message: err.Error()}}
	}
	sum := sha256.Sum256(src)
	f := &Flow{
		ID:       ff.ID,
		Version:  hex.EncodeToString(sum[:6]),
		Opener:   ff.Opener,
		Closer:   ff.Closer,
		Reminder: ff.Reminder,
		Chosen:   ff.Chosen,
		Steps:    ff.Steps,
		Source:   slices.Clone(src),
		index:    map[string]int{},
	}
	var ps []Problem
	add := func(step, format string, args ...any) {
		ps = append(ps, Problem{Step: step, Message: fmt.Sprintf(format, args...)})
	}

	if !idPattern.MatchString(f.ID) {
		add("", "flow id %q does not match %s", f.ID, idPattern)
	}
	for _, m := range []struct{ name, id string }{
		{"opener", f.Opener}, {"closer", f.Closer}, {"reminder", f.Reminder}, {"chosen", f.Chosen},
	} {
		if m.id == "" {
			add("", "no %s message", m.name)
		}
	}
	if len(f.Steps) == 0 {
		add("", "no steps")
	}

	// Steps and options.
	for i := range f.Steps {
		s := &f.Steps[i]
		if !idPattern.MatchString(s.ID) {
			add(s.ID, "step id %q does not match %s", s.ID, idPattern)
		}
		if s.ID == End {
			add(s.ID, "step id %q is reserved: next: %s ends the flow", End, End)
		}
		if _, dup := f.index[s.ID]; dup {
			add(s.ID, "step id %q is used twice", s.ID)
		} else {
			f.index[s.ID] = i
		}
		if s.Question == "" {
			add(s.ID, "no question")
		}
		if len(s.Options) == 0 && !s.FreeText {
			add(s.ID, "neither options nor free_text")
		}
		switch s.Kind {
		case KindQuestion, KindAgreement, KindReferral, KindPilot, KindFinal:
		default:
			add(s.ID, "kind: %q is not %q, %q, %q or %q", s.Kind, KindAgreement, KindReferral, KindPilot, KindFinal)
		}
		if s.AfterWeeks < 0 || (s.AfterWeeks > 0 && s.Kind != KindReferral) {
			add(s.ID, "after_weeks: only a %s step has it, and it is not negative", KindReferral)
		}
		if s.Every != EveryCheckin && s.Every != EveryMonthly {
			add(s.ID, "every: %q is not %q", s.Every, EveryMonthly)
		}
		switch s.Role {
		case "":
		case RoleMood, RoleActivity:
			if other, ok := f.StepWithRole(s.Role); ok && other.ID != s.ID {
				add(s.ID, "role: %q is step %q's already", s.Role, other.ID)
			}
			if len(s.Options) == 0 {
				add(s.ID, "role %q: the step has no options", s.Role)
			}
		default:
			add(s.ID, "role: %q is not %q or %q", s.Role, RoleMood, RoleActivity)
		}
		if s.Role == RoleMood {
			for i, o := range s.Options {
				if o.ID != strconv.Itoa(i+1) {
					add(s.ID, "role %q: option %d is %q, want %q (options 1..n, the higher the better)", RoleMood, i+1, o.ID, strconv.Itoa(i+1))
				}
			}
		}
		seen := map[string]bool{}
		for _, o := range s.Options {
			if !idPattern.MatchString(o.ID) {
				add(s.ID, "option id %q does not match %s", o.ID, idPattern)
			}
			if seen[o.ID] {
				add(s.ID, "option id %q is used twice", o.ID)
			}
			seen[o.ID] = true
			if o.Label == "" {
				add(s.ID, "option %q has no label", o.ID)
			}
			if n := len(CallbackData(math.MaxInt64, s.ID, o.ID)); n > MaxCallbackData {
				add(s.ID, "callback_data of option %q is %d bytes, more than %d", o.ID, n, MaxCallbackData)
			}
		}
	}

	// Targets: an omitted next is the following step, "end" ends.
	target := func(step, t, omitted string) string {
		switch t {
		case End:
			return ""
		case "":
			return omitted
		}
		if _, ok := f.index[t]; !ok {
			add(step, "next step %q does not exist", t)
		}
		return t
	}
	for i := range f.Steps {
		s := &f.Steps[i]
		following := ""
		if i+1 < len(f.Steps) {
			following = f.Steps[i+1].ID
		}
		s.Next = target(s.ID, s.Next, following)
		branched := map[string]bool{}
		for j := range s.Branches {
			b := &s.Branches[j]
			if b.Next == "" {
				add(s.ID, "branch %d has no next", j+1)
			}
			b.Next = target(s.ID, b.Next, "")
			if len(b.When) == 0 {
				add(s.ID, "branch %d has no when", j+1)
			}
			for _, o := range b.When {
				if _, ok := s.Option(o); !ok {
					add(s.ID, "branch on option %q, which the step does not have", o)
				}
				if branched[o] {
					add(s.ID, "option %q is in two branches", o)
				}
				branched[o] = true
			}
		}
	}
	if len(f.Steps) > 0 {
		ps = append(ps, graphProblems(f)...)
	}

	// Rules.
	codes := map[string]bool{}
	for _, r := range ff.Rules {
		rule := Rule{Code: r.Code, Step: r.Step, Options: r.Options, Previous: r.Previous}
		if r.Code == "" {
			add(r.Step, "rule without code")
		} else if codes[r.Code] {
			add(r.Step, "rule code %q is used twice", r.Code)
		}
		codes[r.Code] = true
		var err error
		if rule.Severity, err = ParseSeverity(r.Severity); err != nil || rule.Severity == None {
			add(r.Step, "rule %q: severity %q is not request, attention, urgent or crisis", r.Code, r.Severity)
		}
		s, ok := f.StepByID(r.Step)
		if !ok {
			s = &Step{}
			add(r.Step, "rule %q: step %q does not exist", r.Code, r.Step)
		}
		if len(r.Options) == 0 {
			add(r.Step, "rule %q has no options", r.Code)
		}
		for _, o := range slices.Concat(r.Options, r.Previous) {
			if _, has := s.Option(o); ok && !has {
				add(r.Step, "rule %q: option %q does not exist", r.Code, o)
			}
		}
		f.Rules = append(f.Rules, rule)
	}
	return f, ps
}

// graphProblems reports steps that cannot be reached from the first and
// loops (a check-in must end). It needs valid targets.
func graphProblems(f *Flow) []Problem {
	var ps []Problem
	const (
		unseen = iota
		active
		done
	)
	state := make([]int, len(f.Steps))
	var visit func(i int)
	visit = func(i int) {
		state[i] = active
		s := &f.Steps[i]
		for _, t := range s.targets() {
			j, ok := f.index[t]
			if !ok {
				continue
			}
			switch state[j] {
			case unseen:
				visit(j)
			case active:
				ps = append(ps, Problem{Step: s.ID, Message: fmt.Sprintf("loop: goes back to step %q", t)})
			}
		}
		state[i] = done
	}
	visit(0)
	for i, s := range f.Steps {
		if state[i] == unseen && f.index[s.ID] == i { // a duplicate ID is reported as such
			ps = append(ps, Problem{Step: s.ID, Message: "cannot be reached from the first step"})
		}
	}
	return ps
}

// targets returns the steps that can follow s ("" ends).
func (s *Step) targets() []string {
	ts := []string{s.Next}
	for _, b := range s.Branches {
		ts = append(ts, b.Next)
	}
	return ts
}

// messageIDs returns the message IDs the flow uses, with the step using
// each ("" for the flow's own texts).
func (f *Flow) messageIDs() [][2]string {
	ids := [][2]string{{"", f.Opener}, {"", f.Closer}, {"", f.Reminder}, {"", f.Chosen}}
	for _, s := range f.Steps {
		ids = append(ids, [2]string{s.ID, s.Question})
		for _, o := range s.Options {
			ids = append(ids, [2]string{s.ID, o.Label})
		}
	}
	return ids
}
