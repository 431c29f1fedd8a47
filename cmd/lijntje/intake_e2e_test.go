package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
	"github.com/prometheus/client_golang/prometheus"
)

// A chat whose updates keep failing blocks no one: its updates are parked
// (dead letters) after their attempts, another student's crisis message is
// answered within seconds meanwhile, and `lijntje updates` lists, retries and
// drops what was parked. A stale cached conversation (Redis back from an old
// snapshot, for a student erased since) heals itself instead of failing.
func TestPoisonedChatBlocksNoOne(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	coach, _ := w.addCoach("Sanne de Vries")
	_, noor := w.addStudent("Noor Bakker", coach.ID)
	mila, milaUser := w.addStudent("Mila Jansen", coach.ID)
	sem, semUser := w.addStudent("Sem de Wit", coach.ID)

	// Sem is erased, but Redis comes back from a snapshot that still knows him.
	convKey := w.prefix + "conv:" + strconv.FormatInt(semUser.ID, 10)
	stale, err := w.srv.rdb.Get(ctx, convKey).Bytes()
	if err != nil {
		t.Fatalf("Sem's cached conversation: %v", err)
	}
	w.cli("student", "delete", strconv.FormatInt(sem.ID, 10), "--yes")
	if err := w.srv.rdb.Set(ctx, convKey, stale, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	semUser.SendText("hoi, ben er weer")
	w.waitText(semUser, "alleen voor jongeren en coaches met een uitnodiging")

	// Every update of Mila's fails: recording her messages always errors.
	heal := storetest.PoisonAnswers(t, w.srv.st, mila.ID)
	var poisoned []int64
	for _, text := range []string{"hoi", "ff iets vragen", "ben je daar"} {
		poisoned = append(poisoned, milaUser.SendText(text))
	}
	start := time.Now()
	noor.SendText("ik wil dood eerlijk")
	w.waitText(noor, "113")
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the crisis reply took %v behind a poisoned chat, want seconds", took)
	}

	// Mila's updates are parked, in order, after their attempts; nothing of hers was recorded.
	deadline := time.Now().Add(30 * time.Second)
	for len(storetest.DeadLetters(w.t, w.srv.st)) < len(poisoned) {
		if time.Now().After(deadline) {
			t.Fatalf("%d updates parked, want %d", len(storetest.DeadLetters(w.t, w.srv.st)), len(poisoned))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n := storetest.Count(storetest.DeadLetters(w.t, w.srv.st), func(r store.DeadLetterRow) bool { return r.Attempts >= 5 && r.HasRaw && r.ChatID == milaUser.ID }); n != 3 {
		t.Errorf("%d parked updates with 5 attempts and their content, want 3", n)
	}
	list := w.cli("updates", "list")
	for _, id := range poisoned {
		if !strings.Contains(list, strconv.FormatInt(id, 10)) {
			t.Errorf("updates list does not show update %d:\n%s", id, list)
		}
	}
	if strings.Contains(list, "ff iets vragen") {
		t.Errorf("updates list shows a student's text:\n%s", list)
	}
	if n := parkedTotal(t); n < 3 {
		t.Errorf("/metrics counts %v parked updates, want at least 3", n)
	}

	// Intake moved on: Mila's next message, once the fault is fixed, is answered.
	heal()
	milaUser.SendText("is het weer goed")
	w.waitText(milaUser, "Dank je voor je bericht")

	// Retry one, drop one.
	if out := w.cli("updates", "retry", strconv.FormatInt(poisoned[0], 10)); !strings.Contains(out, "verwerkt") {
		t.Errorf("updates retry: %q", out)
	}
	w.cli("updates", "drop", strconv.FormatInt(poisoned[1], 10))
	if n := storetest.Count(storetest.Answers(w.t, w.srv.st), func(r store.AnswerRow) bool { return r.StudentID == mila.ID && r.Text == "hoi" }); n != 1 {
		t.Errorf("the retried update recorded %d answers, want 1", n)
	}
	if n := len(storetest.DeadLetters(w.t, w.srv.st)); n != 1 {
		t.Errorf("%d parked updates left, want 1 (the third)", n)
	}
	var out, errOut strings.Builder
	o := w.options()
	if code := runWith(ctx, []string{"updates", "drop", strconv.FormatInt(poisoned[1], 10)}, &out, &errOut, w.getenv, o); code == 0 ||
		!strings.Contains(errOut.String(), "geen geparkeerde update") {
		t.Errorf("dropping twice: exit %d, %q", code, errOut.String())
	}
	// The retry's reply is sent by the running serve.
	deadlineMsgs := time.Now().Add(15 * time.Second)
	for {
		n := 0
		for _, m := range milaUser.Messages() {
			if strings.Contains(m.Text, "Dank je voor je bericht") {
				n++
			}
		}
		if n >= 2 {
			break
		}
		if time.Now().After(deadlineMsgs) {
			t.Fatalf("the retried update's reply never arrived (%d thanks)", n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Erasing Mila erases what was parked of her too.
	w.cli("student", "delete", strconv.FormatInt(mila.ID, 10), "--yes")
	if n := len(storetest.DeadLetters(w.t, w.srv.st)); n != 0 {
		t.Errorf("%d parked updates of an erased student left", n)
	}
}

// parkedTotal reads lijntje_updates_parked_total from the registry /metrics
// serves (in this process, whichever listener serves it).
func parkedTotal(t *testing.T) float64 {
	t.Helper()
	fams, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() == "lijntje_updates_parked_total" {
			for _, m := range f.GetMetric() {
				return m.GetCounter().GetValue()
			}
		}
	}
	t.Fatal("/metrics has no lijntje_updates_parked_total")
	return 0
}
