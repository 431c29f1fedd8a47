package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lijntje/lijntje/bot/telegramtest"
	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// waitNew waits for a message in u's chat, after the first since ones, containing text.
// The check-in is one card, edited by each tap: the message at the bottom
// when since was counted (the card) counts as new when it is edited.
func (w *world) waitNew(u *telegramtest.User, since int, text string) telegramtest.Sent {
	w.t.Helper()
	return w.waitFor(u, func(m telegramtest.Sent) bool {
		msgs := u.Messages()
		for i := max(since-1, 0); i < len(msgs); i++ {
			if msgs[i].MessageID == m.MessageID && strings.Contains(m.Text+m.Caption, text) {
				return true
			}
		}
		return false
	}, text)
}

// calmCheckin answers a check-in that is open now up to (not including) stop,
// with calm answers; the monthly steps are answered when asked.
func (w *world) calmCheckin(u *telegramtest.User, stop string, monthly bool) {
	w.t.Helper()
	steps := [][2]string{{"mood", "4"}, {"daytime", "looking"}, {"money", "ok"}}
	if monthly {
		steps = append(steps, [2]string{"housing", "yes"}, [2]string{"support", "yes"})
	}
	for _, s := range steps {
		if s[0] == stop {
			return
		}
		w.answer(u, s[0], s[1])
	}
}

// timeline sends /student NAME as coach and returns the timeline message.
func (w *world) timeline(coach *telegramtest.User, name string) telegramtest.Sent {
	w.t.Helper()
	since := len(coach.Messages())
	coach.SendCommand("student", name)
	return w.waitNew(coach, since, "📋 ")
}

func TestAgreementAskedAfterItsDateAndFailingTwiceIsARequest(t *testing.T) {
	t.Parallel()
	monday := nextAt(time.Monday, 10, 0)
	w := newWorldAt(t, monday, nil)
	coach, sanne := w.addCoach("Sanne de Vries")
	st, noor := w.addStudent("Noor Bakker", coach.ID)

	sanne.SendCommand("afspraak", "noor cv naar 3 bedrijven sturen tot vrijdag")
	w.waitText(sanne, "Afspraak met Noor vastgelegd: cv naar 3 bedrijven sturen (tot vr ")
	w.waitText(noor, "Je hebt met Sanne afgesproken: cv naar 3 bedrijven sturen")
	noor.SendCommand("afspraken")
	w.waitText(noor, "• cv naar 3 bedrijven sturen (tot vr ")

	// Before the date the check-in does not ask about it.
	w.checkinNow(st.ID)
	w.calmCheckin(noor, "", true)
	w.answer(noor, "contact", "no")
	w.answer(noor, "note", "done")
	w.waitText(noor, "Dank je wel, Noor")

	// The next check-in after Friday asks, in plain words.
	w.clock.Advance(7 * 24 * time.Hour) // the next Monday
	w.checkinNow(st.ID)
	w.calmCheckin(noor, "", false)
	q := w.question(noor, "agreement")
	if !strings.Contains(q.Text, "cv naar 3 bedrijven sturen") || !strings.Contains(q.Text, "Is dat gelukt?") {
		t.Errorf("the agreement question does not name it: %q", q.Text)
	}
	var labels []string
	for _, row := range q.Keyboard {
		for _, b := range row {
			labels = append(labels, b.Text)
			if len(b.CallbackData) > 64 {
				t.Errorf("callback_data %q is longer than 64 bytes", b.CallbackData)
			}
		}
	}
	if got := strings.Join(labels, "|"); got != "✅ Gelukt|⏳ Nog bezig|❌ Niet gelukt|💬 Ik wil erover praten" {
		t.Errorf("agreement buttons: %s", got)
	}
	w.answer(noor, "agreement", "failed")
	w.answer(noor, "contact", "no")
	w.answer(noor, "note", "done")
	w.waitText(noor, "Dank je wel, Noor")

	// The coach sees the answer in the timeline; once is no alert yet.
	tl := w.timeline(sanne, "Noor")
	if !strings.Contains(tl.Text, "Afspraak “cv naar 3 bedrijven sturen”: ❌ Niet gelukt") {
		t.Errorf("the timeline does not show the answer: %q", tl.Text)
	}
	if n := len(alerts(sanne)); n != 0 {
		t.Errorf("one 'niet gelukt' alerted %d times, want none", n)
	}

	// Still open, so asked again; "niet gelukt" twice is a request to the coach.
	w.clock.Advance(24 * time.Hour) // Tuesday 10:00, in Sanne's hours
	w.checkinNow(st.ID)
	w.calmCheckin(noor, "", false)
	w.question(noor, "agreement")
	if err := w.srv.st.FlushRedis(context.Background()); err != nil { // Postgres knows what was asked, and the last answer
		t.Fatal(err)
	}
	w.answer(noor, "agreement", "failed")
	w.waitFor(sanne, func(m telegramtest.Sent) bool {
		return strings.Contains(m.Text, "cv naar 3 bedrijven sturen") && strings.Contains(m.Text, "tweede keer niet gelukt")
	}, "a request: the agreement failed twice")
	if n := storetest.Count(storetest.Alerts(w.t, w.srv.st), func(a store.AlertRow) bool { return a.Severity == "request" }); n != 1 {
		t.Errorf("%d request cases, want 1", n)
	}

	// The student's own data include the agreement.
	noor.SendCommand("mijngegevens")
	doc := w.waitFor(noor, func(m telegramtest.Sent) bool { return len(m.Document) > 0 }, "the data document")
	if !strings.Contains(string(doc.Document), "cv naar 3 bedrijven sturen") {
		t.Errorf("/mijngegevens lacks the agreement:\n%s", doc.Document)
	}
}

