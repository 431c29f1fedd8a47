package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lijntje/lijntje/bot/telegramtest"
	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// TestCheckinIsOneCardInstantTapper: a student taps every answer the instant
// its question shows, under the double's per-chat limit (a short burst, then
// 1 a second) with the default configuration. The check-in is one message:
// the opener, edited by each tap into the answers so far and the next
// question, ending as the answers and the thank-you without buttons. It takes
// under 9 s and no 429; a tap on an answered question gets a kind answer.
func TestCheckinIsOneCardInstantTapper(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, _ := w.addCoach("Sanne de Vries")
	st, noor := w.addStudent("Noor Bakker", coach.ID)
	// A check-in comes days after the welcome: let the chat's short burst,
	// spent on the welcome and the moment question, come back (wall clock: the
	// double's and the sender's pacing run on it). Without it the check-in
	// takes about 8.4 s, every message a chat's second apart; with it about 7.4 s.
	time.Sleep(3 * time.Second)
	w.checkinNow(st.ID)

	answers := [][2]string{{"mood", "4"}, {"daytime", "work"}, {"daytime_ok", "yes"}, {"money", "ok"},
		{"housing", "yes"}, {"support", "yes"}, {"contact", "no"}, {"note", "done"}}
	opener := w.question(noor, "mood")
	start := time.Now()
	var firstTap telegramtest.Sent
	for i, a := range answers {
		q := w.question(noor, a[0]) // the instant it shows
		if q.MessageID != opener.MessageID {
			t.Fatalf("question %s came as a new message, not on the card: %q", a[0], q.Text)
		}
		if i > 0 && strings.Count(q.Text, "✔️") != i {
			t.Errorf("question %s: the card shows %d answers, want %d: %q", a[0], strings.Count(q.Text, "✔️"), i, q.Text)
		}
		if i == 1 {
			firstTap = q
		}
		w.answer(noor, a[0], a[1])
	}
	card := w.waitText(noor, "Dank je wel, Noor")
	took := time.Since(start)
	t.Logf("an instant tapper: %d answers in %v", len(answers), took)
	if took >= 9*time.Second {
		t.Errorf("an instant tapper needed %v for the check-in, want under 9 s", took)
	}
	if card.MessageID != opener.MessageID || len(card.Keyboard) != 0 {
		t.Errorf("the check-in does not end on its card without buttons: %+v", card)
	}
	for _, want := range []string{"Hoe gaat het met je? → 🙂 Goed", "💼 Ik werk", "👌 Nee, hoeft niet", "✅ Klaar"} {
		if !strings.Contains(card.Text, want) {
			t.Errorf("the summary lacks %q: %q", want, card.Text)
		}
	}
	for _, m := range noor.Messages() {
		if m.MessageID > opener.MessageID {
			t.Errorf("the check-in took a message besides its card: %q", m.Text)
		}
	}
	if _, _, tooMany := w.tg.CallsSince(time.Time{}); tooMany != 0 {
		t.Errorf("%d answers 429", tooMany)
	}
	if u := w.tg.UnansweredCallbacks(); len(u) != 0 {
		t.Errorf("taps never answered: %v", u)
	}
	if n := storetest.Count(storetest.Answers(w.t, w.srv.st), func(a store.AnswerRow) bool { return a.CheckinID != 0 }); n != len(answers) {
		t.Errorf("%d answers stored, want %d", n, len(answers))
	}

	// A tap on a button the card no longer shows (an old copy of the card, a
	// slow client) changes nothing and says so kindly.
	var old string
	for _, row := range firstTap.Keyboard {
		if len(row) > 0 {
			old = row[0].CallbackData
		}
	}
	noor.Tap(opener.MessageID, old)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.tg.WaitUntil(ctx, func() bool { return len(noor.CallbackAnswers()) == len(answers)+1 }); err != nil {
		t.Fatalf("the stale tap was not answered")
	}
	if got := noor.CallbackAnswers()[len(answers)].Text; got == "" {
		t.Errorf("a stale tap got no word on the button")
	}
	if n := storetest.Count(storetest.Answers(w.t, w.srv.st), func(a store.AnswerRow) bool { return a.CheckinID != 0 }); n != len(answers) {
		t.Errorf("a stale tap changed the answers: %d stored", n)
	}
}

// TestReminderBringsTheCardBack: the reminder of a half-answered check-in
// comes as a new message at the bottom of the chat with the answers so far
// and the open question's buttons; the old card loses its buttons and points
// down. A typed answer to the last question leaves the card without buttons.
func TestReminderBringsTheCardBack(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, _ := w.addCoach("Sanne de Vries")
	st, noor := w.addStudent("Noor Bakker", coach.ID)
	w.checkinNow(st.ID)
	opener := w.question(noor, "mood")
	w.answer(noor, "mood", "2")
	w.question(noor, "daytime")

	w.clock.Advance(5 * time.Hour) // past REMIND_AFTER, within working hours
	w.srv.sched.RunOnce(t.Context())
	rem := w.waitText(noor, "staat nog open")
	if rem.MessageID == opener.MessageID {
		t.Fatal("the reminder edited the old card instead of coming to the bottom of the chat")
	}
	if !strings.Contains(rem.Text, "🙁 Niet zo goed") || !hasStep(rem, "daytime") {
		t.Errorf("the reminder lacks the answer so far or the open question's buttons: %q %v", rem.Text, rem.Keyboard)
	}
	old := w.waitFor(noor, func(m telegramtest.Sent) bool {
		return m.MessageID == opener.MessageID && len(m.Keyboard) == 0 && strings.Contains(m.Text, "👇")
	}, "the old card pointing down")
	_ = old

	// The rest on the reminder's card; the last answer typed.
	for _, a := range [][2]string{{"daytime", "work"}, {"daytime_ok", "yes"}, {"money", "ok"}, {"housing", "yes"}, {"support", "yes"}, {"contact", "no"}} {
		if q := w.question(noor, a[0]); q.MessageID != rem.MessageID {
			t.Fatalf("question %s not on the reminder's card", a[0])
		}
		w.answer(noor, a[0], a[1])
	}
	w.question(noor, "note")
	noor.SendText("mn stage is wel zwaar ff")
	w.waitText(noor, "Dank je wel, Noor")
	w.waitFor(noor, func(m telegramtest.Sent) bool {
		return m.MessageID == rem.MessageID && len(m.Keyboard) == 0 && strings.Contains(m.Text, "je bericht")
	}, "the reminder's card without buttons, the typed answer noted")
	for _, m := range noor.Messages() {
		if strings.Contains(m.Text, "mn stage") {
			t.Errorf("a card repeats what the student typed: %q", m.Text)
		}
	}
}

func hasStep(m telegramtest.Sent, step string) bool {
	for _, row := range m.Keyboard {
		for _, b := range row {
			if _, s, _, ok := flows.ParseCallbackData(b.CallbackData); ok && s == step {
				return true
			}
		}
	}
	return false
}
