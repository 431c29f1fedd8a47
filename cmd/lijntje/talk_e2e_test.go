package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lijntje/lijntje/bot/telegramtest"
	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// noTrace fails when any message in u's chat shows who (their chat ID or name
// beyond the first name): the coach's own Telegram account stays hidden.
func noTrace(t *testing.T, u *telegramtest.User, who *telegramtest.User) {
	t.Helper()
	id := strconv.FormatInt(who.ID, 10)
	for _, m := range u.Messages() {
		if strings.Contains(m.Text+m.Caption, id) {
			t.Errorf("%s saw %s's chat ID in %q", u.FirstName, who.FirstName, m.Text)
		}
		if m.Method != "sendMessage" && m.Method != "" {
			t.Errorf("%s got a %s, want only messages the bot wrote", u.FirstName, m.Method)
		}
		for _, row := range m.Keyboard {
			for _, b := range row {
				if strings.Contains(b.URL, id) || strings.Contains(b.URL, "t.me/") {
					t.Errorf("%s got a link to a person: %q", u.FirstName, b.URL)
				}
			}
		}
	}
}

func TestCoachStudentMessagesRoundTrip(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, sanne := w.addCoach("Sanne de Vries")
	st, noor := w.addStudent("Noor Bakker", coach.ID)

	// /bericht NAME text: the student gets it from her coach by name.
	sanne.SendCommand("bericht", "Noor Bakker", "Hoi Noor, hoe ging je gesprek bij het ROC?")
	w.waitText(sanne, "Verstuurd aan Noor")
	msg := w.waitText(noor, "Bericht van Sanne")
	if !strings.Contains(msg.Text, "hoe ging je gesprek bij het ROC?") {
		t.Errorf("the student's message lost the text: %q", msg.Text)
	}

	// Her Telegram reply goes back to Sanne as a message, not a case.
	noor.SendReply(msg.MessageID, "ging ff goed!! mn moeder was mee")
	w.waitText(noor, "aan Sanne gegeven")
	back := w.waitText(sanne, "💬 Noor: ging ff goed!! mn moeder was mee")

	// Sanne replies to that message; Noor answers without using "reply".
	sanne.SendReply(back.MessageID, "Wat fijn! Zet je het op je cv?")
	w.waitText(noor, "Zet je het op je cv?")
	noor.SendText("ja doe ik morgen")
	w.waitText(sanne, "💬 Noor: ja doe ik morgen")

	// The button on the student's card: the next text is the message.
	sanne.SendCommand("student", "Noor")
	card := w.waitFor(sanne, func(m telegramtest.Sent) bool { return hasButton(m, "Bericht sturen") }, "the card's write button")
	if _, err := sanne.TapButton(card.MessageID, "✍️ Bericht sturen"); err != nil {
		t.Fatal(err)
	}
	w.waitText(sanne, "Schrijf nu je bericht aan Noor")
	sanne.SendText("Succes morgen!")
	w.waitText(noor, "Succes morgen!")

	// The messages are part of Noor's timeline, for the coach and the coordinator.
	tl := w.cli("student", "show", strconv.FormatInt(st.ID, 10))
	for _, want := range []string{"Bericht van Sanne: Hoi Noor, hoe ging je gesprek", "Noor aan Sanne: ging ff goed!!"} {
		if !strings.Contains(tl, want) {
			t.Errorf("the timeline lacks %q:\n%s", want, tl)
		}
	}

	if n := len(storetest.Alerts(w.t, w.srv.st)); n != 0 {
		t.Errorf("%d cases opened by personal messages, want none", n)
	}
	if n := storetest.Count(storetest.CoachMessages(w.t, w.srv.st), func(r store.CoachMessageRow) bool { return r.StudentID == st.ID }); n != 5 {
		t.Errorf("%d personal messages kept, want 5", n)
	}
	noTrace(t, noor, sanne)

	// The report counts personal contact apart from the bot's.
	rep := w.cli("--lang", "en", "--csv-comma", "report", "--format", "csv")
	for _, want := range []string{"all,all,Contact,messages from the coach,3", "all,all,Contact,messages from the student,2", "all,all,Contact,check-in answers,0"} {
		if !strings.Contains(rep, want) {
			t.Errorf("report lacks %q:\n%s", want, rep)
		}
	}

	// Days later, a free text is no answer to Sanne any more: not a personal
	// message but a request for her working hours (Saturday: Monday 09:00),
	// and Noor is told so truthfully.
	w.clock.Advance(4 * 24 * time.Hour)
	noor.SendText("hoi")
	w.waitText(noor, "maandag vanaf 9:00")
	if n := storetest.Count(storetest.CoachMessages(w.t, w.srv.st), func(r store.CoachMessageRow) bool { return r.StudentID == st.ID }); n != 5 {
		t.Errorf("%d personal messages after an unrelated text, want still 5", n)
	}
	if n := storetest.Count(storetest.Alerts(w.t, w.srv.st), func(r store.AlertRow) bool { return r.StudentID == st.ID && r.Severity == "request" }); n != 1 {
		t.Errorf("%d request cases after an unrelated text, want 1", n)
	}

	// Erasing the student erases the messages, also the copies in Sanne's chat's outbox.
	w.cli("student", "delete", fmt.Sprint(st.ID), "--yes")
	if n := len(storetest.CoachMessages(w.t, w.srv.st)); n != 0 {
		t.Errorf("%d personal messages left after erasure", n)
	}
	if n := storetest.Count(storetest.Outbox(w.t, w.srv.st), func(r store.OutboxRow) bool { return strings.Contains(r.Payload, "mn moeder was mee") }); n != 0 {
		t.Errorf("%d outbox rows still hold the student's words", n)
	}
}

