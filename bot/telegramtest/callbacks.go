package telegramtest

import (
	"fmt"
	"time"

	"github.com/go-telegram/bot/models"
)

// callbackTimeout is how long Telegram accepts an answer to a callback query.
const callbackTimeout = 15 * time.Minute

// callback is a tapped button. Guarded by Server.mu.
type callback struct {
	user     int64
	at       time.Time
	answered bool
}

// CallbackAnswer is an accepted answerCallbackQuery call.
type CallbackAnswer struct {
	QueryID   string
	Text      string
	ShowAlert bool
	URL       string
	At        time.Time
}

func (s *Server) addCallbackLocked(id string, user int64) {
	s.callbacks[id] = &callback{user: user, at: s.now()}
	s.cbOrder = append(s.cbOrder, id)
}

// Tap taps the inline button with callbackData on message messageID and
// queues the callback_query update. Its message is the bot's message as the
// chat shows it now (or an inaccessible message if there is none); Tap does
// not check that the keyboard has such a button, so stale or forged data can
// be sent too. The query must be answered within 15 minutes.
func (u *User) Tap(messageID int, callbackData string) int64 {
	s := u.s
	s.mu.Lock()
	defer s.mu.Unlock()
	id := fmt.Sprintf("%d%06d", u.ID, len(s.cbOrder)+1)
	s.addCallbackLocked(id, u.ID)
	q := &models.CallbackQuery{
		ID:           id,
		From:         u.modelLocked(),
		Message:      u.shownLocked(messageID),
		ChatInstance: fmt.Sprintf("-%d", u.ID*7),
		Data:         callbackData,
	}
	return s.pushLocked(&models.Update{CallbackQuery: q})
}

// TapButton taps the button labelled text on message messageID, as a user
// can only tap what is shown. It fails if the message has no such
// callback button now.
func (u *User) TapButton(messageID int, text string) (int64, error) {
	u.s.mu.Lock()
	m := u.chat().live(messageID)
	var data string
	if m != nil {
		data = findButton(m.m.ReplyMarkup, text)
	}
	u.s.mu.Unlock()
	if data == "" {
		return 0, fmt.Errorf("telegramtest: message %d in chat %d has no callback button %q", messageID, u.ID, text)
	}
	return u.Tap(messageID, data), nil
}

func findButton(kb *models.InlineKeyboardMarkup, text string) string {
	for _, row := range buttons(kb) {
		for _, b := range row {
			if b.Text == text && b.CallbackData != "" {
				return b.CallbackData
			}
		}
	}
	return ""
}

func (u *User) shownLocked(messageID int) models.MaybeInaccessibleMessage {
	if m := u.chat().live(messageID); m != nil {
		msg := m.m
		return models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage, Message: &msg}
	}
	return models.MaybeInaccessibleMessage{
		Type:                models.MaybeInaccessibleMessageTypeInaccessibleMessage,
		InaccessibleMessage: &models.InaccessibleMessage{Chat: u.chat().model(), MessageID: messageID},
	}
}

var errQueryInvalid = badRequest("query is too old and response timeout expired or query ID is invalid")

func (s *Server) answerCallbackQuery(r *request) (any, *apiError) {
	cb := s.callbacks[r.p.str("callback_query_id")]
	if cb == nil || cb.answered || r.now.Sub(cb.at) > callbackTimeout {
		return nil, errQueryInvalid
	}
	r.chatID = cb.user
	text := r.p.str("text")
	if utf16Len(text) > maxAnswerText {
		return nil, badRequest("MESSAGE_TOO_LONG")
	}
	cb.answered = true
	if c := s.chats[cb.user]; c != nil {
		c.answers = append(c.answers, CallbackAnswer{
			QueryID: r.p.str("callback_query_id"), Text: text, ShowAlert: r.p.flag("show_alert"),
			URL: r.p.str("url"), At: r.now,
		})
	}
	return true, nil
}

// CallbackAnswers returns the accepted answers to this user's taps, in order.
func (u *User) CallbackAnswers() []CallbackAnswer {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	return append([]CallbackAnswer(nil), u.chat().answers...)
}

// UnansweredCallbacks returns the ids of callback queries never answered, in
// tap order.
func (s *Server) UnansweredCallbacks() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, id := range s.cbOrder {
		if !s.callbacks[id].answered {
			out = append(out, id)
		}
	}
	return out
}
