package bot_test

import (
	"bytes"
	"flag"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lijntje/lijntje/bot"
	"github.com/lijntje/lijntje/bot/telegramtest"
	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

var update = flag.Bool("update", false, "rewrite docs/chart-example.png")

var tuesday = time.Date(2026, 3, 10, 13, 0, 0, 0, time.UTC) // 14:00 in Amsterdam

func TestCrisisTakeOnRaceAndCloseWithNote(t *testing.T) {
	t.Parallel()
	h := newHarness(t, tuesday)
	sanne, su := h.coach(store.Coach{Name: "Sanne de Vries"})
	_, ou := h.coach(store.Coach{Name: "Omar", Hours: "always", OnCall: true})
	_, nu := h.student("Noor Bakker", sanne.ID)

	nu.SendText("ik wil dood")
	h.wait(nu, "crisis numbers", has("113"))
	sa := h.wait(su, "alert to the coach", has("Noor Bakker"))
	oa := h.wait(ou, "alert to on call", has("Noor Bakker"))

	// Both tap at once: one wins, the other is told who.
	su.Tap(sa.MessageID, sa.Keyboard[0][0].CallbackData)
	ou.Tap(oa.MessageID, oa.Keyboard[0][0].CallbackData)
	ctx := h.ctx
	if err := h.srv.WaitUntil(ctx, func() bool { return len(su.CallbackAnswers()) == 1 && len(ou.CallbackAnswers()) == 1 }); err != nil {
		t.Fatal(err)
	}
	answers := su.CallbackAnswers()[0].Text + " | " + ou.CallbackAnswers()[0].Text
	if !strings.Contains(answers, "Je hebt dit opgepakt") || !strings.Contains(answers, "Al opgepakt door") {
		t.Fatalf("callback answers: %s", answers)
	}
	winner, loser := su, ou
	if strings.Contains(ou.CallbackAnswers()[0].Text, "Je hebt dit opgepakt") {
		winner, loser = ou, su
	}
	// Everyone's message says who took it on.
	h.wait(loser, "taken on by", has("Opgepakt door"))
	wm := h.wait(winner, "taken on by", has("Opgepakt door"))

	// Close: tap, then the next text is the note.
	var closeData string
	for _, row := range wm.Keyboard {
		for _, b := range row {
			if strings.HasPrefix(b.CallbackData, "x:") {
				closeData = b.CallbackData
			}
		}
	}
	if closeData == "" {
		t.Fatalf("no close button: %+v", wm.Keyboard)
	}
	last := lastID(winner)
	winner.Tap(wm.MessageID, closeData)
	h.after(winner, "ask for a note", last, has("korte notitie"))
	last = lastID(winner)
	winner.SendText("Gebeld met Noor en haar moeder, huisarts ingeschakeld.")
	h.after(winner, "closed", last, has("Afgesloten"))
	alerts := storetest.Alerts(t, h.st)
	if len(alerts) == 0 {
		t.Fatal("no case")
	}
	status, note := alerts[0].Status, alerts[0].CloseNote
	if status != "closed" || !strings.Contains(note, "huisarts") {
		t.Fatalf("case: %s %q", status, note)
	}
	h.wait(loser, "closed for everyone", has("Afgesloten door"))
}

func TestDienstTellsCoordinators(t *testing.T) {
	t.Parallel()
	h := newHarness(t, tuesday)
	_, su := h.coach(store.Coach{Name: "Sanne"})
	_, ku := h.coach(store.Coach{Name: "Kees", Coordinator: true})
	su.SendCommand("dienst", "aan")
	h.wait(su, "on call", has("Je hebt nu dienst"))
	h.wait(ku, "coordinator told", has("Sanne heeft nu dienst. Dienst nu: Sanne."))
	last := lastID(ku)
	su.SendCommand("dienst", "uit")
	h.wait(su, "off call", has("Je dienst is voorbij"))
	h.after(ku, "coordinator told", last, has("Dienst nu: niemand"))
}

func TestCaseloadStudentAndCheckinOnlyOwnStudents(t *testing.T) {
	t.Parallel()
	h := newHarness(t, tuesday)
	sanne, su := h.coach(store.Coach{Name: "Sanne"})
	lies, _ := h.coach(store.Coach{Name: "Lies"})
	_, ku := h.coach(store.Coach{Name: "Kees", Coordinator: true})
	noor, nu := h.student("Noor Bakker", sanne.ID)
	bram, bu := h.student("Bram Jansen", lies.ID)

	// Noor answers a check-in so there is something to chart.
	su.SendCommand("checkin", "Noor")
	h.wait(su, "check-in sent", has("Noor krijgt nu een check-in"))
	q := h.wait(nu, "first question", func(m telegramtest.Sent) bool {
		return len(m.Keyboard) > 0 && strings.Contains(m.Keyboard[0][0].CallbackData, ":mood:")
	})
	tapped := false
	for _, row := range q.Keyboard {
		for _, b := range row {
			if strings.HasSuffix(b.CallbackData, ":mood:2") && !tapped {
				nu.Tap(q.MessageID, b.CallbackData) // mood 2
				tapped = true
			}
		}
	}
	if !tapped {
		t.Fatalf("no mood 2 button: %+v", q.Keyboard)
	}
	h.wait(nu, "second question", func(m telegramtest.Sent) bool { // on the same card
		return len(m.Keyboard) > 0 && strings.Contains(m.Keyboard[0][0].CallbackData, ":daytime:")
	})

	last := lastID(su)
	su.SendCommand("overzicht")
	ov := h.after(su, "caseload", last, has("Je jongeren"))
	if !strings.Contains(ov.Text, "Noor Bakker") || strings.Contains(ov.Text, "Bram") {
		t.Fatalf("Sanne's caseload: %s", ov.Text)
	}
	last = lastID(ku)
	ku.SendCommand("overzicht")
	ov = h.after(ku, "caseload", last, has("Je jongeren"))
	if !strings.Contains(ov.Text, "Noor Bakker") || !strings.Contains(ov.Text, "Bram Jansen") {
		t.Fatalf("coordinator's caseload: %s", ov.Text)
	}

	last = lastID(su)
	su.SendCommand("student", "noor")
	h.after(su, "history", last, has("Tijdlijn van Noor Bakker"))
	ph := h.after(su, "chart", last, func(m telegramtest.Sent) bool { return m.Kind == "photo" })
	if !bytes.HasPrefix(ph.Photo, []byte("\x89PNG")) {
		t.Fatalf("chart is not a PNG: %d bytes", len(ph.Photo))
	}

	// Someone else's student does not exist for Sanne: not by name, not by ID.
	for _, c := range [][2]string{{"student", "Bram"}, {"student", itoa(bram.ID)}, {"checkin", "Bram"}, {"checkin", itoa(bram.ID)}} {
		last = lastID(su)
		su.SendCommand(c[0], c[1])
		m := h.after(su, "refusal of /"+c[0]+" "+c[1], last, has("Ik vind geen jongere"))
		if strings.Contains(m.Text, "Jansen") {
			t.Fatalf("/%s %s: %q", c[0], c[1], m.Text)
		}
	}
	// Nor her history button.
	su.Tap(ov.MessageID, "h:"+itoa(bram.ID))
	if err := h.srv.WaitUntil(h.ctx, func() bool {
		a := su.CallbackAnswers()
		return len(a) > 0 && strings.Contains(a[len(a)-1].Text, "niet zien")
	}); err != nil {
		t.Fatal(err)
	}
	isCheckin := func(m telegramtest.Sent) bool {
		return len(m.Keyboard) > 0 && strings.Contains(m.Keyboard[0][0].CallbackData, ":mood:")
	}
	for _, m := range bu.Messages() {
		if isCheckin(m) {
			t.Fatalf("Bram got a check-in from another coach: %s", dump(bu))
		}
	}
	// The coordinator may send anyone a check-in.
	ku.SendCommand("checkin", itoa(bram.ID))
	h.wait(bu, "Bram's check-in", isCheckin)
	_ = noor
}

func TestCloseRefusedToOthers(t *testing.T) {
	t.Parallel()
	h := newHarness(t, tuesday)
	sanne, su := h.coach(store.Coach{Name: "Sanne"})
	_, lu := h.coach(store.Coach{Name: "Lies"})
	_, nu := h.student("Noor Bakker", sanne.ID)
	nu.SendText("ik wil dood")
	a := h.wait(su, "alert", has("Noor Bakker"))
	// Lies never got this case: she cannot take it, close it or see it.
	lu.Tap(a.MessageID, a.Keyboard[0][0].CallbackData)
	su.Tap(a.MessageID, a.Keyboard[0][0].CallbackData)
	h.wait(su, "taken", has("Opgepakt door Sanne"))
	last := lastID(lu)
	lu.SendCommand("sluit", strings.TrimPrefix(a.Keyboard[0][0].CallbackData, "t:")+" weg ermee")
	h.after(lu, "refusal", last, has("alleen een melding afsluiten die jij hebt opgepakt"))
	if err := h.srv.WaitUntil(h.ctx, func() bool {
		an := lu.CallbackAnswers()
		return len(an) == 1 && strings.Contains(an[0].Text, "niet zien of doen")
	}); err != nil {
		t.Fatalf("take by a stranger coach: %+v", lu.CallbackAnswers())
	}
	var status string
	if alerts := storetest.Alerts(t, h.st); len(alerts) > 0 {
		status = alerts[0].Status
	}
	if status != "taken" {
		t.Fatalf("status %s", status)
	}
}

func TestChartExample(t *testing.T) {
	fl, err := flows.Load()
	if err != nil {
		t.Fatal(err)
	}
	amsterdam, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	var steps bot.ChartSteps
	steps.Mood, _ = fl.StepWithRole(flows.RoleMood)
	steps.Activity, _ = fl.StepWithRole(flows.RoleActivity)
	var rows []store.ExportRow
	start := time.Date(2026, 1, 5, 18, 0, 0, 0, time.UTC)
	moods := []string{"4", "3", "3", "2", "1", "2", "3", "4", "4", "5", "4", "3"}
	days := []string{"school", "school", "looking", "home", "home", "looking", "internship", "internship", "work", "work", "work", "work"}
	for i := range moods {
		at := start.Add(time.Duration(i) * 7 * 24 * time.Hour)
		rows = append(rows, store.ExportRow{Step: steps.Mood.ID, Option: moods[i], AnsweredAt: at},
			store.ExportRow{Step: steps.Activity.ID, Option: days[i], AnsweredAt: at.Add(time.Minute)})
	}
	png, err := bot.Chart(rows, steps, bot.ChartLabels{Title: "Noor Bakker", Mood: "Hoe gaat het (1–5)", Activity: "Overdag",
		Activities: map[string]string{"work": "werk", "school": "school", "internship": "stage", "looking": "zoekt", "home": "thuis"}}, amsterdam)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG")) || len(png) < 5000 {
		t.Fatalf("chart: %d bytes", len(png))
	}
	if *update {
		if err := os.WriteFile("../docs/chart-example.png", png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// An empty history still draws.
	if _, err := bot.Chart(nil, bot.ChartSteps{}, bot.ChartLabels{}, amsterdam); err != nil {
		t.Fatal(err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
