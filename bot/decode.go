package bot

import "github.com/go-telegram/bot/models"

// update decodes a models.Update as Telegram sends it (getUpdates, webhook),
// with the tapped message of a callback query decoded once.
// go-telegram/bot's MaybeInaccessibleMessage decodes that message twice (a
// first pass only for its date), and the message is the whole card with its
// buttons: on every tap, this was most of the update's decoding.
//
// Its fields shadow models.Update's field of the same JSON name
// (encoding/json takes the shallower field); model gives the models.Update.
type update struct {
	models.Update
	CallbackQuery *callbackQuery `json:"callback_query,omitempty"`
}

type callbackQuery struct {
	models.CallbackQuery
	Message *models.Message `json:"message,omitempty"`
}

// model is u as go-telegram/bot would have decoded it.
func (u *update) model() models.Update {
	m := u.Update
	if cq := u.CallbackQuery; cq != nil {
		q := cq.CallbackQuery
		q.Message = maybeInaccessible(cq.Message)
		m.CallbackQuery = &q
	}
	return m
}

// maybeInaccessible is what MaybeInaccessibleMessage.UnmarshalJSON makes of
// msg: Telegram sends a message the bot can no longer reach with date 0.
func maybeInaccessible(msg *models.Message) models.MaybeInaccessibleMessage {
	switch {
	case msg == nil: // no message at all (a button under an inline message)
		return models.MaybeInaccessibleMessage{}
	case msg.Date == 0:
		return models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeInaccessibleMessage,
			InaccessibleMessage: &models.InaccessibleMessage{Chat: msg.Chat, MessageID: msg.ID}}
	}
	return models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage, Message: msg}
}
