package sender

import (
	"context"
	"errors"
	"strings"
	"testing"

	tgbot "github.com/go-telegram/bot"

	"github.com/lijntje/lijntje/bot/telegramtest"
	"github.com/lijntje/lijntje/store"
)

// TestTextCallAnswersLikeGoTelegram: the sender's own JSON calls deliver
// text and buttons, edit them, and return Telegram's refusals as the errors
// go-telegram/bot returns, which deliver acts on (wait, blocked, refused).
func TestTextCallAnswersLikeGoTelegram(t *testing.T) {
	t.Parallel()
	srv := telegramtest.Start(t)
	c := newTextCall(srv.URL, srv.Token(), nil)
	ctx := context.Background()
	u := srv.NewUser("Noor")
	btn := [][]store.Button{{{Text: "🙂 Goed", Data: "a:1:mood:4"}}}

	id, err := c.do(ctx, store.Message{ChatID: u.ID, Kind: store.KindSend, Text: "Hoe gaat het met je?", Buttons: btn}, true)
	if err != nil || id == 0 {
		t.Fatalf("send: id %d, %v", id, err)
	}
	m, _ := u.Last()
	if m.MessageID != id || m.Text != "Hoe gaat het met je?" || len(m.Keyboard) != 1 || m.Keyboard[0][0].CallbackData != "a:1:mood:4" {
		t.Fatalf("sent %+v", m)
	}
	if _, err := c.do(ctx, store.Message{ChatID: u.ID, Kind: store.KindEdit, EditMessageID: id, Text: "✔️ klaar"}, false); err != nil {
		t.Fatalf("edit: %v", err)
	}
	if m, _ := u.Last(); m.Text != "✔️ klaar" || len(m.Keyboard) != 0 || m.Edits != 1 {
		t.Fatalf("edited %+v: want the text and no buttons", m)
	}
	_, err = c.do(ctx, store.Message{ChatID: u.ID, Kind: store.KindEdit, EditMessageID: id, Text: "✔️ klaar"}, false)
	if !errors.Is(err, tgbot.ErrorBadRequest) || !strings.Contains(err.Error(), "message is not modified") {
		t.Errorf("the same edit again: %v", err)
	}

	srv.FailNext("sendMessage", u.ID, 1, 429, 7)
	_, err = c.do(ctx, store.Message{ChatID: u.ID, Kind: store.KindSend, Text: "x"}, false)
	var tooMany *tgbot.TooManyRequestsError
	if !errors.As(err, &tooMany) || tooMany.RetryAfter != 7 {
		t.Errorf("429: %v", err)
	}
	u.Block()
	_, err = c.do(ctx, store.Message{ChatID: u.ID, Kind: store.KindSend, Text: "x"}, false)
	if !errors.Is(err, tgbot.ErrorForbidden) {
		t.Errorf("blocked: %v", err)
	}
	bad := newTextCall(srv.URL, "123:wrong", nil)
	if _, err := bad.do(ctx, store.Message{ChatID: u.ID, Kind: store.KindSend, Text: "x"}, false); err == nil || strings.Contains(err.Error(), "wrong") {
		t.Errorf("a wrong token: want an error that does not show the token, got %v", err)
	}
}
