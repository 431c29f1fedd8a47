package sender

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lijntje/lijntje/bot/telegramtest"
	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// An error while building an alert's text passes: the alert is retried and
// delivered, never failed for good.
func TestAlertRenderErrorIsRetried(t *testing.T) {
	t.Parallel()
	srv := telegramtest.Start(t)
	st := storetest.New(t)
	ctx := context.Background()
	tg, err := srv.Client()
	if err != nil {
		t.Fatal(err)
	}
	u := srv.NewUser("Sanne")
	s := New(Config{PollEvery: 20 * time.Millisecond}, tg, st, storetest.Logger(t))
	var calls atomic.Int32
	s.SetHooks(Hooks{Render: func(_ context.Context, m store.Message) (store.Message, error) {
		if calls.Add(1) == 1 {
			return store.Message{}, errors.New("database went away for a moment")
		}
		return store.Message{ID: m.ID, ChatID: m.ChatID, Kind: store.KindSend, Text: "🆘 CRISIS: Noor"}, nil
	}})
	ids, err := st.Enqueue(ctx, store.Message{ChatID: u.ID, Lane: store.LaneUrgent, Kind: store.KindAlert, AlertID: 1})
	if err != nil {
		t.Fatal(err)
	}
	runSender(t, s)
	wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if _, err := u.WaitFor(wctx, func(m telegramtest.Sent) bool { return m.Text == "🆘 CRISIS: Noor" }); err != nil {
		var failed bool
		for _, o := range storetest.Outbox(t, st) {
			failed = failed || o.ID == ids[0] && o.Failed
		}
		t.Fatalf("the alert was not retried (failed for good: %v): %v", failed, err)
	}
}
