package desk_test

import (
	"testing"
	"time"

	"github.com/lijntje/lijntje/desk"
)

func TestParseDateTakesDutchAndISOForms(t *testing.T) {
	t.Parallel()
	want := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	for _, s := range []string{"01-07-2025", "1-7-2025", "01/07/2025", "1/7/2025", "2025-07-01", " 1-7-2025 ", "1.7.2025"} {
		if got, ok := desk.ParseDate(s, time.UTC); !ok || !got.Equal(want) {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", s, got, ok, want)
		}
	}
	for _, s := range []string{"31-13-2025", "2025-7", "7/1", "", "morgen", "32-01-2025"} {
		if got, ok := desk.ParseDate(s, time.UTC); ok {
			t.Errorf("ParseDate(%q) = %v, want no date", s, got)
		}
	}
}

func TestEscapeCellDefusesFormulas(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"=HYPERLINK(\"http://x\")": "'=HYPERLINK(\"http://x\")",
		"+31 6 1234":               "'+31 6 1234",
		"-2+3":                     "'-2+3",
		"@SUM(A1)":                 "'@SUM(A1)",
		"\t=1":                     "'\t=1",
		"\r=1":                     "'\r=1",
		"-5":                       "-5",
		"Goed":                     "Goed",
		"":                         "",
		"ik voel me =":             "ik voel me =",
	} {
		if got := desk.EscapeCell(in); got != want {
			t.Errorf("EscapeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPlainLabelDropsTheEmoji(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"🙂 Goed": "Goed", "👍 Ja": "Ja", "Gaat wel": "Gaat wel", "🔎 Ik zoek werk of school": "Ik zoek werk of school"} {
		if got := desk.PlainLabel(in); got != want {
			t.Errorf("PlainLabel(%q) = %q, want %q", in, got, want)
		}
	}
}