func hasButton(m telegramtest.Sent, text string) bool {
	for _, row := range m.Keyboard {
		for _, b := range row {
			if strings.Contains(b.Text, text) {
				return true
			}
		}
	}
	return false
}

func TestMovedStudentNamesTheNewCoach(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	sanneInv, sanne := w.addCoach("Sanne de Vries")
	ahmedInv, ahmed := w.addCoach("Ahmed El Amrani")
	st, noor := w.addStudent("Noor Bakker", sanneInv.ID)

	// Sanne had a case about Noor: it no longer lets her see Noor after the move.
	w.checkinNow(st.ID)
	w.answer(noor, "mood", "3")
	w.answer(noor, "daytime", "home")
	w.waitText(sanne, "Dringend")

	out := w.cli("student", "move", fmt.Sprint(st.ID), "--coach", fmt.Sprint(ahmedInv.ID))
	if !strings.Contains(out, "Ahmed") {
		t.Errorf("move printed %q", out)
	}
	w.waitText(noor, "Vanaf nu is Ahmed je coach")
	w.waitText(ahmed, "Noor Bakker is vanaf nu jouw jongere")
	w.waitText(sanne, "Noor heeft vanaf nu Ahmed als coach")

	sanne.SendCommand("student", "Noor")
	w.waitText(sanne, "Ik vind geen jongere “Noor”")
	sanne.SendCommand("overzicht")
	w.waitText(sanne, "Je hebt nog geen jongeren")
	sanne.SendCommand("bericht", "Noor", "hoi")
	w.waitText(sanne, "Ik vind geen jongere “Noor”")

	ahmed.SendCommand("overzicht")
	w.waitFor(ahmed, func(m telegramtest.Sent) bool { return strings.Contains(m.Text, "Noor Bakker") && hasButton(m, "Noor") }, "Noor in Ahmed's overview")

	// The next check-in comes from Ahmed.
	for _, s := range [][2]string{{"money", "ok"}, {"housing", "yes"}, {"support", "yes"}, {"contact", "no"}, {"note", "done"}} {
		w.answer(noor, s[0], s[1])
	}
	w.waitText(noor, "Dank je wel")
	w.checkinNow(st.ID)
	w.waitFor(noor, func(m telegramtest.Sent) bool {
		return strings.Contains(m.Text, "check-in van Ahmed") && len(m.Keyboard) > 0
	}, "a check-in naming Ahmed")

	// A new signal goes to Ahmed, not to Sanne.
	sanneAlerts := len(alerts(sanne))
	w.answer(noor, "mood", "1")
	w.waitFor(ahmed, func(m telegramtest.Sent) bool { return strings.Contains(m.Text, "Noor") && hasButton(m, "pak het op") }, "Ahmed's alert")
	if n := len(alerts(sanne)); n != sanneAlerts {
		t.Errorf("the old coach got %d new alerts after the move, want none", n-sanneAlerts)
	}
}

