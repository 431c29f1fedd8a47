package locales

import (
	"io/fs"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"text/template"
	"text/template/parse"

	"github.com/BurntSushi/toml"
	"github.com/google/go-cmp/cmp"
	"github.com/nicksnyder/go-i18n/v2/i18n"
)

func mustLoad(t *testing.T) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

func TestLanguages(t *testing.T) {
	c := mustLoad(t)
	langs := c.Languages()
	if len(langs) == 0 || langs[0] != Default {
		t.Fatalf("Languages() = %v, want %q first", langs, Default)
	}
	if !slices.Contains(langs, "en") {
		t.Errorf("Languages() = %v, want en among them", langs)
	}
}

// TestSameIDs guards every embedded file, also those of other areas: each
// message exists in every language.
func TestSameIDs(t *testing.T) {
	c := mustLoad(t)
	want := c.IDs(Default)
	for _, lang := range c.Languages()[1:] {
		if diff := cmp.Diff(want, c.IDs(lang)); diff != "" {
			t.Errorf("message IDs of %s differ from %s (-%s +%s):\n%s", lang, Default, Default, lang, diff)
		}
	}
}

// messages returns the raw messages of every embedded file: lang → id → message.
func messages(t *testing.T) map[string]map[string]*i18n.Message {
	t.Helper()
	names, err := fs.Glob(files, "*.toml")
	if err != nil {
		t.Fatal(err)
	}
	all := map[string]map[string]*i18n.Message{}
	for _, name := range names {
		src, err := fs.ReadFile(files, name)
		if err != nil {
			t.Fatal(err)
		}
		mf, err := i18n.ParseMessageFileBytes(src, name, map[string]i18n.UnmarshalFunc{"toml": toml.Unmarshal})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		lang := mf.Tag.String()
		if all[lang] == nil {
			all[lang] = map[string]*i18n.Message{}
		}
		for _, m := range mf.Messages {
			all[lang][m.ID] = m
		}
	}
	return all
}

// fields returns the top-level data fields ({{.Name}} → Name) that the
// plural forms of m use.
func fields(t *testing.T, m *i18n.Message) map[string]bool {
	t.Helper()
	seen := map[string]bool{}
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				walk(c)
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			if n == nil {
				return
			}
			for _, c := range n.Cmds {
				walk(c)
			}
		case *parse.CommandNode:
			for _, a := range n.Args {
				walk(a)
			}
		case *parse.FieldNode:
			seen[n.Ident[0]] = true
		case *parse.ChainNode:
			walk(n.Node)
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		}
	}
	for _, src := range []string{m.Zero, m.One, m.Two, m.Few, m.Many, m.Other} {
		if src == "" {
			continue
		}
		left, right := m.LeftDelim, m.RightDelim
		if left == "" {
			left, right = "{{", "}}"
		}
		tmpl, err := template.New("").Delims(left, right).Parse(src)
		if err != nil {
			t.Errorf("message %q: %v", m.ID, err)
			continue
		}
		walk(tmpl.Root)
	}
	return seen
}

// TestRender renders every message of every language with data for every
// field it uses, and checks that translations use the same fields.
func TestRender(t *testing.T) {
	c := mustLoad(t)
	all := messages(t)
	for _, lang := range c.Languages() {
		for id, m := range all[lang] {
			used := fields(t, m)
			data := map[string]any{"Count": 2}
			for f := range used {
				if f != "Count" {
					data[f] = "<" + f + ">"
				}
			}
			for _, n := range []int{1, 2} {
				data["Count"] = n
				got := c.T(lang, id, data)
				if got == id || got == "" || strings.Contains(got, "<no value>") {
					t.Errorf("T(%q, %q, %v) = %q", lang, id, data, got)
				}
				for f := range used {
					if f != "Count" && !strings.Contains(got, "<"+f+">") {
						t.Errorf("T(%q, %q) = %q: does not show .%s", lang, id, got, f)
					}
				}
			}
			if lang == Default {
				continue
			}
			if def, ok := all[Default][id]; ok {
				want := slices.Sorted(maps.Keys(fields(t, def)))
				if diff := cmp.Diff(want, slices.Sorted(maps.Keys(used))); diff != "" {
					t.Errorf("message %q: %s uses other template data than %s (-%s +%s):\n%s", id, lang, Default, Default, lang, diff)
				}
			}
		}
	}
}

