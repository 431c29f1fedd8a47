package telegramtest

import "github.com/go-telegram/bot/models"

// SendReply sends a text message as a reply (Telegram's "Reply") to message
// messageID of the chat; like Telegram, the update carries the message replied to.
func (u *User) SendReply(messageID int, text string) int64 {
	return u.send(func(m *models.Message) {
		m.Text = text
		if orig := u.chat().live(messageID); orig != nil {
			r := orig.m
			r.ReplyToMessage = nil
			m.ReplyToMessage = &r
		} else {
			m.ReplyToMessage = &models.Message{ID: messageID, Chat: u.chat().model()}
		}
	})
}
