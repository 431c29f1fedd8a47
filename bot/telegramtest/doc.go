// Package telegramtest provides a fake Telegram Bot API server, in the
// manner of net/http/httptest, for tests, demos and benchmarks.
//
// The server speaks the real HTTP API on a loopback address, so a bot built
// on github.com/go-telegram/bot (or any client posting JSON, form or
// multipart requests to /bot<token>/<method>) runs against it unchanged. It
// keeps Telegram's rules where a bot can get them wrong: the envelope and
// HTTP status of every error, getUpdates offsets and the 409 conflicts,
// message and caption length (counted in UTF-16 code units after
// parse_mode processing), parse_mode syntax, callback_data of 1-64 bytes,
// blocked users (403), unknown chats, "message is not modified", callback
// queries answered once within 15 minutes, and per-chat and global rate
// limits (429 with retry_after). Unknown methods get 404 as on Telegram.
//
// Simulated users write to the bot with User methods (SendText, Tap,
// SendVoice, Block, ...); what the bot did is read back with
// User.Messages, User.WaitFor, Server.Calls and Server.Stats. Faults are
// injected with Server.FailNext and Server.Storm. Options.Now (for instance
// a stopped clock.Clock's Now) drives dates, rate limits and expiry, so tests need not sleep.
//
// Supported methods: getMe, getUpdates, setWebhook, deleteWebhook,
// getWebhookInfo, sendMessage, sendPhoto, sendDocument, sendVoice,
// copyMessage, editMessageText, editMessageReplyMarkup, deleteMessage,
// answerCallbackQuery, setMyCommands, deleteMyCommands, getMyCommands,
// sendChatAction and setChatMenuButton. Only private chats are modelled.
//
// A test:
//
//	func TestWelcome(t *testing.T) {
//		srv := telegramtest.Start(t)
//		b, _ := bot.New(srv.Token(), bot.WithServerURL(srv.URL), bot.WithSkipGetMe(),
//			bot.WithDefaultHandler(myHandler))
//		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
//		defer cancel()
//		go b.Start(ctx)
//
//		noor := srv.NewUser("Noor").SetLanguage("nl")
//		noor.SendCommand("start", "invite123")
//		msg, err := noor.WaitFor(ctx, func(m telegramtest.Sent) bool {
//			return strings.Contains(m.Text, "Welkom")
//		})
//		if err != nil {
//			t.Fatal(err)
//		}
//		noor.TapButton(msg.MessageID, "👍 Goed")
//		// ... then check noor.CallbackAnswers(), srv.Stats().TooManyRequests == 0
//	}
//
// Long-poll timeouts and webhook retry backoff use real time; everything
// else uses Options.Now.
package telegramtest