func TestAgreementTalkIsARequestAndDoneClosesIt(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, sanne := w.addCoach("Sanne de Vries")
	st, noor := w.addStudent("Noor Bakker", coach.ID)
	w.cli("agreement", "add", "--student", fmt.Sprint(st.ID), "--what", "bellen met het jongerenloket", "--due", w.clock.Now().Format("2006-01-02"))
	w.cli("agreement", "add", "--student", fmt.Sprint(st.ID), "--what", "rooster ophalen", "--due", w.clock.Now().AddDate(0, 0, 30).Format("2006-01-02"))
	w.waitText(noor, "Je hebt met Sanne afgesproken: rooster ophalen") // from the command line too

	w.clock.Advance(24 * time.Hour) // Wednesday: after the first date only
	w.checkinNow(st.ID)
	w.calmCheckin(noor, "", true)
	q := w.question(noor, "agreement")
	if !strings.Contains(q.Text, "bellen met het jongerenloket") {
		t.Errorf("asked about the wrong agreement: %q", q.Text)
	}
	w.answer(noor, "agreement", "talk")
	w.waitFor(sanne, func(m telegramtest.Sent) bool {
		return strings.Contains(m.Text, "Wil praten over de afspraak") && strings.Contains(m.Text, "bellen met het jongerenloket")
	}, "a request: wants to talk about the agreement")
	w.answer(noor, "contact", "no")
	before := len(noor.Messages())
	w.answer(noor, "note", "done")
	w.waitNew(noor, before, "Dank je wel, Noor")

	w.clock.Advance(24 * time.Hour)
	w.checkinNow(st.ID)
	w.calmCheckin(noor, "", false)
	w.answer(noor, "agreement", "done")
	w.answer(noor, "contact", "no")
	since := len(noor.Messages())
	noor.SendCommand("afspraken")
	m := w.waitNew(noor, since, "Je afspraken")
	if strings.Contains(m.Text, "jongerenloket") || !strings.Contains(m.Text, "rooster ophalen") {
		t.Errorf("/afspraken after 'gelukt': %q, want only the open one", m.Text)
	}

	// The coach drops the other one from the card: it is no longer open.
	tl := w.timeline(sanne, "Noor")
	if _, err := sanne.TapButton(tl.MessageID, "📝 rooster ophalen ✏️"); err != nil {
		t.Fatal(err)
	}
	ask := w.waitText(sanne, "Sluit je hem af?")
	if _, err := sanne.TapButton(ask.MessageID, "🗑️ Vervalt"); err != nil {
		t.Fatal(err)
	}
	w.waitText(sanne, "De check-in vraagt er niet meer naar.")
	since = len(noor.Messages())
	noor.SendCommand("afspraken")
	w.waitNew(noor, since, "geen open afspraken met Sanne")
}

