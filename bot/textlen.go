package bot

import (
	"github.com/lijntje/lijntje/render"
	"github.com/lijntje/lijntje/store"
)

// Telegram counts a text's length in UTF-16 code units (an emoji counts two).
const (
	maxTextUnits    = 4096
	maxCaptionUnits = 1024
)

// utf16Len is the length of s as Telegram counts it.
func utf16Len(s string) int { return render.UTF16Len(s) }

// clip16 shortens s to at most n UTF-16 units, marking the cut with "…".
func clip16(s string, n int) string { return render.Clip(s, n) }

// fitMessage clips what m shows to Telegram's limits, so no message is
// refused as too long: a text to 4096 units, a caption to 1024.
func fitMessage(m store.Message) store.Message {
	switch m.Kind {
	case store.KindSend, store.KindEdit:
		m.Text = clip16(m.Text, maxTextUnits)
	case store.KindPhoto, store.KindDocument, store.KindCopy:
		m.Text = clip16(m.Text, maxCaptionUnits)
	}
	return m
}
