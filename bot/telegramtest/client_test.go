package telegramtest

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func moodKeyboard() *models.InlineKeyboardMarkup {
	return keyboard([]models.InlineKeyboardButton{
		{Text: "😀 Goed", CallbackData: "mood:good"},
		{Text: "😞 Slecht", CallbackData: "mood:bad"},
	})
}

func TestSendMessageWithInlineKeyboard(t *testing.T) {
	s := Start(t)
	b := newBot(t, s)
	noor := s.NewUser("Noor")

	msg, err := b.SendMessage(testCtx(t), &bot.SendMessageParams{
		ChatID: noor.ID, Text: "Hoe gaat het?", ReplyMarkup: moodKeyboard(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if msg.ID != 1 || msg.Chat.ID != noor.ID || msg.From.ID != s.BotID() || msg.ReplyMarkup == nil {
		t.Errorf("returned message = %+v", msg)
	}
	got, _ := noor.Last()
	want := Sent{
		MessageID: 1, ChatID: noor.ID, Method: "sendMessage", Kind: "text", Text: "Hoe gaat het?",
		Keyboard: [][]Button{{{Text: "😀 Goed", CallbackData: "mood:good"}, {Text: "😞 Slecht", CallbackData: "mood:bad"}}},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Sent{}, "At")); diff != "" {
		t.Errorf("Last() (-want +got):\n%s", diff)
	}
}

// TestCallbackRoundTrip runs a bot with go-telegram's long polling: the
// user starts, taps an answer, and the bot edits the question and answers
// the callback.
func TestCallbackRoundTrip(t *testing.T) {
	s := Start(t)
	seen := make(chan *models.CallbackQuery, 1)
	b := newBot(t, s, bot.WithDefaultHandler(func(ctx context.Context, b *bot.Bot, u *models.Update) {
		switch {
		case u.Message != nil:
			_, _ = b.SendMessage(ctx, &bot.SendMessageParams{
				ChatID: u.Message.Chat.ID, Text: "Hoe gaat het?", ReplyMarkup: moodKeyboard(),
			})
		case u.CallbackQuery != nil:
			seen <- u.CallbackQuery
			m := u.CallbackQuery.Message.Message
			_, _ = b.EditMessageText(ctx, &bot.EditMessageTextParams{
				ChatID: m.Chat.ID, MessageID: m.ID, Text: m.Text + " ✅ " + u.CallbackQuery.Data,
			})
			_, _ = b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{
				CallbackQueryID: u.CallbackQuery.ID, Text: "Dank je!",
			})
		}
	}))
	runBot(t, b)
	ctx := testCtx(t)
	noor := s.NewUser("Noor")

	noor.SendCommand("start", "invite123")
	q, err := noor.WaitFor(ctx, func(m Sent) bool { return len(m.Keyboard) > 0 })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := noor.TapButton(q.MessageID, "😀 Goed"); err != nil {
		t.Fatal(err)
	}
	edited, err := noor.WaitFor(ctx, func(m Sent) bool { return m.Edits > 0 })
	if err != nil {
		t.Fatal(err)
	}
	if edited.Text != "Hoe gaat het? ✅ mood:good" || edited.Keyboard != nil {
		t.Errorf("edited = %+v, want new text and no keyboard", edited)
	}
	cq := <-seen
	if m := cq.Message.Message; m == nil || m.ID != q.MessageID || m.ReplyMarkup == nil || m.Text != q.Text {
		t.Errorf("callback message = %+v, want the question with its keyboard", cq.Message)
	}
	err = s.WaitUntil(ctx, func() bool { return len(noor.CallbackAnswers()) == 1 })
	if err != nil {
		t.Fatal(err)
	}
	if a := noor.CallbackAnswers()[0]; a.Text != "Dank je!" || a.QueryID != cq.ID {
		t.Errorf("answer = %+v", a)
	}
	if u := s.UnansweredCallbacks(); len(u) != 0 {
		t.Errorf("unanswered = %v", u)
	}
}

func TestEditMessageText(t *testing.T) {
	s := Start(t)
	b := newBot(t, s)
	ctx := testCtx(t)
	noor := s.NewUser("Noor")
	msg, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: noor.ID, Text: "Vraag", ReplyMarkup: moodKeyboard()})
	if err != nil {
		t.Fatal(err)
	}

	_, err = b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: noor.ID, MessageID: 99, Text: "x"})
	wantError(t, err, bot.ErrorBadRequest, "message to edit not found")
	_, err = b.EditMessageText(ctx, &bot.EditMessageTextParams{
		ChatID: noor.ID, MessageID: msg.ID, Text: "Vraag", ReplyMarkup: moodKeyboard(),
	})
	wantError(t, err, bot.ErrorBadRequest, "message is not modified")

	edited, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: noor.ID, MessageID: msg.ID, Text: "Vraag ✅"})
	if err != nil {
		t.Fatal(err)
	}
	if edited.EditDate == 0 || edited.ReplyMarkup != nil {
		t.Errorf("edited = %+v, want edit_date and no keyboard", edited)
	}
	if got, _ := noor.Last(); got.Text != "Vraag ✅" || got.Edits != 1 || got.Keyboard != nil {
		t.Errorf("Last() = %+v", got)
	}

	_, err = b.EditMessageReplyMarkup(ctx, &bot.EditMessageReplyMarkupParams{ChatID: noor.ID, MessageID: msg.ID})
	wantError(t, err, bot.ErrorBadRequest, "message is not modified")
	_, err = b.EditMessageReplyMarkup(ctx, &bot.EditMessageReplyMarkupParams{
		ChatID: noor.ID, MessageID: msg.ID, ReplyMarkup: moodKeyboard(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := noor.Last(); got.Edits != 2 || len(got.Keyboard) != 1 {
		t.Errorf("Last() = %+v", got)
	}
}

func TestSendPhotoAndDocumentUploads(t *testing.T) {
	s := Start(t, Options{PerChatBurst: 10})
	b := newBot(t, s)
	ctx := testCtx(t)
	coach := s.NewUser("Sanne")
	png := []byte("\x89PNG\r\n\x1a\nweekchart")

	msg, err := b.SendPhoto(ctx, &bot.SendPhotoParams{
		ChatID: coach.ID, Caption: "Week 12",
		Photo: &models.InputFileUpload{Filename: "week.png", Data: bytes.NewReader(png)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(msg.Photo) != 3 || msg.Caption != "Week 12" {
		t.Fatalf("returned message = %+v", msg)
	}
	got, _ := coach.Last()
	if !bytes.Equal(got.Photo, png) || got.Kind != "photo" || got.Caption != "Week 12" || got.FileID != msg.Photo[2].FileID {
		t.Errorf("Last() = %+v", got)
	}

	// Again by file_id: the same bytes, no upload.
	if _, err := b.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: coach.ID, Photo: &models.InputFileString{Data: msg.Photo[2].FileID}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := coach.Last(); !bytes.Equal(got.Photo, png) {
		t.Errorf("photo by file_id = %q", got.Photo)
	}
	_, err = b.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: coach.ID, Photo: &models.InputFileString{Data: "nope"}})
	wantError(t, err, bot.ErrorBadRequest, "wrong file identifier")

	_, err = b.SendPhoto(ctx, &bot.SendPhotoParams{
		ChatID: coach.ID, Caption: strings.Repeat("x", 1025),
		Photo: &models.InputFileUpload{Filename: "week.png", Data: bytes.NewReader(png)},
	})
	wantError(t, err, bot.ErrorBadRequest, "message caption is too long")

	csv := []byte("naam,score\nNoor,4\n")
	if _, err := b.SendDocument(ctx, &bot.SendDocumentParams{
		ChatID: coach.ID, Document: &models.InputFileUpload{Filename: "export.csv", Data: bytes.NewReader(csv)},
	}); err != nil {
		t.Fatal(err)
	}
	if got, _ := coach.Last(); !bytes.Equal(got.Document, csv) || got.FileName != "export.csv" || got.Kind != "document" {
		t.Errorf("Last() = %+v", got)
	}
}

func TestCopyVoiceToCoach(t *testing.T) {
	s := Start(t)
	b := newBot(t, s)
	ctx := testCtx(t)
	student, coach := s.NewUser("Noor"), s.NewUser("Sanne")
	_, fileID := student.SendVoice()
	_, r := call(t, s, "getUpdates", map[string]any{})
	voice := updates(t, r)[0].Message
	if voice.Voice == nil || voice.Voice.FileID != fileID {
		t.Fatalf("update message = %+v, want voice %s", voice, fileID)
	}

	id, err := b.CopyMessage(ctx, &bot.CopyMessageParams{ChatID: coach.ID, FromChatID: student.ID, MessageID: voice.ID})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := coach.Last()
	want := Sent{
		MessageID: id.ID, ChatID: coach.ID, Method: "copyMessage", Kind: "voice", FileID: fileID,
		FromChatID: student.ID, CopiedMessageID: voice.ID,
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Sent{}, "At")); diff != "" {
		t.Errorf("copy (-want +got):\n%s", diff)
	}

	_, err = b.CopyMessage(ctx, &bot.CopyMessageParams{ChatID: coach.ID, FromChatID: student.ID, MessageID: 77})
	wantError(t, err, bot.ErrorBadRequest, "message to copy not found")
}

func TestTextLimits(t *testing.T) {
	s := Start(t, Options{PerChatBurst: 100, GlobalRate: 100})
	b := newBot(t, s)
	ctx := testCtx(t)
	noor := s.NewUser("Noor")
	send := func(text, parseMode string) error {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: noor.ID, Text: text, ParseMode: models.ParseMode(parseMode)})
		return err
	}

	for _, ok := range []struct{ text, mode string }{
		{strings.Repeat("a", 4096), ""},
		{strings.Repeat("😀", 2048), ""}, // 4096 UTF-16 code units
		{"<b>" + strings.Repeat("a", 4096) + "</b>", "HTML"},
	} {
		if err := send(ok.text, ok.mode); err != nil {
			t.Errorf("%d units: %v", utf16Len(ok.text), err)
		}
	}
	for _, bad := range []struct{ text, want string }{
		{strings.Repeat("a", 4097), "message is too long"},
		{strings.Repeat("😀", 2049), "message is too long"}, // 2049 runes, 4098 units
		{"", "message text is empty"},
		{"  \n ", "message must be non-empty"},
	} {
		wantError(t, send(bad.text, ""), bot.ErrorBadRequest, bad.want)
	}
	if n := len(noor.Messages()); n != 3 {
		t.Errorf("%d messages delivered, want 3", n)
	}
}

