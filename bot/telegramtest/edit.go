package telegramtest

import (
	"time"

	"github.com/go-telegram/bot/models"
)

const (
	notModified   = "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"
	deleteTimeout = 48 * time.Hour
)

// editTargetLocked returns the chat and bot message an edit applies to.
func (s *Server) editTargetLocked(r *request) (*chat, *message, *apiError) {
	if r.p.str("inline_message_id") != "" && r.p.str("chat_id") == "" {
		return nil, nil, badRequest("MESSAGE_ID_INVALID")
	}
	c, aerr := s.targetLocked(r)
	if aerr != nil {
		return nil, nil, aerr
	}
	id, aerr := r.p.int("message_id")
	if aerr != nil {
		return nil, nil, aerr
	}
	m := c.live(int(id))
	switch {
	case m == nil:
		return nil, nil, badRequest("message to edit not found")
	case !m.byBot:
		return nil, nil, badRequest("message can't be edited")
	}
	return c, m, nil
}

// readEditMarkup reads the keyboard of an edit; an edit without
// reply_markup removes the keyboard, as on Telegram.
func readEditMarkup(p params) (*models.InlineKeyboardMarkup, *apiError) {
	kb, aerr := readMarkup(p)
	if aerr != nil {
		return nil, aerr
	}
	return inlineOnly(kb)
}

func (s *Server) editMessageText(r *request) (any, *apiError) {
	c, m, aerr := s.editTargetLocked(r)
	if aerr != nil {
		return nil, aerr
	}
	text, aerr := readText(r.p)
	if aerr != nil {
		return nil, aerr
	}
	kb, aerr := readEditMarkup(r.p)
	if aerr != nil {
		return nil, aerr
	}
	switch {
	case m.m.Text == "":
		return nil, badRequest("there is no text in the message to edit")
	case m.raw == text.raw && m.parseMode == text.mode && sameKeyboard(m.m.ReplyMarkup, kb):
		return nil, badRequest(notModified)
	}
	if aerr := s.admitLocked(r, c); aerr != nil {
		return nil, aerr
	}
	m.m.Text, m.raw, m.parseMode = text.visible, text.raw, text.mode
	return s.editedLocked(r, m, kb), nil
}

func (s *Server) editMessageReplyMarkup(r *request) (any, *apiError) {
	c, m, aerr := s.editTargetLocked(r)
	if aerr != nil {
		return nil, aerr
	}
	kb, aerr := readEditMarkup(r.p)
	if aerr != nil {
		return nil, aerr
	}
	if sameKeyboard(m.m.ReplyMarkup, kb) {
		return nil, badRequest(notModified)
	}
	if aerr := s.admitLocked(r, c); aerr != nil {
		return nil, aerr
	}
	return s.editedLocked(r, m, kb), nil
}

func (s *Server) editedLocked(r *request, m *message, kb *models.InlineKeyboardMarkup) models.Message {
	m.m.ReplyMarkup = kb
	m.m.EditDate = int(r.now.Unix())
	m.edits++
	s.changed.fire()
	s.notifyLocked(m)
	return m.m
}

func (s *Server) deleteMessage(r *request) (any, *apiError) {
	c, aerr := s.chatLocked(r, "chat_id")
	if aerr != nil {
		return nil, aerr
	}
	id, aerr := r.p.int("message_id")
	if aerr != nil {
		return nil, aerr
	}
	m := c.live(int(id))
	switch {
	case m == nil:
		return nil, badRequest("message to delete not found")
	case r.now.Sub(m.at) > deleteTimeout:
		return nil, badRequest("message can't be deleted for everyone")
	}
	m.deleted = true
	s.changed.fire()
	return true, nil
}
