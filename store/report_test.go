package store_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// seedReport builds two cohorts, two coaches, five statuses, check-ins, daytime
// answers, signals and alerts whose figures are worked out by hand in the test.
func seedReport(t *testing.T, st *store.Store) {
	t.Helper()
	for _, q := range []string{
		`INSERT INTO coaches (id, name) VALUES (1, 'Anna'), (2, 'Bram')`,
		`INSERT INTO students (id, name, coach_id, left_school, status) VALUES
			(1, 's1', 1, '2025-07-01', 'active'), (2, 's2', 1, '2025-07-01', 'paused'),
			(3, 's3', 2, '2025-07-01', 'stopped'), (4, 's4', 2, '2026-09-01', 'invited'),
			(5, 's5', 2, '2026-09-01', 'active')`,
		// s1: 4 sent, 3 completed, 1 reminded; s5: 2 sent, 1 completed, 2 reminded; s2: 1 not sent yet.
		`INSERT INTO checkins (student_id, flow_id, slot, due_at, sent_at, reminded_at, status) VALUES
			(1, 'checkin', '2025-08-01', '2025-08-01', '2025-08-01', NULL, 'completed'),
			(1, 'checkin', '2025-09-01', '2025-09-01', '2025-09-01', '2025-09-01 04:00', 'completed'),
			(1, 'checkin', '2025-10-01', '2025-10-01', '2025-10-01', NULL, 'completed'),
			(1, 'checkin', '2025-11-01', '2025-11-01', '2025-11-01', NULL, 'expired'),
			(5, 'checkin', '2026-10-01', '2026-10-01', '2026-10-01', '2026-10-01 04:00', 'completed'),
			(5, 'checkin', '2026-11-01', '2026-11-01', '2026-11-01', '2026-11-01 04:00', 'expired'),
			(2, 'checkin', '2027-02-01', '2027-02-01', NULL, NULL, 'scheduled')`,
		// Daytime: s1 school then work; s2 looking late; s3 and s4 nothing; s5 home then internship.
		`INSERT INTO answers (student_id, step, option, answered_at) VALUES
			(1, 'daytime', 'school', '2025-09-01 18:00Z'), (1, 'mood', '4', '2025-09-01 18:00Z'),
			(1, 'daytime', 'work', '2026-03-01 18:00Z'),
			(2, 'daytime', 'looking', '2025-12-15 18:00Z'),
			(5, 'daytime', 'home', '2026-10-01 18:00Z'), (5, 'daytime', 'internship', '2026-11-30 18:00Z'),
			(5, 'daytime', 'work', '2026-12-01 12:00Z')`, // after s5's 3 months (2026-12-01 00:00 Amsterdam)
		`INSERT INTO alerts (id, student_id, severity, status, opened_at, taken_at) VALUES
			(1, 1, 'attention', 'closed', '2026-01-01 10:00Z', '2026-01-01 10:10Z'),
			(2, 1, 'attention', 'closed', '2026-02-01 10:00Z', '2026-02-01 10:30Z'),
			(3, 3, 'crisis', 'closed', '2026-03-01 10:00Z', '2026-03-01 10:50Z'),
			(4, 3, 'urgent', 'closed', '2026-04-01 10:00Z', '2026-04-01 10:05Z'),
			(5, 5, 'urgent', 'open', '2026-12-01 10:00Z', NULL)`,
		`INSERT INTO signals (student_id, code, severity, alert_id, created_at) VALUES
			(1, 'mood<=2', 'attention', 1, '2026-01-01 10:00Z'), (1, 'money=debts', 'attention', 2, '2026-02-01 10:00Z'),
			(3, 'crisis_text', 'crisis', 3, '2026-03-01 10:00Z'), (5, 'daytime=home', 'urgent', 5, '2026-12-01 10:00Z')`,
	} {
		if _, err := st.DB().Exec(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func TestReportFiguresMatchHandCounts(t *testing.T) {
	t.Parallel()
	now := time.Date(2027, 1, 15, 12, 0, 0, 0, time.UTC)
	st := storetest.New(t, store.WithClock(func() time.Time { return now }))
	seedReport(t, st)
	ams, err := time.LoadLocation("Europe/Amsterdam") // the deployment's TIMEZONE
	if err != nil {
		t.Fatal(err)
	}
	figs, err := st.Report(context.Background(), st.Now(), ams, "daytime")
	if err != nil {
		t.Fatal(err)
	}
	got := map[[4]string]float64{}
	for _, f := range figs {
		k := [4]string{f.By, f.Group, f.Section, f.Measure}
		if _, dup := got[k]; dup {
			t.Fatalf("figure %v twice", k)
		}
		got[k] = f.Value
	}
	w3, w6, w12, w24 := store.SectionWhere(3), store.SectionWhere(6), store.SectionWhere(12), store.SectionWhere(24)
	const st_, ck, sg, al = store.SectionStatus, store.SectionResponse, store.SectionSignals, store.SectionAlerts
	want := map[[4]string]float64{
		// Students by status.
		{"all", "all", st_, "active"}: 2, {"all", "all", st_, "paused"}: 1, {"all", "all", st_, "stopped"}: 1, {"all", "all", st_, "invited"}: 1,
		{"cohort", "2025-07", st_, "active"}: 1, {"cohort", "2025-07", st_, "paused"}: 1, {"cohort", "2025-07", st_, "stopped"}: 1,
		{"cohort", "2026-09", st_, "invited"}: 1, {"cohort", "2026-09", st_, "active"}: 1,
		{"coach", "Anna #1", st_, "active"}: 1, {"coach", "Anna #1", st_, "paused"}: 1,
		{"coach", "Bram #2", st_, "stopped"}: 1, {"coach", "Bram #2", st_, "invited"}: 1, {"coach", "Bram #2", st_, "active"}: 1,
		// Check-ins: completed / sent, reminders.
		{"all", "all", ck, "sent"}: 6, {"all", "all", ck, "completed"}: 4, {"all", "all", ck, "reminded"}: 3, {"all", "all", ck, "response rate"}: 4.0 / 6,
		{"cohort", "2025-07", ck, "sent"}: 4, {"cohort", "2025-07", ck, "completed"}: 3, {"cohort", "2025-07", ck, "reminded"}: 1, {"cohort", "2025-07", ck, "response rate"}: 0.75,
		{"cohort", "2026-09", ck, "sent"}: 2, {"cohort", "2026-09", ck, "completed"}: 1, {"cohort", "2026-09", ck, "reminded"}: 2, {"cohort", "2026-09", ck, "response rate"}: 0.5,
		{"coach", "Anna #1", ck, "sent"}: 4, {"coach", "Anna #1", ck, "completed"}: 3, {"coach", "Anna #1", ck, "reminded"}: 1, {"coach", "Anna #1", ck, "response rate"}: 0.75,
		{"coach", "Bram #2", ck, "sent"}: 2, {"coach", "Bram #2", ck, "completed"}: 1, {"coach", "Bram #2", ck, "reminded"}: 2, {"coach", "Bram #2", ck, "response rate"}: 0.5,
		// Where they are. 2025-07 reached 3, 6 and 12 months; 2026-09 only 3; nobody 24.
		// The invited student of 2026-09 never joined: apart from "unknown".
		{"all", "all", w3, "school"}: 1, {"all", "all", w3, "unknown"}: 2, {"all", "all", w3, store.NeverJoined}: 1, {"all", "all", w3, "internship"}: 1,
		{"all", "all", w6, "school"}: 1, {"all", "all", w6, "looking"}: 1, {"all", "all", w6, "unknown"}: 1,
		{"all", "all", w12, "work"}: 1, {"all", "all", w12, "looking"}: 1, {"all", "all", w12, "unknown"}: 1,
		{"cohort", "2025-07", w3, "school"}: 1, {"cohort", "2025-07", w3, "unknown"}: 2,
		{"cohort", "2025-07", w6, "school"}: 1, {"cohort", "2025-07", w6, "looking"}: 1, {"cohort", "2025-07", w6, "unknown"}: 1,
		{"cohort", "2025-07", w12, "work"}: 1, {"cohort", "2025-07", w12, "looking"}: 1, {"cohort", "2025-07", w12, "unknown"}: 1,
		{"cohort", "2026-09", w3, store.NeverJoined}: 1, {"cohort", "2026-09", w3, "internship"}: 1,
		{"coach", "Anna #1", w3, "school"}: 1, {"coach", "Anna #1", w3, "unknown"}: 1,
		{"coach", "Anna #1", w6, "school"}: 1, {"coach", "Anna #1", w6, "looking"}: 1,
		{"coach", "Anna #1", w12, "work"}: 1, {"coach", "Anna #1", w12, "looking"}: 1,
		{"coach", "Bram #2", w3, "unknown"}: 1, {"coach", "Bram #2", w3, store.NeverJoined}: 1, {"coach", "Bram #2", w3, "internship"}: 1,
		{"coach", "Bram #2", w6, "unknown"}: 1, {"coach", "Bram #2", w12, "unknown"}: 1,
		// Signals by severity.
		{"all", "all", sg, "attention"}: 2, {"all", "all", sg, "crisis"}: 1, {"all", "all", sg, "urgent"}: 1,
		{"cohort", "2025-07", sg, "attention"}: 2, {"cohort", "2025-07", sg, "crisis"}: 1, {"cohort", "2026-09", sg, "urgent"}: 1,
		{"coach", "Anna #1", sg, "attention"}: 2, {"coach", "Bram #2", sg, "crisis"}: 1, {"coach", "Bram #2", sg, "urgent"}: 1,
		// Alerts: taken on after 10, 30 (Anna), 50, 5 (Bram) minutes; one never.
		// All: 5, 10, 30, 50 → median 20, p90 at 2.7 → 30 + 0.7·20 = 44.
		{"all", "all", al, "count"}: 5, {"all", "all", al, "never taken on"}: 1,
		{"all", "all", al, "median minutes to take-on"}: 20, {"all", "all", al, "p90 minutes to take-on"}: 44,
		{"cohort", "2025-07", al, "count"}: 4, {"cohort", "2025-07", al, "never taken on"}: 0,
		{"cohort", "2025-07", al, "median minutes to take-on"}: 20, {"cohort", "2025-07", al, "p90 minutes to take-on"}: 44,
		{"cohort", "2026-09", al, "count"}: 1, {"cohort", "2026-09", al, "never taken on"}: 1,
		{"coach", "Anna #1", al, "count"}: 2, {"coach", "Anna #1", al, "never taken on"}: 0,
		{"coach", "Anna #1", al, "median minutes to take-on"}: 20, {"coach", "Anna #1", al, "p90 minutes to take-on"}: 28,
		{"coach", "Bram #2", al, "count"}: 3, {"coach", "Bram #2", al, "never taken on"}: 1,
		// Bram: 5, 50 → median 27.5, p90 at 0.9 → 5 + 0.9·45 = 45.5.
		{"coach", "Bram #2", al, "median minutes to take-on"}: 27.5, {"coach", "Bram #2", al, "p90 minutes to take-on"}: 45.5,
	}
	for k, v := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("missing figure %v (want %v)", k, v)
			continue
		}
		if math.Abs(g-v) > 1e-9 {
			t.Errorf("%v = %v, want %v", k, g, v)
		}
	}
	// Contact: check-in answers apart from personal messages (none in this seed).
	var answers float64
	if err := st.DB().QueryRow(context.Background(), `SELECT count(*) FROM answers WHERE checkin_id IS NOT NULL`).Scan(&answers); err != nil {
		t.Fatal(err)
	}
	for m, v := range map[string]float64{"check-in answers": answers, "messages from coach": 0, "messages from student": 0,
		"personal messages per student": 0} {
		k := [4]string{"all", "all", store.SectionContact, m}
		want[k] = v
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%v = %v (present: %v), want %v", k, g, ok, v)
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok && k[2] != store.SectionContact {
			t.Errorf("unexpected figure %v = %v", k, v)
		}
	}
	_ = w24
}
