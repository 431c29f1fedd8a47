package flows

import (
	"strings"
	"testing"
	"time"
)

func TestAgreementStepAskedOnlyWhenAsked(t *testing.T) {
	f := standard(t)
	calm := []Input{tap("mood", "4"), tap("daytime", "looking"), tap("money", "ok"), tap("housing", "yes"), tap("support", "yes")}
	// Start: no agreement due, so the step is not asked.
	asked, _, _, _ := run(t, f, nil, nil, append(calm, tap("contact", "no")))
	for _, s := range asked {
		if s == "agreement" || s == "referral" {
			t.Fatalf("asked %s without anything due: %v", s, asked)
		}
	}
	// StartAsking: asked after support; "failed" after a "failed" about the
	// same agreement is a request, and so is "talk".
	for _, tt := range []struct {
		option, previous, code string
	}{{"failed", "failed", "agreement=failedx2"}, {"talk", "", "agreement=talk"}, {"failed", "busy", ""}, {"done", "failed", ""}} {
		s, next := f.StartAsking(nil, []string{"agreement"})
		s.Previous = map[string]string{"agreement": tt.previous}
		for _, in := range calm {
			o, err := f.Apply(s, in)
			if err != nil {
				t.Fatal(err)
			}
			s, next = o.State, o.Next
		}
		if next == nil || next.ID != "agreement" || next.Kind != KindAgreement {
			t.Fatalf("after support: %v, want the agreement step", next)
		}
		o, err := f.Apply(s, tap("agreement", tt.option))
		if err != nil {
			t.Fatal(err)
		}
		if o.Next == nil || o.Next.ID != "contact" {
			t.Errorf("after the agreement: %v, want contact (the referral is not asked)", o.Next)
		}
		got := ""
		for _, sg := range o.Signals {
			got = sg.Code
			if sg.Severity != Request {
				t.Errorf("%s is %v, want request", sg.Code, sg.Severity)
			}
		}
		if got != tt.code {
			t.Errorf("%s after %q: signal %q, want %q", tt.option, tt.previous, got, tt.code)
		}
	}
	if d := f.ReferralFollowUp(); d != 3*7*24*time.Hour {
		t.Errorf("ReferralFollowUp = %v, want 3 weeks (after_weeks: 3)", d)
	}
}

func TestKindValidated(t *testing.T) {
	src := `id: x
opener: o
closer: c
reminder: r
chosen: ch
steps:
  - {id: a, question: q, kind: promise, options: [{id: "yes", label: l}]}
  - {id: b, question: q, after_weeks: 2, options: [{id: "yes", label: l}]}
`
	_, err := Parse([]byte(src))
	if err == nil || !strings.Contains(err.Error(), `kind: "promise"`) || !strings.Contains(err.Error(), "after_weeks") {
		t.Errorf("Parse = %v, want errors about kind and after_weeks", err)
	}
}
