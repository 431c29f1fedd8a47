package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/lijntje/lijntje/bot/telegramtest"
	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// Every message reaches a person; a rise is news; no dead ends for alerts
// (issue 12, the delivery half).

// copies returns the messages copied into u's chat from chat from.
func copies(u *telegramtest.User, from int64) []telegramtest.Sent {
	var out []telegramtest.Sent
	for _, m := range u.Messages() {
		if m.Method == "copyMessage" && m.FromChatID == from {
			out = append(out, m)
		}
	}
	return out
}

func (w *world) addCoordinator(name string) (invite, *telegramtest.User) {
	w.t.Helper()
	var inv invite
	if err := json.Unmarshal([]byte(w.cli("coach", "add", "--name", name, "--coordinator", "--hours", "always", "--json")), &inv); err != nil {
		w.t.Fatal(err)
	}
	u := w.tg.NewUser(strings.Fields(name)[0])
	u.SendCommand("start", inv.Code)
	w.waitText(u, "gekoppeld als coach")
	return inv, u
}

func TestTextAndPhotoOutsideCheckinReachCoachOnDuty(t *testing.T) {
	t.Parallel()
	w := newWorld(t) // Tuesday 10:00: Sanne is at work
	coach, sanne := w.addCoach("Sanne de Vries")
	_, noor := w.addStudent("Noor Bakker", coach.ID)

	noor.SendText("mn huisbaas doet ff niet moeilijk over de huur, kan jij helpen?")
	w.waitText(noor, "Sanne is nu aan het werk en ziet het snel")
	alert := w.waitText(sanne, "Noor Bakker")
	if !strings.Contains(alert.Text, "Verzoek") || !strings.Contains(alert.Text, "mn huisbaas doet ff niet moeilijk") {
		t.Errorf("the alert does not show the request with the words: %q", alert.Text)
	}
	w.waitFor(sanne, func(m telegramtest.Sent) bool {
		return m.Method == "copyMessage" && m.FromChatID == noor.ID && strings.Contains(m.Text, "mn huisbaas")
	}, "the message itself, copied")

	noor.SendPhotoCaption("kreeg deze brief, snap er niks van")
	w.waitText(noor, "Dank je! 📷 Ik stuur het door naar Sanne") // the photo's own thanks: the text's says "Ik stuur het door" too
	w.waitFor(sanne, func(m telegramtest.Sent) bool {
		return m.Method == "copyMessage" && m.Kind == "photo" && m.FromChatID == noor.ID && strings.Contains(m.Caption, "kreeg deze brief")
	}, "the photo, copied with its caption")
	w.waitFor(sanne, func(m telegramtest.Sent) bool {
		return m.MessageID == alert.MessageID && strings.Contains(m.Text, "foto") && strings.Contains(m.Text, "kreeg deze brief")
	}, "the same case, now with the photo")
	noor.SendPhoto() // without a caption: passed on too, not refused
	w.waitFor(sanne, func(m telegramtest.Sent) bool { return len(copies(sanne, noor.ID)) == 3 }, "three copies")
	if n := len(alerts(sanne)); n != 1 {
		t.Errorf("coach has %d alert messages, want one case for three messages", n)
	}
	if n := len(storetest.Alerts(w.t, w.srv.st)); n != 1 {
		t.Errorf("%d cases, want one open case for the student", n)
	}
}

func TestMessageOffDutyWaitsForWorkingHours(t *testing.T) {
	t.Parallel()
	w := newWorldAt(t, saturday23, nil)
	coach, sanne := w.addCoach("Sanne de Vries")
	_, noor := w.addStudent("Noor Bakker", coach.ID)

	noor.SendText("ik weet niet hoe ik mn toeslag moet aanvragen")
	w.waitText(noor, "Sanne ziet het maandag vanaf 9:00")
	noor.SendPhotoCaption("deze brief")
	w.waitText(noor, "Dank je! 📷 Ik stuur het door naar Sanne") // the photo's own thanks: the text's says "Ik stuur het door" too
	w.srv.sched.RunOnce(t.Context())
	w.settled() // a wrongly sent alert would be delivered by now
	if n := len(sanne.Messages()); n != 1 {
		t.Fatalf("the coach got %d messages on Saturday night, want only her welcome", n)
	}

	w.settled()
	w.clock.Advance(33*time.Hour + 59*time.Minute) // Monday 08:59
	w.srv.sched.RunOnce(t.Context())
	w.settled()
	if n := len(sanne.Messages()); n != 1 {
		t.Fatalf("the coach got %d messages before 9:00, want only her welcome", n)
	}
	w.clock.Advance(time.Minute) // Monday 09:00
	w.srv.sched.Kick()
	alert := w.waitText(sanne, "Noor Bakker")
	if !strings.Contains(alert.Text, "mn toeslag") || !strings.Contains(alert.Text, "deze brief") {
		t.Errorf("Monday's alert: %q", alert.Text)
	}
	w.waitFor(sanne, func(telegramtest.Sent) bool { return len(copies(sanne, noor.ID)) == 2 }, "the text and the photo, copied")
}

