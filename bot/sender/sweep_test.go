package sender

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/lijntje/lijntje/bot/telegramtest"
	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// TestRowsGoOutWithoutWaitingForThePoll: the sender claims from the outbox
// only when it may hold something to claim, so these must not wait for its
// fallback poll (an hour here): rows another process writes (their
// notification), a chat's second message once its first is marked sent, and
// rows beyond what one claim takes, once there is room.
func TestRowsGoOutWithoutWaitingForThePoll(t *testing.T) {
	t.Parallel()
	srv := telegramtest.Start(t)
	st := storetest.New(t)
	ctx := context.Background()
	tg, err := srv.Client()
	if err != nil {
		t.Fatal(err)
	}
	s := New(Config{Rate: 10, RateMax: 10, PollEvery: time.Hour}, tg, st, storetest.Logger(t))
	runSender(t, s)
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	wait := func(u *telegramtest.User, text string) {
		t.Helper()
		if _, err := u.WaitFor(wctx, func(m telegramtest.Sent) bool { return m.Text == text }); err != nil {
			t.Fatalf("%q did not reach the chat: %v", text, err)
		}
	}

	first := srv.NewUser("Noor")
	if _, err := st.Enqueue(ctx, store.Message{ChatID: first.ID, Lane: store.LaneInteractive, Kind: store.KindSend, Text: "hoi"}); err != nil {
		t.Fatal(err)
	}
	wait(first, "hoi") // the sender's first claim is over

	// Written elsewhere, two for one chat: the second may be claimed only
	// once the first is marked sent.
	u := srv.NewUser("Sanne")
	if _, err := st.Enqueue(ctx,
		store.Message{ChatID: u.ID, Lane: store.LaneInteractive, Kind: store.KindSend, Text: "eerste"},
		store.Message{ChatID: u.ID, Lane: store.LaneInteractive, Kind: store.KindSend, Text: "tweede"}); err != nil {
		t.Fatal(err)
	}
	wait(u, "eerste")
	wait(u, "tweede")

	// More than one claim takes (four seconds' worth at the rate).
	room := 4 * int(s.cfg.RateMax)
	many := make([]store.Message, room+5)
	users := make([]*telegramtest.User, len(many))
	for i := range many {
		users[i] = srv.NewUser(fmt.Sprintf("Leerling %d", i))
		many[i] = store.Message{ChatID: users[i].ID, Lane: store.LaneBulk, Kind: store.KindSend, Text: fmt.Sprintf("vraag %d", i)}
	}
	if _, err := st.Enqueue(ctx, many...); err != nil {
		t.Fatal(err)
	}
	for i, u := range users {
		wait(u, fmt.Sprintf("vraag %d", i))
	}
}

// runSender runs s until the test ends, and waits for it to stop.
func runSender(t *testing.T, s *Sender) {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	t.Cleanup(func() { stop(); <-done })
}

// TestACardsMarkAsksForNoClaim: a tap's edit of its card is handed to the
// sender (it is never claimed from the outbox), and its sent-mark frees no
// outbox row, so neither makes the sender claim from the outbox; an outbox
// row's mark does (the chat's next row may be waiting for it).
func TestACardsMarkAsksForNoClaim(t *testing.T) {
	t.Parallel()
	ct := newCardTaps(t)
	ctx := context.Background()
	edit := ct.tap("mood", "daytime")
	ct.s.HandMessages([]store.Message{edit})
	if ct.s.sweepWanted.Load() {
		t.Fatal("a card edit handed over asks for a claim from the outbox")
	}
	ct.s.sentLater(edit, 41)
	ct.s.flushSent(ctx, true)
	if c := ct.card(); c.SentVersion != 1 {
		t.Fatalf("the card's edit was not marked sent: %+v", c)
	}
	if ct.s.sweepWanted.Load() {
		t.Error("a card's sent-mark asks for a claim from the outbox")
	}

	ids, err := ct.st.Enqueue(ctx, store.Message{ChatID: ct.chat, Lane: store.LaneInteractive, Kind: store.KindSend, Text: "hoi"})
	if err != nil {
		t.Fatal(err)
	}
	ct.s.sentLater(store.Message{ID: ids[0], ChatID: ct.chat, Kind: store.KindSend}, 42)
	ct.s.flushSent(ctx, true)
	if !ct.s.sweepWanted.Load() {
		t.Error("an outbox row's sent-mark does not ask for a claim: the chat's next row would wait for the poll")
	}
}
