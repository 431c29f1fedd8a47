package sender

import (
	"bytes"
	"context"
	"fmt"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/lijntje/lijntje/store"
)

// The Telegram request for each kind of outbox message. Text sends and
// edits go as small JSON requests when the sender knows the API URL and
// token (textcall.go); the rest through go-telegram/bot.

func keyboard(rows [][]store.Button) models.ReplyMarkup {
	if len(rows) == 0 {
		return nil
	}
	kb := &models.InlineKeyboardMarkup{InlineKeyboard: make([][]models.InlineKeyboardButton, len(rows))}
	for i, r := range rows {
		for _, b := range r {
			kb.InlineKeyboard[i] = append(kb.InlineKeyboard[i], models.InlineKeyboardButton{Text: b.Text, CallbackData: b.Data})
		}
	}
	return kb
}

// call makes the Telegram request for m and returns the resulting message ID.
func (s *Sender) call(ctx context.Context, m store.Message) (int, error) {
	if m.Kind == store.KindAlert {
		if s.hooks.Render == nil {
			return 0, fmt.Errorf("alert %d: %w", m.AlertID, errPermanent)
		}
		r, err := s.hooks.Render(ctx, m)
		if err != nil {
			return 0, renderError(m, err) // temporary: retried
		}
		m = r
	}
	m = fitMessage(m)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if s.text != nil && (m.Kind == store.KindSend || m.Kind == store.KindEdit) {
		id, err := s.text.do(ctx, m, s.cfg.PaidBroadcast && m.Lane == store.LaneBulk)
		if err != nil && cardGone(m, err) { // the card was deleted: its question comes as a new message
			m.Kind = store.KindSend
			return s.text.do(ctx, m, false)
		}
		if err != nil && m.Kind == store.KindEdit {
			return id, editError(err)
		}
		return id, err
	}
	switch m.Kind {
	case store.KindSend:
		msg, err := s.tg.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: m.ChatID, Text: m.Text, ReplyMarkup: keyboard(m.Buttons),
			AllowPaidBroadcast: s.cfg.PaidBroadcast && m.Lane == store.LaneBulk})
		if err != nil {
			return 0, err
		}
		return msg.ID, nil
	case store.KindEdit:
		p := &tgbot.EditMessageTextParams{ChatID: m.ChatID, MessageID: m.EditMessageID, Text: m.Text}
		if kb := keyboard(m.Buttons); kb != nil {
			p.ReplyMarkup = kb
		}
		msg, err := s.tg.EditMessageText(ctx, p)
		if err != nil {
			if cardGone(m, err) { // the card was deleted: its question comes as a new message
				m.Kind = store.KindSend
				return s.call(ctx, m)
			}
			return 0, editError(err)
		}
		return msg.ID, nil
	case store.KindPhoto:
		msg, err := s.tg.SendPhoto(ctx, &tgbot.SendPhotoParams{ChatID: m.ChatID, Caption: m.Text,
			Photo: &models.InputFileUpload{Filename: "chart.png", Data: bytes.NewReader(m.File)}, ReplyMarkup: keyboard(m.Buttons)})
		if err != nil {
			return 0, err
		}
		return msg.ID, nil
	case store.KindDocument:
		msg, err := s.tg.SendDocument(ctx, &tgbot.SendDocumentParams{ChatID: m.ChatID, Caption: m.Text,
			Document: &models.InputFileUpload{Filename: m.FileName, Data: bytes.NewReader(m.File)}})
		if err != nil {
			return 0, err
		}
		return msg.ID, nil
	case store.KindDelete:
		if _, err := s.tg.DeleteMessage(ctx, &tgbot.DeleteMessageParams{ChatID: m.ChatID, MessageID: m.EditMessageID}); err != nil {
			return 0, err
		}
		return 0, nil
	case store.KindCopy:
		id, err := s.tg.CopyMessage(ctx, &tgbot.CopyMessageParams{ChatID: m.ChatID, FromChatID: m.FromChatID, MessageID: m.CopyMessageID,
			Caption: m.Text})
		if err != nil {
			return 0, err
		}
		return id.ID, nil
	}
	return 0, fmt.Errorf("unknown kind %q: %w", m.Kind, errPermanent)
}
