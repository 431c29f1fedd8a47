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

// cardBatch is a store with the taps a busy evening brings at once, each
// editing its check-in's card, and the outcome each must get: plain taps,
// one on a card tapped before, the tap that ends a check-in, a tap on an
// old card, one on the card of a check-in that expired, one from a chat
// that is no longer its student's, Telegram's redelivery of a tap handled
// before, the same tap delivered twice in the batch, and a message outside
// any check-in. Chats and update IDs are above 2^32, as many are.
func cardBatch(t *testing.T) (*store.Store, []store.Record, []error) {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 23, 0, 0, 0, time.UTC) // a Saturday, 23:00
	st := storetest.New(t, store.WithClock(func() time.Time { return now }))
	const base = 8_100_000_000
	update := int64(6_000_000_000)
	tap := func(i int, step, next string) store.Record {
		chat := int64(base + i)
		s, checkin := storetest.CheckinAt(t, st, chat, now, step)
		update++
		return storetest.CardTap(s, chat, checkin, update, step, next, fmt.Sprintf("Dank je (%d). Volgende vraag.", i), now)
	}
	record := func(r store.Record) {
		t.Helper()
		if _, err := st.RecordUpdate(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	rs := make([]store.Record, 11)
	want := make([]error, 11)
	rs[0] = tap(0, "mood", "daytime")

	first := tap(1, "mood", "daytime") // the card has an edit already
	record(first)
	rs[1] = first
	update++
	rs[1].UpdateID, rs[1].Step, rs[1].NextStep, rs[1].Out[0].Text = update, "daytime", "worry", "Dank je. Maak je je zorgen?"

	rs[2] = tap(2, "last", "") // ends the check-in

	rs[3] = tap(3, "mood", "daytime")
	rs[3].Step, rs[3].NextStep = "daytime", "worry" // a tap on the card of a step already answered
	want[3] = store.ErrStale

	rs[4] = tap(4, "mood", "daytime")
	rs[4].Owner.ChatID = base + 100 // the student now chats from another phone
	want[4] = store.ErrNotOwner

	rs[5] = tap(5, "mood", "daytime")
	record(rs[5]) // handled before; Telegram sends it again
	want[5] = store.ErrDuplicate

	rs[6] = tap(6, "mood", "daytime")
	rs[7] = rs[6] // the same tap twice in one batch: one of the two is a duplicate (which one: the order they queued)

	s8 := storetest.LinkedStudent(t, st, store.NewStudent{Name: "Daan", CoachID: storetest.Coach(t, st, store.Coach{Name: "Sanne"}, 0).ID}, base+8)
	update++
	rs[8] = store.Record{UpdateID: update, StudentID: s8.ID, At: now, // "hoe werkt dit" outside a check-in
		Owner: store.Owner{Role: store.RoleStudent, ID: s8.ID, ChatID: base + 8},
		Out:   []store.Message{{ChatID: base + 8, Kind: store.KindSend, Text: "Je krijgt elke week een paar vragen."}}}

	rs[9] = tap(9, "worry", "contact")

	rs[10] = tap(10, "mood", "daytime") // the check-in expired with its card still showing the question
	if _, err := st.DB().Exec(ctx, `UPDATE checkins SET status = 'expired' WHERE id = $1`, rs[10].CheckinID); err != nil {
		t.Fatal(err)
	}
	want[10] = store.ErrStale
	return st, rs, want
}

// TestCardTapsInABatchAreJudgedAsIfAlone: taps written together, most of
// them recorded in one statement, get exactly the outcome each would get
// written alone: the same errors, answers, check-ins, cards (text, version,
// lease) and replies, in one commit.
func TestCardTapsInABatchAreJudgedAsIfAlone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	w := writeBothWays(t, cardBatch)
	batched, alone, rs, want, got, got2, errs, errs2 := w.batched, w.alone, w.rs, w.want, w.got, w.got2, w.errs, w.errs2

	// The tap delivered twice: one is written, the other is its duplicate.
	if twice := []error{errs[6], errs[7]}; !slices.ContainsFunc(twice, func(e error) bool { return e == nil }) ||
		!slices.ContainsFunc(twice, func(e error) bool { return errors.Is(e, store.ErrDuplicate) }) {
		t.Errorf("the tap delivered twice in a batch: %v, want one written and one duplicate", twice)
	}
	if errs[7] == nil { // compare the written one with the written one alone
		errs[6], errs[7], got[6], got[7] = errs[7], errs[6], got[7], got[6]
	}
	want[7] = store.ErrDuplicate
	for i := range rs {
		if !errors.Is(errs[i], want[i]) { // want nil: no error
			t.Errorf("update %d written in a batch: %v, want %v", i, errs[i], want[i])
		}
		if !errors.Is(errs2[i], want[i]) {
			t.Errorf("update %d written alone: %v, want %v", i, errs2[i], want[i])
		}
		if got[i].CardVersion != got2[i].CardVersion {
			t.Errorf("update %d: card version %d in a batch, %d alone", i, got[i].CardVersion, got2[i].CardVersion)
		}
		if b, a := replies(t, batched, nonCard(got[i])), replies(t, alone, nonCard(got2[i])); !slices.Equal(b, a) {
			t.Errorf("update %d's replies: %q in a batch, %q alone", i, b, a)
		}
	}
	if got[1].CardVersion != 2 {
		t.Errorf("the tap on a card with an edit wrote version %d, want 2", got[1].CardVersion)
	}
	if b, a := cardsOf(t, batched), cardsOf(t, alone); !slices.Equal(b, a) {
		t.Errorf("cards after the batch:\n%q\nafter the same updates alone:\n%q", b, a)
	}
	if b, a := stateOf(t, batched), stateOf(t, alone); !slices.Equal(b, a) {
		t.Errorf("after the batch:\n%q\nafter the same updates alone:\n%q", b, a)
	}
	var ids []int64 // the updates the batch wrote answers for (rs[5]'s was written before)
	for i, r := range rs {
		if i != 5 {
			ids = append(ids, r.UpdateID)
		}
	}
	var commits int
	if err := batched.DB().QueryRow(ctx, `SELECT count(DISTINCT xmin::text) FROM answers WHERE update_id = ANY($1)`, ids).Scan(&commits); err != nil {
		t.Fatal(err)
	}
	if commits != 1 {
		t.Errorf("the batch's answers were written in %d transactions, want 1", commits)
	}
}

// nonCard is rec without the card's edit (outbox ID 0): the replies in the outbox.
func nonCard(rec store.Recorded) store.Recorded {
	rec.OutboxIDs = slices.DeleteFunc(slices.Clone(rec.OutboxIDs), func(id int64) bool { return id == 0 })
	return rec
}

// cardsOf is every card of st by chat: its newest edit, its version, what
// was sent of it and whether it is leased.
func cardsOf(t *testing.T, st *store.Store) []string {
	t.Helper()
	var out []string
	for _, c := range storetest.Cards(t, st) {
		out = append(out, fmt.Sprintf("card %d v%d sent v%d message %d leased %v %s", c.ChatID, c.Version, c.SentVersion, c.MessageID,
			!c.ClaimedUntil.IsZero(), c.Payload))
	}
	slices.Sort(out)
	return out
}
