package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

// seedCohorts makes 200 students in four cohorts with daytime answers spread
// over the months after they left school (the data of docs/report-chart.png).
func seedCohorts(c *cliEnv) {
	c.exec(`INSERT INTO coaches (id, name) VALUES (1, 'Anna'), (2, 'Bram')`,
		`INSERT INTO students (name, coach_id, left_school, status)
			SELECT 'leerling ' || i, 1 + i % 2, date '2024-07-01' + ((i % 4) * interval '3 months'),
				(ARRAY['active', 'active', 'active', 'paused', 'stopped', 'unreachable'])[1 + i % 6]
			FROM generate_series(1, 200) i`,
		`INSERT INTO answers (student_id, step, option, answered_at)
			SELECT s.id, 'daytime',
				(ARRAY['looking', 'school', 'work', 'internship', 'home', 'work', 'school', 'work'])[1 + (s.id * 7 + m) % 8],
				s.left_school + make_interval(months => m) - interval '5 days'
			FROM students s, generate_series(2, 24, 2) m WHERE s.id % 5 <> 0 AND (s.id + m) % 3 <> 0`,
		`INSERT INTO checkins (student_id, flow_id, slot, due_at, sent_at, reminded_at, status)
			SELECT s.id, 'checkin', s.left_school + k * interval '7 days', s.left_school, s.left_school,
				CASE WHEN k % 3 = 0 THEN s.left_school END, CASE WHEN (s.id + k) % 4 = 0 THEN 'expired' ELSE 'completed' END
			FROM students s, generate_series(1, 6) k`,
		`INSERT INTO alerts (student_id, severity, status, opened_at, taken_at)
			SELECT id, 'urgent', 'closed', '2025-03-01 10:00Z', timestamptz '2025-03-01 10:00Z' + (id % 40) * interval '1 minute'
			FROM students WHERE id % 10 = 0`)
}

func TestReportCommand(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	seedCohorts(c)
	text := c.must("report")
	for _, want := range []string{"Students by status", "Check-ins", "Where at 3 months", "Where at 24 months", "Alerts",
		"2024-07", "Anna #1", "median to take-on"} {
		if !strings.Contains(text, want) {
			t.Errorf("text report lacks %q:\n%s", want, text)
		}
	}
	recs := parseDutchCSV(t, []byte(c.must("report", "--format", "csv")))
	if len(recs) < 50 || !cmp.Equal(recs[0], []string{"by", "group", "section", "measure", "value"}) {
		t.Fatalf("CSV report: %d rows, header %v", len(recs), recs[0])
	}
	for _, r := range recs[1:] { // the ';' CSV has Dutch Excel's decimal comma
		r[4] = strings.Replace(r[4], ",", ".", 1)
	}
	x, err := excelize.OpenReader(strings.NewReader(c.must("report", "--format", "xlsx")))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows("report")
	x.Close()
	if diff := cmp.Diff(recs, rows); diff != "" {
		t.Fatalf("XLSX report differs from the CSV (-csv +xlsx):\n%s", diff)
	}
	chart := filepath.Join(t.TempDir(), "chart.png")
	c.must("report", "--chart", chart)
	b, err := os.ReadFile(chart)
	if err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) || len(b) < 5000 {
		t.Fatalf("chart: %d bytes, %v", len(b), err)
	}
	if code, _, _ := c.run("report", "--format", "pdf"); code != 2 {
		t.Fatalf("--format pdf: exit %d, want 2", code)
	}
}
