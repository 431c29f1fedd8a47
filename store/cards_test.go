package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/lijntje/lijntje/clock"
	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// cardScene is a student halfway a check-in whose card is message 41 in
// their chat, and the taps that answer its steps.
type cardScene struct {
	t       *testing.T
	st      *store.Store
	clock   *clock.Clock
	student store.Student
	checkin int64
	chat    int64
	update  int64
}

func newCardScene(t *testing.T) *cardScene {
	t.Helper()
	c := clock.Stopped(time.Date(2026, 11, 28, 23, 0, 0, 0, time.UTC)) // a Saturday, 23:00
	st := storetest.New(t, store.WithClock(c.Now))
	const chat = 7_412_000_001 // above 2^32, as many are
	s, checkin := storetest.CheckinAt(t, st, chat, c.Now(), "mood")
	return &cardScene{t: t, st: st, clock: c, student: s, checkin: checkin, chat: chat, update: 4_300_000_000}
}

// tap answers step with a tap on the card and writes the card's edit into
// text (the answers so far and the next question), as the bot does.
func (sc *cardScene) tap(step, next, text string) store.Recorded {
	sc.t.Helper()
	sc.update++
	r := storetest.CardTap(sc.student, sc.chat, sc.checkin, sc.update, step, next, text, sc.clock.Now())
	res, err := sc.st.RecordUpdate(context.Background(), r)
	if err != nil {
		sc.t.Fatalf("tap on %s: %v", step, err)
	}
	return res
}

// claimAfterLease moves the clock past any lease and claims what a sender
// that starts then would find of the cards.
func (sc *cardScene) claimAfterLease() []store.Message {
	sc.t.Helper()
	sc.clock.Advance(10 * time.Second)
	msgs, err := sc.st.ClaimCards(context.Background(), 100)
	if err != nil {
		sc.t.Fatal(err)
	}
	return msgs
}

// card is what a retiring edit or a reminder would find as the check-in's card.
func (sc *cardScene) card() (int, string) {
	sc.t.Helper()
	id, text, err := sc.st.CheckinCard(context.Background(), sc.checkin)
	if err != nil {
		sc.t.Fatal(err)
	}
	return id, text
}

// TestATapsEditIsTheCardsOneRow: a tap's edit of the card goes to the card's
// row, not the outbox, leased to the writer; the next tap replaces it in the
// same row. A sender that starts after the writer died finds only the newest
// edit, once the lease has run out, and it stays to be sent until that
// newest edit is marked sent: a sent-mark of an older one does not count,
// and does not write the card's row.
func TestATapsEditIsTheCardsOneRow(t *testing.T) {
	t.Parallel()
	sc := newCardScene(t)
	ctx := context.Background()
	res := sc.tap("mood", "daytime", "🙂 Goed\nWat doe je overdag?")
	msgs := res.Sendable([]store.Message{{ChatID: sc.chat, Kind: store.KindEdit, EditMessageID: 41, CheckinID: sc.checkin}})
	if msgs[0].Card != 1 || msgs[0].ID != 0 {
		t.Fatalf("the tap's edit handed to the sender as %+v, want the card's version 1", msgs[0])
	}
	if n := len(storetest.Outbox(t, sc.st)); n != 0 {
		t.Fatalf("%d outbox rows after a tap, want none", n)
	}
	if got, _ := sc.st.ClaimCards(ctx, 100); len(got) != 0 {
		t.Fatalf("another sender claimed the edit its writer holds: %+v", got)
	}
	sc.tap("daytime", "daytime_ok", "🙂 Goed\n💼 Ik werk\nGaat het goed zo?")
	cards := storetest.Cards(t, sc.st)
	if len(cards) != 1 || cards[0].Version != 2 || cards[0].SentVersion != 0 || cards[0].ChatID != sc.chat {
		t.Fatalf("cards after two taps: %+v, want one row at version 2, none sent", cards)
	}
	if id, text := sc.card(); id != 41 || text != "🙂 Goed\n💼 Ik werk\nGaat het goed zo?" {
		t.Fatalf("the card is %d %q, want message 41 with the newest text", id, text)
	}

	// The writer died: after the lease, the newest edit, once.
	got := sc.claimAfterLease()
	if len(got) != 1 {
		t.Fatalf("claimed %d edits after the lease, want the newest one: %+v", len(got), got)
	}
	m := got[0]
	if m.Card != 2 || m.CheckinID != sc.checkin || m.ChatID != sc.chat || m.Kind != store.KindEdit || m.EditMessageID != 41 ||
		m.Lane != store.LaneInteractive || m.Text != "🙂 Goed\n💼 Ik werk\nGaat het goed zo?" || len(m.Buttons) != 1 {
		t.Fatalf("claimed %+v, want version 2 of the card with its text and buttons", m)
	}
	if again, _ := sc.st.ClaimCards(ctx, 100); len(again) != 0 {
		t.Fatalf("claimed twice within the lease: %+v", again)
	}

	// Telegram took the first edit late: the second is still to be sent, and
	// the older edit's mark, which changes nothing that counts, writes nothing.
	if left, err := sc.st.MarkSentBatch(ctx, []store.SentMessage{{ID: sc.checkin, Card: 1, MessageID: 41}}); err != nil || len(left) != 0 {
		t.Fatalf("mark version 1 sent: %v %v", left, err)
	}
	if c := storetest.Cards(t, sc.st)[0]; c.SentVersion != 0 || c.ClaimedUntil.IsZero() {
		t.Fatalf("the older edit's mark wrote the card (%+v): want it passed over, the newest edit still leased", c)
	}
	if got := sc.claimAfterLease(); len(got) != 1 || got[0].Card != 2 {
		t.Fatalf("after the older edit was marked sent, claimed %+v, want version 2 still", got)
	}
	if left, err := sc.st.MarkSentBatch(ctx, []store.SentMessage{store.SentAs(m, 41)}); err != nil || len(left) != 0 {
		t.Fatalf("mark version 2 sent: %v %v", left, err)
	}
	if got := sc.claimAfterLease(); len(got) != 0 {
		t.Fatalf("claimed %+v after the newest edit was sent, want nothing", got)
	}
}

