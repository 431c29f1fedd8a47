package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	tgbot "github.com/go-telegram/bot"

	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/locales"
	"github.com/lijntje/lijntje/severity"
	"github.com/lijntje/lijntje/store"
)

// Question renders a flow step as one message with its answer buttons (every
// button's callback_data ends in ":<option-id>"). prefix goes above the question.
func Question(loc *locales.Catalog, lang string, chatID, checkinID int64, st *flows.Step, prefix string, data map[string]any, lane int) store.Message {
	text := loc.T(lang, st.Question, data)
	if prefix != "" {
		text = prefix + "\n\n" + text
	}
	var rows [][]store.Button
	short := len(st.Options) <= 5
	for _, o := range st.Options {
		label := loc.T(lang, o.Label, data)
		if len([]rune(label)) > 4 {
			short = false
		}
	}
	for _, o := range st.Options {
		btn := store.Button{Text: loc.T(lang, o.Label, data), Data: flows.CallbackData(checkinID, st.ID, o.ID)}
		if short && len(rows) == 1 {
			rows[0] = append(rows[0], btn)
			continue
		}
		rows = append(rows, []store.Button{btn})
	}
	return store.Message{ChatID: chatID, Lane: lane, Kind: store.KindSend, Text: clip(text, 4000), Buttons: rows, CheckinID: checkinID}
}

// OpenCheckin decides how a due check-in opens: the current flow version, the
// steps skipped this time, and one message that greets in the coach's name and
// asks the first question. It does no I/O; the scheduler records the result.
func (b *Bot) OpenCheckin(d store.DueCheckin, expiresAt time.Time) (store.Opened, error) {
	f, ok := b.flows.Current(flows.Standard)
	if !ok {
		return store.Opened{}, fmt.Errorf("flow %q not found", flows.Standard)
	}
	asks := planFollowups(f, d) // agreements and referrals: agreements.go
	ask := followupSteps(asks)
	if len(d.Previous) > 0 { // not in a student's first check-in
		ask = append(ask, f.StepsOfKind(flows.KindPilot)...)
	}
	if d.Final {
		ask = append(ask, f.StepsOfKind(flows.KindFinal)...)
	}
	state, first := f.StartAsking(f.SkipFor(d.LastAsked, b.cfg.Now()), ask)
	skip := state.Skip
	if first == nil {
		return store.Opened{}, fmt.Errorf("flow %s has no steps", f.ID)
	}
	data := map[string]any{"Name": firstName(d.StudentName), "Coach": firstName(d.CoachName)}
	b.followupData(d.Lang, first, asks, data)
	lane := store.LaneBulk
	if d.Manual {
		lane = store.LaneReminder
	}
	msg := Question(b.loc, d.Lang, d.ChatID, d.CheckinID, first, b.t(d.Lang, f.Opener, data), data, lane)
	CountCheckins("sent", 1)
	return store.Opened{FlowID: f.ID, Version: f.Version, Step: first.ID, Skip: skip, ExpiresAt: expiresAt, Out: []store.Message{msg},
		Followups: asks}, nil
}

var severityIcon = map[severity.Level]string{severity.Crisis: "🆘", severity.Urgent: "🔴", severity.Attention: "🟠", severity.Request: "🔵"}

