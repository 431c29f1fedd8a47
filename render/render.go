// Package render turns what Lijntje decided into the messages people see:
// the questions of a check-in with their buttons, the check-in's opener and
// its card, the reminder, the closing and pause-over messages and the
// coach's Monday digest. It is pure: it reads flows, the locale catalog and
// store values it is given and returns store.Message values (text and
// keyboard); it does no I/O and never calls Telegram. The bot renders with
// it in its handlers and the scheduler in the transactions that decide, so
// both say things the same way.
package render

import (
	"fmt"
	"time"

	"github.com/lijntje/lijntje/bot/textlen"
	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/locales"
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
	return store.Message{ChatID: chatID, Lane: lane, Kind: store.KindSend, Text: Clip(text, 4000), Buttons: rows, CheckinID: checkinID}
}

// Opener decides how a due check-in opens on flow f (the current version of
// the standard flow): the steps skipped this time, and one message that
// greets in the coach's name and asks the first question. now is the time
// of the decision (steps answered recently are skipped); the check-in
// expires at expiresAt.
func Opener(loc *locales.Catalog, f *flows.Flow, d store.DueCheckin, now, expiresAt time.Time) (store.Opened, error) {
	asks := PlanFollowups(f, d)
	ask := FollowupSteps(asks)
	if len(d.Previous) > 0 { // not in a student's first check-in
		ask = append(ask, f.StepsOfKind(flows.KindPilot)...)
	}
	if d.Final {
		ask = append(ask, f.StepsOfKind(flows.KindFinal)...)
	}
	state, first := f.StartAsking(f.SkipFor(d.LastAsked, now), ask)
	skip := state.Skip
	if first == nil {
		return store.Opened{}, fmt.Errorf("flow %s has no steps", f.ID)
	}
	data := map[string]any{"Name": store.FirstName(d.StudentName), "Coach": store.FirstName(d.CoachName)}
	for _, a := range asks {
		if a.Step == first.ID {
			SubjectData(loc, d.Lang, first, a.Subject, data)
		}
	}
	lane := store.LaneBulk
	if d.Manual {
		lane = store.LaneReminder
	}
	msg := Question(loc, d.Lang, d.ChatID, d.CheckinID, first, loc.T(d.Lang, f.Opener, data), data, lane)
	return store.Opened{FlowID: f.ID, Version: f.Version, Step: first.ID, Skip: skip, ExpiresAt: expiresAt, Out: []store.Message{msg},
		Followups: asks}, nil
}

// Reminder renders the one reminder of an open check-in on flow f (the
// version it started on): the flow's reminder text above its current
// question, with the question's buttons. The question comes back at the
// bottom of the chat as a new card with the answers so far; the old card, if
// there is one, loses its buttons and points to it (card.go).
func Reminder(loc *locales.Catalog, f *flows.Flow, r store.Reminder) ([]store.Message, error) {
	data := map[string]any{"Name": store.FirstName(r.StudentName), "Coach": store.FirstName(r.CoachName)}
	st, ok := f.StepByID(r.Step)
	if !ok {
		return nil, fmt.Errorf("check-in %d: step %q not in flow %s@%s", r.CheckinID, r.Step, f.ID, f.Version)
	}
	if st.Kind != flows.KindQuestion { // an agreement or referral: its question names it
		subject := ""
		if r.Followup != nil {
			subject = r.Followup.Subject
		}
		SubjectData(loc, r.Lang, st, subject, data)
	}
	msg := Question(loc, r.Lang, r.ChatID, r.CheckinID, st, loc.T(r.Lang, f.Reminder, data), data, store.LaneReminder)
	if r.CardMessageID == 0 {
		return []store.Message{msg}, nil
	}
	msg.Text = CardText(CardLines(r.CardText), msg.Text)
	old := store.Message{ChatID: r.ChatID, Lane: store.LaneReminder, Kind: store.KindEdit, EditMessageID: r.CardMessageID,
		Text: loc.T(r.Lang, "card.moved", nil)}
	return []store.Message{msg, old}, nil
}

// Closing is the kind message at the end of a student's follow-up.
func Closing(loc *locales.Catalog, s store.Scheduled) []store.Message {
	data := map[string]any{"Name": store.FirstName(s.Name), "Coach": store.FirstName(s.CoachName)}
	return []store.Message{{ChatID: s.ChatID, Lane: store.LaneBulk, Kind: store.KindSend, Text: loc.T(s.Lang, "schedule.closing", data)}}
}

// PauseOver tells a student their pause is over.
func PauseOver(loc *locales.Catalog, s store.Scheduled) []store.Message {
	data := map[string]any{"Name": store.FirstName(s.Name), "Coach": store.FirstName(s.CoachName)}
	return []store.Message{{ChatID: s.ChatID, Lane: store.LaneReminder, Kind: store.KindSend, Text: loc.T(s.Lang, "schedule.pause.over", data)}}
}

// Digest is a coach's Monday digest: what needs attention this week.
func Digest(loc *locales.Catalog, c store.Coach, d store.Digest) store.Message {
	return store.Message{ChatID: c.ChatID, Lane: store.LaneBulk, Kind: store.KindSend,
		Text: loc.T(c.Lang, "talk.digest", map[string]any{"Coach": store.FirstName(c.Name), "Open": d.Open, "Silent": d.Silent, "Risk": d.NewRisk})}
}

// PlanFollowups decides, for a due check-in, which followup steps (about an
// agreement or a referral) ask about what; the others are skipped: nothing
// is due for them.
func PlanFollowups(f *flows.Flow, d store.DueCheckin) (asks []store.FollowupAsk) {
	for _, k := range []struct {
		kind string
		due  *store.FollowupAsk
	}{{flows.KindAgreement, d.Agreement}, {flows.KindReferral, d.Referral}} {
		for i, step := range f.StepsOfKind(k.kind) {
			if k.due == nil || i > 0 { // one item a kind a check-in
				continue
			}
			a := *k.due
			a.Step = step
			asks = append(asks, a)
		}
	}
	return asks
}

// FollowupSteps are the steps of asks.
func FollowupSteps(asks []store.FollowupAsk) []string {
	var steps []string
	for _, a := range asks {
		steps = append(steps, a.Step)
	}
	return steps
}

// SubjectData sets .What (an agreement) or .Kind (a referral, as a phrase:
// "de schuldhulp") in data and returns data.
func SubjectData(loc *locales.Catalog, lang string, step *flows.Step, subject string, data map[string]any) map[string]any {
	switch step.Kind {
	case flows.KindAgreement:
		data["What"] = subject
	case flows.KindReferral:
		data["Kind"] = ReferralPhrase(loc, lang, subject)
	}
	return data
}

// ReferralPhrase is a referral kind as it reads in a sentence ("de schuldhulp").
func ReferralPhrase(loc *locales.Catalog, lang, kind string) string {
	key := "agree.referral.phrase." + kind
	if !loc.Has(lang, key) {
		key = "agree.referral.phrase.other"
	}
	return loc.T(lang, key, nil)
}

// UTF16Len is the length of s as Telegram counts it (in UTF-16 code units:
// an emoji counts two).
func UTF16Len(s string) int { return textlen.Units(s) }

// Clip shortens s to at most n UTF-16 units, marking the cut with "…".
func Clip(s string, n int) string { return textlen.Clip(s, n) }
