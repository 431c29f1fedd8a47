package bot

import (
	"unicode/utf16"

	"github.com/lijntje/lijntje/store"
)

// Telegram counts a text's length in UTF-16 code units (an emoji counts two).
const (
	maxTextUnits    = 4096
	maxCaptionUnits = 1024
)

// utf16Len is the length of s as Telegram counts it.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += max(utf16.RuneLen(r), 1)
	}
	return n
}

// clip16 shortens s to at most n UTF-16 units, cutting between characters
// and marking the cut with "…".
func clip16(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if utf16Len(s) <= n {
		return s
	}
	used := 0
	for i, r := range s {
		w := max(utf16.RuneLen(r), 1)
		if used+w > n-1 { // room for "…" (one unit)
			return s[:i] + "…"
		}
		used += w
	}
	return s
}

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
