package app_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lijntje/lijntje/app/apptest"
	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// Not parallel: /metrics reports the cases of the latest serve in the process.
func TestMetricsReportCases(t *testing.T) {
	e := apptest.Start(t, apptest.Options{})
	a := e.App
	st := a.Store
	sanne := storetest.Coach(t, st, store.Coach{Name: "Sanne"}, 0)
	var students []int64
	for _, name := range []string{"Noor", "Daan", "Eva"} {
		s, _ := storetest.Student(t, st, store.NewStudent{Name: name, CoachID: sanne.ID})
		students = append(students, s.ID)
	}
	storetest.AlertRow(t, st, students[0], "urgent", "open", e.Clock.Now().Add(-90*time.Second))
	storetest.AlertRow(t, st, students[1], "urgent", "taken", e.Clock.Now().Add(-time.Hour))
	storetest.AlertRow(t, st, students[2], "attention", "closed", e.Clock.Now().Add(-90*time.Second))

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
