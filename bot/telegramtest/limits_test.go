package telegramtest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// retryAfter sends one message and returns the announced retry_after, 0 if
// it was delivered.
func retryAfter(t *testing.T, b *bot.Bot, chatID int64) int {
	t.Helper()
	_, err := b.SendMessage(context.Background(), &bot.SendMessageParams{ChatID: chatID, Text: "hoi"})
	var tooMany *bot.TooManyRequestsError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &tooMany):
		return tooMany.RetryAfter
	}
	t.Fatal(err)
	return 0
}

func wantRetries(t *testing.T, b *bot.Bot, chatID int64, want ...int) {
	t.Helper()
	for i, w := range want {
		if got := retryAfter(t, b, chatID); got != w {
			t.Fatalf("send %d: retry_after = %d, want %d", i+1, got, w)
		}
	}
}

func TestPerChatRateLimit(t *testing.T) {
	s, clock := startClocked(t, Options{PerChatBurst: 3, PerChatRate: 1})
	b := newBot(t, s)
	noor, sanne := s.NewUser("Noor"), s.NewUser("Sanne")

	wantRetries(t, b, noor.ID, 0, 0, 0, 1) // a burst of 3, then 429
	_, err := b.EditMessageText(context.Background(), &bot.EditMessageTextParams{ChatID: noor.ID, MessageID: 1, Text: "anders"})
	var tooMany *bot.TooManyRequestsError
	if !errors.As(err, &tooMany) {
		t.Errorf("edit over the limit: %v, want 429", err)
	}
	wantRetries(t, b, sanne.ID, 0) // other chats are not affected

	clock.Advance(time.Second)
	wantRetries(t, b, noor.ID, 0, 1) // one a second sustained
	clock.Advance(10 * time.Second)
	wantRetries(t, b, noor.ID, 0, 0, 0, 1) // the burst refills, up to 3

	st := s.Stats()
	if st.Sent != 8 || st.TooManyRequests != 4 || st.MaxPerChatPerSecond != 3 {
		t.Errorf("stats = %+v", st)
	}
	if perChat, _ := s.Peak(2 * time.Second); perChat != 4 {
		t.Errorf("Peak(2s) per chat = %d, want 4", perChat)
	}
	if got := len(noor.Messages()); got != 7 {
		t.Errorf("%d messages delivered to Noor, want 7 (429s deliver nothing)", got)
	}
}

func TestGlobalRateLimit(t *testing.T) {
	s, clock := startClocked(t, Options{GlobalRate: 5})
	b := newBot(t, s)
	var users []*User
	for i := range 6 {
		users = append(users, s.NewUser(fmt.Sprint("u", i)))
	}
	for _, u := range users[:5] {
		wantRetries(t, b, u.ID, 0)
	}
	wantRetries(t, b, users[5].ID, 1)
	clock.Advance(500 * time.Millisecond)
	wantRetries(t, b, users[5].ID, 1) // still within the second
	clock.Advance(500 * time.Millisecond)
	wantRetries(t, b, users[5].ID, 0)

	if st := s.Stats(); st.MaxGlobalPerSecond != 5 || st.MaxPerChatPerSecond != 1 || st.TooManyRequests != 2 {
		t.Errorf("stats = %+v", st)
	}
}

// A clock that steps back (an NTP correction) leaves the global window
// exact: a message from before the step still leaves it a second after it
// was sent, not a second after the latest one.
func TestGlobalRateLimitAfterTheClockStepsBack(t *testing.T) {
	s, clock := startClocked(t, Options{GlobalRate: 2})
	b := newBot(t, s)
	u := []*User{s.NewUser("u0"), s.NewUser("u1"), s.NewUser("u2")}
	wantRetries(t, b, u[0].ID, 0) // at t0
	clock.Set(t0.Add(-500 * time.Millisecond))
	wantRetries(t, b, u[1].ID, 0) // at t0 − 0.5 s: two in the window
	clock.Set(t0.Add(600 * time.Millisecond))
	wantRetries(t, b, u[2].ID, 0) // the one at t0 − 0.5 s has left it
	wantRetries(t, b, u[2].ID, 1) // the one at t0 and the one just now fill it
}

func TestStorm(t *testing.T) {
	s, clock := startClocked(t, Options{})
	b := newBot(t, s)
	noor := s.NewUser("Noor")

	s.Storm(10*time.Second, 0)
	wantRetries(t, b, noor.ID, 10)
	clock.Advance(4 * time.Second)
	wantRetries(t, b, noor.ID, 6)
	clock.Advance(6 * time.Second)
	wantRetries(t, b, noor.ID, 0)

	s.Storm(time.Minute, 3)
	wantRetries(t, b, noor.ID, 3)
}