// TestACardsSentMarkNeverWaitsForATap: a sent-mark that finds the card held
// by a tap's write (a group-commit batch not committed yet) passes over it
// and hands it back, to be marked with the next batch, rather than waiting:
// a batch of taps and a sent-mark of several cards then never deadlock.
func TestACardsSentMarkNeverWaitsForATap(t *testing.T) {
	t.Parallel()
	sc := newCardScene(t)
	ctx := context.Background()
	sc.tap("mood", "daytime", "vraag 2")
	release := storetest.HoldCards(t, sc.st, sc.checkin)
	done := make(chan []store.SentMessage, 1)
	go func() {
		left, err := sc.st.MarkSentBatch(ctx, []store.SentMessage{{ID: sc.checkin, Card: 1, MessageID: 41}})
		if err != nil {
			t.Error(err)
		}
		done <- left
	}()
	var left []store.SentMessage
	select {
	case left = <-done:
	case <-time.After(10 * time.Second):
		release()
		t.Fatal("the sent-mark waited for the card's lock")
	}
	if len(left) != 1 || left[0].ID != sc.checkin || left[0].Card != 1 {
		t.Fatalf("handed back %+v, want the held card's edit", left)
	}
	release()
	if left, err := sc.st.MarkSentBatch(ctx, left); err != nil || len(left) != 0 {
		t.Fatalf("marked with the next batch: %v %v", left, err)
	}
	if c := storetest.Cards(t, sc.st); c[0].SentVersion != 1 {
		t.Fatalf("card %+v, want version 1 sent", c[0])
	}
	// A card that is gone (erased meanwhile) is not handed back for ever.
	if left, err := sc.st.MarkSentBatch(ctx, []store.SentMessage{{ID: sc.checkin + 1000, Card: 1}}); err != nil || len(left) != 0 {
		t.Fatalf("marking a card that is not there: %v %v, want nothing handed back", left, err)
	}
}

