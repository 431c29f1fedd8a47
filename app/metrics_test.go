package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lijntje/lijntje/app/apptest"
)

// Not parallel: /metrics reports the cases of the latest serve in the process.
func TestMetricsReportCases(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	a := e.App
	ctx := context.Background()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := a.Store.DB().Exec(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO coaches (id, name) VALUES (1, 'Sanne')`)
	exec(`INSERT INTO students (id, name, coach_id) VALUES (1, 'Noor', 1), (2, 'Daan', 1), (3, 'Eva', 1)`)
	exec(`INSERT INTO alerts (student_id, severity, status, opened_at) VALUES
		(1, 'urgent', 'open', $1), (2, 'urgent', 'taken', $2), (3, 'attention', 'closed', $1)`,
		e.Clock.Now().Add(-90*time.Second), e.Clock.Now().Add(-time.Hour))

	resp, err := http.Get("http://" + a.AdminAddr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	text := string(body)
	for _, want := range []string{
		`lijntje_cases_open{severity="urgent",status="open"} 1`,
		`lijntje_cases_open{severity="urgent",status="taken"} 1`,
		`lijntje_cases_open{severity="attention",status="open"} 0`,
		`lijntje_cases_scrape_ok 1`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	var age float64
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(line, "lijntje_case_oldest_untaken_age_seconds "); ok {
			if err := json.Unmarshal([]byte(v), &age); err != nil {
				t.Fatalf("age %q: %v", v, err)
			}
		}
	}
	if age < 85 || age > 600 {
		t.Errorf("oldest untaken age = %v s, want about 90", age)
	}
}
