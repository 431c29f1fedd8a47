package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"
)

// exec runs SQL statements on the test database.
func (c *cliEnv) exec(stmts ...string) {
	c.t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.url)
	if err != nil {
		c.t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			c.t.Fatalf("%s: %v", s, err)
		}
	}
}

func TestExportXLSXHasExactlyTheCSVRows(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.must("coach", "add", "--name", "Sanne")
	c.must("coach", "add", "--name", "Joost")
	c.must("student", "add", "--name", "Noor", "--coach", "1")
	c.must("student", "add", "--name", "Sem", "--coach", "2")
	c.exec(`INSERT INTO checkins (student_id, flow_id, slot, due_at, status) VALUES
		(1, 'checkin', '2026-01-05 18:00Z', '2026-01-05 18:00Z', 'completed'),
		(2, 'checkin', '2026-01-05 18:00Z', '2026-01-05 18:00Z', 'completed'),
		(1, 'checkin', '2026-02-02 18:00Z', '2026-02-02 18:00Z', 'completed')`)
	var vals []string
	for i := range 300 {
		sid, cid := 1+i%2, 1+i%2
		day := "2026-01-05"
		if i >= 200 && sid == 1 {
			cid, day = 3, "2026-02-02"
		}
		text := "NULL"
		switch i % 7 {
		case 0:
			text = `'Het gaat "best", denk ik;' || chr(10) || 'of niet? ✓ ' || repeat('x', 20)`
		case 3:
			text = `'=1+1'`
		}
		checkin := fmt.Sprint(cid)
		if i%11 == 0 {
			checkin = "NULL" // a message outside a check-in
		}
		vals = append(vals, fmt.Sprintf(`(%d, %s, 'v1', 'step%d', 'opt%d', %s, %s, timestamptz '%s 18:00Z' + interval '%d seconds')`,
			sid, checkin, i, i%5, text, map[bool]string{true: "'AwACAgQ'", false: "NULL"}[i%13 == 0], day, i))
	}
	c.exec(`INSERT INTO answers (student_id, checkin_id, flow_version, step, option, text, voice_file_id, answered_at) VALUES ` + strings.Join(vals, ","))

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
