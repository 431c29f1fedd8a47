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

// After /stop and its confirmation, what coaches got about the student's
// answers goes too: the history text becomes "[verwijderd]", the chart is
// deleted and the case message no longer quotes what they wrote.
func TestStopErasesWhatCoachesGotAboutTheAnswers(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, sanne := w.addCoach("Sanne de Vries")
	st, noor := w.addStudent("Noor Bakker", coach.ID)
	w.checkinNow(st.ID)
	w.answer(noor, "mood", "1")
	noor.SendText("ik wil dood eerlijk, alles is op")
	w.waitText(noor, "113")
	alert := w.waitText(sanne, "alles is op")
	sanne.SendCommand("student", "Noor Bakker")
	history := w.waitFor(sanne, func(m telegramtest.Sent) bool {
		return m.MessageID > alert.MessageID && strings.Contains(m.Text, "Tijdlijn van") && strings.Contains(m.Text, "alles is op")
	}, "Noor's history") // not the crisis alert: a rise may make that a newer message too
	chart := w.waitFor(sanne, func(m telegramtest.Sent) bool { return len(m.Photo) > 0 }, "Noor's chart")

	noor.SendCommand("stop")
	ask := w.waitFor(noor, func(m telegramtest.Sent) bool { return hasData(m, "s:y") }, "stop confirmation")
	noor.Tap(ask.MessageID, "s:y")
	w.waitText(noor, "gewist")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := w.tg.WaitUntil(ctx, func() bool {
		ok := 0
		for _, m := range sanne.Messages() {
			if !m.Deleted && strings.Contains(m.Text+m.Caption, "alles is op") {
				return false // no message of Sanne's still quotes her
			}
			switch m.MessageID {
			case history.MessageID:
				if m.Text == "[verwijderd]" {
					ok++
				}
			case chart.MessageID:
				if m.Deleted {
					ok++
				}
			case alert.MessageID:
				if !strings.Contains(m.Text, "alles is op") {
					ok++
				}
			}
		}
		return ok == 3
	})
	if err != nil {
		for _, m := range sanne.Messages() {
			t.Logf("coach's chat: %d %q deleted=%v", m.MessageID, m.Text, m.Deleted)
		}
		t.Fatal("after /stop the coach's chat still shows the student's answers")
	}
	if n := storetest.Count(storetest.Outbox(w.t, w.srv.st), func(o store.OutboxRow) bool { return strings.Contains(o.Payload, "alles is op") }); n != 0 {
		t.Errorf("%d outbox rows still hold the student's text", n)
	}
}