func TestAnswerCallbackQueryRules(t *testing.T) {
	s, clock := startClocked(t, Options{})
	b := newBot(t, s)
	ctx := testCtx(t)
	noor := s.NewUser("Noor")
	answer := func(id string) error {
		_, err := b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: id, Text: "ok"})
		return err
	}
	const tooOld = "query is too old and response timeout expired or query ID is invalid"

	noor.Tap(1, "late")
	late := s.UnansweredCallbacks()[0]
	clock.Advance(15*time.Minute + time.Second)
	wantError(t, answer(late), bot.ErrorBadRequest, tooOld)

	noor.Tap(1, "quick")
	quick := s.UnansweredCallbacks()[1]
	if err := answer(quick); err != nil {
		t.Fatal(err)
	}
	wantError(t, answer(quick), bot.ErrorBadRequest, tooOld)
	wantError(t, answer("no-such-query"), bot.ErrorBadRequest, tooOld)

	if got := s.UnansweredCallbacks(); len(got) != 1 || got[0] != late {
		t.Errorf("unanswered = %v, want [%s]", got, late)
	}
	if got := noor.CallbackAnswers(); len(got) != 1 || got[0].QueryID != quick {
		t.Errorf("answers = %+v", got)
	}
}

func TestParseModes(t *testing.T) {
	s := Start(t, Options{PerChatBurst: 100, GlobalRate: 100})
	b := newBot(t, s)
	ctx := testCtx(t)
	noor := s.NewUser("Noor")
	send := func(text string, mode models.ParseMode) (string, error) {
		m, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: noor.ID, Text: text, ParseMode: mode})
		if err != nil {
			return "", err
		}
		return m.Text, nil
	}
	for _, c := range []struct {
		text    string
		mode    models.ParseMode
		visible string
	}{
		{"<b>Hoi</b> Noor &lt;3", models.ParseModeHTML, "Hoi Noor <3"},
		{`<a href="https://113.nl">113</a>`, models.ParseModeHTML, "113"},
		{`*Hoi* Jan\-Willem\.`, models.ParseModeMarkdown, "Hoi Jan-Willem."},
		{"[113](https://113.nl) ||stil||", models.ParseModeMarkdown, "113 stil"},
		{"*vet* en _schuin_", models.ParseModeMarkdownV1, "vet en schuin"},
	} {
		got, err := send(c.text, c.mode)
		if err != nil || got != c.visible {
			t.Errorf("%s %q = %q, %v; want %q", c.mode, c.text, got, err, c.visible)
		}
	}
	for _, c := range []struct {
		text string
		mode models.ParseMode
		want string
	}{
		{"Hoi Noor <3", models.ParseModeHTML, "can't parse entities"},
		{"<b>Hoi", models.ParseModeHTML, "can't parse entities"},
		{"Hoi Jan-Willem.", models.ParseModeMarkdown, "Character '-' is reserved"},
		{"*Hoi", models.ParseModeMarkdown, "can't parse entities"},
		{"user_name", models.ParseModeMarkdownV1, "can't parse entities"},
		{"x", "html5", "unsupported parse_mode"},
	} {
		_, err := send(c.text, c.mode)
		wantError(t, err, bot.ErrorBadRequest, c.want)
	}
}

func TestCommands(t *testing.T) {
	s := Start(t)
	b := newBot(t, s)
	ctx := testCtx(t)
	coach := s.NewUser("Sanne")
	student := []models.BotCommand{{Command: "start", Description: "Begin"}, {Command: "pauze", Description: "Even niet"}}
	coachCmds := []models.BotCommand{{Command: "overzicht", Description: "Overzicht"}}

	for _, p := range []*bot.SetMyCommandsParams{
		{Commands: student},
		{Commands: student, Scope: &models.BotCommandScopeAllPrivateChats{}, LanguageCode: "nl"},
		{Commands: coachCmds, Scope: &models.BotCommandScopeChat{ChatID: coach.ID}},
	} {
		if _, err := b.SetMyCommands(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	got := s.Commands()
	key := fmt.Sprintf("chat:%d", coach.ID)
	if len(got) != 3 || len(got["default"]) != 2 || len(got["all_private_chats/nl"]) != 2 || got[key][0].Command != "overzicht" {
		t.Errorf("Commands() = %v", got)
	}
	cmds, err := b.GetMyCommands(ctx, &bot.GetMyCommandsParams{Scope: &models.BotCommandScopeChat{ChatID: coach.ID}})
	if err != nil || len(cmds) != 1 {
		t.Errorf("getMyCommands = %v, %v", cmds, err)
	}

	_, err = b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "Start", Description: "x"}}})
	wantError(t, err, bot.ErrorBadRequest, "BOT_COMMAND_INVALID")
	_, err = b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: student, Scope: &models.BotCommandScopeChat{ChatID: 999}})
	wantError(t, err, bot.ErrorBadRequest, "chat not found")

	if _, err := b.DeleteMyCommands(ctx, &bot.DeleteMyCommandsParams{}); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Commands()["default"]; ok {
		t.Error("default commands not deleted")
	}
}

