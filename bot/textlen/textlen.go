// Package textlen measures and clips text as Telegram counts it: in UTF-16
// code units, where an emoji counts two. The sender fits every message to
// Telegram's limits with it; the bot clips what it quotes.
package textlen

import (
	"unicode/utf16"
)

// Telegram counts a text's length in UTF-16 code units (an emoji counts two).
const (
	MaxText    = 4096 // a message's text
	MaxCaption = 1024 // a photo's, document's or copy's caption
)

// Units is the length of s as Telegram counts it.
func Units(s string) int {
	n := 0
	for _, r := range s {
		n += max(utf16.RuneLen(r), 1)
	}
	return n
}

// Clip shortens s to at most n UTF-16 units, cutting between characters
// and marking the cut with "…".
func Clip(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if Units(s) <= n {
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