// TestWhatCarriesTheCardDropsItsUnsentEdit: a typed answer's reply takes the
// card's buttons off with the card's newest text, and a reminder does the
// same; either drops the card's edit that waits unsent, so that edit cannot
// bring the buttons back later. The card is then the new question once
// that is sent.
func TestWhatCarriesTheCardDropsItsUnsentEdit(t *testing.T) {
	t.Parallel()
	sc := newCardScene(t)
	ctx := context.Background()
	sc.tap("mood", "daytime", "🙂 Goed\nWat doe je overdag?")
	_, cardText := sc.card()

	// Typed: "ik werk bij de bakker mn baas is aardig".
	sc.update++
	typed := store.Record{UpdateID: sc.update, StudentID: sc.student.ID, CheckinID: sc.checkin, Version: "v1", Step: "daytime",
		Text: "ik werk bij de bakker mn baas is aardig", NextStep: "daytime_ok", At: sc.clock.Now(),
		Owner: store.Owner{Role: store.RoleStudent, ID: sc.student.ID, ChatID: sc.chat},
		Out: []store.Message{
			{ChatID: sc.chat, Lane: store.LaneInteractive, Kind: store.KindSend, Text: "Gaat het goed zo?", CheckinID: sc.checkin},
			{ChatID: sc.chat, Lane: store.LaneReminder, Kind: store.KindEdit, EditMessageID: 41, Text: cardText + "\n✍️ ik werk"},
		}}
	res, err := sc.st.RecordUpdate(ctx, typed)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.OutboxIDs) != 2 || res.OutboxIDs[0] == 0 || res.OutboxIDs[1] == 0 || res.CardVersion != 0 {
		t.Fatalf("typed answer recorded as %+v, want both replies in the outbox", res)
	}
	if got := sc.claimAfterLease(); len(got) != 0 {
		t.Fatalf("the card's edit still to be sent after a typed answer retired the card: %+v", got)
	}
	// Until the new question is sent, the card is the old one; then the new.
	if id, _ := sc.card(); id != 41 {
		t.Fatalf("card %d before the new question is sent, want 41", id)
	}
	if _, err := sc.st.MarkSentBatch(ctx, []store.SentMessage{{ID: res.OutboxIDs[0], MessageID: 77}}); err != nil {
		t.Fatal(err)
	}
	if id, text := sc.card(); id != 77 || text != "Gaat het goed zo?" {
		t.Fatalf("card %d %q once the new question was sent, want 77", id, text)
	}

	// A tap on the new card writes the card's row again (message 77) …
	sc.update++
	r := store.Record{UpdateID: sc.update, StudentID: sc.student.ID, CheckinID: sc.checkin, Version: "v1", Step: "daytime_ok", Option: "1",
		NextStep: "contact", At: sc.clock.Now(), StepKeyed: true, Owner: store.Owner{Role: store.RoleStudent, ID: sc.student.ID, ChatID: sc.chat},
		Out: []store.Message{{ChatID: sc.chat, Lane: store.LaneInteractive, Kind: store.KindEdit, EditMessageID: 77, Text: "Wil je Sanne spreken?", CheckinID: sc.checkin}}}
	if _, err := sc.st.RecordUpdate(ctx, r); err != nil {
		t.Fatal(err)
	}
	if id, text := sc.card(); id != 77 || text != "Wil je Sanne spreken?" {
		t.Fatalf("card %d %q after a tap on the new card, want its edit", id, text)
	}
	// … and a reminder, later, drops that edit if it is still unsent.
	sc.clock.Advance(30 * time.Hour)
	reminded, err := sc.st.RemindCheckins(ctx, sc.clock.Now(), sc.clock.Now(), 10, func(rm store.Reminder) ([]store.Message, error) {
		if rm.CardMessageID != 77 || rm.CardText != "Wil je Sanne spreken?" {
			t.Errorf("the reminder found card %d %q, want the tap's edit", rm.CardMessageID, rm.CardText)
		}
		return []store.Message{{ChatID: sc.chat, Lane: store.LaneReminder, Kind: store.KindEdit, EditMessageID: rm.CardMessageID, Text: rm.CardText}}, nil
	})
	if err != nil || reminded != 1 {
		t.Fatalf("reminded %d: %v", reminded, err)
	}
	if got := sc.claimAfterLease(); len(got) != 0 {
		t.Fatalf("the card's edit still to be sent after the reminder carried it: %+v", got)
	}
}

