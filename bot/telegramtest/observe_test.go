package telegramtest

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

func TestOnSendSeesSendsAndEdits(t *testing.T) {
	s := Start(t)
	b := newBot(t, s)
	u := s.NewUser("Noor")
	var got []Sent
	s.OnSend(func(m Sent) { got = append(got, m) })
	m, err := b.SendMessage(testCtx(t), &bot.SendMessageParams{ChatID: u.ID, Text: "hoi",
		ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "ja", CallbackData: "x"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.EditMessageText(testCtx(t), &bot.EditMessageTextParams{ChatID: u.ID, MessageID: m.ID, Text: "hoi!"}); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	obs := append([]Sent(nil), got...)
	s.mu.Unlock()
	got = obs
	if len(got) != 2 || got[0].Text != "hoi" || len(got[0].Keyboard) != 1 || got[1].Edits != 1 || got[1].Text != "hoi!" {
		t.Fatalf("observed %+v", got)
	}
	if calls, delivered, tooMany := s.CallsSince(t0.AddDate(-100, 0, 0)); calls != 2 || delivered != 2 || tooMany != 0 {
		t.Errorf("CallsSince = %d, %d, %d", calls, delivered, tooMany)
	}
}

// TestCallsSinceCountsPastALongPoll checks that a long poll that came in
// before t and ended after later sends does not hide them: the benchmark
// counts a phase's sends this way while Lijntje's long poll is waiting.
func TestCallsSinceCountsPastALongPoll(t *testing.T) {
	s, clk := startClocked(t, Options{})
	noor := s.NewUser("Noor")
	polled := make(chan reply, 1)
	go func() {
		_, r, _ := post(s, "getUpdates", map[string]any{"timeout": 30})
		polled <- r
	}()
	waitPolling(t, s)
	clk.Advance(time.Minute)
	since := clk.Now()
	for _, text := range []string{"hoi", "hoe gaat het?"} {
		if code, r := call(t, s, "sendMessage", map[string]any{"chat_id": noor.ID, "text": text}); code != 200 {
			t.Fatalf("sendMessage: %+v", r)
		}
	}
	noor.SendText("goed") // ends the long poll, which is logged after the sends
	if r := <-polled; !r.OK {
		t.Fatalf("long poll: %+v", r)
	}
	if calls, delivered, tooMany := s.CallsSince(since); calls != 2 || delivered != 2 || tooMany != 0 {
		t.Errorf("CallsSince = %d calls, %d delivered, %d 429s; want the 2 sends after the poll came in", calls, delivered, tooMany)
	}
}

// TestOnFetchSeesEachUpdateLeaveOnce: the observer hears of an update when
// it first leaves the server, in a getUpdates answer or posted to the
// webhook, with its chat, and not again when the same update goes out once
// more (not yet confirmed, or its post retried).
func TestOnFetchSeesEachUpdateLeaveOnce(t *testing.T) {
	s := Start(t)
	var mu sync.Mutex
	var got []int64
	s.OnFetch(func(chat int64) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, chat)
	})
	fetched := func() []int64 {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(got)
	}
	noor, sem := s.NewUser("Noor"), s.NewUser("Sem")
	noor.SendText("een")
	sem.SendText("twee")
	for range 2 { // the second answer brings the same, unconfirmed updates
		if _, r := call(t, s, "getUpdates", map[string]any{}); len(updates(t, r)) != 2 {
			t.Fatalf("getUpdates = %s", r.Result)
		}
	}
	if want := []int64{noor.ID, sem.ID}; !slices.Equal(fetched(), want) {
		t.Errorf("polling: fetched %v, want %v", fetched(), want)
	}

	var failures atomic.Int32
	failures.Store(1) // the first post fails and is retried
	posted := make(chan struct{}, 10)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failures.Add(-1) >= 0 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		posted <- struct{}{}
	}))
	t.Cleanup(hook.Close)
	b := newBot(t, s)
	if _, err := b.SetWebhook(testCtx(t), &bot.SetWebhookParams{URL: hook.URL}); err != nil {
		t.Fatal(err)
	}
	sem.SendText("drie")
	for range 3 { // the two not confirmed by polling, and the new one
		select {
		case <-posted:
		case <-testCtx(t).Done():
			t.Fatal("webhook not called")
		}
	}
	if want := []int64{noor.ID, sem.ID, sem.ID}; !slices.Equal(fetched(), want) {
		t.Errorf("webhook: fetched %v, want %v", fetched(), want)
	}
}