func TestFlowTexts(t *testing.T) {
	c := mustLoad(t)
	data := map[string]any{"Name": "Noor", "Coach": "Sanne"}
	tests := []struct{ lang, id, want string }{
		{"nl", "flow.checkin.opener", "Hoi Noor! 👋 Hier is je check-in van Sanne. Het duurt maar een minuutje."},
		{"en", "flow.checkin.opener", "Hi Noor! 👋 Here is your check-in from Sanne. It only takes a minute."},
		{"EN-gb", "flow.checkin.mood.1", "😣 Bad"},
		{"en_US", "flow.checkin.mood.1", "😣 Bad"},
		{"nl-BE", "flow.checkin.mood.1", "😣 Slecht"},
		{"fr", "flow.checkin.mood.1", "😣 Slecht"},
		{"", "flow.checkin.mood.1", "😣 Slecht"},
		{"nl", "no.such.message", "no.such.message"},
		{"xx", "no.such.message", "no.such.message"},
	}
	for _, tt := range tests {
		if got := c.T(tt.lang, tt.id, data); got != tt.want {
			t.Errorf("T(%q, %q) = %q, want %q", tt.lang, tt.id, got, tt.want)
		}
	}
	if got, want := c.T("nl", "flow.chosen", map[string]any{"Question": "Hoe gaat het?", "Choice": "🙂 Goed"}),
		"Hoe gaat het?\n\n✔️ Jouw antwoord: 🙂 Goed"; got != want {
		t.Errorf("flow.chosen = %q, want %q", got, want)
	}
}

func TestFallback(t *testing.T) {
	c, err := LoadFS(fstest.MapFS{
		"a.nl.toml": {Data: []byte(`
"a.hi" = "Hoi {{.Name}}"
"a.only_nl" = "Alleen Nederlands"
"a.count" = { one = "{{.Count}} bericht", other = "{{.Count}} berichten" }
`)},
		"a.en.toml": {Data: []byte(`"a.hi" = "Hi {{.Name}}"` + "\n" + `"a.bad" = "{{.Name.Deeper}}"`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	name := map[string]any{"Name": "Noor"}
	tests := []struct {
		lang, id string
		data     map[string]any
		want     string
	}{
		{"en", "a.hi", name, "Hi Noor"},
		{"nl", "a.hi", name, "Hoi Noor"},
		{"de", "a.hi", name, "Hoi Noor"},
		{"en", "a.only_nl", nil, "Alleen Nederlands"},
		{"en", "a.missing", nil, "a.missing"},
		{"nl", "a.hi", nil, "Hoi <no value>"},
		{"nl", "a.count", map[string]any{"Count": 1}, "1 bericht"},
		{"nl", "a.count", map[string]any{"Count": 3}, "3 berichten"},
		{"en", "a.bad", name, "a.bad"}, // fails to render: the ID, no panic
	}
	for _, tt := range tests {
		if got := c.T(tt.lang, tt.id, tt.data); got != tt.want {
			t.Errorf("T(%q, %q, %v) = %q, want %q", tt.lang, tt.id, tt.data, got, tt.want)
		}
	}
	if !c.Has("nl", "a.only_nl") || c.Has("en", "a.only_nl") || c.Has("xx", "a.hi") {
		t.Error("Has does not report what each language itself has")
	}
	if diff := cmp.Diff(map[string]bool{"a.hi": true, "a.bad": true}, c.IDs("en")); diff != "" {
		t.Errorf("IDs(en) (-want +got):\n%s", diff)
	}
	c.IDs("en")["x"] = true
	if c.Has("en", "x") {
		t.Error("IDs returns the catalog's own map")
	}
	if diff := cmp.Diff([]string{"nl", "en"}, c.Languages()); diff != "" {
		t.Errorf("Languages (-want +got):\n%s", diff)
	}
}

func TestLoadLocalesFSErrors(t *testing.T) {
	tests := map[string]fstest.MapFS{
		"bad name":        {"flow.nl.toml": {Data: []byte(`"a" = "b"`)}, "notes.toml": {Data: []byte(`"a" = "b"`)}},
		"bad toml":        {"flow.nl.toml": {Data: []byte(`"a" = `)}},
		"bad template":    {"flow.nl.toml": {Data: []byte(`"a" = "{{.Name"`)}},
		"duplicate id":    {"a.nl.toml": {Data: []byte(`"x" = "1"`)}, "b.nl.toml": {Data: []byte(`"x" = "2"`)}},
		"no default":      {"flow.en.toml": {Data: []byte(`"a" = "b"`)}},
		"no files at all": {},
	}
	for name, fsys := range tests {
		if _, err := LoadFS(fsys); err == nil {
			t.Errorf("%s: LoadFS succeeded, want an error", name)
		}
	}
}

func TestConcurrentT(t *testing.T) {
	c := mustLoad(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			lang := c.Languages()[i%len(c.Languages())]
			for id := range c.IDs(lang) {
				c.T(lang, id, map[string]any{"Name": "Noor", "Coach": "Sanne", "Count": i})
			}
		})
	}
	wg.Wait()
}