func TestReferralFollowUpAfterWeeksAndStatus(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, sanne := w.addCoach("Sanne de Vries")
	st, noor := w.addStudent("Noor Bakker", coach.ID)
	sanne.SendCommand("verwijzing", "Noor schuldhulp aangemeld via het wijkteam")
	w.waitText(sanne, "Verwijzing van Noor naar Schuldhulp vastgelegd")

	// Not asked before the configured three weeks.
	w.clock.Advance(14 * 24 * time.Hour)
	w.checkinNow(st.ID)
	w.calmCheckin(noor, "", true)
	w.answer(noor, "contact", "no")
	w.answer(noor, "note", "done")
	w.waitText(noor, "Dank je wel, Noor")

	w.clock.Advance(7 * 24 * time.Hour)
	w.checkinNow(st.ID)
	w.calmCheckin(noor, "", false)
	q := w.question(noor, "referral")
	if !strings.Contains(q.Text, "Heb je al contact gehad met de schuldhulp?") {
		t.Errorf("referral question: %q", q.Text)
	}
	w.answer(noor, "referral", "yes")
	w.answer(noor, "contact", "no")

	tl := w.timeline(sanne, "Noor")
	if !strings.Contains(tl.Text, "Verwezen naar Schuldhulp door Sanne · in contact") ||
		!strings.Contains(tl.Text, "aangemeld via het wijkteam") {
		t.Errorf("the timeline does not show the referral and its status: %q", tl.Text)
	}
	// The coach changes the status with the card's buttons.
	if _, err := sanne.TapButton(tl.MessageID, "🤝 Schuldhulp: in contact ✏️"); err != nil {
		t.Fatal(err)
	}
	choose := w.waitText(sanne, "Hoe staat de verwijzing naar Schuldhulp ervoor?")
	if _, err := sanne.TapButton(choose.MessageID, "loopt"); err != nil {
		t.Fatal(err)
	}
	w.waitText(sanne, "Verwijzing naar Schuldhulp: loopt.")
	counts, err := w.srv.st.ReferralCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != 1 || counts[0].Kind != "schuldhulp" || counts[0].Status != "loopt" || counts[0].Count != 1 {
		t.Errorf("referral counts: %+v", counts)
	}
	if out := w.cli("report"); !strings.Contains(out, "Verwijzingen (per cohort, soort en status)") || !strings.Contains(out, "schuldhulp") {
		t.Errorf("report without referrals:\n%s", out)
	}
	// Never asked again once answered.
	w.clock.Advance(7 * 24 * time.Hour)
	w.checkinNow(st.ID)
	w.calmCheckin(noor, "", false)
	w.question(noor, "contact")
}

func TestCloseNoteShowsInTimeline(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, sanne := w.addCoach("Sanne de Vries")
	st, noor := w.addStudent("Noor Bakker", coach.ID)
	w.checkinNow(st.ID)
	w.answer(noor, "mood", "3")
	w.answer(noor, "daytime", "home")
	alert := w.waitText(sanne, "Dringend")
	if _, err := sanne.TapButton(alert.MessageID, "✋ Ik pak het op"); err != nil {
		t.Fatal(err)
	}
	w.waitText(sanne, "Opgepakt door Sanne")
	// She starts an agreement from the card, then closes the case instead:
	// the last button wins, her text is the note.
	card := w.timeline(sanne, "Noor")
	if _, err := sanne.TapButton(card.MessageID, "📝 Afspraak"); err != nil {
		t.Fatal(err)
	}
	w.waitText(sanne, "Wat spreken jij en Noor af")
	// /sluit without a number offers the case as a button.
	since := len(sanne.Messages())
	sanne.SendCommand("sluit")
	choose := w.waitNew(sanne, since, "Welke melding sluit je af?")
	if _, err := sanne.TapButton(choose.MessageID, "🔴 Noor Bakker"); err != nil {
		t.Fatal(err)
	}
	w.waitText(sanne, "korte notitie")
	sanne.SendText("Gebeld, ze start maandag bij de entree-opleiding.")
	w.waitText(sanne, "Afgesloten door Sanne")

	if n := len(storetest.Agreements(w.t, w.srv.st)); n != 0 {
		t.Errorf("the close note became %d agreement(s)", n)
	}
	out := w.cli("student", "show", fmt.Sprint(st.ID))
	for _, want := range []string{"Melding (Dringend): daytime=home", "opgepakt door Sanne de Vries", "Melding afgesloten door Sanne de Vries: Gebeld, ze start maandag", "Overdag: 🏠"} {
		if !strings.Contains(out, want) {
			t.Errorf("student show lacks %q:\n%s", want, out)
		}
	}
	tl := w.timeline(sanne, "Noor")
	if !strings.Contains(tl.Text, "Gebeld, ze start maandag bij de entree-opleiding.") {
		t.Errorf("/student does not show the close note: %q", tl.Text)
	}
}

