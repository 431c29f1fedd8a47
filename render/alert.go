package render

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/locales"
	"github.com/lijntje/lijntje/severity"
	"github.com/lijntje/lijntje/store"
)

// SeverityIcon is how a coach sees each severity at a glance.
var SeverityIcon = map[severity.Level]string{severity.Crisis: "🆘", severity.Urgent: "🔴", severity.Attention: "🟠", severity.Request: "🔵"}

// LocalTime is t as a coach reads it ("31-12 14:05"), in zone.
func LocalTime(t time.Time, zone *time.Location) string { return t.In(zone).Format("02-01 15:04") }

// Alert renders the message of case v for the coach it is delivered to (in
// v.CoachLang): its title, a line for each signal, when it opened and where
// it stands, with the buttons that fit (take on; close and known; history).
// header goes above it (a case open for days, brought back). f is the current
// standard flow: it names the questions answered; times read in zone.
func Alert(loc *locales.Catalog, f *flows.Flow, zone *time.Location, v store.AlertView, header string) (string, [][]store.Button) {
	lang := v.CoachLang
	var sb strings.Builder
	sb.WriteString(header)
	sb.WriteString(loc.T(lang, "coach.alert.title", map[string]any{
		"Icon": SeverityIcon[v.Severity], "Severity": loc.T(lang, "coach.severity."+v.Severity.String(), nil), "Student": v.StudentName}))
	sb.WriteString("\n")
	for _, s := range v.Signals {
		sb.WriteString("\n• ")
		sb.WriteString(SignalLine(loc, f, zone, lang, s, v.StudentCoach))
	}
	sb.WriteString("\n\n")
	sb.WriteString(loc.T(lang, "coach.alert.opened", map[string]any{"Time": LocalTime(v.OpenedAt, zone)}))
	var rows [][]store.Button
	switch v.Status {
	case store.AlertOpen:
		rows = append(rows, []store.Button{{Text: loc.T(lang, "coach.alert.take", nil), Data: "t:" + strconv.FormatInt(v.ID, 10)}})
	case store.AlertTaken:
		sb.WriteString("\n✅ " + loc.T(lang, "coach.alert.taken", map[string]any{"Coach": v.TakenBy, "Time": LocalTime(v.TakenAt, zone)}))
		if v.CoachID != 0 {
			rows = append(rows, []store.Button{{Text: loc.T(lang, "coach.alert.close", nil), Data: "x:" + strconv.FormatInt(v.ID, 10)},
				{Text: loc.T(lang, "talk.known.button", nil), Data: "k:" + strconv.FormatInt(v.ID, 10)}})
		}
	case store.AlertClosed:
		sb.WriteString("\n✅ " + loc.T(lang, "coach.alert.closed", map[string]any{"Coach": v.TakenBy}))
	}
	if v.StudentID != 0 {
		rows = append(rows, []store.Button{{Text: loc.T(lang, "coach.alert.history", nil), Data: "h:" + strconv.FormatInt(v.StudentID, 10)}})
	}
	return Clip(sb.String(), 4000), rows
}

// SignalLine describes one signal for a coach: the question and the answer,
// or the text. coach is the first name of the student's own coach.
func SignalLine(loc *locales.Catalog, f *flows.Flow, zone *time.Location, lang string, s store.AlertSignal, coach string) string {
	when := LocalTime(s.At, zone)
	if line, ok := CopiedLine(loc, zone, lang, s); ok { // a message passed on as itself
		return line
	}
	step, option, isAnswer := strings.Cut(s.Detail, "=")
	if isAnswer && !FreeTextSignal(s.Code) && f != nil {
		if st, ok := f.StepByID(step); ok && st.Kind == flows.KindQuestion { // followup signals: bot/agreements.go
			label := option
			for _, o := range st.Options {
				if o.ID == option {
					label = loc.T(lang, o.Label, nil)
				}
			}
			q := loc.T(lang, st.Question, map[string]any{"Coach": coach, "Name": ""})
			return fmt.Sprintf("%s → %s (%s)", Clip(q, 120), label, when)
		}
	}
	key := "coach.signal." + strings.NewReplacer("=", "_", "<", "", ">", "").Replace(s.Code)
	if loc.Has(lang, key) {
		return loc.T(lang, key, map[string]any{"Text": Clip(s.Detail, 600), "Time": when})
	}
	return fmt.Sprintf("%s: %s (%s)", s.Code, Clip(s.Detail, 600), when)
}

// FreeTextSignal reports whether a signal's detail is the student's own text
// (not "step=option"), even when that text holds an "=".
func FreeTextSignal(code string) bool {
	return code == "crisis_text" || strings.HasPrefix(code, "crisis_") || strings.HasPrefix(code, "urgent_")
}

// CopiedLine describes a message passed on as itself, for the alert: when,
// and its words (the message itself follows the alert). ok is false for
// any other signal.
func CopiedLine(loc *locales.Catalog, zone *time.Location, lang string, s store.AlertSignal) (string, bool) {
	switch s.Code {
	case store.SignalMessage, store.SignalMedia:
	default:
		return "", false
	}
	text := store.CopiedText(s.Detail)
	data := map[string]any{"Time": LocalTime(s.At, zone), "Text": Clip(text, 600)}
	key := "alerts.signal." + s.Code
	if text != "" && s.Code == store.SignalMedia {
		key += "_text"
	}
	return loc.T(lang, key, data), true
}

// Moved is the text of an alert message that a new one replaced (news in the
// case, or a repeat nobody took on): it points down to the new message.
func Moved(loc *locales.Catalog, lang string, v store.AlertView) string {
	return loc.T(lang, "alerts.moved", map[string]any{
		"Icon": SeverityIcon[v.Severity], "Severity": loc.T(lang, "coach.severity."+v.Severity.String(), nil), "Student": v.StudentName})
}
