package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lijntje/lijntje/bot/telegramtest"
	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// TestCrisisHelplinePerCategory: each kind of crisis gets its own helpline,
// and the coach a crisis alert that names the kind.
func TestCrisisHelplinePerCategory(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, sanne := w.addCoach("Sanne de Vries")
	cases := []struct {
		name, text string
		want       []string // in the reply
		not        string   // not in the reply: another category's line
		alert      string   // in the coach's alert
	}{
		{"Noor Bakker", "ik heb vannacht mn hele strip paracetamol geslikt", []string{"113", "0800-0113", "112", "Sanne"}, "0800-2000", "Zelfmoord of zelfbeschadiging"},
		{"Daan Jansen", "mn stiefvader slaat me als ie gedronken heeft", []string{"Veilig Thuis", "0800-2000", "112", "Sanne"}, "0800-0113", "Geweld of mishandeling thuis"},
		{"Lina Amrani", "ze chanteren me met naaktfoto's", []string{"Centrum Seksueel Geweld", "0800-0188", "112", "Sanne"}, "0800-0113", "Seksueel geweld"},
		{"Bram de Wit", "ik neem morgen een mes mee naar school", []string{"112", "Sanne"}, "0800-2000", "Dreigt iemand iets aan te doen"},
	}
	users := make([]*telegramtest.User, len(cases))
	for i, c := range cases {
		_, users[i] = w.addStudent(c.name, coach.ID)
	}
	for i, c := range cases {
		users[i].SendText(c.text)
	}
	for i, c := range cases {
		reply := w.waitText(users[i], c.want[0])
		for _, must := range c.want {
			if !strings.Contains(reply.Text, must) {
				t.Errorf("%s: reply lacks %q: %q", c.text, must, reply.Text)
			}
		}
		if strings.Contains(reply.Text, c.not) {
			t.Errorf("%s: reply has another helpline %q: %q", c.text, c.not, reply.Text)
		}
		w.waitFor(sanne, func(m telegramtest.Sent) bool {
			return strings.Contains(m.Text, "CRISIS") && strings.Contains(m.Text, c.name) && strings.Contains(m.Text, c.alert)
		}, "crisis alert about "+c.name+" naming "+c.alert)
	}
	if n := storetest.Count(storetest.Alerts(w.t, w.srv.st), func(r store.AlertRow) bool { return r.Severity == "crisis" }); n != len(cases) {
		t.Errorf("%d crisis cases, want %d", n, len(cases))
	}
}

// doubtQuestion sends an in-between phrase and waits for the question with its buttons.
func doubtQuestion(t *testing.T, w *world, noor, sanne *telegramtest.User) telegramtest.Sent {
	t.Helper()
	noor.SendText("ik zie het echt nie meer zitten")
	q := w.waitFor(noor, func(m telegramtest.Sent) bool { return hasData(m, "crisis:yes") }, "the in-between question")
	for _, must := range []string{"Bedoel je dat je niet meer wilt leven?", "113"} {
		if !strings.Contains(q.Text, must) {
			t.Errorf("question lacks %q: %q", must, q.Text)
		}
	}
	for _, data := range []string{"crisis:no", "crisis:unsure"} {
		if !hasData(q, data) {
			t.Errorf("question has no button %s", data)
		}
	}
	alert := w.waitText(sanne, "Dringend") // urgent at once, before any answer
	if !strings.Contains(alert.Text, "ik zie het echt nie meer zitten") {
		t.Errorf("urgent alert lacks the words: %q", alert.Text)
	}
	return q
}

func TestDoubtAnsweredYesBecomesCrisis(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, sanne := w.addCoach("Sanne de Vries")
	_, noor := w.addStudent("Noor Bakker", coach.ID)
	q := doubtQuestion(t, w, noor, sanne)
	noor.Tap(q.MessageID, "crisis:yes")
	reply := w.waitText(noor, "0800-0113 (gratis")
	if !strings.Contains(reply.Text, "Sanne") {
		t.Errorf("crisis reply does not say the coach is told: %q", reply.Text)
	}
	w.waitFor(noor, func(m telegramtest.Sent) bool {
		return m.MessageID == q.MessageID && len(m.Keyboard) == 0 && strings.Contains(m.Text, "👉 Ja")
	}, "the question keeps the choice and loses its buttons")
	w.waitText(sanne, "CRISIS")
	if n := storetest.Count(storetest.Alerts(w.t, w.srv.st), func(r store.AlertRow) bool { return r.Severity == "crisis" && r.Status != "closed" }); n != 1 {
		t.Errorf("%d open crisis cases, want 1", n)
	}
	if n := len(storetest.Alerts(w.t, w.srv.st)); n != 1 {
		t.Errorf("%d cases, want one (the urgent case rose to crisis)", n)
	}
}