func TestStartAfterStopTellsTheTruthAndRestarts(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, _ := w.addCoach("Sanne de Vries")
	st, noor := w.addStudent("Noor Bakker", coach.ID)
	noor.SendCommand("stop")
	ask := w.waitText(noor, "Wil je echt stoppen")
	if _, err := noor.TapButton(ask.MessageID, "✋ Ja, stoppen"); err != nil {
		t.Fatal(err)
	}
	w.waitText(noor, "Je krijgt geen check-ins meer")

	since := len(noor.Messages())
	noor.SendCommand("start")
	m := w.waitNew(noor, since, "Je bent gestopt met de check-ins")
	if strings.Contains(m.Text, "komt vanzelf") {
		t.Errorf("/start after /stop promises a check-in: %q", m.Text)
	}
	if _, err := noor.TapButton(m.MessageID, "▶️ Weer beginnen"); err != nil {
		t.Fatal(err)
	}
	w.waitText(noor, "Fijn dat je er weer bent")
	if n := storetest.Count(storetest.Students(w.t, w.srv.st), func(s store.StudentRow) bool { return s.ID == st.ID && s.Status == "active" }); n != 1 {
		t.Fatalf("the student is not active again")
	}
	w.checkinNow(st.ID) // would fail for a stopped student
	w.question(noor, "mood")
}

func TestPilotQuestionsAskedExportedAndReported(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, _ := w.addCoach("Sanne de Vries")
	st, noor := w.addStudent("Noor Bakker", coach.ID)
	done := func() {
		before := len(noor.Messages())
		w.answer(noor, "note", "done")
		w.waitNew(noor, before, "Dank je wel, Noor")
	}

	// Not in the first check-in.
	w.checkinNow(st.ID)
	for _, s := range [][2]string{{"mood", "4"}, {"daytime", "work"}, {"daytime_ok", "yes"}, {"money", "ok"},
		{"housing", "yes"}, {"support", "yes"}, {"contact", "no"}} {
		w.answer(noor, s[0], s[1])
	}
	done()

	// Then monthly, after work, school or an internship.
	w.clock.Advance(7 * 24 * time.Hour)
	w.checkinNow(st.ID)
	for _, s := range [][2]string{{"mood", "4"}, {"daytime", "work"}, {"daytime_ok", "so_so"}} {
		w.answer(noor, s[0], s[1])
	}
	if q := w.question(noor, "fit"); !strings.Contains(q.Text, "Past je werk of opleiding bij je?") {
		t.Errorf("fit question: %q", q.Text)
	}
	w.answer(noor, "fit", "partly")
	w.answer(noor, "money", "ok")
	w.answer(noor, "contact", "no")
	done()

	// The last check-in of the follow-up asks the feedback round.
	w.clock.Advance(24 * time.Hour)
	now := w.srv.st.Now()
	if _, err := w.srv.st.PlanCheckins(context.Background(), []store.Planned{{StudentID: st.ID, Slot: now, Due: now, Final: true}}); err != nil {
		t.Fatal(err)
	}
	w.srv.sched.Kick()
	for _, s := range [][2]string{{"mood", "5"}, {"daytime", "looking"}, {"money", "ok"}, {"contact", "no"}} {
		w.answer(noor, s[0], s[1])
	}
	w.answer(noor, "feedback_lijntje", "good")
	if q := w.question(noor, "feedback_coach"); !strings.Contains(q.Text, "Heb je iets gehad aan de hulp van Sanne?") {
		t.Errorf("feedback question: %q", q.Text)
	}
	w.answer(noor, "feedback_coach", "much")
	done()

	got := map[string]string{}
	for _, r := range w.export() {
		got[r[2]] = r[3]
	}
	if got["fit"] != "partly" || got["feedback_lijntje"] != "good" || got["feedback_coach"] != "much" {
		t.Errorf("export of the pilot questions: fit=%q feedback_lijntje=%q feedback_coach=%q", got["fit"], got["feedback_lijntje"], got["feedback_coach"])
	}
	out := w.cli("report")
	for _, want := range []string{"Pilotvragen (antwoorden per cohort)", "fit", "partly=1", "feedback_coach", "much=1"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}
