package sender

import (
	"strings"
	"testing"

	"github.com/lijntje/lijntje/bot/textlen"
	"github.com/lijntje/lijntje/store"
)

func TestFitMessageClipsACaption(t *testing.T) {
	m := fitMessage(store.Message{Kind: store.KindCopy, Text: strings.Repeat("💊", 600)})
	if n := textlen.Units(m.Text); n > 1024 {
		t.Errorf("a caption of %d units", n)
	}
}
