package telegramtest

import (
	"testing"

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