func TestStandInGetsUrgentAlertWhileCoachIsAway(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	sanneInv, sanne := w.addCoach("Sanne de Vries")
	_, ahmed := w.addCoach("Ahmed El Amrani")
	st, noor := w.addStudent("Noor Bakker", sanneInv.ID)

	until := w.clock.Now().AddDate(0, 0, 7).In(mustAmsterdam(t)).Format("02-01-2006")
	sanne.SendCommand("vervanger", "Ahmed", "tot", until)
	w.waitText(sanne, "Ahmed El Amrani is je vervanger tot en met "+until)
	w.waitText(ahmed, "Sanne is weg tot en met "+until)

	w.checkinNow(st.ID)
	w.answer(noor, "mood", "3")
	w.answer(noor, "daytime", "home")
	alert := w.waitFor(ahmed, func(m telegramtest.Sent) bool {
		return strings.Contains(m.Text, "Dringend") && hasButton(m, "pak het op")
	}, "the urgent alert")
	if n := len(alerts(sanne)); n != 0 {
		t.Errorf("the coach who is away got %d alerts", n)
	}
	if _, err := ahmed.TapButton(alert.MessageID, "✋ Ik pak het op"); err != nil {
		t.Fatal(err)
	}
	taken := w.waitText(ahmed, "Opgepakt door Ahmed")
	if _, err := ahmed.TapButton(taken.MessageID, "✔️ Afsluiten"); err != nil {
		t.Fatal(err)
	}
	w.waitText(ahmed, "korte notitie")
	ahmed.SendText("Gebeld, loopt.")
	w.waitText(ahmed, "Afgesloten door Ahmed")

	// Ahmed may see and write to Noor while he stands in.
	ahmed.SendCommand("bericht", "Noor", "Hoi Noor, ik ben Ahmed en ik vervang Sanne even.")
	w.waitText(noor, "Bericht van Ahmed")
	ahmed.SendCommand("overzicht")
	ov := w.waitFor(ahmed, func(m telegramtest.Sent) bool { return hasButton(m, "Noor Bakker") }, "Noor in the stand-in's overview")
	for _, row := range ov.Keyboard {
		for _, b := range row {
			if strings.Contains(b.Text, "Noor Bakker") {
				ahmed.Tap(ov.MessageID, b.CallbackData)
			}
		}
	}
	w.waitText(ahmed, "Tijdlijn van Noor Bakker")

	// Back early: the next case is Sanne's own again.
	sanne.SendCommand("vervanger", "uit")
	w.waitText(sanne, "niet meer je vervanger")
	w.waitText(ahmed, "Sanne is terug")
	for _, s := range [][2]string{{"money", "debts"}} {
		w.answer(noor, s[0], s[1])
	}
	w.waitFor(sanne, func(m telegramtest.Sent) bool { return hasButton(m, "pak het op") }, "Sanne's own alert")
}

