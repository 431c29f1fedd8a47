package main

import (
	"testing"
	"time"

	"github.com/lijntje/lijntje/desk"
	"github.com/lijntje/lijntje/locales"
	"github.com/lijntje/lijntje/store"
)

// FuzzImportCSV: whatever a spreadsheet holds, the import reads it, reports
// problems by line, and never panics.
func FuzzImportCSV(f *testing.F) {
	for _, seed := range []string{
		"name;coach;lang;left_school;ref\nNoor Bakker;1;nl;2026-07-01;A1\n",
		"\xef\xbb\xbfname,coach,lang,left_school\n\"Bakker, Noor\",Sanne,en,1-7-2026\n",
		"naam;coach;taal;uitstroomdatum\nDaniël;1;nl;01/07/2026\n",
		"name;coach\n;;;;\n\"unterminated\n",
		"",
	} {
		f.Add([]byte(seed))
	}
	texts, err := locales.Load()
	if err != nil {
		f.Fatal(err)
	}
	d := &desk.Desk{Texts: texts, Lang: "nl", Zone: time.UTC}
	coaches := []store.Coach{{ID: 1, Name: "Sanne de Vries"}, {ID: 2, Name: "Sanne de Vries"}}
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, b []byte) {
		lines, err := d.ParseImportCSV("fuzz.csv", b)
		if err != nil {
			return
		}
		students, problems := d.Validate(lines, coaches, false, now)
		if len(problems) == 0 && len(students) != len(lines) {
			t.Fatalf("%d lines, %d students and no problems", len(lines), len(students))
		}
	})
}
