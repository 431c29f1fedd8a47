package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lijntje/lijntje/bot/telegramtest"
	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// Issue 13: a chat is one person, side effects happen once, partial answers
// count, quiet hours hold for overdue check-ins, history only while routed.

// eventually waits (up to 10s) until cond holds.
func (w *world) eventually(cond func() bool, what string) {
	w.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			w.t.Fatalf("never: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// syncChat sends /help from u and waits for the n-th reply containing text:
// every update u sent before it was handled (one chat is handled in order).
func (w *world) syncChat(u *telegramtest.User, text string) {
	w.t.Helper()
	before := 0
	for _, m := range u.Messages() {
		if strings.Contains(m.Text, text) {
			before++
		}
	}
	u.SendCommand("help")
	w.waitFor(u, func(telegramtest.Sent) bool {
		n := 0
		for _, m := range u.Messages() {
			if strings.Contains(m.Text, text) {
				n++
			}
		}
		return n > before
	}, text+" (again)")
}

func TestRenewedInviteCutsOffTheOldPhone(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	coach, _ := w.addCoach("Sanne de Vries")
	st, old := w.addStudent("Noor Bakker", coach.ID)
	w.checkinNow(st.ID)
	w.answer(old, "mood", "4")
	q := w.question(old, "daytime") // a button still on the old phone
	old.SendCommand("stop")
	ask := w.waitFor(old, func(m telegramtest.Sent) bool { return hasData(m, "s:y") }, "stop confirmation")
	stale, ok, err := w.srv.st.CachedConv(ctx, old.ID)
	if err != nil || !ok || stale.Role != store.RoleStudent {
		t.Fatalf("the old phone's cached conversation: %+v %v %v", stale, ok, err)
	}

	// The coordinator renews the invite (a lost phone); Noor links a new one.
	var inv invite
	if err := json.Unmarshal([]byte(w.cli("invite", "renew", "--student", fmt.Sprint(st.ID), "--json")), &inv); err != nil {
		t.Fatal(err)
	}
	phone := w.tg.NewUser("Noor")
	phone.SendCommand("start", inv.Code)
	w.waitText(phone, "Welkom bij Lijntje")
	if _, ok, _ := w.srv.st.CachedConv(ctx, old.ID); ok {
		t.Error("the old phone's conversation is still cached after the new phone was linked")
	}
	seen, answered := len(old.Messages()), len(old.CallbackAnswers())

	// Redis may come back from an older snapshot: plant the old conversation
	// again before each try. Postgres decides.
	replant := func() {
		if err := w.srv.st.CacheConv(ctx, old.ID, stale); err != nil {
			t.Fatal(err)
		}
	}
	replant()
	old.SendCommand("mijngegevens")
	w.waitText(old, "alleen voor jongeren en coaches met een uitnodiging")
	replant()
	old.Tap(ask.MessageID, "s:y")
	w.eventually(func() bool { return len(old.CallbackAnswers()) == answered+1 }, "the old phone's stop confirmation answered")
	replant()
	old.Tap(q.MessageID, q.Keyboard[0][0].CallbackData)
	w.eventually(func() bool { return len(old.CallbackAnswers()) == answered+2 }, "both taps of the old phone answered")

	for _, m := range old.Messages()[seen:] {
		if strings.Contains(m.Text+m.Caption, "Noor") || m.Kind == "document" || strings.Contains(m.Text, "gewist") {
			t.Errorf("the old phone got %s %q after the renewal", m.Kind, m.Text+m.Caption)
		}
	}
	if s, _ := w.srv.st.Student(ctx, st.ID); s.Status != store.StatusActive {
		t.Errorf("the old phone's /stop confirmation changed the status to %s", s.Status)
	}
	if n := storetest.Count(storetest.Answers(w.t, w.srv.st), func(r store.AnswerRow) bool { return r.StudentID == st.ID }); n != 1 {
		t.Errorf("%d answers after the old phone's taps, want 1 (mood, nothing erased, nothing added)", n)
	}
	// The new phone is Noor: /mijngegevens there still works.
	phone.SendCommand("mijngegevens")
	w.waitFor(phone, func(m telegramtest.Sent) bool { return m.Kind == "document" }, "the data document on the new phone")
}

func TestOneChatOneRole(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, sanne := w.addCoach("Sanne de Vries")
	st, noor := w.addStudent("Noor Bakker", coach.ID)

	// Sanne taps a new student's link "to try it".
	var bram invite
	out := w.cli("student", "add", "--name", "Bram Jansen", "--coach", fmt.Sprint(coach.ID), "--json")
	if err := json.Unmarshal([]byte(out), &bram); err != nil {
		t.Fatal(err)
	}
	sanne.SendCommand("start", bram.Code)
	w.waitText(sanne, "al gekoppeld als coach")
	sanne.SendCommand("overzicht")
	w.waitText(sanne, "Je jongeren")
	if n := storetest.Count(storetest.Students(w.t, w.srv.st), func(r store.StudentRow) bool { return r.ChatID == sanne.ID }); n != 0 {
		t.Fatalf("the coach's chat became a student's")
	}
	// Take-on still works in her chat.
	w.checkinNow(st.ID)
	w.answer(noor, "mood", "3")
	w.answer(noor, "daytime", "home")
	alert := w.waitFor(sanne, func(m telegramtest.Sent) bool {
		return len(m.Keyboard) > 0 && strings.HasPrefix(m.Keyboard[0][0].CallbackData, "t:")
	}, "an alert with a take-on button")
	sanne.Tap(alert.MessageID, alert.Keyboard[0][0].CallbackData)
	w.eventually(func() bool {
		return storetest.Count(storetest.Alerts(w.t, w.srv.st), func(r store.AlertRow) bool { return r.Status == "taken" }) == 1
	}, "the case taken on")
	// Bram's link still works for Bram.
	bu := w.tg.NewUser("Bram")
	bu.SendCommand("start", bram.Code)
	w.waitText(bu, "Welkom bij Lijntje")

	// Noor taps a coach's link: refused, and she stays herself.
	var lies invite
	if err := json.Unmarshal([]byte(w.cli("coach", "add", "--name", "Lies Smit", "--json")), &lies); err != nil {
		t.Fatal(err)
	}
	noor.SendCommand("start", lies.Code)
	w.waitText(noor, "Deze link is voor een coach")
	if n := storetest.Count(storetest.Coaches(w.t, w.srv.st), func(r store.CoachRow) bool { return r.ChatID == noor.ID }); n != 0 {
		t.Fatal("the student's chat became a coach's: it would get someone else's alerts")
	}
	noor.SendCommand("mijngegevens")
	w.waitFor(noor, func(m telegramtest.Sent) bool { return m.Kind == "document" }, "Noor's data, still hers")
	lu := w.tg.NewUser("Lies")
	lu.SendCommand("start", lies.Code)
	w.waitText(lu, "gekoppeld als coach")
}

func TestDienstAndCheckinRedeliveredChangeOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	coach, sanne := w.addCoach("Sanne de Vries")
	_, kees := w.addCoach("Kees Visser")
	st, noor := w.addStudent("Noor Bakker", coach.ID)

	upd := kees.SendCommand("dienst", "aan")
	w.waitText(kees, "Je hebt nu dienst:")
	// Redis lost the update's mark (flushed, restored): Postgres must know.
	if err := w.srv.st.FlushRedis(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w.tg.Redeliver(upd); err != nil {
		t.Fatal(err)
	}
	kees.SendCommand("dienst")
	state := w.waitText(kees, "📟 Je hebt nu dienst.")
	if !hasData(state, "dienst:uit") {
		t.Errorf("plain /dienst while on call shows no 'off' button: %+v", state.Keyboard)
	}
	if n := storetest.Count(storetest.Coaches(w.t, w.srv.st), func(r store.CoachRow) bool { return r.OnCall }); n != 1 {
		t.Fatalf("%d coaches on call after /dienst aan was delivered twice, want 1", n)
	}
	// The button sets the other state; tapped twice (redelivered) it stays off.
	tap := kees.Tap(state.MessageID, "dienst:uit")
	w.waitText(kees, "Je dienst is voorbij")
	if err := w.srv.st.FlushRedis(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w.tg.Redeliver(tap); err != nil {
		t.Fatal(err)
	}
	w.syncChat(kees, "meldingen")
	if n := storetest.Count(storetest.Coaches(w.t, w.srv.st), func(r store.CoachRow) bool { return r.OnCall }); n != 0 {
		t.Fatalf("%d coaches on call after the 'off' tap was delivered twice, want 0", n)
	}
	on := 0
	for _, m := range kees.Messages() {
		if strings.Contains(m.Text, "Je hebt nu dienst:") {
			on++
		}
	}
	if on != 1 {
		t.Errorf("told %d times 'Je hebt nu dienst', want once", on)
	}

	// /checkin handled twice makes one check-in.
	upd = sanne.SendCommand("checkin", "Noor")
	w.waitText(sanne, "Noor krijgt nu een check-in")
	w.question(noor, "mood")
	if err := w.srv.st.FlushRedis(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w.tg.Redeliver(upd); err != nil {
		t.Fatal(err)
	}
	w.syncChat(sanne, "meldingen")
	w.clock.Advance(time.Minute)
	w.srv.sched.RunOnce(ctx)
	if n := storetest.Count(storetest.Checkins(w.t, w.srv.st), func(r store.CheckinRow) bool { return r.StudentID == st.ID }); n != 1 {
		t.Errorf("%d check-ins after /checkin was delivered twice, want 1", n)
	}
}

func TestCheckinsAnsweredButForTheNoteAreNotMissed(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	coach, _ := w.addCoach("Sanne de Vries")
	st, noor := w.addStudent("Noor Bakker", coach.ID)
	var stale store.Conv
	for i := range 2 {
		w.checkinNow(st.ID)
		w.answerAllButTheNote(noor) // she leaves the optional note
		var ok bool
		var err error
		if stale, ok, err = w.srv.st.CachedConv(ctx, noor.ID); err != nil || !ok || stale.Step != "note" {
			t.Fatalf("check-in %d: cached conversation %+v %v %v", i, stale, ok, err)
		}
		w.clock.Advance(72 * time.Hour) // past expiry
		w.srv.sched.RunOnce(ctx)
		w.eventually(func() bool {
			return storetest.Count(storetest.Checkins(w.t, w.srv.st), func(r store.CheckinRow) bool { return r.StudentID == st.ID && r.Status == "open" }) == 0
		}, "the check-in expired")
	}
	if n := storetest.Count(storetest.Checkins(w.t, w.srv.st), func(r store.CheckinRow) bool { return r.StudentID == st.ID && r.Status == "expired" }); n != 0 {
		t.Errorf("%d check-ins answered but for the note count as missed", n)
	}
	if n := storetest.Count(storetest.Signals(w.t, w.srv.st), func(r store.SignalRow) bool { return r.Code == "missed_twice" }); n != 0 {
		t.Errorf("'twee check-ins op rij niet beantwoord' for a student who tapped every answer")
	}
	activity, _ := w.srv.Flows.StepWithRole(flows.RoleActivity)
	figs, err := w.srv.st.Report(ctx, w.clock.Now(), w.srv.Cfg.Zone(), activity.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range figs {
		if f.By == "all" && f.Section == store.SectionResponse && f.Measure == "response rate" && f.Value != 1 {
			t.Errorf("response rate %v, want 1: both check-ins were answered", f.Value)
		}
	}

	// A typed note racing the expiry (the cached step is stale) is kept.
	if err := w.srv.st.CacheConv(ctx, noor.ID, stale); err != nil {
		t.Fatal(err)
	}
	noor.SendText("ik heb trouwens een nieuwe baan")
	w.waitText(noor, "Dank je")
	if n := storetest.Count(storetest.Answers(w.t, w.srv.st), func(r store.AnswerRow) bool {
		return r.StudentID == st.ID && r.Text == "ik heb trouwens een nieuwe baan"
	}); n != 1 {
		t.Errorf("the late note was stored %d times, want once", n)
	}
}

func TestOverdueCheckinWaitsForTheMorning(t *testing.T) {
	t.Parallel()
	w := newWorldAt(t, nextAt(time.Tuesday, 21, 45), nil)
	ctx := context.Background()
	coach, sanne := w.addCoach("Sanne de Vries")
	st, noor := w.addStudent("Noor Bakker", coach.ID)
	// A coach's /checkin in quiet hours waits for the morning too, and says so.
	sanne.SendCommand("checkin", "Noor")
	if m := w.waitText(sanne, "rusttijd"); !strings.Contains(m.Text, "09:00") {
		t.Errorf("the coach is not told when: %q", m.Text)
	}
	// A check-in due this morning was held back by an urgent case...
	storetest.AlertRow(t, w.srv.st, st.ID, "urgent", "open", w.clock.Now().Add(-12*time.Hour))
	storetest.CheckinDue(t, w.srv.st, st.ID, w.clock.Now().Add(-11*time.Hour))
	// ...that is closed at 21:50.
	w.clock.Advance(5 * time.Minute)
	storetest.CloseAlertRows(t, w.srv.st, w.clock.Now())
	for range 3 {
		w.srv.sched.RunOnce(ctx)
		w.clock.Advance(30 * time.Minute)
	}
	if n := storetest.Count(storetest.Checkins(w.t, w.srv.st), func(r store.CheckinRow) bool { return r.StudentID == st.ID && !r.Sent.IsZero() }); n != 0 {
		t.Fatalf("%d check-ins opened in quiet hours", n)
	}
	ams, _ := time.LoadLocation("Europe/Amsterdam")
	now := w.clock.Now().In(ams)
	morning := time.Date(now.Year(), now.Month(), now.Day()+1, 9, 0, 0, 0, ams)
	w.clock.Advance(morning.Add(-time.Minute).Sub(w.clock.Now()))
	w.srv.sched.RunOnce(ctx)
	if n := storetest.Count(storetest.Checkins(w.t, w.srv.st), func(r store.CheckinRow) bool { return r.StudentID == st.ID && !r.Sent.IsZero() }); n != 0 {
		t.Fatalf("a check-in opened at 08:59")
	}
	w.clock.Advance(time.Minute)
	w.srv.sched.RunOnce(ctx)
	w.question(noor, "mood")
	var sent time.Time
	for _, c := range storetest.Checkins(t, w.srv.st) {
		if c.StudentID == st.ID && !c.Sent.IsZero() && (sent.IsZero() || c.Sent.Before(sent)) {
			sent = c.Sent
		}
	}
	if sent.IsZero() {
		t.Fatal("no check-in of Noor's sent")
	}
	if sent.Before(morning) {
		t.Errorf("the overdue check-in opened at %s, want 09:00 or later", sent.In(ams).Format("15:04"))
	}
}

func TestHistoryOnlyWhileTheCaseIsRouted(t *testing.T) {
	t.Parallel()
	w := newWorldAt(t, saturday23, nil) // Sanne is off duty; Kees is on call
	coach, _ := w.addCoach("Sanne de Vries")
	_, kees := w.addCoach("Kees Visser")
	kees.SendCommand("dienst", "aan")
	w.waitText(kees, "Je hebt nu dienst")
	st, noor := w.addStudent("Noor Bakker", coach.ID)
	w.checkinNow(st.ID)
	w.answer(noor, "mood", "3")
	w.answer(noor, "daytime", "home") // urgent: to the one on call
	alert := w.waitText(kees, "Dringend")
	history := "h:" + fmt.Sprint(st.ID)
	if !hasData(alert, history) {
		t.Fatalf("the alert has no history button: %+v", alert.Keyboard)
	}
	kees.Tap(alert.MessageID, history)
	w.waitFor(kees, func(m telegramtest.Sent) bool { return m.Kind == "photo" }, "the history chart while the case is his")

	storetest.CloseAlertRows(t, w.srv.st, w.clock.Now())
	kees.Tap(alert.MessageID, history)
	w.eventually(func() bool {
		a := kees.CallbackAnswers()
		return len(a) > 0 && strings.Contains(a[len(a)-1].Text, "mag je niet")
	}, "the history button refused after the case was closed")
	kees.SendCommand("student", fmt.Sprint(st.ID))
	w.waitText(kees, "Ik vind geen jongere")
	photos := 0
	for _, m := range kees.Messages() {
		if m.Kind == "photo" {
			photos++
		}
	}
	if photos != 1 {
		t.Errorf("%d history charts sent to Kees, want 1 (only while the case was his)", photos)
	}
}

// answerAllButTheNote taps a calm answer to every question of u's open
// check-in (the flow may skip some) until the optional note is asked.
func (w *world) answerAllButTheNote(u *telegramtest.User) {
	w.t.Helper()
	calm := map[string]string{"mood": "4", "daytime": "work", "daytime_ok": "yes", "money": "ok", "housing": "yes",
		"support": "yes", "contact": "no", "fit": "yes"}
	newest := w.newestCheckin(u)
	answered := map[string]bool{}
	for range 20 {
		var step string
		q := w.waitFor(u, func(m telegramtest.Sent) bool {
			for _, row := range m.Keyboard {
				for _, b := range row {
					if id, s, _, ok := flows.ParseCallbackData(b.CallbackData); ok && id == newest && !answered[s] {
						step = s
						return true
					}
				}
			}
			return false
		}, "the next question")
		if step == "note" {
			return
		}
		answered[step] = true
		opt, ok := calm[step]
		if !ok {
			w.t.Fatalf("unexpected step %s", step)
		}
		for _, row := range q.Keyboard {
			for _, b := range row {
				if strings.HasSuffix(b.CallbackData, ":"+step+":"+opt) {
					u.Tap(q.MessageID, b.CallbackData)
				}
			}
		}
	}
	w.t.Fatal("the note was never asked")
}
