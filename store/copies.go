package store

import "strings"

// Signals of messages a student sent outside a check-in's questions: every
// message reaches a person, so the coach gets the message itself (copied, as
// for voice messages) as a request.
const (
	SignalMessage = "message" // a text
	SignalMedia   = "media"   // a photo, document or video, maybe with a caption
)

// copiedCodes are the signals whose message is copied to whoever gets the case.
var copiedCodes = []string{SignalVoice, SignalMessage, SignalMedia}

// CopyDetail is the detail of a copied message's signal: where the message is,
// and on the next line its words (the text or caption), for the alert itself.
func CopyDetail(chatID int64, messageID int, text string) string {
	d := VoiceDetail(chatID, messageID)
	if text != "" {
		d += "\n" + text
	}
	return d
}

// CopiedText returns the words in a copied message's signal detail.
func CopiedText(detail string) string {
	_, text, _ := strings.Cut(detail, "\n")
	return text
}
