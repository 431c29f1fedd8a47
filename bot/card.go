package bot

import (
	"context"

	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/render"
	"github.com/lijntje/lijntje/store"
)

// A check-in is one card (render/card.go): the opener, then each tap edits
// it into the answers so far and the next question. The texts are rendered
// there; here is what needs Telegram or the store.

// cardLines returns the answer lines of a card's text.
func cardLines(text string) []string { return render.CardLines(text) }

// cardLine is the line of one answer: the question, shortened, and the choice.
func (b *Bot) cardLine(lang string, st *flows.Step, a flows.Answer, data map[string]any) string {
	return render.CardLine(b.loc, lang, st, a, data)
}

// cardText joins the answer lines and what comes below them, within Telegram's limit.
func cardText(lines []string, below string) string { return render.CardText(lines, below) }

// cardEdit turns msg into the edit of card messageID that shows lines above it.
func cardEdit(msg store.Message, messageID int, lines []string) store.Message {
	return render.CardEdit(msg, messageID, lines)
}

// retireCard is the edit that takes the buttons off check-in checkinID's
// card, when what comes next arrives as a new message (after a typed answer):
// text turns the card's answer lines into its new text. It returns the
// card's answer lines too; ok is false when there is no card to edit. The
// edit carries no CheckinID: it is not a card any more, and if it fails
// nothing is sent in its place. (The reminder does the same in the
// scheduler's transaction: render.Reminder.)
func (b *Bot) retireCard(ctx context.Context, chatID, checkinID int64, text func(lines []string) string) (edit store.Message, lines []string, ok bool) {
	id, old, err := b.st.CheckinCard(ctx, checkinID)
	if err != nil {
		b.log.WarnContext(ctx, "find check-in card", "checkin_id", checkinID, "err", err)
		return store.Message{}, nil, false
	}
	if id == 0 {
		return store.Message{}, nil, false
	}
	lines = cardLines(old)
	edit = store.Message{ChatID: chatID, Lane: store.LaneReminder, Kind: store.KindEdit, EditMessageID: id, Text: text(lines)}
	return edit, lines, edit.Text != ""
}
