package main

import (
	"strings"
	"testing"
	"time"

	"github.com/lijntje/lijntje/bot/telegramtest"
	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

var saturday23 = nextAt(time.Saturday, 23, 0)

func TestRequestHeldUntilMondaySurvivesRestart(t *testing.T) {
	t.Parallel()
	w := newWorldAt(t, saturday23, nil)
	coach, sanne := w.addCoach("Sanne de Vries")
	_, noor := w.addStudent("Noor Bakker", coach.ID)
	noor.SendText("kan je me maandag bellen?")
	offer := w.waitFor(noor, func(m telegramtest.Sent) bool { return hasData(m, "contact") }, "contact button")
	noor.Tap(offer.MessageID, "contact")
	w.waitText(noor, "laat Sanne weten")
	w.srv.sched.RunOnce(t.Context())
	if n := storetest.Count(storetest.AlertSteps(w.t, w.srv.st), func(a store.AlertStepRow) bool { return !a.Done && a.Kind != "remind" }); n != 1 { // remind: a case open for days comes back
		t.Fatalf("%d pending alert steps, want the one held until Monday", n)
	}

	w.shutdown()                                   // a deploy on Saturday night
	w.clock.Advance(33*time.Hour + 59*time.Minute) // Monday 08:59
	w.start()
	w.srv.sched.RunOnce(t.Context())
	if a := alerts(sanne); len(a) != 0 {
		t.Fatalf("the coach was alerted outside working hours: %q", a[0].Text)
	}
	w.clock.Advance(time.Minute) // Monday 09:00
	w.srv.sched.Kick()
	alert := w.waitText(sanne, "Noor Bakker")
	if !strings.Contains(alert.Text, "Verzoek") || !strings.Contains(alert.Text, "Wil je dat Sanne je belt") {
		t.Errorf("Monday's alert: %q", alert.Text)
	}
}

func TestCrisisRaisesAnOpenUrgentCaseAndReachesOnCall(t *testing.T) {
	t.Parallel()
	w := newWorldAt(t, saturday23, nil) // Sanne is off duty; Kees is on call
	coach, sanne := w.addCoach("Sanne de Vries")
	_, kees := w.addCoach("Kees Visser")
	kees.SendCommand("dienst", "aan")
	w.waitText(kees, "dienst")
	st, noor := w.addStudent("Noor Bakker", coach.ID)
	w.checkinNow(st.ID)
	w.answer(noor, "mood", "3")
	w.answer(noor, "daytime", "home") // urgent, outside Sanne's hours: to the one on call
	first := w.waitText(kees, "Dringend")

	noor.SendText("ik wil er een eind aan maken")
	w.waitText(noor, "113")
	// A rise is news: a new message (an edit makes no sound), with both signals;
	// the old one points to it.
	w.waitFor(kees, func(m telegramtest.Sent) bool {
		return m.MessageID > first.MessageID && strings.Contains(m.Text, "CRISIS") && strings.Contains(m.Text, "Ik zit thuis") &&
			strings.Contains(m.Text, "eind aan maken")
	}, "a new alert, raised to crisis, with both signals")
	w.waitFor(kees, func(m telegramtest.Sent) bool {
		return m.MessageID == first.MessageID && strings.Contains(m.Text, "nieuwe bericht hieronder") && len(m.Keyboard) == 0
	}, "the old alert pointing to the new one")
	w.waitText(sanne, "CRISIS") // crisis goes to the student's own coach too, at any hour
	if n := len(storetest.Alerts(w.t, w.srv.st)); n != 1 {
		t.Errorf("%d cases, want one", n)
	}
	if n := len(alerts(kees)); n != 1 {
		t.Errorf("on-call coach has %d alert messages to act on, want one (the new one)", n)
	}
}