func TestDoubtAnsweredNoKeepsTheUrgentCase(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, sanne := w.addCoach("Sanne de Vries")
	_, noor := w.addStudent("Noor Bakker", coach.ID)
	q := doubtQuestion(t, w, noor, sanne)
	noor.Tap(q.MessageID, "crisis:no")
	reply := w.waitText(noor, "Sanne weet wat je schreef")
	if strings.Contains(reply.Text, "112") {
		t.Errorf("'no' got the crisis reply: %q", reply.Text)
	}
	w.waitFor(sanne, func(m telegramtest.Sent) bool { return strings.Contains(m.Text, "Nee, iets anders") }, "the answer in the alert")
	if n := storetest.Count(storetest.Alerts(w.t, w.srv.st), func(r store.AlertRow) bool { return r.Severity == "urgent" && r.Status == "open" }); n != 1 {
		t.Errorf("%d open urgent cases, want 1", n)
	}
	if n := storetest.Count(storetest.Signals(w.t, w.srv.st), func(r store.SignalRow) bool { return r.Severity == "crisis" }); n != 0 {
		t.Errorf("%d crisis signals after 'no', want none", n)
	}
	for _, m := range alerts(sanne) {
		if strings.Contains(m.Text, "CRISIS") {
			t.Errorf("coach got a crisis alert after 'no': %q", m.Text)
		}
	}
}

func TestUrgentWordsRaiseAnUrgentCase(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, sanne := w.addCoach("Sanne de Vries")
	_, noor := w.addStudent("Noor Bakker", coach.ID)
	noor.SendText("Morgen komt de deurwaarder en ik weet niet wat ik moet doen")
	reply := w.waitText(noor, "dringend")
	if strings.Contains(reply.Text, "113") {
		t.Errorf("an urgent text got a helpline: %q", reply.Text)
	}
	alert := w.waitText(sanne, "Dringend")
	for _, must := range []string{"Noor Bakker", "schulden", "[deurwaarder]", "Morgen komt de deurwaarder"} {
		if !strings.Contains(alert.Text, must) {
			t.Errorf("urgent alert lacks %q: %q", must, alert.Text)
		}
	}
	if n := storetest.Count(storetest.Signals(w.t, w.srv.st), func(r store.SignalRow) bool { return r.Code == "urgent_debt" && r.Severity == "urgent" }); n != 1 {
		t.Errorf("%d urgent_debt signals, want 1", n)
	}
}

// tableRows counts the rows of every table.
func (w *world) tableRows() map[string]int {
	w.t.Helper()
	out := storetest.TableRowCounts(w.t, w.srv.st)
	if len(out) < 5 {
		w.t.Fatalf("only %d tables: %v", len(out), out)
	}
	return out
}

func TestStrangerInCrisisGetsTheNumbersAndLeavesNoRow(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, _ := w.addCoach("Sanne de Vries")
	w.addStudent("Noor Bakker", coach.ID)
	before := w.tableRows()

	en := w.tg.NewUser("Alex").SetLanguage("en-GB")
	en.SendText("i just want to kill myself")
	reply := w.waitText(en, "113")
	for _, must := range []string{"0800-0113", "112", "keep nothing"} {
		if !strings.Contains(reply.Text, must) {
			t.Errorf("English stranger's reply lacks %q: %q", must, reply.Text)
		}
	}
	nl := w.tg.NewUser("Sam") // no language_code: Dutch
	nl.SendText("ik ben bang voor mn vader hij slaat me")
	reply = w.waitText(nl, "Veilig Thuis")
	if !strings.Contains(reply.Text, "0800-2000") || !strings.Contains(reply.Text, "bewaar niets") {
		t.Errorf("Dutch stranger's reply: %q", reply.Text)
	}
	if strings.Contains(reply.Text, "Sanne") {
		t.Errorf("a stranger is told a coach knows: %q", reply.Text)
	}
	nl.SendText("hallo wie ben jij")
	w.waitText(nl, "alleen voor")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = w.tg.WaitUntil(ctx, func() bool { return false }) // give a stray write time to land
	after := w.tableRows()
	for tb, n := range after {
		if n != before[tb] {
			t.Errorf("table %s went from %d to %d rows after strangers wrote", tb, before[tb], n)
		}
	}
	for _, u := range []*telegramtest.User{en, nl} {
		if n := storetest.Count(storetest.Outbox(w.t, w.srv.st), func(r store.OutboxRow) bool { return r.ChatID == u.ID }); n != 0 {
			t.Errorf("%d outbox rows for a stranger", n)
		}
	}
}

// TestDoubtInACheckinNoteIsKeptAndAsked: an in-between phrase typed as the
// answer to the check-in's free-text question is kept as the answer, and
// still gets the question and an urgent alert.
func TestDoubtInACheckinNoteIsKeptAndAsked(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, sanne := w.addCoach("Sanne de Vries")
	st, noor := w.addStudent("Noor Bakker", coach.ID)
	w.checkinNow(st.ID)
	for _, s := range [][2]string{{"mood", "3"}, {"daytime", "work"}, {"daytime_ok", "yes"}, {"money", "ok"},
		{"housing", "yes"}, {"support", "yes"}, {"contact", "no"}} {
		w.answer(noor, s[0], s[1])
	}
	w.question(noor, "note")
	noor.SendText("eerlijk gezegd kan ik het niet meer aan")
	w.waitFor(noor, func(m telegramtest.Sent) bool { return hasData(m, "crisis:yes") }, "the in-between question")
	w.waitText(noor, "Dank je wel, Noor") // the check-in still closes
	w.waitText(sanne, "Dringend")
	if n := storetest.Count(storetest.Answers(w.t, w.srv.st), func(r store.AnswerRow) bool {
		return r.Step == "note" && r.Text == "eerlijk gezegd kan ik het niet meer aan"
	}); n != 1 {
		t.Errorf("%d note answers kept, want 1", n)
	}
}
