package telegramtest

import (
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
