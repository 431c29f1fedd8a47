package telegramtest

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/go-telegram/bot/models"
)

// User is a Telegram user in a private chat with the bot; the chat id equals
// the user id. Its fields must not be changed. Its methods act as the user
// (each queues an update and returns its update_id) or inspect the chat.
type User struct {
	ID        int64
	FirstName string
	s         *Server
}

// NewUser creates a user with a new private chat that the bot can write to.
func (s *Server) NewUser(firstName string) *User {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.chats[s.nextUserID] != nil {
		s.nextUserID++
	}
	u := &User{ID: s.nextUserID, FirstName: firstName, s: s}
	s.nextUserID++
	s.chats[u.ID] = newChat(u)
	return u
}

// User returns the user (or other known chat) with this id.
func (s *Server) User(id int64) (*User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.chats[id]; c != nil {
		return c.user, true
	}
	return nil, false
}

// SetLanguage sets the language_code sent with the user's future updates.
func (u *User) SetLanguage(code string) *User {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	u.chat().lang = code
	return u
}

func (u *User) chat() *chat { return u.s.chats[u.ID] }

func (u *User) modelLocked() models.User {
	return models.User{ID: u.ID, FirstName: u.FirstName, LanguageCode: u.chat().lang}
}

// send adds a message from the user, completed by fill, and queues it.
func (u *User) send(fill func(m *models.Message)) int64 {
	s := u.s
	s.mu.Lock()
	defer s.mu.Unlock()
	from := u.modelLocked()
	m := &message{m: models.Message{From: &from}, at: s.now()}
	fill(&m.m)
	u.chat().add(m)
	msg := m.m
	return s.pushLocked(&models.Update{Message: &msg})
}

var commandPrefix = regexp.MustCompile(`^/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]+)?`)

// SendText sends a text message. Text starting with a /command gets a
// bot_command entity, as Telegram adds.
func (u *User) SendText(text string) int64 {
	return u.send(func(m *models.Message) {
		m.Text = text
		if cmd := commandPrefix.FindString(text); cmd != "" {
			m.Entities = []models.MessageEntity{{Type: models.MessageEntityTypeBotCommand, Length: utf16Len(cmd)}}
		}
	})
}

// SendCommand sends "/cmd arg1 arg2 ..."; the leading slash is optional.
func (u *User) SendCommand(cmd string, args ...string) int64 {
	text := "/" + strings.TrimPrefix(cmd, "/")
	if len(args) > 0 {
		text += " " + strings.Join(args, " ")
	}
	return u.SendText(text)
}

// SendSticker sends a sticker.
func (u *User) SendSticker() int64 {
	return u.sendFile("sticker", "sticker.webp", func(m *models.Message, f *file) { m.Sticker = f.sticker() })
}

// SendPhoto sends a photo without caption.
func (u *User) SendPhoto() int64 {
	return u.sendFile("photo", "photo.jpg", func(m *models.Message, f *file) { m.Photo = f.photo() })
}

// SendDocument sends a PDF document.
func (u *User) SendDocument() int64 {
	return u.sendFile("document", "document.pdf", func(m *models.Message, f *file) { m.Document = f.document() })
}

// SendVoice sends a voice message and returns its update id and the voice's
// unique file_id.
func (u *User) SendVoice() (updateID int64, fileID string) {
	updateID = u.sendFile("voice", "voice.ogg", func(m *models.Message, f *file) {
		m.Voice = f.voice()
		fileID = f.id
	})
	return updateID, fileID
}

func (u *User) sendFile(kind, name string, attach func(*models.Message, *file)) int64 {
	return u.send(func(m *models.Message) {
		data := []byte(fmt.Sprintf("%s from %d", kind, u.ID))
		attach(m, u.s.newFileLocked(kind, name, data))
	})
}

// EditText edits the user's own message messageID to newText and queues the
// edited_message update.
func (u *User) EditText(messageID int, newText string) int64 {
	s := u.s
	s.mu.Lock()
	defer s.mu.Unlock()
	m := u.chat().msgs[messageID]
	if m == nil || m.byBot {
		from := u.modelLocked()
		m = &message{m: models.Message{ID: messageID, From: &from, Chat: u.chat().model(), Date: int(s.now().Unix())}}
	}
	m.m.Text = newText
	m.m.EditDate = int(s.now().Unix())
	msg := m.m
	return s.pushLocked(&models.Update{EditedMessage: &msg})
}

// Block blocks the bot: the bot gets a my_chat_member update (member →
// kicked) and every delivery to the chat answers 403.
func (u *User) Block() int64 { return u.setBlocked(true) }

// Unblock undoes Block, with the my_chat_member update (kicked → member).
func (u *User) Unblock() int64 { return u.setBlocked(false) }

func (u *User) setBlocked(blocked bool) int64 {
	s := u.s
	s.mu.Lock()
	defer s.mu.Unlock()
	u.chat().blocked = blocked
	bot := s.botUser()
	member := models.ChatMember{Type: models.ChatMemberTypeMember, Member: &models.ChatMemberMember{User: &bot}}
	kicked := models.ChatMember{Type: models.ChatMemberTypeBanned, Banned: &models.ChatMemberBanned{User: &bot}}
	upd := &models.ChatMemberUpdated{
		Chat: u.chat().model(), From: u.modelLocked(), Date: int(s.now().Unix()),
		OldChatMember: member, NewChatMember: kicked,
	}
	if !blocked {
		upd.OldChatMember, upd.NewChatMember = kicked, member
	}
	return s.pushLocked(&models.Update{MyChatMember: upd})
}

// Messages returns the bot's messages in this chat as they are now (edits
// applied), in order. Deleted messages stay in the list with Deleted set.
func (u *User) Messages() []Sent {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	out := make([]Sent, 0, len(u.chat().botMsgs))
	for _, m := range u.chat().botMsgs {
		out = append(out, u.s.sentLocked(m))
	}
	return out
}

// Last returns the bot's latest message in this chat.
func (u *User) Last() (Sent, bool) {
	msgs := u.Messages()
	if len(msgs) == 0 {
		return Sent{}, false
	}
	return msgs[len(msgs)-1], true
}

// WaitFor returns the first of the bot's messages in this chat, in order,
// that satisfies pred, waiting for new messages and edits until one does or
// ctx ends. pred sees each message as it is now; to wait for a message after
// one you have seen, compare MessageID.
func (u *User) WaitFor(ctx context.Context, pred func(Sent) bool) (Sent, error) {
	var found Sent
	err := u.s.WaitUntil(ctx, func() bool {
		for _, m := range u.Messages() {
			if pred(m) {
				found = m
				return true
			}
		}
		return false
	})
	return found, err
}