func TestRequestRisingToCrisisIsANewMessage(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, sanne := w.addCoach("Sanne de Vries")
	_, noor := w.addStudent("Noor Bakker", coach.ID)
	noor.SendText("kan je me bellen?")
	first := w.waitText(sanne, "Verzoek")

	noor.SendText("ik wil dood")
	w.waitText(noor, "113")
	news := w.waitFor(sanne, func(m telegramtest.Sent) bool {
		return m.MessageID > first.MessageID && m.Method == "sendMessage" && strings.Contains(m.Text, "CRISIS") &&
			strings.Contains(m.Text, "kan je me bellen")
	}, "a new message for the crisis, with what came before")
	w.waitFor(sanne, func(m telegramtest.Sent) bool {
		return m.MessageID == first.MessageID && strings.Contains(m.Text, "nieuwe bericht hieronder") && len(m.Keyboard) == 0
	}, "the old message pointing to the new one")
	if d := news.At.Sub(first.At); d > time.Minute {
		t.Errorf("the crisis message came %v after the request", d)
	}

	// Crisis language in a case already taken on is news as well.
	if _, err := sanne.TapButton(news.MessageID, "✋ Ik pak het op"); err != nil {
		t.Fatal(err)
	}
	w.waitText(sanne, "Opgepakt door Sanne")
	noor.SendText("ik denk weer aan zelfmoord")
	w.waitFor(sanne, func(m telegramtest.Sent) bool {
		return m.MessageID > news.MessageID && m.Method == "sendMessage" && strings.Contains(m.Text, "zelfmoord")
	}, "a new message for crisis language in a taken case")
}

func TestBlockedCoachCaseMovesToCoordinator(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, sanne := w.addCoach("Sanne de Vries")
	_, kees := w.addCoordinator("Kees Visser")
	other, bram := w.addCoach("Bram Jansen")
	_, noor := w.addStudent("Noor Bakker", coach.ID)
	_, ali := w.addStudent("Ali Yilmaz", other.ID)
	w.tg.FailNext("", sanne.ID, 1, 403, 0) // her account is gone: the next message to her answers 403

	noor.SendText("ik wil niet meer leven")
	w.waitText(noor, "113")
	w.waitFor(kees, func(m telegramtest.Sent) bool {
		return strings.Contains(m.Text, "Noor Bakker") && strings.Contains(m.Text, "CRISIS") && len(m.Keyboard) > 0
	}, "the case, moved to the coordinator")
	w.waitText(kees, "kan Sanne de Vries niet meer bereiken")

	// Other chats keep flowing, and a later case of the same coach moves on too.
	ali.SendText("kan je me morgen bellen?")
	w.waitText(ali, "Ik stuur het door naar Bram")
	w.waitText(bram, "Ali Yilmaz")
	noor.SendText("en mn moeder is ziek")
	w.waitText(noor, "Een collega van Sanne krijgt je bericht") // not a promise that Sanne reads it
	w.waitFor(kees, func(telegramtest.Sent) bool { return len(copies(kees, noor.ID)) >= 1 }, "Noor's message, copied to the coordinator")
	if n := storetest.Count(storetest.Outbox(w.t, w.srv.st), func(o store.OutboxRow) bool { return o.Failed && o.ChatID != sanne.ID }); n != 0 {
		t.Errorf("%d messages to other chats failed", n)
	}

	// Sanne comes back.
	sanne.SendCommand("start")
	w.waitText(sanne, "Welkom terug")
	if n := storetest.Count(storetest.Coaches(w.t, w.srv.st), func(c store.CoachRow) bool { return c.Unreachable }); n != 0 {
		t.Errorf("%d coaches still unreachable after /start", n)
	}
}

func TestUntakenUrgentCaseIsSentAgainEachEscalation(t *testing.T) {
	t.Parallel()
	w := newWorld(t) // nobody on call, no coordinator: Sanne is everyone in line
	coach, sanne := w.addCoach("Sanne de Vries")
	st, noor := w.addStudent("Noor Bakker", coach.ID)
	w.checkinNow(st.ID)
	w.answer(noor, "mood", "3")
	w.answer(noor, "daytime", "home")
	w.waitText(sanne, "Dringend")
	sends := func() int {
		n := 0
		for _, m := range sanne.Messages() {
			if m.Method == "sendMessage" && strings.Contains(m.Text, "Dringend") {
				n++
			}
		}
		return n
	}
	for round := 2; round <= 3; round++ {
		w.settled()
		w.clock.Advance(31 * time.Minute)
		w.srv.sched.RunOnce(t.Context())
		w.waitFor(sanne, func(telegramtest.Sent) bool { return sends() == round }, "the case sent again")
	}
	w.waitFor(sanne, func(telegramtest.Sent) bool { return len(alerts(sanne)) == 1 },
		"one alert message with buttons (the old ones point to the newest)")
}