// renderAlert turns an alert outbox row into the message the coach sees now:
// a new message, or an edit of the one they already have.
func (b *Bot) renderAlert(ctx context.Context, m store.Message) (store.Message, error) {
	if m.DeliveryID == 0 && m.EditMessageID != 0 {
		return b.renderMoved(ctx, m) // an old message that points to the new one: alert_messages.go
	}
	v, err := b.st.Alert(ctx, m.AlertID, m.DeliveryID)
	if err != nil {
		return store.Message{}, err
	}
	lang := v.CoachLang
	var sb strings.Builder
	remind := m.Text == store.RemindMarker // a case open for days, brought back: known.go
	if remind {
		sb.WriteString(b.remindHeader(ctx, lang, v))
	}
	sb.WriteString(b.t(lang, "coach.alert.title", map[string]any{
		"Icon": severityIcon[v.Severity], "Severity": b.t(lang, "coach.severity."+v.Severity.String(), nil), "Student": v.StudentName}))
	sb.WriteString("\n")
	for _, s := range v.Signals {
		sb.WriteString("\n• ")
		sb.WriteString(b.signalLine(ctx, lang, s, v.StudentCoach))
	}
	sb.WriteString("\n\n")
	sb.WriteString(b.t(lang, "coach.alert.opened", map[string]any{"Time": b.localTime(v.OpenedAt)}))
	var rows [][]store.Button
	switch v.Status {
	case store.AlertOpen:
		rows = append(rows, []store.Button{{Text: b.t(lang, "coach.alert.take", nil), Data: "t:" + strconv.FormatInt(v.ID, 10)}})
	case store.AlertTaken:
		sb.WriteString("\n✅ " + b.t(lang, "coach.alert.taken", map[string]any{"Coach": v.TakenBy, "Time": b.localTime(v.TakenAt)}))
		if v.CoachID != 0 {
			rows = append(rows, []store.Button{{Text: b.t(lang, "coach.alert.close", nil), Data: "x:" + strconv.FormatInt(v.ID, 10)},
				{Text: b.t(lang, "talk.known.button", nil), Data: "k:" + strconv.FormatInt(v.ID, 10)}}) // known.go
		}
	case store.AlertClosed:
		sb.WriteString("\n✅ " + b.t(lang, "coach.alert.closed", map[string]any{"Coach": v.TakenBy}))
	}
	if v.StudentID != 0 {
		rows = append(rows, []store.Button{{Text: b.t(lang, "coach.alert.history", nil), Data: "h:" + strconv.FormatInt(v.StudentID, 10)}})
	}
	out := store.Message{ID: m.ID, ChatID: v.ChatID, Lane: m.Lane, Kind: store.KindSend, Text: clip(sb.String(), 4000), Buttons: rows,
		AlertID: m.AlertID, DeliveryID: m.DeliveryID}
	if v.MessageID != 0 && m.Fresh && !remind {
		b.pointToNew(ctx, m, v.MessageID) // news: a new message, the old one points to it (alert_messages.go)
	} else if v.MessageID != 0 && !remind { // a reminder is a new message too: known.go
		out.Kind, out.EditMessageID = store.KindEdit, v.MessageID
	}
	return out, nil
}

// signalLine describes one signal for a coach: the question and the answer, or the text.
func (b *Bot) signalLine(ctx context.Context, lang string, s store.AlertSignal, coach string) string {
	when := b.localTime(s.At)
	if line, ok := b.copiedLine(lang, s); ok { // a message passed on as itself: alert_messages.go
		return line
	}
	step, option, isAnswer := strings.Cut(s.Detail, "=")
	if isAnswer && !freeTextSignal(s.Code) {
		if f, ok := b.flows.Current(flows.Standard); ok {
			if st, ok := f.StepByID(step); ok && st.Kind == flows.KindQuestion { // followup signals: agreements.go
				label := option
				for _, o := range st.Options {
					if o.ID == option {
						label = b.t(lang, o.Label, nil)
					}
				}
				q := b.t(lang, st.Question, map[string]any{"Coach": coach, "Name": ""})
				return fmt.Sprintf("%s → %s (%s)", clip(q, 120), label, when)
			}
		}
	}
	key := "coach.signal." + strings.NewReplacer("=", "_", "<", "", ">", "").Replace(s.Code)
	if b.loc.Has(lang, key) {
		return b.t(lang, key, map[string]any{"Text": clip(s.Detail, 600), "Time": when})
	}
	return fmt.Sprintf("%s: %s (%s)", s.Code, clip(s.Detail, 600), when)
}

// localTime is t as a day and a time in the deployment's zone.
func (b *Bot) localTime(t time.Time) string { return localTimeIn(t, b.cfg.Zone) }

func localTimeIn(t time.Time, zone *time.Location) string { return t.In(zone).Format("02-01 15:04") }

func sendText(chatID int64, text string) *tgbot.SendMessageParams {
	return &tgbot.SendMessageParams{ChatID: chatID, Text: clip(text, 4000)}
}
