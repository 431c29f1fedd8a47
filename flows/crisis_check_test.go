package flows

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/lijntje/lijntje/locales"
)

// TestCheckCrisisRules: `lijntje flows check` reports every problem of
// crisis.rules, with its line, and replies missing in a language.
func TestCheckCrisisRules(t *testing.T) {
	loc, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	msgs := map[string]map[string]bool{}
	for _, lang := range loc.Languages() {
		msgs[lang] = loc.IDs(lang)
	}
	flow, err := FS().(interface{ ReadFile(string) ([]byte, error) }).ReadFile("checkin.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{
		"checkin.yaml": {Data: flow},
		"crisis.rules": {Data: []byte(`category: suicide crisis crisis.reply.suicide
category: other crisis crisis.reply.nope
class unused: x
rule suicide a: @nope dood
rule other b: dood
rule suicide c: "wil .. "
`)},
	}
	ps := Check(fsys, msgs)
	var got []string
	for _, p := range ps {
		if p.File != "crisis.rules" {
			t.Errorf("problem in %q: %v", p.File, p)
		}
		got = append(got, p.Error())
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		`line 4: rule a: no class "nope"`,
		`line 6: rule c: ".." must stand between words`,
		`line 3: class unused is used by no rule`,
		`category suicide has no rules`,
		`category other: message "crisis.reply.nope" is missing in nl`,
		`category other: message "crisis.reply.nope" is missing in en`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("Check lacks %q; got:\n%s", want, all)
		}
	}
	delete(msgs["en"], "crisis.reply.abuse")
	ps = Check(FS(), msgs)
	if len(ps) != 1 || !strings.Contains(ps[0].Error(), `crisis.rules: category abuse: message "crisis.reply.abuse" is missing in en`) {
		t.Errorf("Check of the embedded rules without an English abuse reply: %v", ps)
	}
}

func TestExplain(t *testing.T) {
	c := crisis(t)
	for _, tt := range []struct{ text, want string }{
		{"ik doe mezelf pijn", "result: suicide (crisis)"},
		{"ik doe mezelf pijn", "rule suicide pijn_doen"},
		{"ik ben bang voor m'n vader", "result: abuse (crisis), reply crisis.reply.abuse"},
		{"ik kan dit niet meer", "result: doubt (doubt)"},
		{"ik word ontslagen", "result: job (urgent)"},
		{"ik lach me dood", "no rule fired"},
	} {
		if got := c.Explain(tt.text); !strings.Contains(got, tt.want) {
			t.Errorf("Explain(%q) = %q, want %q in it", tt.text, got, tt.want)
		}
	}
}
