package locales

import (
	"io/fs"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// reference renders like Catalog.T did before fieldParser: go-i18n with
// its own text/template parser.
func reference(t *testing.T) map[string]*i18n.Localizer {
	t.Helper()
	names, err := fs.Glob(files, "*.toml")
	if err != nil {
		t.Fatal(err)
	}
	bundle := i18n.NewBundle(language.Dutch)
	bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	for _, name := range names {
		src, err := fs.ReadFile(files, name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := bundle.ParseMessageFileBytes(src, name); err != nil {
			t.Fatal(err)
		}
	}
	return map[string]*i18n.Localizer{"nl": i18n.NewLocalizer(bundle, "nl"), "en": i18n.NewLocalizer(bundle, "en")}
}

// Every text renders the same through fieldParser as through text/template,
// whatever the data: strings that look like templates or markup, an empty
// one, a number, a field missing, no data at all, and both plural forms.
func TestFieldTemplatesRenderAsTextTemplate(t *testing.T) {
	c := mustLoad(t)
	ref := reference(t)
	all := messages(t)
	fast := 0
	for _, lang := range c.Languages() {
		for id, m := range all[lang] {
			used := fields(t, m)
			if ft, ok := fieldsOnly(m.Other, "{{", "}}"); ok && len(ft.fields) > 0 {
				fast++
			}
			datas := []map[string]any{nil, {}}
			for _, value := range []any{"Sanne", "", "{{.Name}} <b>&amp; 100% ✓\n", 7} {
				for _, count := range []any{nil, 1, 2} {
					d := map[string]any{}
					for f := range used {
						d[f] = value
					}
					if count != nil {
						d["Count"] = count
					}
					datas = append(datas, d)
					if len(used) > 1 { // one field missing
						less := map[string]any{}
						skipped := false
						for f := range used {
							if !skipped && f != "Count" {
								skipped = true
								continue
							}
							less[f] = d[f]
						}
						datas = append(datas, less)
					}
				}
			}
			for _, d := range datas {
				cfg := &i18n.LocalizeConfig{MessageID: id}
				if d != nil {
					cfg.TemplateData = d
					if n, ok := d["Count"]; ok {
						cfg.PluralCount = n
					}
				}
				want, _ := ref[lang].Localize(cfg)
				if want == "" {
					want = id
				}
				if got := c.T(lang, id, d); got != want {
					t.Errorf("T(%q, %q, %v) = %q, text/template gives %q", lang, id, d, got, want)
				}
			}
		}
	}
	if fast < 50 {
		t.Errorf("only %d texts with fields are rendered without text/template", fast)
	}
}

func TestFieldsOnly(t *testing.T) {
	for src, want := range map[string]bool{
		"Hoi {{.Name}}, hoe gaat het?":      true,
		"{{ .Name }} en {{- .Coach }}":      true,
		"{{.Name}}{{.Name}}":                true,
		"{{if .Name}}Hoi {{.Name}}{{end}}":  false,
		"{{.Student.Name}}":                 false,
		"{{printf \"%d\" .Count}}":          false,
		"{{.Name | html}}":                  false,
		"{{$x := .Name}}{{$x}}":             false,
		"{{/* opmerking */}}Hoi":            true,
		"{{.Name}} {{template \"x\"}}":      false,
		"{{define \"x\"}}a{{end}}{{.Name}}": false,
		"{{.Name":                           false,
	} {
		if _, got := fieldsOnly(src, "{{", "}}"); got != want {
			t.Errorf("fieldsOnly(%q) = %v, want %v", src, got, want)
		}
	}
}
