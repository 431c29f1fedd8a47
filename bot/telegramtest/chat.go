package telegramtest

import (
	"time"

	"github.com/go-telegram/bot/models"
)

// Sent is a message the bot put in a chat, as the chat shows it now.
type Sent struct {
	MessageID int
	ChatID    int64
	// Method is the call that created the message: "sendMessage",
	// "sendPhoto", "sendDocument", "sendVoice" or "copyMessage".
	Method string
	// Kind is what the message holds: "text", "photo", "document", "voice",
	// "sticker" or "other". For a copy it is the kind of the original.
	Kind string
	// Text and Caption are what the user sees: parse_mode markup removed,
	// HTML entities decoded.
	Text      string
	Caption   string
	ParseMode string
	// Keyboard is the inline keyboard currently attached, if any.
	Keyboard [][]Button
	// ReplyKeyboard holds the button texts of a custom reply keyboard sent
	// with the message.
	ReplyKeyboard [][]string
	// Photo and Document are the file's bytes: what the bot uploaded, or
	// what is behind the file_id it sent (placeholder bytes for files users
	// sent; nil for URLs). They must not be modified.
	Photo    []byte
	Document []byte
	FileName string
	// FileID is the file_id of the photo (largest size), document, voice or
	// sticker in the message.
	FileID string
	// FromChatID and CopiedMessageID name the original of a copyMessage.
	FromChatID      int64
	CopiedMessageID int
	At              time.Time // when it was sent, on the server clock
	Edits           int       // successful editMessage* calls on it
	Deleted         bool      // deleted with deleteMessage
}

// Button is an inline keyboard button.
type Button struct {
	Text         string
	CallbackData string
	URL          string
}

// chat is a private chat between the bot and one user. Guarded by Server.mu.
type chat struct {
	user    *User
	lang    string
	blocked bool
	lastID  int
	msgs    map[int]*message
	botMsgs []*message // the bot's messages, in order
	answers []CallbackAnswer
	bucket  bucket
}

func newChat(u *User) *chat {
	return &chat{user: u, msgs: map[int]*message{}}
}

func (c *chat) model() models.Chat {
	return models.Chat{ID: c.user.ID, Type: models.ChatTypePrivate, FirstName: c.user.FirstName}
}

// message is a message in a chat, from either side, as it is now.
type message struct {
	m         models.Message
	byBot     bool
	method    string
	raw       string // text or caption before parse_mode processing
	parseMode string
	reply     [][]string
	fromChat  int64
	copiedID  int
	at        time.Time
	edits     int
	deleted   bool
}

// add gives m the chat's next message id and stores it.
func (c *chat) add(m *message) {
	c.lastID++
	m.m.ID = c.lastID
	m.m.Chat = c.model()
	m.m.Date = int(m.at.Unix())
	c.msgs[m.m.ID] = m
	if m.byBot {
		c.botMsgs = append(c.botMsgs, m)
	}
}

// live returns a message that exists and is not deleted.
func (c *chat) live(id int) *message {
	m := c.msgs[id]
	if m == nil || m.deleted {
		return nil
	}
	return m
}

func kindOf(m *models.Message) string {
	switch {
	case m.Text != "":
		return "text"
	case len(m.Photo) > 0:
		return "photo"
	case m.Document != nil:
		return "document"
	case m.Voice != nil:
		return "voice"
	case m.Sticker != nil:
		return "sticker"
	}
	return "other"
}

func fileIDOf(m *models.Message) string {
	switch {
	case len(m.Photo) > 0:
		return m.Photo[len(m.Photo)-1].FileID
	case m.Document != nil:
		return m.Document.FileID
	case m.Voice != nil:
		return m.Voice.FileID
	case m.Sticker != nil:
		return m.Sticker.FileID
	}
	return ""
}

func (s *Server) sentLocked(m *message) Sent {
	out := Sent{
		MessageID:       m.m.ID,
		ChatID:          m.m.Chat.ID,
		Method:          m.method,
		Kind:            kindOf(&m.m),
		Text:            m.m.Text,
		Caption:         m.m.Caption,
		ParseMode:       m.parseMode,
		Keyboard:        buttons(m.m.ReplyMarkup),
		ReplyKeyboard:   m.reply,
		FileID:          fileIDOf(&m.m),
		FromChatID:      m.fromChat,
		CopiedMessageID: m.copiedID,
		At:              m.at,
		Edits:           m.edits,
		Deleted:         m.deleted,
	}
	if m.m.Document != nil {
		out.FileName = m.m.Document.FileName
	}
	if f := s.files[out.FileID]; f != nil {
		switch out.Kind {
		case "photo":
			out.Photo = f.data
		case "document":
			out.Document = f.data
		}
	}
	return out
}

func buttons(kb *models.InlineKeyboardMarkup) [][]Button {
	if kb == nil {
		return nil
	}
	rows := make([][]Button, len(kb.InlineKeyboard))
	for i, row := range kb.InlineKeyboard {
		for _, b := range row {
			rows[i] = append(rows[i], Button{Text: b.Text, CallbackData: b.CallbackData, URL: b.URL})
		}
	}
	return rows
}

// chatLocked returns the chat for a chat_id parameter.
func (s *Server) chatLocked(r *request, key string) (*chat, *apiError) {
	v := r.p.str(key)
	if v == "" {
		return nil, badRequest("%s is empty", key)
	}
	id, aerr := r.p.int(key)
	if aerr != nil || s.chats[id] == nil {
		return nil, errChatNotFound
	}
	return s.chats[id], nil
}

// targetLocked returns the chat a message is to be delivered to.
func (s *Server) targetLocked(r *request) (*chat, *apiError) {
	c, aerr := s.chatLocked(r, "chat_id")
	if aerr != nil {
		return nil, aerr
	}
	if c.blocked {
		return nil, errBlocked
	}
	return c, nil
}
