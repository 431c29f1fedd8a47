package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// seedCohorts makes 200 students in four cohorts with daytime answers spread
// over the months after they left school (the data of docs/report-chart.png).
func seedCohorts(c *cliEnv) {
	statuses := []string{"active", "active", "active", "paused", "stopped", "unreachable"}
	daytimes := []string{"looking", "school", "work", "internship", "home", "work", "school", "work"}
	firstLeft := time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)
	c.seed(func(t testing.TB, st *store.Store) {
		storetest.CoachRow(t, st, 1, "Anna")
		storetest.CoachRow(t, st, 2, "Bram")
		var students []store.NewStudentRow
		var left []time.Time // by student
		for i := 1; i <= 200; i++ {
			l := firstLeft.AddDate(0, (i%4)*3, 0)
			left = append(left, l)
			students = append(students, store.NewStudentRow{Name: fmt.Sprint("leerling ", i), CoachID: int64(1 + i%2),
				LeftSchool: l.Format("2006-01-02"), Status: statuses[i%6]})
		}
		ids := storetest.StudentRows(t, st, students...)
		var answers []store.NewAnswerRow
		for m := 2; m <= 24; m += 2 {
			for j, id := range ids {
				if id%5 != 0 && (id+int64(m))%3 != 0 {
					answers = append(answers, store.NewAnswerRow{StudentID: id, Step: "daytime",
						Option: daytimes[(id*7+int64(m))%8], At: left[j].AddDate(0, m, 0).AddDate(0, 0, -5)})
				}
			}
		}
		var checkins []store.NewCheckinRow
		for k := 1; k <= 6; k++ {
			for j, id := range ids {
				l := left[j]
				ch := store.NewCheckinRow{StudentID: id, FlowID: "checkin", Slot: l.AddDate(0, 0, 7*k), Due: l, Sent: l, Status: "completed"}
				if k%3 == 0 {
					ch.Reminded = l
				}
				if (id+int64(k))%4 == 0 {
					ch.Status = "expired"
				}
				checkins = append(checkins, ch)
			}
		}
		storetest.AnswerRows(t, st, answers...)
		storetest.CheckinRows(t, st, checkins...)
		opened := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
		for _, id := range ids {
			if id%10 == 0 {
				storetest.TakenAlertRow(t, st, id, "urgent", "closed", opened, opened.Add(time.Duration(id%40)*time.Minute))
			}
		}
	})
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