func TestDeleteMessage(t *testing.T) {
	s := Start(t)
	b := newBot(t, s)
	ctx := testCtx(t)
	noor := s.NewUser("Noor")
	msg, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: noor.ID, Text: "weg", ReplyMarkup: moodKeyboard()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: noor.ID, MessageID: msg.ID}); err != nil {
		t.Fatal(err)
	}
	if got, _ := noor.Last(); !got.Deleted {
		t.Errorf("Last() = %+v, want Deleted", got)
	}
	_, err = b.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: noor.ID, MessageID: msg.ID})
	wantError(t, err, bot.ErrorBadRequest, "message to delete not found")
	_, err = b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: noor.ID, MessageID: msg.ID, Text: "x"})
	wantError(t, err, bot.ErrorBadRequest, "message to edit not found")
	if _, err := noor.TapButton(msg.ID, "😀 Goed"); err == nil {
		t.Error("TapButton on a deleted message succeeded")
	}

	noor.Tap(msg.ID, "mood:good") // a stale tap: the message is inaccessible
	_, r := call(t, s, "getUpdates", map[string]any{})
	ups := updates(t, r)
	if cq := ups[len(ups)-1].CallbackQuery; cq == nil || cq.Message.Type != models.MaybeInaccessibleMessageTypeInaccessibleMessage {
		t.Errorf("stale tap = %s", r.Result)
	}
}

func TestChatActionAndMenuButton(t *testing.T) {
	s := Start(t)
	b := newBot(t, s)
	ctx := testCtx(t)
	noor := s.NewUser("Noor")
	if _, err := b.SendChatAction(ctx, &bot.SendChatActionParams{ChatID: noor.ID, Action: models.ChatActionTyping}); err != nil {
		t.Error(err)
	}
	_, err := b.SendChatAction(ctx, &bot.SendChatActionParams{ChatID: noor.ID, Action: "dancing"})
	wantError(t, err, bot.ErrorBadRequest, "action")
	if _, err := b.SetChatMenuButton(ctx, &bot.SetChatMenuButtonParams{
		MenuButton: models.MenuButtonCommands{Type: models.MenuButtonTypeCommands},
	}); err != nil {
		t.Error(err)
	}
	calls := s.Calls()
	if len(calls) != 3 || calls[0].Method != "sendChatAction" || calls[0].ChatID != noor.ID || calls[1].Code != 400 {
		t.Errorf("calls = %+v", calls)
	}
}

func TestWaitForEndsWithContext(t *testing.T) {
	s := Start(t)
	noor := s.NewUser("Noor")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := noor.WaitFor(ctx, func(Sent) bool { return true }); !errors.Is(err, context.Canceled) {
		t.Errorf("WaitFor = %v, want context.Canceled", err)
	}
}

// TestConcurrentUse exercises the server from many goroutines for the race
// detector.
func TestConcurrentUse(t *testing.T) {
	s := Start(t, Options{GlobalRate: 1000, PerChatBurst: 1000})
	b := newBot(t, s)
	var wg sync.WaitGroup
	for i := range 8 {
		u := s.NewUser(fmt.Sprint("u", i))
		wg.Add(2)
		go func() {
			defer wg.Done()
			for range 10 {
				u.SendText("hoi")
				_ = u.Messages()
			}
		}()
		go func() {
			defer wg.Done()
			for range 10 {
				_, _ = b.SendMessage(context.Background(), &bot.SendMessageParams{ChatID: u.ID, Text: "hoi"})
			}
		}()
	}
	wg.Wait()
	if st := s.Stats(); st.Sent != 80 {
		t.Errorf("stats = %+v", st)
	}
}
