package render

import (
	"strconv"
	"strings"
	"testing"
)

// TestCardTextStaysWithinTelegramsLimit: a card with long answer lines full
// of emoji (two UTF-16 units each) and a long question is cut to 4096 UTF-16
// units, whole characters only, the question kept and the newest lines first.
func TestCardTextStaysWithinTelegramsLimit(t *testing.T) {
	var lines []string
	for i := range 200 {
		lines = append(lines, CardMark+strings.Repeat("😣", 30)+" → "+strconv.Itoa(i))
	}
	question := "Wil je nog iets kwijt? " + strings.Repeat("🎤", 1500)
	got := CardText(lines, question)
	if n := UTF16Len(got); n > maxCardUnits {
		t.Fatalf("card is %d UTF-16 units, over %d", n, maxCardUnits)
	}
	if !strings.HasSuffix(got, question) {
		t.Errorf("the question was cut")
	}
	if !strings.Contains(got, lines[len(lines)-1]) || strings.Contains(got, lines[0]+"\n") {
		t.Errorf("the oldest lines should give way first")
	}
	if got != strings.ToValidUTF8(got, "") {
		t.Errorf("card cut inside a character")
	}
	huge := CardText(nil, strings.Repeat("🙂", 5000))
	if n := UTF16Len(huge); n > maxCardUnits || !strings.HasSuffix(huge, "…") || huge != strings.ToValidUTF8(huge, "") {
		t.Errorf("a question over the limit: %d units, cut marked %v", n, strings.HasSuffix(huge, "…"))
	}
	if got := CardLines("Hoi!\n\n" + CardMark + "a → b\n" + CardMark + "c → d\n\nVraag?"); len(got) != 2 {
		t.Errorf("CardLines found %d lines, want 2: %q", len(got), got)
	}
	if got := shortQuestion("Wil je nog iets kwijt? Typ het hier of stuur een spraakbericht 🎤."); got != "Wil je nog iets kwijt?" {
		t.Errorf("shortQuestion = %q", got)
	}
}