// TestACardGoesWithItsChatAndItsAnswers: a chat that blocks the bot drops
// its card's unsent edit; erasing a student's answers (/stop) or the
// student removes their cards, which echo the answers; the card of a
// check-in that is over goes once its last edit is sent, an open one stays.
func TestACardGoesWithItsChatAndItsAnswers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	sc := newCardScene(t)
	sc.tap("mood", "daytime", "vraag 2")
	if err := sc.st.DropPendingForChat(ctx, sc.chat, "forbidden"); err != nil {
		t.Fatal(err)
	}
	if got := sc.claimAfterLease(); len(got) != 0 {
		t.Fatalf("a blocked chat's card edit still to be sent: %+v", got)
	}
	if _, err := sc.st.EraseAnswers(ctx, sc.student.ID); err != nil {
		t.Fatal(err)
	}
	if n := len(storetest.Cards(t, sc.st)); n != 0 {
		t.Fatalf("%d cards left after the student's answers were erased", n)
	}

	sc = newCardScene(t)
	sc.tap("mood", "daytime", "vraag 2")
	if err := sc.st.EraseStudent(ctx, sc.student.ID); err != nil {
		t.Fatal(err)
	}
	if n := len(storetest.Cards(t, sc.st)); n != 0 {
		t.Fatalf("%d cards left after the student was erased", n)
	}

	sc = newCardScene(t)
	sc.tap("mood", "", "✅ Klaar") // the last step: the check-in is complete
	if n, err := sc.st.PruneCards(ctx); err != nil || n != 0 {
		t.Fatalf("pruned %d cards (%v) while the last edit is unsent, want none", n, err)
	}
	if _, err := sc.st.MarkSentBatch(ctx, []store.SentMessage{{ID: sc.checkin, Card: 1, MessageID: 41}}); err != nil {
		t.Fatal(err)
	}
	sc.clock.Advance(7 * 24 * time.Hour) // the next week's check-in, open
	open := storetest.OpenCheckin(t, sc.st, sc.student.ID)
	if _, err := sc.st.DB().Exec(ctx, `INSERT INTO cards (checkin_id, chat_id, message_id, seq, not_before, payload, sent_version)
		VALUES ($1, $2, 50, 1, now(), '{"k":"edit"}', 1)`, open, sc.chat); err != nil {
		t.Fatal(err)
	}
	if n, err := sc.st.PruneCards(ctx); err != nil || n != 1 {
		t.Fatalf("pruned %d cards (%v), want the completed check-in's", n, err)
	}
	if c := storetest.Cards(t, sc.st); len(c) != 1 || c[0].CheckinID != open {
		t.Fatalf("cards left %+v, want the open check-in's", c)
	}
}

// TestACardEditRetriedOrGivenUp: an edit Telegram could not take for a
// reason that may pass (a 5xx) is claimed again once its wait is over, not
// before; one it refused for good is given up, but a newer edit of the same
// card is still sent.
func TestACardEditRetriedOrGivenUp(t *testing.T) {
	t.Parallel()
	sc := newCardScene(t)
	ctx := context.Background()
	sc.tap("mood", "daytime", "vraag 2")
	if err := sc.st.RetryCard(ctx, sc.checkin, 1, sc.clock.Now().Add(time.Minute), "502 Bad Gateway"); err != nil {
		t.Fatal(err)
	}
	if got := sc.claimAfterLease(); len(got) != 0 { // 10 s on: still waiting
		t.Fatalf("claimed %+v before its retry time", got)
	}
	sc.clock.Advance(time.Minute)
	got := sc.claimAfterLease()
	if len(got) != 1 || got[0].Card != 1 || got[0].Attempts != 1 {
		t.Fatalf("claimed %+v after its retry time, want version 1, its first claim", got)
	}

	sc.tap("daytime", "daytime_ok", "vraag 3") // the student tapped on meanwhile
	if err := sc.st.FailCard(ctx, sc.checkin, 1, "Bad Request: can't parse entities"); err != nil {
		t.Fatal(err)
	}
	got = sc.claimAfterLease()
	if len(got) != 1 || got[0].Card != 2 || got[0].Text != "vraag 3" {
		t.Fatalf("claimed %+v after the older edit was given up, want the newer one", got)
	}
	if err := sc.st.FailCard(ctx, sc.checkin, 2, "Bad Request: can't parse entities"); err != nil {
		t.Fatal(err)
	}
	if got := sc.claimAfterLease(); len(got) != 0 {
		t.Fatalf("claimed %+v after the newest edit was given up", got)
	}
}
