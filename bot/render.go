package bot

import (
	"context"
	"time"

	tgbot "github.com/go-telegram/bot"

	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/locales"
	"github.com/lijntje/lijntje/render"
	"github.com/lijntje/lijntje/store"
)

// Question renders a flow step as one message with its answer buttons
// (render.Question, which the scheduler uses too).
func Question(loc *locales.Catalog, lang string, chatID, checkinID int64, st *flows.Step, prefix string, data map[string]any, lane int) store.Message {
	return render.Question(loc, lang, chatID, checkinID, st, prefix, data, lane)
}

// severityIcon is how a coach sees each severity (render.SeverityIcon).
var severityIcon = render.SeverityIcon

// renderAlert turns an alert outbox row into the message the coach sees now:
// a new message, or an edit of the one they already have. The text and
// buttons are render.Alert's; what needs the store is here.
func (b *Bot) renderAlert(ctx context.Context, m store.Message) (store.Message, error) {
	if m.DeliveryID == 0 && m.EditMessageID != 0 {
		return b.renderMoved(ctx, m) // an old message that points to the new one: alert_messages.go
	}
	v, err := b.st.Alert(ctx, m.AlertID, m.DeliveryID)
	if err != nil {
		return store.Message{}, err
	}
	header := ""
	remind := m.Text == store.RemindMarker // a case open for days, brought back: known.go
	if remind {
		header = b.remindHeader(ctx, v.CoachLang, v)
	}
	f, _ := b.flows.Current(flows.Standard)
	text, rows := render.Alert(b.loc, f, b.cfg.Zone, v, header)
	out := store.Message{ID: m.ID, ChatID: v.ChatID, Lane: m.Lane, Kind: store.KindSend, Text: text, Buttons: rows,
		AlertID: m.AlertID, DeliveryID: m.DeliveryID}
	if v.MessageID != 0 && m.Fresh && !remind {
		b.pointToNew(ctx, m, v.MessageID) // news: a new message, the old one points to it (alert_messages.go)
	} else if v.MessageID != 0 && !remind { // a reminder is a new message too: known.go
		out.Kind, out.EditMessageID = store.KindEdit, v.MessageID
	}
	return out, nil
}

// localTime is t as a day and a time in the deployment's zone.
func (b *Bot) localTime(t time.Time) string { return render.LocalTime(t, b.cfg.Zone) }

func sendText(chatID int64, text string) *tgbot.SendMessageParams {
	return &tgbot.SendMessageParams{ChatID: chatID, Text: clip(text, 4000)}
}
