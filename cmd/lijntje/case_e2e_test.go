package main

import (
	"context"
	"strings"
	"testing"

	"github.com/lijntje/lijntje/bot/telegramtest"
	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// alerts returns the coach's alert messages (those with a history button).
func alerts(u *telegramtest.User) []telegramtest.Sent {
	var out []telegramtest.Sent
	for _, m := range u.Messages() {
		for _, row := range m.Keyboard {
			for _, b := range row {
				if strings.HasPrefix(b.CallbackData, "h:") {
					out = append(out, m)
				}
			}
		}
	}
	return out
}

func TestTwoRiskyAnswersMakeOneAlert(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, sanne := w.addCoach("Sanne de Vries")
	st, noor := w.addStudent("Noor Bakker", coach.ID)
	w.checkinNow(st.ID)
	w.answer(noor, "mood", "2")
	w.answer(noor, "daytime", "home")
	w.answer(noor, "money", "debts")
	w.question(noor, "housing")
	w.waitFor(sanne, func(m telegramtest.Sent) bool {
		return strings.Contains(m.Text, "Ik zit thuis") && strings.Contains(m.Text, "schulden") && strings.Contains(m.Text, "Niet zo goed")
	}, "one alert with all three answers")
	// When the case grew while its first message was out, the news comes as
	// a new message (an edit makes no sound) and the old one is edited to
	// point to it: once everything is sent, one message has the case.
	w.settled()
	if n := len(alerts(sanne)); n != 1 {
		t.Errorf("coach has %d alert messages with the case, want 1", n)
	}
	if a := alerts(sanne); len(a) == 1 && !strings.Contains(a[0].Text, "Dringend") {
		t.Errorf("the case is not urgent: %q", a[0].Text)
	}
}

func TestJokingAfterCrisisLeavesTheCaseOpen(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, sanne := w.addCoach("Sanne de Vries")
	_, noor := w.addStudent("Noor Bakker", coach.ID)
	noor.SendText("ik wil dood")
	w.waitText(sanne, "CRISIS")
	noor.SendText("grapje!! haha")
	w.waitText(noor, "Dank je voor je bericht")
	if n := storetest.Count(storetest.Alerts(w.t, w.srv.st), func(a store.AlertRow) bool { return a.Status == "open" && a.Severity == "crisis" }); n != 1 {
		t.Errorf("%d open crisis cases after 'grapje', want 1", n)
	}
}

func TestOpenUrgentCaseHoldsScheduledCheckins(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, sanne := w.addCoach("Sanne de Vries")
	st, noor := w.addStudent("Noor Bakker", coach.ID)
	w.checkinNow(st.ID)
	for _, s := range [][2]string{{"mood", "3"}, {"daytime", "home"}, {"money", "ok"}, {"housing", "yes"},
		{"support", "yes"}, {"contact", "no"}, {"note", "done"}} {
		w.answer(noor, s[0], s[1])
	}
	w.waitText(noor, "Dank je wel")
	alert := w.waitText(sanne, "Dringend")

	// A scheduled (not manual) check-in falls due while the case is open.
	ctx := context.Background()
	now := w.srv.st.Now()
	if _, err := w.srv.st.ScheduleCheckin(ctx, st.ID, now, now, false); err != nil {
		t.Fatal(err)
	}
	w.srv.sched.RunOnce(ctx)
	if n := storetest.Count(storetest.Checkins(w.t, w.srv.st), func(c store.CheckinRow) bool { return c.Status == "scheduled" }); n != 1 {
		t.Fatalf("the check-in did not wait for the case: %d scheduled", n)
	}

	if _, err := sanne.TapButton(alert.MessageID, "✋ Ik pak het op"); err != nil {
		t.Fatal(err)
	}
	taken := w.waitText(sanne, "Opgepakt door Sanne")
	if _, err := sanne.TapButton(taken.MessageID, "✔️ Afsluiten"); err != nil {
		t.Fatal(err)
	}
	w.waitText(sanne, "korte notitie")
	sanne.SendText("Gebeld, ze heeft morgen een gesprek bij het jongerenloket.")
	w.waitText(sanne, "Afgesloten door Sanne")
	w.srv.sched.Kick()
	w.waitFor(noor, func(m telegramtest.Sent) bool {
		return strings.Contains(m.Text, "check-in van Sanne") && len(m.Keyboard) > 0
	}, "the held check-in") // the first check-in's questions lost their buttons when answered
	if n := storetest.Count(storetest.Checkins(w.t, w.srv.st), func(c store.CheckinRow) bool { return c.Status == "open" }); n != 1 {
		t.Errorf("%d open check-ins after the case was closed, want 1", n)
	}
}
