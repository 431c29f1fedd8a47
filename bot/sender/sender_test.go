package sender_test

import (
	"context"
	"testing"
	"time"

	"github.com/lijntje/lijntje/bot/sender"
	"github.com/lijntje/lijntje/bot/telegramtest"
	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// TestSenderSendsHandedMessagesWhileTheSweepWaits: a tap's reply handed to
// the sender goes out while its sweep of the outbox is stuck in Postgres (as
// when claiming from a wave of thousands of due check-ins). The outbox is
// locked so that the claim waits.
func TestSenderSendsHandedMessagesWhileTheSweepWaits(t *testing.T) {
	t.Parallel()
	srv := telegramtest.Start(t)
	st := storetest.New(t)
	ctx := context.Background()
	tg, err := srv.Client()
	if err != nil {
		t.Fatal(err)
	}
	unlock := storetest.LockOutbox(t, st) // the claim's UPDATE waits
	s := sender.New(sender.Config{PollEvery: 20 * time.Millisecond}, tg, st, storetest.Logger(t))
	rctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { s.Run(rctx); close(done) }()
	time.Sleep(100 * time.Millisecond) // the first sweep is waiting on the lock

	u := srv.NewUser("Noor")
	s.HandMessages([]store.Message{{ID: 1, ChatID: u.ID, Lane: store.LaneInteractive, Kind: store.KindSend, Text: "next question"}})
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := u.WaitFor(wctx, func(m telegramtest.Sent) bool { return m.Text == "next question" }); err != nil {
		t.Errorf("the handed reply did not go out while the sweep waited: %v", err)
	}
	unlock()
	stop()
	<-done
}
