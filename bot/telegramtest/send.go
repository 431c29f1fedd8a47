package telegramtest

import (
	"github.com/go-telegram/bot/models"
)

// deliverLocked stores a new bot message in c and returns it as Telegram
// returns it to the bot.
func (s *Server) deliverLocked(r *request, c *chat, m *message, kb *markup) models.Message {
	bot := s.botUser()
	m.byBot, m.method, m.at = true, r.method, r.now
	m.m.From = &bot
	if kb != nil {
		m.m.ReplyMarkup, m.reply = kb.inline, kb.reply
	}
	c.add(m)
	s.changed.fire()
	s.notifyLocked(m)
	return m.m
}

func (s *Server) sendMessage(r *request) (any, *apiError) {
	c, aerr := s.targetLocked(r)
	if aerr != nil {
		return nil, aerr
	}
	text, aerr := readText(r.p)
	if aerr != nil {
		return nil, aerr
	}
	kb, aerr := readMarkup(r.p)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := s.admitLocked(r, c); aerr != nil {
		return nil, aerr
	}
	m := &message{m: models.Message{Text: text.visible}, raw: text.raw, parseMode: text.mode}
	return s.deliverLocked(r, c, m, kb), nil
}

func (s *Server) sendPhoto(r *request) (any, *apiError) {
	return s.sendMedia(r, "photo", func(m *models.Message, f *file) { m.Photo = f.photo() })
}

func (s *Server) sendDocument(r *request) (any, *apiError) {
	return s.sendMedia(r, "document", func(m *models.Message, f *file) { m.Document = f.document() })
}

func (s *Server) sendVoice(r *request) (any, *apiError) {
	return s.sendMedia(r, "voice", func(m *models.Message, f *file) { m.Voice = f.voice() })
}

// sendMedia sends the file in parameter kind with an optional caption.
func (s *Server) sendMedia(r *request, kind string, attach func(*models.Message, *file)) (any, *apiError) {
	c, aerr := s.targetLocked(r)
	if aerr != nil {
		return nil, aerr
	}
	caption, aerr := readFormatted(r.p, "caption", maxCaption)
	if aerr != nil {
		return nil, aerr
	}
	kb, aerr := readMarkup(r.p)
	if aerr != nil {
		return nil, aerr
	}
	f, aerr := s.inputFileLocked(r.p, kind, kind)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := s.admitLocked(r, c); aerr != nil {
		return nil, aerr
	}
	m := &message{m: models.Message{Caption: caption.visible}, raw: caption.raw, parseMode: caption.mode}
	attach(&m.m, f)
	return s.deliverLocked(r, c, m, kb), nil
}

func (s *Server) copyMessage(r *request) (any, *apiError) {
	c, aerr := s.targetLocked(r)
	if aerr != nil {
		return nil, aerr
	}
	src, aerr := s.copySourceLocked(r)
	if aerr != nil {
		return nil, aerr
	}
	m := &message{m: copyContent(src.m), raw: src.raw, parseMode: src.parseMode, fromChat: src.m.Chat.ID, copiedID: src.m.ID}
	if r.p.has("caption") && m.m.Text == "" {
		caption, aerr := readFormatted(r.p, "caption", maxCaption)
		if aerr != nil {
			return nil, aerr
		}
		m.m.Caption, m.raw, m.parseMode = caption.visible, caption.raw, caption.mode
	}
	kb, aerr := readMarkup(r.p)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := s.admitLocked(r, c); aerr != nil {
		return nil, aerr
	}
	return models.MessageID{ID: s.deliverLocked(r, c, m, kb).ID}, nil
}

func (s *Server) copySourceLocked(r *request) (*message, *apiError) {
	from, aerr := s.chatLocked(r, "from_chat_id")
	if aerr != nil {
		return nil, aerr
	}
	id, aerr := r.p.int("message_id")
	if aerr != nil {
		return nil, aerr
	}
	src := from.live(int(id))
	if src == nil {
		return nil, badRequest("message to copy not found")
	}
	if kindOf(&src.m) == "other" {
		return nil, badRequest("message can't be copied")
	}
	return src, nil
}

// copyContent is what copyMessage takes from a message: its content, not
// its sender, date or keyboard.
func copyContent(m models.Message) models.Message {
	return models.Message{
		Text: m.Text, Entities: m.Entities, Caption: m.Caption, CaptionEntities: m.CaptionEntities,
		Photo: m.Photo, Document: m.Document, Voice: m.Voice, Sticker: m.Sticker,
	}
}

var chatActions = map[string]bool{
	"typing": true, "upload_photo": true, "record_video": true, "upload_video": true,
	"record_voice": true, "upload_voice": true, "upload_document": true, "choose_sticker": true,
	"find_location": true, "record_video_note": true, "upload_video_note": true,
}

func (s *Server) sendChatAction(r *request) (any, *apiError) {
	if _, aerr := s.targetLocked(r); aerr != nil {
		return nil, aerr
	}
	if !chatActions[r.p.str("action")] {
		return nil, badRequest("wrong parameter action in request")
	}
	return true, nil
}

func (s *Server) setChatMenuButton(r *request) (any, *apiError) {
	if r.p.str("chat_id") != "" {
		if _, aerr := s.chatLocked(r, "chat_id"); aerr != nil {
			return nil, aerr
		}
	}
	var button struct {
		Type string `json:"type"`
	}
	if _, err := r.p.decode("menu_button", &button); err != nil {
		return nil, badRequest("can't parse menu button")
	}
	return true, nil
}
