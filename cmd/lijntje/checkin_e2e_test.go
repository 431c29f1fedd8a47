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

func TestOnboarding(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, _ := w.addCoach("Sanne de Vries")

	var inv invite
	out := w.cli("student", "add", "--name", "Noor Bakker", "--coach", fmt.Sprint(coach.ID), "--json")
	if err := jsonUnmarshal(out, &inv); err != nil {
		t.Fatal(err)
	}
	if want := "https://t.me/" + w.tg.BotUsername() + "?start=" + inv.Code; inv.Link != want {
		t.Errorf("link = %q, want %q", inv.Link, want)
	}

	t.Run("wrong code", func(t *testing.T) {
		eve := w.tg.NewUser("Eve")
		eve.SendCommand("start", "not-a-real-code")
		w.waitText(eve, "werkt niet")
	})
	noor := w.tg.NewUser("Noor")
	noor.SendCommand("start", inv.Code)
	welcome := w.waitText(noor, "Hoi Noor!")
	for _, must := range []string{"Sanne", "113", "112"} {
		if !strings.Contains(welcome.Text, must) {
			t.Errorf("welcome does not mention %q: %q", must, welcome.Text)
		}
	}
	t.Run("reused code", func(t *testing.T) {
		mallory := w.tg.NewUser("Mallory")
		mallory.SendCommand("start", inv.Code)
		w.waitText(mallory, "werkt niet")
		if n := storetest.Count(storetest.Students(w.t, w.srv.st), func(r store.StudentRow) bool { return r.ChatID == mallory.ID }); n != 0 {
			t.Errorf("a reused code linked a second chat")
		}
	})
	t.Run("stranger stores nothing", func(t *testing.T) {
		stranger := w.tg.NewUser("Stranger")
		stranger.SendText("hallo, wie ben jij?")
		w.waitText(stranger, "alleen voor")
		stranger.SendText("ik wil dood") // not even crisis language from an unknown chat is kept
		w.waitFor(stranger, func(m telegramtest.Sent) bool { return len(stranger.Messages()) >= 2 }, "second refusal")
		for q, n := range map[string]int{
			"students":         storetest.Count(storetest.Students(w.t, w.srv.st), func(r store.StudentRow) bool { return r.ChatID == stranger.ID }),
			"coaches":          storetest.Count(storetest.Coaches(w.t, w.srv.st), func(r store.CoachRow) bool { return r.ChatID == stranger.ID }),
			"outbox":           storetest.Count(storetest.Outbox(w.t, w.srv.st), func(r store.OutboxRow) bool { return r.ChatID == stranger.ID }),
			"alert_deliveries": storetest.Count(storetest.AlertDeliveries(w.t, w.srv.st), func(r store.AlertDeliveryRow) bool { return r.ChatID == stranger.ID }),
		} {
			if n != 0 {
				t.Errorf("%s: %d rows about a stranger", q, n)
			}
		}
		if n := len(storetest.Answers(w.t, w.srv.st)); n != 0 {
			t.Errorf("%d answers stored, want none", n)
		}
		if n := len(storetest.Signals(w.t, w.srv.st)); n != 0 {
			t.Errorf("%d signals stored, want none", n)
		}
	})
}

// checkinNow starts a check-in for a student from the command line, as a coordinator would.
func (w *world) checkinNow(studentID int64) {
	w.t.Helper()
	w.cli("checkin", "now", "--student", fmt.Sprint(studentID))
}