func TestAlertOfFourThousandEmojiIsDelivered(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, sanne := w.addCoach("Sanne de Vries")
	_, noor := w.addStudent("Noor Bakker", coach.ID)
	for range 8 { // 4,000 emoji in all: the case's message is far over 4096 UTF-16 units before clipping
		noor.SendText(strings.Repeat("😭", 500))
	}
	// Eight edits and eight copies at one message a second to the coach's chat.
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	if err := w.tg.WaitUntil(ctx, func() bool { return len(copies(sanne, noor.ID)) == 8 }); err != nil {
		t.Fatalf("the coach got %d of 8 copies", len(copies(sanne, noor.ID)))
	}
	w.waitFor(sanne, func(m telegramtest.Sent) bool {
		return strings.Contains(m.Text, "Noor Bakker") && strings.Count(m.Text, "😭") > 1000
	}, "the alert, clipped to fit")
	if n := storetest.Count(storetest.Outbox(w.t, w.srv.st), func(o store.OutboxRow) bool { return o.Failed }); n != 0 {
		t.Errorf("%d messages refused", n)
	}
}

func TestTypedAnswerWhereButtonsWereAskedReachesCoach(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, sanne := w.addCoach("Sanne de Vries")
	st, noor := w.addStudent("Noor Bakker", coach.ID)
	w.checkinNow(st.ID)
	w.question(noor, "mood")
	noor.SendText("gaat wel maar mn stage is kut")
	w.waitText(noor, "Tik op een van de knoppen hierboven")
	w.waitText(noor, "Je bericht stuur ik ook door naar Sanne")
	alert := w.waitText(sanne, "Noor Bakker")
	if !strings.Contains(alert.Text, "mn stage is kut") {
		t.Errorf("the alert does not show the typed answer: %q", alert.Text)
	}
	w.waitFor(sanne, func(telegramtest.Sent) bool { return len(copies(sanne, noor.ID)) == 1 }, "the typed answer, copied")
	w.answer(noor, "mood", "3") // the check-in goes on
	w.question(noor, "daytime")
}

func TestMessageJoiningARequestAfterHoursWaitsForTheMorning(t *testing.T) {
	t.Parallel()
	w := newWorld(t) // Tuesday 10:00
	coach, sanne := w.addCoach("Sanne de Vries")
	_, noor := w.addStudent("Noor Bakker", coach.ID)
	noor.SendText("kan je me helpen met mn cv?")
	alert := w.waitText(sanne, "mn cv")
	w.waitFor(sanne, func(telegramtest.Sent) bool { return len(copies(sanne, noor.ID)) == 1 }, "the first message, copied")

	w.settled()
	w.clock.Advance(10 * time.Hour) // Tuesday 20:00: Sanne is off duty
	noor.SendText("en ook met een sollicitatiebrief")
	w.waitText(noor, "Sanne ziet het morgen vanaf 9:00")
	w.srv.sched.RunOnce(t.Context())
	w.settled()
	if n := len(copies(sanne, noor.ID)); n != 1 {
		t.Fatalf("the coach got %d copies in the evening, want the morning's one only", n)
	}
	w.settled()
	w.clock.Advance(13 * time.Hour) // Wednesday 09:00
	w.srv.sched.Kick()
	w.waitFor(sanne, func(telegramtest.Sent) bool { return len(copies(sanne, noor.ID)) == 2 }, "the evening's message, copied in the morning")
	w.waitFor(sanne, func(m telegramtest.Sent) bool {
		return m.MessageID == alert.MessageID && strings.Contains(m.Text, "sollicitatiebrief")
	}, "the same case, now with both messages")
}

func TestCoachWhoBlocksTheBotHandsOverAtOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, sanne := w.addCoach("Sanne de Vries")
	_, kees := w.addCoordinator("Kees Visser")
	st, noor := w.addStudent("Noor Bakker", coach.ID)
	w.checkinNow(st.ID)
	w.answer(noor, "mood", "3")
	w.answer(noor, "daytime", "home") // urgent: to Sanne, who is at work
	w.waitText(sanne, "Dringend")

	sanne.Block() // nothing is waiting for her: the open case must not wait for ESCALATE_AFTER
	w.waitText(kees, "kan Sanne de Vries niet meer bereiken")
	w.waitFor(kees, func(m telegramtest.Sent) bool {
		return strings.Contains(m.Text, "Dringend: Noor Bakker") && len(m.Keyboard) > 0
	}, "the open case, handed over")

	sanne.Unblock()
	w.waitText(sanne, "Welkom terug")
}

// settled waits until every message is recorded as sent: a lease that ran
// out when the clock jumps would send a message again (at least once).
func (w *world) settled() {
	w.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for storetest.Pending(w.t, w.srv.st) > 0 {
		if time.Now().After(deadline) {
			w.t.Fatal("messages still unsent after 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
