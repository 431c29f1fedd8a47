package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

func TestExportXLSXHasExactlyTheCSVRows(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.must("coach", "add", "--name", "Sanne")
	c.must("coach", "add", "--name", "Joost")
	c.must("student", "add", "--name", "Noor", "--coach", "1")
	c.must("student", "add", "--name", "Sem", "--coach", "2")
	jan, feb := time.Date(2026, 1, 5, 18, 0, 0, 0, time.UTC), time.Date(2026, 2, 2, 18, 0, 0, 0, time.UTC)
	var answers []store.NewAnswerRow
	for i := range 300 {
		sid, cid := int64(1+i%2), int64(1+i%2)
		day := jan
		if i >= 200 && sid == 1 {
			cid, day = 3, feb
		}
		var text string
		switch i % 7 {
		case 0:
			text = "Het gaat \"best\", denk ik;\nof niet? ✓ " + strings.Repeat("x", 20)
		case 3:
			text = "=1+1"
		}
		if i%11 == 0 {
			cid = 0 // a message outside a check-in
		}
		var voice string
		if i%13 == 0 {
			voice = "AwACAgQ"
		}
		answers = append(answers, store.NewAnswerRow{StudentID: sid, CheckinID: cid, FlowVersion: "v1", Step: fmt.Sprintf("step%d", i),
			Option: fmt.Sprintf("opt%d", i%5), Text: text, VoiceFileID: voice, At: day.Add(time.Duration(i) * time.Second)})
	}
	c.seed(func(t testing.TB, st *store.Store) {
		storetest.CheckinRows(t, st,
			store.NewCheckinRow{StudentID: 1, FlowID: "checkin", Slot: jan, Due: jan, Status: "completed"},
			store.NewCheckinRow{StudentID: 2, FlowID: "checkin", Slot: jan, Due: jan, Status: "completed"},
			store.NewCheckinRow{StudentID: 1, FlowID: "checkin", Slot: feb, Due: feb, Status: "completed"})
		storetest.AnswerRows(t, st, answers...)
	})

	for _, filter := range [][]string{nil, {"--coach", "1"}, {"--from", "2026-02-01"}, {"--to", "2026-02-01", "--coach", "2"}} {
		t.Run(strings.Join(filter, " "), func(t *testing.T) {
			csvOut := c.must(append([]string{"export", "answers", "--format", "csv"}, filter...)...)
			want := parseDutchCSV(t, []byte(csvOut))
			if len(want) < 2 {
				t.Fatalf("CSV export has %d rows", len(want))
			}
			if !slicesHasPrefix(want[0], []string{"student", "checkin", "step", "option", "text", "answered_at"}) {
				t.Fatalf("CSV header %v", want[0])
			}
			xlsxOut := c.must(append([]string{"export", "answers", "--format", "xlsx"}, filter...)...)
			x, err := excelize.OpenReader(bytes.NewReader([]byte(xlsxOut)))
			if err != nil {
				t.Fatal(err)
			}
			defer x.Close()
			got, err := x.GetRows(x.GetSheetName(0))
			if err != nil {
				t.Fatal(err)
			}
			for i := range got { // GetRows drops trailing empty cells
				for len(got[i]) < len(want[0]) {
					got[i] = append(got[i], "")
				}
			}
			// The CSV escapes a text that Excel would run as a formula; the
			// XLSX holds it as a text cell, which Excel never runs.
			escaped := 0
			for i := 1; i < len(want); i++ {
				if want[i][4] == "=1+1" {
					t.Fatalf("row %d: a formula left unescaped in the CSV: %q", i, want[i][4])
				}
				if v, ok := strings.CutPrefix(want[i][4], "'"); ok && v == "=1+1" {
					want[i][4] = v
					escaped++
				}
			}
			if escaped == 0 && len(filter) == 0 {
				t.Fatal("no escaped formula in the CSV export")
			}
			// answered_at is a date cell in the XLSX (local wall time), an
			// RFC 3339 time with the local offset in the CSV.
			for i := 1; i < len(want) && i < len(got); i++ {
				at, err := time.Parse(time.RFC3339, want[i][5])
				if err != nil {
					t.Fatalf("answered_at %q: %v", want[i][5], err)
				}
				if want[i][5] = at.Format("02-01-2006 15:04:05"); at.Location() == time.UTC {
					t.Fatalf("answered_at %q is UTC, want Amsterdam time", want[i][5])
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("XLSX rows differ from the CSV's (-csv +xlsx):\n%s", diff)
			}
		})
	}
	if n := len(strings.Split(strings.TrimSpace(c.must("export", "answers", "--coach", "2", "--to", "2026-02-01")), "\n")); n < 100 {
		t.Fatalf("coach 2's export has %d lines", n)
	}
}

func slicesHasPrefix(s, prefix []string) bool {
	return len(s) >= len(prefix) && cmp.Equal(s[:len(prefix)], prefix)
}