func TestCallbackDataLimit(t *testing.T) {
	s := Start(t, Options{PerChatBurst: 100, GlobalRate: 100})
	b := newBot(t, s)
	ctx := testCtx(t)
	noor := s.NewUser("Noor")
	send := func(buttons ...models.InlineKeyboardButton) error {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: noor.ID, Text: "?", ReplyMarkup: keyboard(buttons)})
		return err
	}

	if err := send(models.InlineKeyboardButton{Text: "ok", CallbackData: strings.Repeat("x", 64)}); err != nil {
		t.Error(err)
	}
	if err := send(models.InlineKeyboardButton{Text: "ok", CallbackData: strings.Repeat("é", 32)}); err != nil {
		t.Error(err) // 64 bytes
	}
	if err := send(models.InlineKeyboardButton{Text: "site", URL: "https://113.nl"}); err != nil {
		t.Error(err)
	}
	wantError(t, send(models.InlineKeyboardButton{Text: "x", CallbackData: strings.Repeat("x", 65)}), bot.ErrorBadRequest, "BUTTON_DATA_INVALID")
	wantError(t, send(models.InlineKeyboardButton{Text: "x", CallbackData: strings.Repeat("é", 33)}), bot.ErrorBadRequest, "BUTTON_DATA_INVALID")
	wantError(t, send(models.InlineKeyboardButton{Text: "x"}), bot.ErrorBadRequest, "Text buttons are unallowed")
	wantError(t, send(models.InlineKeyboardButton{CallbackData: "a"}), bot.ErrorBadRequest, "BUTTON_TEXT_INVALID")

	// Plain JSON clients can send an empty callback_data.
	code, r := call(t, s, "sendMessage", map[string]any{
		"chat_id": noor.ID, "text": "?",
		"reply_markup": map[string]any{"inline_keyboard": [][]map[string]string{{{"text": "x", "callback_data": ""}}}},
	})
	if code != 400 || r.Description != "Bad Request: BUTTON_DATA_INVALID" {
		t.Errorf("empty callback_data: %d %q", code, r.Description)
	}
}

