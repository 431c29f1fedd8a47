package bot

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/go-telegram/bot/models"
)

// decodeUpdate decodes one update. A field of a type go-telegram/bot's
// models do not expect (Telegram's API moves on; the models follow later)
// fails only that field: the update is returned as far as it was understood,
// with an error that says which field, so one odd update neither stops
// intake nor is dropped unseen. An update whose ID cannot be read comes back
// with ID 0.
func decodeUpdate(raw []byte) (models.Update, error) {
	var u update
	err := json.Unmarshal(raw, &u)
	if err == nil {
		return u.model(), nil
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && u.ID != 0 {
		// The field's name and Go type, and the JSON kind it got (no content).
		return u.model(), fmt.Errorf("update %d: field %s is a JSON %s, not %s; handled as far as understood", u.ID, typeErr.Field, jsonKind(typeErr.Value), typeErr.Type)
	}
	var id struct {
		ID int64 `json:"update_id"`
	}
	if json.Unmarshal(raw, &id) == nil && id.ID != 0 {
		return models.Update{ID: id.ID}, fmt.Errorf("update %d: cannot be decoded (%T); skipped", id.ID, err)
	}
	return models.Update{}, fmt.Errorf("an update without a readable update_id (%T); skipped", err)
}

// jsonKind is the kind of JSON value an UnmarshalTypeError names ("number
// 12" becomes "number"), so no value reaches the log.
func jsonKind(v string) string {
	kind, _, _ := strings.Cut(v, " ")
	return kind
}

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