func mustAmsterdam(t *testing.T) *time.Location {
	l, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestPauseAndStopReachTheCoachInTheirHours(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, sanne := w.addCoach("Sanne de Vries")
	_, noor := w.addStudent("Noor Bakker", coach.ID)

	// Tuesday 10:00, in Sanne's hours: she hears at once.
	noor.SendCommand("pauze")
	ask := w.waitFor(noor, func(m telegramtest.Sent) bool { return hasData(m, "p:2") }, "pause weeks")
	noor.Tap(ask.MessageID, "p:2")
	w.waitText(sanne, "Noor Bakker heeft de check-ins gepauzeerd tot")

	// Tuesday 20:00: the stop waits for Wednesday 09:00.
	w.clock.Advance(10 * time.Hour)
	noor.SendCommand("stop")
	stop := w.waitFor(noor, func(m telegramtest.Sent) bool { return hasData(m, "s:y") }, "stop confirmation")
	noor.Tap(stop.MessageID, "s:y")
	w.waitText(noor, "gewist")
	w.srv.sched.RunOnce(context.Background())
	for _, m := range sanne.Messages() {
		if strings.Contains(m.Text, "gestopt") {
			t.Fatalf("the coach heard about the stop at 20:00: %q", m.Text)
		}
	}
	w.clock.Advance(13 * time.Hour) // Wednesday 09:00
	w.srv.sched.RunOnce(context.Background())
	w.waitText(sanne, "Noor Bakker is gestopt met de check-ins")
}

// weekCheckin runs a check-in for student id in which u answers mood 3 and
// daytime, and plain answers to the rest, up to the closing thanks.
func (w *world) weekCheckin(id int64, u *telegramtest.User, daytime string) {
	w.t.Helper()
	w.checkinNow(id)
	w.answer(u, "mood", "3")
	w.answer(u, "daytime", daytime)
	plain := map[string]string{"daytime_ok": "yes", "money": "ok", "housing": "yes", "support": "yes", "contact": "no"}
	newest := w.newestCheckin(u)
	if newest == 0 {
		w.t.Fatalf("no check-in for chat %d", u.ID)
	}
	for {
		step := w.checkinRow(newest).Step
		if step == "note" || step == "" {
			break
		}
		if _, ok := plain[step]; !ok {
			time.Sleep(20 * time.Millisecond) // the answer to daytime is still being recorded
			continue
		}
		w.answer(u, step, plain[step])
		for i := 0; i < 200; i++ { // until the answer moved the check-in on
			now := w.checkinRow(newest).Step
			if now != step {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	w.answer(u, "note", "done")
	w.waitFor(u, func(m telegramtest.Sent) bool { return strings.Contains(m.Text, "Dank je wel") }, "the check-in's closer")
	for i := 0; i < 500 && w.checkinRow(newest).Status != "completed"; i++ {
		time.Sleep(10 * time.Millisecond)
	}
}

func TestKnownSituationAlertsOnlyOnChange(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, sanne := w.addCoach("Sanne de Vries")
	st, noor := w.addStudent("Noor Bakker", coach.ID)

	// Week 1: at home, urgent. Sanne knows (waiting for a training to start).
	w.weekCheckin(st.ID, noor, "home")
	alert := w.waitFor(sanne, func(m telegramtest.Sent) bool {
		return strings.Contains(m.Text, "Dringend") && hasButton(m, "pak het op")
	}, "the urgent alert")
	if _, err := sanne.TapButton(alert.MessageID, "✋ Ik pak het op"); err != nil {
		t.Fatal(err)
	}
	taken := w.waitFor(sanne, func(m telegramtest.Sent) bool { return hasButton(m, "Bekend, loopt") }, "the known button")
	if _, err := sanne.TapButton(taken.MessageID, "👌 Bekend, loopt"); err != nil {
		t.Fatal(err)
	}
	w.waitText(sanne, "Afgesloten als bekend")

	// Week 2: the same answer alerts nobody.
	w.clock.Advance(7 * 24 * time.Hour)
	w.weekCheckin(st.ID, noor, "home")
	w.srv.sched.RunOnce(context.Background())
	if n := len(storetest.Alerts(w.t, w.srv.st)); n != 1 {
		t.Fatalf("the known situation alerted again: %d cases", n)
	}

	// Week 3 she is looking for work; week 4 at home again: that is news.
	w.clock.Advance(7 * 24 * time.Hour)
	w.weekCheckin(st.ID, noor, "looking")
	w.clock.Advance(7 * 24 * time.Hour)
	before := len(alerts(sanne))
	w.weekCheckin(st.ID, noor, "home")
	w.waitFor(sanne, func(m telegramtest.Sent) bool {
		return strings.Contains(m.Text, "Dringend") && hasButton(m, "pak het op") && len(alerts(sanne)) > before
	}, "a new urgent alert after the change")
	if n := storetest.Count(storetest.Alerts(w.t, w.srv.st), func(r store.AlertRow) bool { return r.Severity == "urgent" }); n != 2 {
		t.Errorf("%d urgent cases, want 2", n)
	}
}

func TestSameUrgentAnswerNextWeekIsAttention(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, sanne := w.addCoach("Sanne de Vries")
	st, noor := w.addStudent("Noor Bakker", coach.ID)
	w.weekCheckin(st.ID, noor, "home")
	alert := w.waitFor(sanne, func(m telegramtest.Sent) bool {
		return strings.Contains(m.Text, "Dringend") && hasButton(m, "pak het op")
	}, "the urgent alert")
	if _, err := sanne.TapButton(alert.MessageID, "✋ Ik pak het op"); err != nil {
		t.Fatal(err)
	}
	taken := w.waitText(sanne, "Opgepakt door Sanne")
	if _, err := sanne.TapButton(taken.MessageID, "✔️ Afsluiten"); err != nil {
		t.Fatal(err)
	}
	w.waitText(sanne, "korte notitie")
	sanne.SendText("Gebeld.")
	w.waitText(sanne, "Afgesloten door Sanne")

	w.clock.Advance(7 * 24 * time.Hour)
	w.weekCheckin(st.ID, noor, "home")
	w.waitFor(sanne, func(m telegramtest.Sent) bool {
		return strings.Contains(m.Text, "Aandacht") && hasButton(m, "pak het op")
	}, "an attention alert")
	if n := storetest.Count(storetest.Alerts(w.t, w.srv.st), func(r store.AlertRow) bool { return r.Severity == "urgent" }); n != 1 {
		t.Errorf("%d urgent cases, want 1 (the same answer again is attention)", n)
	}
}

func TestOpenCaseIsBroughtBackOnceAWorkingDay(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, sanne := w.addCoach("Sanne de Vries")
	st, noor := w.addStudent("Noor Bakker", coach.ID)
	w.weekCheckin(st.ID, noor, "home")
	alert := w.waitFor(sanne, func(m telegramtest.Sent) bool {
		return strings.Contains(m.Text, "Dringend") && hasButton(m, "pak het op")
	}, "the urgent alert")
	if _, err := sanne.TapButton(alert.MessageID, "✋ Ik pak het op"); err != nil {
		t.Fatal(err)
	}
	w.waitText(sanne, "Opgepakt door Sanne")

	// A scheduled check-in falls due and waits for the case.
	ctx := context.Background()
	w.clock.Advance(24 * time.Hour)
	if _, err := w.srv.st.ScheduleCheckin(ctx, st.ID, w.clock.Now(), w.clock.Now(), false); err != nil {
		t.Fatal(err)
	}
	w.srv.sched.RunOnce(ctx)
	for _, m := range sanne.Messages() {
		if strings.Contains(m.Text, "⏰") {
			t.Fatalf("brought back after one day: %q", m.Text)
		}
	}

	// Thursday 10:00, two days open: back in Sanne's chat, as a new message
	// with the check-in it holds back, and its buttons still work.
	w.clock.Advance(24 * time.Hour)
	w.srv.sched.RunOnce(ctx)
	back := w.waitText(sanne, "⏰ Deze melding staat al 2 dagen open")
	if !strings.Contains(back.Text, "Er wachten 1 check-ins") || !hasButton(back, "Afsluiten") {
		t.Errorf("the case brought back: %q", back.Text)
	}
	// Not again the same day; again the next working day.
	w.clock.Advance(3 * time.Hour)
	w.srv.sched.RunOnce(ctx)
	w.clock.Advance(21 * time.Hour) // Friday 10:00
	w.srv.sched.RunOnce(ctx)
	w.waitText(sanne, "⏰ Deze melding staat al 3 dagen open")
	n := 0
	for _, m := range sanne.Messages() {
		if strings.Contains(m.Text, "⏰") {
			n++
		}
	}
	if n != 2 {
		t.Errorf("brought back %d times in two working days, want 2", n)
	}
	if _, err := sanne.TapButton(back.MessageID, "✔️ Afsluiten"); err != nil {
		t.Fatal(err)
	}
	w.waitText(sanne, "korte notitie")
}

func TestOverviewPutsOpenCaseFirstAndPages(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, sanne := w.addCoach("Sanne de Vries")
	for i := 1; i <= 11; i++ {
		w.addStudent(fmt.Sprintf("Anna %02d", i), coach.ID)
	}
	_, yara := w.addStudent("Yara Pietersen", coach.ID)
	yara.SendText("ik wil dood eerlijk")
	w.waitText(sanne, "CRISIS")

	sanne.SendCommand("overzicht")
	page1 := w.waitText(sanne, "Pagina 1 van 2")
	lines := strings.Split(page1.Text, "\n")
	if len(lines) < 2 || !strings.Contains(lines[1], "Yara Pietersen") {
		t.Errorf("the student with an open case is not first: %q", page1.Text)
	}
	if n := strings.Count(page1.Text, "Anna"); n != 9 {
		t.Errorf("page 1 lists %d others, want 9 (10 a page)", n)
	}
	students := 0
	for _, row := range page1.Keyboard {
		for _, b := range row {
			if strings.HasPrefix(b.CallbackData, "h:") {
				students++
			}
		}
	}
	if students != 10 || !hasButton(page1, "▶") || hasButton(page1, "◀") {
		t.Errorf("page 1 has %d student buttons and %+v", students, page1.Keyboard)
	}
	if _, err := sanne.TapButton(page1.MessageID, "▶"); err != nil {
		t.Fatal(err)
	}
	page2 := w.waitText(sanne, "Pagina 2 van 2")
	if page2.MessageID != page1.MessageID || !strings.Contains(page2.Text, "Anna 11") || !hasButton(page2, "◀") {
		t.Errorf("page 2: %q %+v", page2.Text, page2.Keyboard)
	}
	// A student's button opens their card.
	for _, row := range page2.Keyboard {
		for _, b := range row {
			if strings.Contains(b.Text, "Anna 11") {
				sanne.Tap(page2.MessageID, b.CallbackData)
			}
		}
	}
	w.waitText(sanne, "Tijdlijn van Anna 11")

	// Monday 09:00: the week's digest, once.
	w.clock.Advance(5*24*time.Hour + 23*time.Hour)
	w.srv.sched.RunOnce(context.Background())
	w.srv.sched.RunOnce(context.Background())
	w.waitText(sanne, "Goedemorgen Sanne")
	n := 0
	for _, m := range sanne.Messages() {
		if strings.Contains(m.Text, "Goedemorgen Sanne") {
			n++
			if !strings.Contains(m.Text, "1 open meldingen") {
				t.Errorf("digest: %q", m.Text)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d digests, want 1", n)
	}
}

func TestKnownSituationComesBackOnceAfterFourWeeks(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, sanne := w.addCoach("Sanne de Vries")
	st, noor := w.addStudent("Noor Bakker", coach.ID)
	w.weekCheckin(st.ID, noor, "home")
	alert := w.waitFor(sanne, func(m telegramtest.Sent) bool {
		return strings.Contains(m.Text, "Dringend") && hasButton(m, "pak het op")
	}, "the urgent alert")
	if _, err := sanne.TapButton(alert.MessageID, "✋ Ik pak het op"); err != nil {
		t.Fatal(err)
	}
	taken := w.waitFor(sanne, func(m telegramtest.Sent) bool { return hasButton(m, "Bekend, loopt") }, "the known button")
	if _, err := sanne.TapButton(taken.MessageID, "👌 Bekend, loopt"); err != nil {
		t.Fatal(err)
	}
	w.waitText(sanne, "Afgesloten als bekend")

	// Four weeks on, still at home: once, as attention.
	w.clock.Advance(28 * 24 * time.Hour)
	w.weekCheckin(st.ID, noor, "home")
	w.waitFor(sanne, func(m telegramtest.Sent) bool {
		return strings.Contains(m.Text, "Aandacht") && hasButton(m, "pak het op")
	}, "the attention alert")
	if n := len(storetest.KnownSignals(w.t, w.srv.st)); n != 0 {
		t.Errorf("the known mark outlived its four weeks: %d left", n)
	}
}

// A student's answer to a coach who can no longer be reached is not "given
// to Sanne": it goes the way of any message, to someone who can read it.
func TestAnswerToAnUnreachableCoachReachesAColleague(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, sanne := w.addCoach("Sanne de Vries")
	_, kees := w.addCoordinator("Kees Visser")
	_, noor := w.addStudent("Noor Bakker", coach.ID)
	sanne.SendCommand("bericht", "Noor", "Hoe ging het gesprek?")
	msg := w.waitText(noor, "Bericht van Sanne")

	sanne.Block()
	w.waitText(kees, "kan Sanne de Vries niet meer bereiken")
	noor.SendReply(msg.MessageID, "ging goed, ik mag beginnen")
	w.waitText(noor, "Een collega van Sanne")
	w.waitText(kees, "ik mag beginnen")
	for _, m := range noor.Messages() {
		if strings.Contains(m.Text, "aan Sanne gegeven") {
			t.Errorf("Noor was told her answer reached Sanne, who blocked the bot: %q", m.Text)
		}
	}
}