func TestBlockedUserGets403(t *testing.T) {
	s := Start(t)
	b := newBot(t, s)
	ctx := testCtx(t)
	noor := s.NewUser("Noor")

	noor.Block()
	_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: noor.ID, Text: "Hoi"})
	if !errors.Is(err, bot.ErrorForbidden) || !strings.Contains(err.Error(), "bot was blocked by the user") {
		t.Fatalf("err = %v, want bot.ErrorForbidden", err)
	}
	_, r := call(t, s, "getUpdates", map[string]any{})
	if ups := updates(t, r); len(ups) != 1 || ups[0].MyChatMember == nil || ups[0].MyChatMember.NewChatMember.Type != models.ChatMemberTypeBanned {
		t.Errorf("updates = %s, want my_chat_member kicked", r.Result)
	}
	noor.Unblock()
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: noor.ID, Text: "Hoi"}); err != nil {
		t.Fatal(err)
	}
	_, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 555, Text: "Hoi"})
	wantError(t, err, bot.ErrorBadRequest, "chat not found")
	if st := s.Stats(); st.Forbidden != 1 || st.Sent != 1 || st.BadRequest != 1 {
		t.Errorf("stats = %+v", st)
	}
}

func TestInjectedFailures(t *testing.T) {
	s := Start(t)
	b := newBot(t, s)
	ctx := testCtx(t)
	noor, sanne := s.NewUser("Noor"), s.NewUser("Sanne")
	s.FailNext("sendMessage", noor.ID, 2, 429, 7)
	s.FailNext("sendchataction", 0, 1, 500, 0)

	for range 2 {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: noor.ID, Text: "Hoi"})
		var tooMany *bot.TooManyRequestsError
		if !errors.As(err, &tooMany) || tooMany.RetryAfter != 7 {
			t.Fatalf("err = %v, want TooManyRequestsError with RetryAfter 7", err)
		}
	}
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: sanne.ID, Text: "Hoi"}); err != nil {
		t.Errorf("other chat: %v", err)
	}
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: noor.ID, Text: "Hoi"}); err != nil {
		t.Errorf("after the failures: %v", err)
	}
	_, err := b.SendChatAction(ctx, &bot.SendChatActionParams{ChatID: noor.ID, Action: models.ChatActionTyping})
	wantError(t, err, nil, "Internal Server Error")
	if st := s.Stats(); st.TooManyRequests != 2 || st.ServerErrors != 1 || st.Sent != 2 {
		t.Errorf("stats = %+v", st)
	}
}

func TestGetMeAndUnknownMethods(t *testing.T) {
	s := Start(t, Options{Token: "42:SECRET", BotUsername: "coach_bot"})
	b, err := bot.New(s.Token(), bot.WithServerURL(s.URL)) // calls getMe
	if err != nil {
		t.Fatal(err)
	}
	me, err := b.GetMe(testCtx(t))
	if err != nil || me.ID != 42 || me.Username != "coach_bot" || !me.IsBot {
		t.Errorf("getMe = %+v, %v", me, err)
	}
	if _, err := b.SendDice(testCtx(t), &bot.SendDiceParams{ChatID: 1}); !errors.Is(err, bot.ErrorNotFound) {
		t.Errorf("sendDice err = %v, want 404", err)
	}
	code, r, err := do(s.URL+"/bot42:WRONG/getMe", "application/json", strings.NewReader("{}"))
	if err != nil || code != 401 || r.Description != "Unauthorized" {
		t.Errorf("wrong token: %d %+v %v", code, r, err)
	}
	if code, r := call(t, s, "GETME", nil); code != 200 {
		t.Errorf("method names are case-insensitive: %d %+v", code, r)
	}
}
