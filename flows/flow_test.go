package flows

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lijntje/lijntje/locales"
)

func standard(t testing.TB) *Flow {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	f, ok := c.Current(Standard)
	if !ok {
		t.Fatalf("no flow %q", Standard)
	}
	return f
}

func TestStandardFlow(t *testing.T) {
	f := standard(t)
	type step struct {
		ID      string
		Options []string
		Free    bool
		Every   string
		Next    string
	}
	var got []step
	for _, s := range f.Steps {
		st := step{ID: s.ID, Free: s.FreeText, Every: s.Every, Next: s.Next}
		for _, o := range s.Options {
			st.Options = append(st.Options, o.ID)
			if want := "flow.checkin." + s.ID + "." + o.ID; o.Label != want {
				t.Errorf("label of %s=%s is %q, want %q", s.ID, o.ID, o.Label, want)
			}
		}
		got = append(got, st)
	}
	want := []step{
		{ID: "mood", Options: []string{"1", "2", "3", "4", "5"}, Next: "daytime"},
		{ID: "daytime", Options: []string{"work", "school", "internship", "looking", "home"}, Next: "money"},
		{ID: "daytime_ok", Options: []string{"yes", "so_so", "no", "stopped"}, Next: "fit"},
		{ID: "fit", Options: []string{"yes", "partly", "no"}, Every: EveryMonthly, Next: "money"},
		{ID: "money", Options: []string{"ok", "tight", "debts"}, Next: "housing"},
		{ID: "housing", Options: []string{"yes", "unsure", "no"}, Every: EveryMonthly, Next: "support"},
		{ID: "support", Options: []string{"yes", "no"}, Every: EveryMonthly, Next: "agreement"},
		{ID: "agreement", Options: []string{"done", "busy", "failed", "talk"}, Next: "referral"},
		{ID: "referral", Options: []string{"yes", "not_yet", "no", "talk"}, Next: "contact"},
		{ID: "contact", Options: []string{"yes", "no"}, Next: "feedback_lijntje"},
		{ID: "feedback_lijntje", Options: []string{"good", "ok", "bad"}, Next: "feedback_coach"},
		{ID: "feedback_coach", Options: []string{"much", "some", "none"}, Next: "note"},
		{ID: "note", Options: []string{"done"}, Free: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	daytime, _ := f.StepByID("daytime")
	if diff := cmp.Diff([]Branch{{When: []string{"work", "school", "internship"}, Next: "daytime_ok"}}, daytime.Branches); diff != "" {
		t.Errorf("daytime branches (-want +got):\n%s", diff)
	}
	if f.Opener != "flow.checkin.opener" || f.Closer != "flow.checkin.closer" ||
		f.Reminder != "flow.checkin.reminder" || f.Chosen != "flow.chosen" {
		t.Errorf("flow texts: %q %q %q %q", f.Opener, f.Closer, f.Reminder, f.Chosen)
	}
	if len(f.Version) != 12 || strings.Trim(f.Version, "0123456789abcdef") != "" {
		t.Errorf("Version = %q, want 12 hex digits", f.Version)
	}
}

// TestCheckEmbedded checks the real flows against the real translations.
func TestCheckEmbedded(t *testing.T) {
	loc, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	msgs := map[string]map[string]bool{}
	for _, lang := range loc.Languages() {
		msgs[lang] = loc.IDs(lang)
	}
	if ps := Check(FS(), msgs); len(ps) > 0 {
		t.Errorf("Check found problems:\n%v", ps)
	}

	delete(msgs["en"], "flow.checkin.money.debts")
	want := []Problem{{File: "checkin.yaml", Step: "money", Message: `message "flow.checkin.money.debts" is missing in en`}}
	if diff := cmp.Diff(want, Check(FS(), msgs)); diff != "" {
		t.Errorf("Check with a missing text (-want +got):\n%s", diff)
	}
}

func TestCheckFixtures(t *testing.T) {
	known := []string{"t.opener", "t.closer", "t.reminder", "t.chosen", "t.q1", "t.q2", "t.yes", "t.no"}
	msgs := map[string]map[string]bool{"nl": {"t.q2.no": true}, "en": {}}
	for _, id := range known {
		msgs["nl"][id], msgs["en"][id] = true, true
	}
	want := []Problem{
		{File: "dangling_branch.yaml", Step: "q1", Message: `next step "q9" does not exist`},
		{File: "dangling_branch.yaml", Step: "q2", Message: `next step "qq" does not exist`},

		{File: "long_callback.yaml", Step: "how_are_things_going_at_work_lately", Message: `callback_data of option "not_really_and_i_want_to_talk" is 81 bytes, more than 64`},

		{File: "many_problems.yaml", Message: "no reminder message"},
		{File: "many_problems.yaml", Step: "q1", Message: `every: "yearly" is not "monthly"`},
		{File: "many_problems.yaml", Step: "q1", Message: `option id "yes" is used twice`},
		{File: "many_problems.yaml", Step: "q1", Message: `option id "No!" does not match ^[a-z0-9_]+$`},
		{File: "many_problems.yaml", Step: "q3", Message: "no question"},
		{File: "many_problems.yaml", Step: "q3", Message: "neither options nor free_text"},
		{File: "many_problems.yaml", Step: "q3", Message: `step id "q3" is used twice`},
		{File: "many_problems.yaml", Step: "q3", Message: `branch on option "maybe", which the step does not have`},
		{File: "many_problems.yaml", Step: "q3", Message: `loop: goes back to step "q3"`},
		{File: "many_problems.yaml", Step: "q3", Message: `loop: goes back to step "q1"`},
		{File: "many_problems.yaml", Step: "q2", Message: "cannot be reached from the first step"},
		{File: "many_problems.yaml", Step: "q1", Message: `rule code "a" is used twice`},
		{File: "many_problems.yaml", Step: "q1", Message: `rule "a": severity "fatal" is not request, attention, urgent or crisis`},
		{File: "many_problems.yaml", Step: "q1", Message: `rule "a": option "maybe" does not exist`},
		{File: "many_problems.yaml", Step: "q7", Message: `rule "b": severity "none" is not request, attention, urgent or crisis`},
		{File: "many_problems.yaml", Step: "q7", Message: `rule "b": step "q7" does not exist`},
		{File: "many_problems.yaml", Step: "q2", Message: "rule without code"},
		{File: "many_problems.yaml", Step: "q2", Message: `rule "" has no options`},
		{File: "many_problems.yaml", Message: `flow id "not_the_file_name", want "many_problems" (the file name)`},

		{File: "missing_translation.yaml", Step: "q2", Message: `message "t.q2.no" is missing in en`},
		{File: "missing_translation.yaml", Step: "q2", Message: `message "t.nowhere" is missing in en`},
		{File: "missing_translation.yaml", Step: "q2", Message: `message "t.nowhere" is missing in nl`},
	}
	got := Check(os.DirFS("testdata"), msgs)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Check(testdata) (-want +got):\n%s", diff)
	}
}

func TestCheckNoFiles(t *testing.T) {
	got := Check(os.DirFS(t.TempDir()), nil)
	if diff := cmp.Diff([]Problem{{Message: "no flow files (*.yaml)"}}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

const minimal = `
id: mini
opener: o
closer: c
reminder: r
chosen: x
steps:
  - id: a
    question: qa
    options: [{id: "yes", label: l}, {id: "no", label: l}]
`

func TestParse(t *testing.T) {
	f, err := Parse([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	g, _ := Parse([]byte(minimal + "\n# a comment is a new version\n"))
	if f.Version == g.Version {
		t.Error("a changed file keeps its version")
	}
	h, _ := Parse([]byte(minimal))
	if f.Version != h.Version {
		t.Error("the same file gets another version")
	}
	if string(f.Source) != minimal {
		t.Error("Source is not the file")
	}
}

func TestRoles(t *testing.T) {
	f := standard(t)
	for _, role := range []string{RoleMood, RoleActivity} {
		if st, ok := f.StepWithRole(role); !ok || len(st.Options) == 0 {
			t.Errorf("the standard flow has no %s step with options", role)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"empty", "", "empty file"},
		{"not yaml", "id: [", "yaml"},
		{"unknown field", minimal + "colour: blue\n", "field colour not found"},
		{"unknown step field", strings.Replace(minimal, "question: qa", "question: qa\n    qestion: qb", 1), "field qestion not found"},
		{"no steps", "id: x\nopener: o\ncloser: c\nreminder: r\nchosen: x\n", "no steps"},
		{"bad flow id", strings.Replace(minimal, "id: mini", "id: Mini", 1), `flow id "Mini"`},
		{"no opener", strings.Replace(minimal, "opener: o", "", 1), "no opener message"},
		{"bad next", minimal + "    next: b\n", `next step "b" does not exist`},
		{"bad rule", minimal + "rules: [{code: x, severity: urgent, step: a, options: [maybe]}]\n", `option "maybe" does not exist`},
		{"branch on free text", minimal + "  - id: b\n    question: q\n    free_text: true\n    branches: [{when: [x], next: a}]\n", `branch on option "x"`},
		{"branch without next", minimal + "    branches: [{when: [\"yes\"]}]\n", "branch 1 has no next"},
		{"branch without when", minimal + "    branches: [{next: end}]\n", "branch 1 has no when"},
		{"option in two branches", minimal + "    branches: [{when: [\"yes\"], next: end}, {when: [\"yes\"], next: end}]\n", `option "yes" is in two branches`},
		{"step named end", strings.Replace(minimal, "id: a", "id: end", 1), `step id "end" is reserved`},
		{"no label", strings.Replace(minimal, `{id: "no", label: l}`, `{id: "no"}`, 1), `option "no" has no label`},
		{"unknown role", strings.Replace(minimal, "question: qa", "question: qa\n    role: weather", 1), `role: "weather" is not`},
		{"mood role with yes/no", strings.Replace(minimal, "question: qa", "question: qa\n    role: mood", 1), `option 1 is "yes", want "1"`},
		{"role twice", strings.Replace(minimal, "question: qa", "question: qa\n    role: activity", 1) +
			"  - id: b\n    question: q\n    role: activity\n    options: [{id: x, label: l}]\n", `role: "activity" is step "a"'s already`},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.src))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Parse error = %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

func TestParseEnd(t *testing.T) {
	f, err := Parse([]byte(minimal + `    branches: [{when: ["no"], next: end}]
  - id: b
    question: qb
    free_text: true
`))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := f.StepByID("a")
	if a.Next != "b" || a.Branches[0].Next != "" {
		t.Errorf("next = %q, branch next = %q; want b and the end", a.Next, a.Branches[0].Next)
	}
	if _, ok := f.StepByID("c"); ok {
		t.Error("StepByID(c) found a step")
	}
}

func TestSeverity(t *testing.T) {
	for _, s := range []Severity{None, Request, Attention, Urgent, Crisis} {
		got, err := ParseSeverity(s.String())
		if err != nil || got != s {
			t.Errorf("ParseSeverity(%q) = %v, %v", s.String(), got, err)
		}
	}
	if !(None < Request && Request < Attention && Attention < Urgent && Urgent < Crisis) {
		t.Error("severities are not ordered")
	}
	if _, err := ParseSeverity("Urgent"); err == nil {
		t.Error("ParseSeverity(Urgent) succeeded")
	}
	if got := Severity(9).String(); got != "Severity(9)" {
		t.Errorf("Severity(9).String() = %q", got)
	}
	b, err := json.Marshal(Signal{Code: "daytime=home", Severity: Urgent, Step: "daytime", Option: "home"})
	if err != nil || string(b) != `{"code":"daytime=home","severity":"urgent","step":"daytime","option":"home"}` {
		t.Errorf("json = %s, %v", b, err)
	}
	var sig Signal
	if err := json.Unmarshal(b, &sig); err != nil || sig.Severity != Urgent {
		t.Errorf("unmarshal = %+v, %v", sig, err)
	}
	if _, err := json.Marshal(Severity(-1)); err == nil {
		t.Error("marshalled Severity(-1)")
	}
}

func TestCatalog(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	f, ok := c.Current(Standard)
	if !ok {
		t.Fatal("no standard flow")
	}
	if g, ok := c.Version(Standard, f.Version); !ok || g != f {
		t.Error("Version(current) does not return the current flow")
	}
	if _, ok := c.Version(Standard, "000000000000"); ok {
		t.Error("Version(old) found a flow")
	}
	if _, ok := c.Current("nope"); ok {
		t.Error("Current(nope) found a flow")
	}
	var ids []string
	for _, f := range c.Flows() {
		ids = append(ids, f.ID)
	}
	if !slices.IsSorted(ids) || !slices.Contains(ids, Standard) {
		t.Errorf("Flows() = %v, want sorted with %s", ids, Standard)
	}
	// An old version comes back from its stored source.
	g, err := Parse(f.Source)
	if err != nil || g.Version != f.Version {
		t.Errorf("Parse(Source) = %v, %v", g, err)
	}
}

func TestLoadFlowsFSErrors(t *testing.T) {
	if _, err := loadFS(os.DirFS("testdata")); err == nil {
		t.Error("loadFS(testdata) succeeded")
	}
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/mini.yaml", []byte(minimal), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadFS(os.DirFS(dir)); err == nil || !strings.Contains(err.Error(), "no checkin.yaml") {
		t.Errorf("loadFS without the standard flow: %v", err)
	}
	if err := os.WriteFile(dir+"/checkin.yaml", []byte(minimal), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadFS(os.DirFS(dir)); err == nil || !strings.Contains(err.Error(), `want "checkin"`) {
		t.Errorf("loadFS with a misnamed flow: %v", err)
	}
}
