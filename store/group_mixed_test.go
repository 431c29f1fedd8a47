package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// mixedBatch is a store with eight updates of eight different conversations
// that may arrive at once on a busy evening, and the outcome each must get:
// plain taps, the tap that ends a check-in (two replies), a tap on an old
// card, a tap from a chat that is no longer its student's, Telegram's
// redelivery of a tap handled before (taps are keyed by their step), a message outside any check-in, a
// coach's command and a typed answer. Chats are above 2^32, as many are.
func mixedBatch(t *testing.T) (*store.Store, []store.Record, []error) {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 23, 0, 0, 0, time.UTC) // a Saturday, 23:00
	st := storetest.New(t, store.WithClock(func() time.Time { return now }))
	const base = 7_900_000_000
	tap := func(i int, step, option, next string) store.Record {
		chat := int64(base + i)
		s, checkin := storetest.CheckinAt(t, st, chat, now, step)
		return store.Record{UpdateID: int64(880_000_000 + i), StudentID: s.ID, CheckinID: checkin, Version: "v1",
			Step: step, Option: option, At: now, NextStep: next, StepKeyed: true,
			Owner: store.Owner{Role: store.RoleStudent, ID: s.ID, ChatID: chat},
			Out:   []store.Message{{ChatID: chat, Kind: store.KindEdit, Text: fmt.Sprintf("Dank je (%d). Volgende vraag.", i)}}}
	}
	rs := make([]store.Record, 8)
	want := make([]error, 8)
	rs[0] = tap(0, "mood", "3", "daytime")

	rs[1] = tap(1, "last", "ja", "")
	rs[1].Done = true
	rs[1].Out = append(rs[1].Out, store.Message{ChatID: base + 1, Kind: store.KindSend, Text: "Dat was het. Tot volgende week!"})

	rs[2] = tap(2, "mood", "2", "daytime")
	rs[2].Step, rs[2].NextStep = "daytime", "worry" // a tap on the card of a step already answered
	want[2] = store.ErrStale

	rs[3] = tap(3, "mood", "1", "daytime")
	rs[3].Owner.ChatID = base + 100 // the student now chats from another phone
	want[3] = store.ErrNotOwner

	rs[4] = tap(4, "mood", "4", "daytime")
	if _, err := st.RecordUpdate(ctx, rs[4]); err != nil { // handled before; Telegram sends it again
		t.Fatal(err)
	}
	want[4] = store.ErrDuplicate

	s5 := storetest.LinkedStudent(t, st, store.NewStudent{Name: "Daan", CoachID: storetest.Coach(t, st, store.Coach{Name: "Sanne"}, 0).ID}, base+5)
	rs[5] = store.Record{UpdateID: 880_000_005, StudentID: s5.ID, At: now, // "hoe werkt dit" outside a check-in
		Owner: store.Owner{Role: store.RoleStudent, ID: s5.ID, ChatID: base + 5},
		Out:   []store.Message{{ChatID: base + 5, Kind: store.KindSend, Text: "Je krijgt elke week een paar vragen."}}}

	coach := storetest.Coach(t, st, store.Coach{Name: "Ahmed"}, base+6)
	rs[6] = store.Record{UpdateID: 880_000_006, At: now, Owner: store.Owner{Role: store.RoleCoach, ID: coach.ID, ChatID: base + 6},
		Out: []store.Message{{ChatID: base + 6, Kind: store.KindSend, Text: "Geen open meldingen."}}}

	rs[7] = tap(7, "feeling", "", "end")
	rs[7].Text, rs[7].StepKeyed = "mn dag was ff kut eerlijk", false // typed: not a tap
	return st, rs, want
}

