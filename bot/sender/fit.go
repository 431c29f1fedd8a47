package sender

import (
	"github.com/lijntje/lijntje/bot/textlen"
	"github.com/lijntje/lijntje/store"
)

// fitMessage clips what m shows to Telegram's limits, so no message is
// refused as too long: a text to 4096 units, a caption to 1024.
func fitMessage(m store.Message) store.Message {
	switch m.Kind {
	case store.KindSend, store.KindEdit:
		m.Text = textlen.Clip(m.Text, textlen.MaxText)
	case store.KindPhoto, store.KindDocument, store.KindCopy:
		m.Text = textlen.Clip(m.Text, textlen.MaxCaption)
	}
	return m
}
