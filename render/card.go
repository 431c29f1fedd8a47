package render

import (
	"strings"
	"unicode/utf16"

	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/locales"
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
//	Hoe gaat het met je? → 🙂 Goed      ← a line per answer (CardMark first)
//	Wat doe je nu overdag? → 💼 Ik werk
//
//	Gaat het goed daar?                  ← the open question, with buttons

// CardMark starts every answer line of a card. The next edit finds the lines
// so far by it in the card's text, which Telegram hands back with the tap.
const CardMark = "✔️ "

// maxCardUnits is Telegram's limit for a message's text, in UTF-16 code units.
const maxCardUnits = 4096

// CardLines returns the answer lines of a card's text.
func CardLines(text string) []string {
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, CardMark) {
			lines = append(lines, l)
		}
	}
	return lines
}

// CardLine is the line of one answer: the question, shortened, and the choice.
func CardLine(loc *locales.Catalog, lang string, st *flows.Step, a flows.Answer, data map[string]any) string {
	choice := a.Option
	for _, o := range st.Options {
		if o.ID == a.Option {
			choice = loc.T(lang, o.Label, data)
		}
	}
	switch {
	case a.VoiceFileID != "":
		choice = loc.T(lang, "card.voice", nil)
	case a.Text != "":
		choice = loc.T(lang, "card.text", nil)
	}
	line := CardMark + loc.T(lang, "card.answer", map[string]any{"Question": shortQuestion(loc.T(lang, st.Question, data)), "Choice": Clip(choice, 60)})
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
	return Clip(strings.TrimSpace(q), 60)
}

// CardText joins the answer lines and what comes below them (the next
// question or the thank-you), within Telegram's limit: below is kept whole
// (up to the limit), the oldest lines give way first.
func CardText(lines []string, below string) string {
	below = clipUnits(below, maxCardUnits)
	room := maxCardUnits - UTF16Len(below) - 2
	for len(lines) > 0 && UTF16Len(strings.Join(lines, "\n")) > room {
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

// CardEdit turns msg (a question with its buttons, or the thank-you) into the
// edit of card messageID that shows lines above it.
func CardEdit(msg store.Message, messageID int, lines []string) store.Message {
	msg.Kind, msg.EditMessageID = store.KindEdit, messageID
	msg.Text = CardText(lines, msg.Text)
	return msg
}

// clipUnits shortens s to at most n UTF-16 code units, cutting between
// characters and marking the cut.
func clipUnits(s string, n int) string {
	if UTF16Len(s) <= n {
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