// TestABatchJudgesEachUpdateAsIfAlone: updates written together get exactly
// the outcome each would get written alone: the same answers stored, the
// same check-ins moved on, the same updates marked handled, and each update's
// replies its own.
func TestABatchJudgesEachUpdateAsIfAlone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	w := writeBothWays(t, mixedBatch)
	batched, alone, rs, want, got, got2, errs, errs2 := w.batched, w.alone, w.rs, w.want, w.got, w.got2, w.errs, w.errs2

	for i := range rs {
		if !errors.Is(errs[i], want[i]) { // want nil: no error
			t.Errorf("update %d written in a batch: %v, want %v", i, errs[i], want[i])
		}
		if !errors.Is(errs2[i], want[i]) {
			t.Errorf("update %d written alone: %v, want %v", i, errs2[i], want[i])
		}
		if b, a := replies(t, batched, got[i]), replies(t, alone, got2[i]); !slices.Equal(b, a) {
			t.Errorf("update %d's replies: %q in a batch, %q alone", i, b, a)
		}
		if errs[i] == nil && len(got[i].OutboxIDs) != len(rs[i].Out) {
			t.Errorf("update %d: %d replies written, want %d", i, len(got[i].OutboxIDs), len(rs[i].Out))
		}
	}
	if b, a := stateOf(t, batched), stateOf(t, alone); !slices.Equal(b, a) {
		t.Errorf("after the batch:\n%q\nafter the same updates alone:\n%q", b, a)
	}
	var commits int
	if err := batched.DB().QueryRow(ctx, `SELECT count(DISTINCT xmin::text) FROM answers WHERE update_id <> $1`, rs[4].UpdateID).Scan(&commits); err != nil {
		t.Fatal(err)
	}
	if commits != 1 {
		t.Errorf("the batch's answers were written in %d transactions, want 1", commits)
	}
}

// bothWays is a scene's updates written once together, as one batch, and
// once alone, one after another, each on a store of its own that the scene
// made the same way.
type bothWays struct {
	batched, alone *store.Store
	rs             []store.Record
	want           []error          // the outcome each must get (nil: written)
	got, got2      []store.Recorded // batched, alone
	errs, errs2    []error          // batched, alone
}

// writeBothWays makes scene twice and writes its updates both ways.
func writeBothWays(t *testing.T, scene func(*testing.T) (*store.Store, []store.Record, []error)) bothWays {
	t.Helper()
	ctx := context.Background()
	var w bothWays
	w.batched, w.rs, w.want = scene(t)
	w.got, w.errs = make([]store.Recorded, len(w.rs)), make([]error, len(w.rs))
	calls := make([]func(), len(w.rs))
	for i, r := range w.rs {
		calls[i] = func() { w.got[i], w.errs[i] = w.batched.RecordUpdate(ctx, r) }
	}
	together(t, func() func() { return w.batched.HoldWrites(false) }, w.batched.QueuedWrites, calls)

	var rs []store.Record
	w.alone, rs, _ = scene(t)
	w.got2, w.errs2 = make([]store.Recorded, len(rs)), make([]error, len(rs))
	for i, r := range rs {
		w.got2[i], w.errs2[i] = w.alone.RecordUpdate(ctx, r)
	}
	return w
}

// replies are the chat and text of the outbox rows of rec, in order.
func replies(t *testing.T, st *store.Store, rec store.Recorded) []string {
	t.Helper()
	rows := storetest.Outbox(t, st)
	var out []string
	for _, id := range rec.OutboxIDs {
		i := slices.IndexFunc(rows, func(r store.OutboxRow) bool { return r.ID == id })
		if i < 0 {
			t.Fatalf("reply %d: no such outbox row", id)
		}
		out = append(out, fmt.Sprintf("%d %s", rows[i].ChatID, rows[i].Payload))
	}
	return out
}

// stateOf is what a store holds about the conversations, by chat rather than
// by row ID: the answers, the check-ins' steps, the handled updates and the
// replies waiting to go out.
func stateOf(t *testing.T, st *store.Store) []string {
	t.Helper()
	chatOf := map[int64]int64{}
	for _, s := range storetest.Students(t, st) {
		chatOf[s.ID] = s.ChatID
	}
	var out []string
	for _, a := range storetest.Answers(t, st) {
		out = append(out, fmt.Sprintf("answer %d %s %q %q %v", chatOf[a.StudentID], a.Step, a.Option, a.Text, a.CheckinID != 0))
	}
	for _, c := range storetest.Checkins(t, st) {
		out = append(out, fmt.Sprintf("check-in %d %s %q", chatOf[c.StudentID], c.Status, c.Step))
	}
	for _, id := range storetest.ProcessedUpdates(t, st) {
		out = append(out, fmt.Sprintf("handled %d", id))
	}
	for _, o := range storetest.Outbox(t, st) {
		out = append(out, fmt.Sprintf("outbox %d %d %s leased %v", o.ChatID, chatOf[o.StudentID], o.Payload, !o.ClaimedUntil.IsZero()))
	}
	slices.Sort(out)
	return out
}
