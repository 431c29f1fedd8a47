package sender

import (
	"context"
	"testing"
	"time"

	"github.com/lijntje/lijntje/clock"
	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// cardTaps is a student halfway a check-in whose card is message 41, a
// sender with a wall clock of its own, and the taps that move the card on.
type cardTaps struct {
	t       *testing.T
	st      *store.Store
	clock   *clock.Clock // the store's clock: leases
	wall    time.Time    // the sender's wall clock: when a sent card edit is marked
	s       *Sender
	student store.Student
	checkin int64
	chat    int64
	update  int64
}

func newCardTaps(t *testing.T) *cardTaps {
	t.Helper()
	c := clock.Stopped(time.Date(2026, 11, 28, 23, 0, 0, 0, time.UTC)) // a Saturday, 23:00
	st := storetest.New(t, store.WithClock(c.Now))
	const chat = 7_412_000_002 // above 2^32, as many are
	s, checkin := storetest.CheckinAt(t, st, chat, c.Now(), "mood")
	ct := &cardTaps{t: t, st: st, clock: c, wall: c.Now(), student: s, checkin: checkin,
		chat: chat, update: 4_300_000_100}
	ct.s = New(Config{}, nil, st, storetest.Logger(t))
	ct.s.wall = func() time.Time { return ct.wall }
	return ct
}

// tap answers step on the card and returns the card's edit, as the bot hands
// it to the sender.
func (ct *cardTaps) tap(step, next string) store.Message {
	ct.t.Helper()
	ct.update++
	r := storetest.CardTap(ct.student, ct.chat, ct.checkin, ct.update, step, next, "volgende vraag", ct.clock.Now())
	res, err := ct.st.RecordUpdate(context.Background(), r)
	if err != nil {
		ct.t.Fatalf("tap on %s: %v", step, err)
	}
	return res.Sendable(r.Out)[0]
}

// card is the card's row.
func (ct *cardTaps) card() store.CardRow {
	ct.t.Helper()
	cards := storetest.Cards(ct.t, ct.st)
	if len(cards) != 1 {
		ct.t.Fatalf("%d cards, want 1", len(cards))
	}
	return cards[0]
}

// claimedElsewhere is what another replica's sender would claim of the cards
// now.
func (ct *cardTaps) claimedElsewhere() []store.Message {
	ct.t.Helper()
	got, err := ct.st.ClaimCards(context.Background(), 100)
	if err != nil {
		ct.t.Fatal(err)
	}
	return got
}

// TestACardEditIsMarkedSentLaterAndOnlyWhileNewest: Telegram took the card's
// edit. Its sent-mark waits a while (cardMarkAfter), and meanwhile the edit
// stays leased, so no other replica sends it again. When the student answers
// the question it brought within that while, the edit's mark writes nothing
// (a newer edit is the card's now); the newer edit is marked once its own
// while has passed, and a sender that stops marks what it holds at once, so
// a successor sends none of them again.
func TestACardEditIsMarkedSentLaterAndOnlyWhileNewest(t *testing.T) {
	t.Parallel()
	ct := newCardTaps(t)
	ctx := context.Background()

	first := ct.tap("mood", "daytime")
	ct.s.sentLater(first, 41)
	ct.wall = ct.wall.Add(cardMarkAfter * 3 / 4)
	ct.s.flushSent(ctx, false)
	if c := ct.card(); c.SentVersion != 0 {
		t.Fatalf("the edit was marked sent %v after Telegram took it, want it marked later: %+v", cardMarkAfter*3/4, c)
	}
	if got := ct.claimedElsewhere(); len(got) != 0 {
		t.Fatalf("another sender claimed an edit Telegram took, before its mark: %+v", got)
	}

	// The student answers the question the edit brought; then the first
	// edit's mark is due, and writes nothing.
	second := ct.tap("daytime", "daytime_ok")
	ct.s.sentLater(second, 41)
	ct.wall = ct.wall.Add(cardMarkAfter / 4)
	ct.s.flushSent(ctx, false)
	if c := ct.card(); c.Version != 2 || c.SentVersion != 0 || c.ClaimedUntil.IsZero() {
		t.Fatalf("after the older edit's mark: %+v, want version 2 unsent and still leased", c)
	}
	ct.wall = ct.wall.Add(cardMarkAfter)
	ct.s.flushSent(ctx, false)
	if c := ct.card(); c.SentVersion != 2 || !c.ClaimedUntil.IsZero() {
		t.Fatalf("after the newest edit's while: %+v, want version 2 marked sent", c)
	}

	// A sender that stops marks what it holds at once.
	third := ct.tap("daytime_ok", "money")
	ct.s.sentLater(third, 41)
	ct.s.flushSent(ctx, true)
	if c := ct.card(); c.SentVersion != 3 {
		t.Fatalf("a stopping sender left its edit unmarked: %+v", c)
	}
	ct.clock.Advance(10 * time.Second) // every lease over
	if got := ct.claimedElsewhere(); len(got) != 0 {
		t.Fatalf("a successor would send again: %+v", got)
	}
}

// TestABusyCardsMarkIsTriedAgainAtOnce: a card that a tap's write holds when
// its edit's mark is due is handed back and marked with the next flush, not
// a while later again.
func TestABusyCardsMarkIsTriedAgainAtOnce(t *testing.T) {
	t.Parallel()
	ct := newCardTaps(t)
	ctx := context.Background()
	first := ct.tap("mood", "daytime")
	ct.s.sentLater(first, 41)
	ct.wall = ct.wall.Add(cardMarkAfter)
	release := storetest.HoldCards(t, ct.st, ct.checkin)
	ct.s.flushSent(ctx, false)
	release()
	if c := ct.card(); c.SentVersion != 0 {
		t.Fatalf("a held card was marked: %+v", c)
	}
	ct.s.flushSent(ctx, false) // the next tick, the wall clock not moved on
	if c := ct.card(); c.SentVersion != 1 {
		t.Fatalf("the handed-back mark waited for another while: %+v", c)
	}
}
