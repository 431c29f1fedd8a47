package bot

import (
	"context"
	"errors"
	"strings"
	"unicode/utf16"

	tgbot "github.com/go-telegram/bot"

	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/store"
)

// A check-in is one card: the opener arrives as a new message (the
// notification) with the first question and its buttons. Each tap edits that
// message into the answers so far, one short line each, and the next question
// with its buttons, so a tap costs Telegram one call. The last tap leaves the
// answers and the thank-you, without buttons. Buttons of an answered question
// are gone with the edit; a tap on one that still shows (a reminder's copy)
// gets a kind answer on the button.
//
//	Hoe gaat het met je? → 🙂 Goed      ← a line per answer (cardMark first)
//	Wat doe je nu overdag? → 💼 Ik werk
//
//	Gaat het goed daar?                  ← the open question, with buttons

// cardMark starts every answer line of a card. The next edit finds the lines
// so far by it in the card's text, which Telegram hands back with the tap.
const cardMark = "✔️ "

// maxCardUnits is Telegram's limit for a message's text, in UTF-16 code units.
const maxCardUnits = 4096

// cardLines returns the answer lines of a card's text.
func cardLines(text string) []string {
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, cardMark) {
			lines = append(lines, l)
		}
	}
	return lines
}

// cardLine is the line of one answer: the question, shortened, and the choice.
func (b *Bot) cardLine(lang string, st *flows.Step, a flows.Answer, data map[string]any) string {
	choice := a.Option
	for _, o := range st.Options {
		if o.ID == a.Option {
			choice = b.t(lang, o.Label, data)
		}
	}
	switch {
	case a.VoiceFileID != "":
		choice = b.t(lang, "card.voice", nil)
	case a.Text != "":
		choice = b.t(lang, "card.text", nil)
	}
	line := cardMark + b.t(lang, "card.answer", map[string]any{"Question": shortQuestion(b.t(lang, st.Question, data)), "Choice": clip(choice, 60)})
	return strings.ReplaceAll(line, "\n", " ") // one line, so the next edit finds it
}

// shortQuestion is a question up to its first question mark, at most 60 characters.
func shortQuestion(q string) string {
	if i := strings.IndexAny(q, "?\n"); i >= 0 {
		if q[i] == '?' {
			i++
		}
		q = q[:i]
	}
	return clip(strings.TrimSpace(q), 60)
}

// cardText joins the answer lines and what comes below them (the next
// question or the thank-you), within Telegram's limit: below is kept whole
// (up to the limit), the oldest lines give way first.
func cardText(lines []string, below string) string {
	below = clipUnits(below, maxCardUnits)
	room := maxCardUnits - utf16Len(below) - 2
	for len(lines) > 0 && utf16Len(strings.Join(lines, "\n")) > room {
		lines = lines[1:]
	}
	if len(lines) == 0 {
		return below
	}
	if below == "" {
		return strings.Join(lines, "\n")
	}
	return strings.Join(lines, "\n") + "\n\n" + below
}

// cardEdit turns msg (a question with its buttons, or the thank-you) into the
// edit of card messageID that shows lines above it.
func cardEdit(msg store.Message, messageID int, lines []string) store.Message {
	msg.Kind, msg.EditMessageID = store.KindEdit, messageID
	msg.Text = cardText(lines, msg.Text)
	return msg
}

// clipUnits shortens s to at most n UTF-16 code units, cutting between
// characters and marking the cut.
func clipUnits(s string, n int) string {
	if utf16Len(s) <= n {
		return s
	}
	used := 1 // the "…"
	for i, r := range s {
		if used+utf16.RuneLen(r) > n {
			return s[:i] + "…"
		}
		used += utf16.RuneLen(r)
	}
	return s
}

// cardGone reports whether m, the edit of a check-in's card, failed because
// the card cannot be edited any more (the student deleted it, say). What it
// carries, the next question or the thank-you, then goes as a new message.
func cardGone(m store.Message, err error) bool {
	return m.Kind == store.KindEdit && m.CheckinID != 0 && errors.Is(err, tgbot.ErrorBadRequest) &&
		!strings.Contains(err.Error(), "message is not modified")
}

// retireCard is the edit that takes the buttons off check-in checkinID's
// card, when what comes next arrives as a new message (after a typed answer,
// or with the reminder): text turns the card's answer lines into its new text.
// It returns the card's answer lines too; ok is false when there is no card to
// edit. The edit carries no CheckinID: it is not a card any more, and if it
// fails nothing is sent in its place.
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