func TestHappyCheckinIsExported(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, _ := w.addCoach("Sanne de Vries")
	st, noor := w.addStudent("Noor Bakker", coach.ID)
	w.checkinNow(st.ID)

	first := w.question(noor, "mood")
	if !strings.Contains(first.Text, "Noor") || !strings.Contains(first.Text, "Sanne") {
		t.Errorf("the check-in opens without the names of student and coach: %q", first.Text)
	}
	steps := [][2]string{{"mood", "4"}, {"daytime", "work"}, {"daytime_ok", "yes"}, {"money", "ok"},
		{"housing", "yes"}, {"support", "yes"}, {"contact", "no"}}
	for _, s := range steps {
		w.answer(noor, s[0], s[1])
	}
	w.question(noor, "note")
	noor.SendText("Alles gaat goed, dank je!")
	w.waitText(noor, "Dank je wel, Noor")

	// Each tapped question shows the choice and has no buttons left (the
	// confirmations trail the questions, so wait for them).
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := w.tg.WaitUntil(ctx, func() bool {
		for _, m := range noor.Messages() {
			if len(m.Keyboard) != 0 && strings.HasPrefix(m.Keyboard[0][0].CallbackData, "a:") &&
				!strings.Contains(m.Keyboard[0][0].CallbackData, ":note:") { // a tapped question; the note was typed
				return false
			}
		}
		return true
	}); err != nil {
		for _, m := range noor.Messages() {
			if len(m.Keyboard) != 0 {
				t.Logf("still with buttons: %q %v", m.Text, m.Keyboard)
			}
		}
		t.Errorf("answered questions still have buttons")
	}
	for _, m := range noor.Messages() {
		if strings.Contains(m.Text, "Hoe gaat het met je?") && !strings.Contains(m.Text, "🙂 Goed") {
			t.Errorf("the mood question does not show the choice: %q", m.Text)
		}
	}
	if u := w.tg.UnansweredCallbacks(); len(u) != 0 {
		t.Errorf("callback queries never answered: %v", u)
	}
	got := map[string]string{}
	for _, r := range w.export() {
		if r[0] != fmt.Sprint(st.ID) || r[1] == "" || r[5] == "" {
			t.Errorf("export row without student, check-in or time: %v", r)
		}
		got[r[2]] = r[3] + r[4]
	}
	want := map[string]string{"mood": "4", "daytime": "work", "daytime_ok": "yes", "money": "ok", "housing": "yes",
		"support": "yes", "contact": "no", "note": "Alles gaat goed, dank je!"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("export %s = %q, want %q", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("export has %d steps, want %d: %v", len(got), len(want), got)
	}
	if n := len(storetest.Alerts(w.t, w.srv.st)); n != 0 {
		t.Errorf("a check-in without risk raised %d alerts", n)
	}
}

func TestDaytimeHomeAlertsCoachWhoTakesItOn(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, sanne := w.addCoach("Sanne de Vries")
	st, noor := w.addStudent("Noor Bakker", coach.ID)
	w.checkinNow(st.ID)
	w.answer(noor, "mood", "3")
	w.answer(noor, "daytime", "home")
	w.question(noor, "money") // the check-in goes on

	alert := w.waitText(sanne, "Noor Bakker")
	for _, must := range []string{"Dringend", "Ik zit thuis"} {
		if !strings.Contains(alert.Text, must) {
			t.Errorf("alert lacks %q: %q", must, alert.Text)
		}
	}
	if _, err := sanne.TapButton(alert.MessageID, "✋ Ik pak het op"); err != nil {
		t.Fatal(err)
	}
	w.waitFor(sanne, func(m telegramtest.Sent) bool {
		return m.MessageID == alert.MessageID && strings.Contains(m.Text, "Opgepakt door Sanne")
	}, "taken on by Sanne")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := w.tg.WaitUntil(ctx, func() bool { return len(sanne.CallbackAnswers()) > 0 }); err != nil {
		t.Fatal("the take-on tap was never answered")
	}
	if n := storetest.Count(storetest.AlertEvents(w.t, w.srv.st), func(r store.AlertEventRow) bool { return r.Kind == "taken" }); n != 1 {
		t.Errorf("%d take-on events recorded, want 1", n)
	}
}

func TestCrisisOutsideCheckin(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, sanne := w.addCoach("Sanne de Vries")
	_, noor := w.addStudent("Noor Bakker", coach.ID)
	noor.SendText("ik wil niet meer leven")
	reply := w.waitText(noor, "113")
	for _, must := range []string{"0800-0113", "112", "Sanne"} {
		if !strings.Contains(reply.Text, must) {
			t.Errorf("crisis reply lacks %q: %q", must, reply.Text)
		}
	}
	alert := w.waitText(sanne, "CRISIS")
	if !strings.Contains(alert.Text, "Noor Bakker") || !strings.Contains(alert.Text, "ik wil niet meer leven") {
		t.Errorf("crisis alert does not show who and what: %q", alert.Text)
	}
}

func TestRedeliveredUpdateHandledOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	coach, _ := w.addCoach("Sanne de Vries")
	st, noor := w.addStudent("Noor Bakker", coach.ID)
	w.checkinNow(st.ID)
	w.question(noor, "mood")
	before, ok, err := w.srv.st.CachedConv(ctx, noor.ID) // what an older Redis snapshot holds: the mood question open
	if err != nil || !ok {
		t.Fatalf("the cached conversation at the first question: %+v %v %v", before, ok, err)
	}
	upd := w.answer(noor, "mood", "2")
	w.question(noor, "daytime")
	if err := w.tg.Redeliver(upd); err != nil {
		t.Fatal(err)
	}
	// A later update is handled after the repeat (one chat is handled in order).
	noor.SendSticker()
	first := w.waitText(noor, "stickers")

	// Redis comes back from that snapshot: no mark of the tap, and the mood
	// question still open. Postgres must know the tap, though a tap has no
	// mark there (its step is its key).
	if err := w.srv.st.FlushRedis(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w.srv.st.CacheConv(ctx, noor.ID, before); err != nil {
		t.Fatal(err)
	}
	if err := w.tg.Redeliver(upd); err != nil {
		t.Fatal(err)
	}
	noor.SendSticker()
	w.waitFor(noor, func(m telegramtest.Sent) bool {
		return m.MessageID > first.MessageID && strings.Contains(m.Text, "stickers")
	},
		"a second reply to a sticker")
	if n := storetest.Count(storetest.Answers(w.t, w.srv.st), func(r store.AnswerRow) bool { return r.Step == "mood" }); n != 1 {
		t.Errorf("%d mood answers stored, want 1", n)
	}
	if parked := storetest.DeadLetters(t, w.srv.st); len(parked) != 0 {
		t.Errorf("the repeated tap failed and was parked: %+v, want it known as handled", parked)
	}
	daytime := 0
	for _, m := range noor.Messages() {
		if strings.Contains(m.Text, "Wat doe je nu overdag?") {
			daytime++
		}
	}
	if daytime != 1 {
		t.Errorf("the next question was sent %d times, want once", daytime)
	}
	w.answer(noor, "daytime", "school") // the check-in goes on from where it was
	w.question(noor, "daytime_ok")
}

func TestRestartAndRedisFlushMidCheckin(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, _ := w.addCoach("Sanne de Vries")
	st, noor := w.addStudent("Noor Bakker", coach.ID)
	w.checkinNow(st.ID)
	w.answer(noor, "mood", "4")
	w.question(noor, "daytime")

	w.shutdown() // SIGTERM mid check-in
	w.start()
	w.answer(noor, "daytime", "school") // a button from before the restart
	w.answer(noor, "daytime_ok", "so_so")
	w.question(noor, "money")

	if err := w.srv.st.FlushRedis(context.Background()); err != nil {
		t.Fatal(err)
	}
	w.answer(noor, "money", "tight")
	for _, s := range [][2]string{{"housing", "yes"}, {"support", "yes"}, {"contact", "no"}, {"note", "done"}} {
		w.answer(noor, s[0], s[1])
	}
	w.waitText(noor, "Dank je wel")
	if got := len(w.export()); got != 8 {
		t.Errorf("export has %d answers after a restart and a Redis flush, want 8", got)
	}
	if n := storetest.Count(storetest.Checkins(w.t, w.srv.st), func(r store.CheckinRow) bool { return r.Status == "completed" }); n != 1 {
		t.Errorf("%d completed check-ins, want 1", n)
	}
}

func TestOddInputGetsNoCrash(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, _ := w.addCoach("Sanne de Vries")
	st, noor := w.addStudent("Noor Bakker", coach.ID)
	w.checkinNow(st.ID)
	q := w.question(noor, "mood")

	noor.SendText(strings.Repeat("lang verhaal ", 834)) // 10,008 characters
	noor.SendSticker()
	noor.SendPhoto()
	noor.EditText(1, "aangepast")
	for _, forged := range []string{"a:zz:mood:1", "a:1:mood:1", "a:" + strings.Repeat("9", 40) + ":mood:1", "t:1", ":", "contact:x", ""} {
		noor.Tap(q.MessageID, forged)
	}
	if _, err := w.tg.PushRaw(`{"update_id": 999999, "channel_post": {"message_id": 1, "date": 0, "chat": {"id": -100, "type": "channel"}}}`); err != nil {
		t.Fatal(err)
	}
	// Still working: the real answer goes through.
	w.answer(noor, "mood", "5")
	w.question(noor, "daytime")
	if n := storetest.Count(storetest.Answers(w.t, w.srv.st), func(r store.AnswerRow) bool { return r.Step == "mood" }); n != 1 {
		t.Errorf("%d mood answers after forged taps, want 1", n)
	}
	if n := storetest.Count(storetest.Outbox(w.t, w.srv.st), func(r store.OutboxRow) bool { return r.Failed }); n != 0 {
		t.Errorf("%d messages Telegram refused", n)
	}
}

// TestCheckinAYearAhead runs a check-in with the world's clock a year from
// now: nothing in serve or the CLI may depend on today's date.
func TestCheckinAYearAhead(t *testing.T) {
	t.Parallel()
	w := newWorldAt(t, tuesday10.AddDate(0, 0, 52*7), nil)
	coach, sanne := w.addCoach("Sanne de Vries")
	st, noor := w.addStudent("Noor Bakker", coach.ID)
	w.checkinNow(st.ID)
	w.answer(noor, "mood", "3")
	w.answer(noor, "daytime", "home")
	w.waitText(sanne, "Noor Bakker")
	if n := len(storetest.Answers(w.t, w.srv.st)); n < 2 {
		t.Errorf("%d answers stored a year ahead, want 2", n)
	}
}
