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

// A tap is answered with one small JSON call too: its notice reaches the
// student, and Telegram's refusals (a query answered already, a notice too
// long) come back as go-telegram/bot's errors.
func TestAnswerCallbackAsJSON(t *testing.T) {
	t.Parallel()
	srv := telegramtest.Start(t)
	s := &Sender{text: newTextCall(srv.URL, srv.Token(), nil)}
	ctx := context.Background()
	u := srv.NewUser("Noor")
	c := newTextCall(srv.URL, srv.Token(), nil)
	id, err := c.do(ctx, store.Message{ChatID: u.ID, Kind: store.KindSend, Text: "Hoe gaat het met je?",
		Buttons: [][]store.Button{{{Text: "🙂 Goed", Data: "a:1:mood:4"}}}}, false)
	if err != nil {
		t.Fatal(err)
	}
	u.Tap(id, "a:1:mood:4")
	u.Tap(id, "a:1:mood:4")
	queries := srv.UnansweredCallbacks()
	if len(queries) != 2 {
		t.Fatalf("%d unanswered taps, want 2", len(queries))
	}
	if err := s.AnswerCallback(ctx, queries[0], "Al beantwoord 👍"); err != nil {
		t.Fatal(err)
	}
	if got := u.CallbackAnswers(); len(got) != 1 || got[0].Text != "Al beantwoord 👍" || got[0].QueryID != queries[0] {
		t.Errorf("the student saw %+v", got)
	}
	if err := s.AnswerCallback(ctx, queries[0], ""); !errors.Is(err, tgbot.ErrorBadRequest) {
		t.Errorf("the same tap answered twice: %v, want Telegram's 400", err)
	}
	if err := s.AnswerCallback(ctx, queries[1], strings.Repeat("é", 201)); !errors.Is(err, tgbot.ErrorBadRequest) {
		t.Errorf("a notice of 201 characters: %v, want Telegram's 400", err)
	}
}
