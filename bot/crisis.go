package bot

import (
	"context"
	"errors"
	"strings"

	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/severity"
	"github.com/lijntje/lijntje/store"
)

// Callback data of the in-between question's buttons ("Do you mean you do
// not want to live any more?"): callbacks.go.
const (
	doubtYes    = prefixDoubt + "yes"
	doubtNo     = prefixDoubt + "no"
	doubtUnsure = prefixDoubt + "unsure"
)

// crisisOut is what crisis language gets: per crisis category its helpline
// text (in the category order of crisis.rules, the first the most serious),
// one message each, and for a student the line that their coach is told.
func (b *Bot) crisisOut(lang string, chatID int64, d flows.Detection, coach string) []store.Message {
	cats := d.Categories(flows.TierCrisis)
	if len(cats) == 0 { // a doubt answered "yes", or an edit: suicide is the safe default
		cats = []*flows.CrisisCategory{{Name: "suicide", Reply: "crisis.reply.suicide"}}
	}
	var out []store.Message
	for i, c := range cats {
		text := b.t(lang, c.Reply, map[string]any{"Coach": coach})
		if i == len(cats)-1 && coach != "" {
			text += "\n\n" + b.t(lang, "crisis.coach_told", map[string]any{"Coach": coach})
		}
		out = append(out, store.Message{ChatID: chatID, Lane: store.LaneUrgent, Kind: store.KindSend, Text: clip(text, 4000)})
	}
	return out
}

// crisisSignals are the crisis signals of d, one per category, each with the text.
func crisisSignals(d flows.Detection, text string) []store.Signal {
	var out []store.Signal
	for _, c := range d.Categories(flows.TierCrisis) {
		out = append(out, store.Signal{Code: c.Signal, Severity: severity.Crisis, Detail: clip(text, 1000)})
	}
	if len(out) == 0 {
		out = append(out, store.Signal{Code: "crisis_suicide", Severity: severity.Crisis, Detail: clip(text, 1000)})
	}
	return out
}

// lesserSignals are the urgent signals of a doubt or urgent detection: the
// in-between signal with the text, and one per urgent category with the
// words behind it.
func lesserSignals(d flows.Detection, text string) []store.Signal {
	var out []store.Signal
	if d.Tier == flows.TierDoubt {
		out = append(out, store.Signal{Code: "crisis_doubt", Severity: severity.Urgent, Detail: clip(text, 1000)})
	}
	for _, c := range d.Categories(flows.TierUrgent) {
		var words []string
		for _, h := range d.Hits {
			if h.Category == c {
				words = append(words, strings.Join(h.Words, " "))
			}
		}
		out = append(out, store.Signal{Code: c.Signal, Severity: severity.Urgent,
			Detail: clip("["+strings.Join(words, ", ")+"] "+text, 1000)})
	}
	return out
}

// doubtQuestion asks whether the student means they do not want to live any
// more, with the 113 number and three buttons.
func (b *Bot) doubtQuestion(lang string, chatID int64, coach string) store.Message {
	return store.Message{ChatID: chatID, Lane: store.LaneUrgent, Kind: store.KindSend,
		Text: clip(b.t(lang, "crisis.doubt.question", map[string]any{"Coach": coach}), 4000),
		Buttons: [][]store.Button{
			{{Text: b.t(lang, "crisis.doubt.yes", nil), Data: doubtYes}, {Text: b.t(lang, "crisis.doubt.no", nil), Data: doubtNo}},
			{{Text: b.t(lang, "crisis.doubt.unsure", nil), Data: doubtUnsure}},
		}}
}

// screenMessage looks at a student's message (outside a check-in's free-text
// question) for crisis language, in-between phrases and urgent words, and
// handles it when it finds any. A doubt or urgent text at a check-in's
// free-text question is left to the answer (screenAnswer).
func (b *Bot) screenMessage(ctx context.Context, x *in, text string) (bool, error) {
	d := b.crisis.Detect(text)
	if d.Tier == flows.TierNone {
		return false, nil
	}
	r := b.freeTextRecord(ctx, x, text, "")
	if m := x.u.Message; m != nil && m.Voice != nil {
		r.VoiceFileID = m.Voice.FileID
		r.Signals = append(r.Signals, voiceSignal(x))
	}
	if d.Tier == flows.TierCrisis {
		return true, b.crisisText(ctx, x, text, r)
	}
	if x.conv.CheckinID != 0 {
		f, err := b.flow(ctx, "", x.conv.Version)
		if err != nil {
			return true, err
		}
		if st, ok := f.StepByID(x.conv.Step); ok && st.FreeText {
			return false, nil // an answer to the question: screenAnswer adds the signals
		}
	}
	r.Signals = append(r.Signals, lesserSignals(d, text)...)
	r.Out = append(r.Out, b.lesserReply(x.conv.Lang, x.chatID, d, x.conv.Coach))
	b.log.WarnContext(ctx, "urgent language", "chat_id", x.chatID, "student_id", x.conv.ID, "update_id", x.u.ID, "tier", d.Tier.String())
	_, err := b.record(ctx, x, r)
	return true, err
}

// lesserReply answers an in-between text with the question, an urgent one kindly.
func (b *Bot) lesserReply(lang string, chatID int64, d flows.Detection, coach string) store.Message {
	if d.Tier == flows.TierDoubt {
		return b.doubtQuestion(lang, chatID, coach)
	}
	return store.Message{ChatID: chatID, Lane: store.LaneInteractive, Kind: store.KindSend,
		Text: clip(b.t(lang, "crisis.reply.urgent", map[string]any{"Coach": coach}), 4000)}
}

// screenAnswer adds to r the signals and the reply of an in-between or urgent
// answer to a check-in's free-text question (crisis is handled before).
func (b *Bot) screenAnswer(x *in, text string, r *store.Record) {
	if text == "" {
		return
	}
	d := b.crisis.Detect(text)
	if d.Tier != flows.TierDoubt && d.Tier != flows.TierUrgent {
		return
	}
	r.Signals = append(r.Signals, lesserSignals(d, text)...)
	r.Out = append(r.Out, b.lesserReply(x.conv.Lang, x.chatID, d, x.conv.Coach))
}

// doubtTap handles a tap on the in-between question (option yes, no or unsure). "Yes" and "I don't
// know" make it a crisis: a crisis signal joins the case and the student gets
// the crisis numbers. "No" is noted for the coach; the urgent case stays (a
// coach closes cases, not the student).
func (b *Bot) doubtTap(ctx context.Context, x *in, option string) error {
	data := prefixDoubt + option
	if data != doubtYes && data != doubtNo && data != doubtUnsure {
		return b.staleTap(ctx, x)
	}
	lang, coach := x.conv.Lang, x.conv.Coach
	r := store.Record{StudentID: x.conv.ID}
	if m := x.u.CallbackQuery.Message.Message; m != nil { // the question keeps the choice and loses its buttons
		r.Out = append(r.Out, store.Message{ChatID: x.chatID, Lane: store.LaneInteractive, Kind: store.KindEdit, EditMessageID: m.ID,
			Text: clip(b.t(lang, "crisis.doubt.chosen", map[string]any{"Question": m.Text, "Choice": b.t(lang, "crisis.doubt."+option, nil)}), 4000)})
	}
	if data == doubtNo {
		r.Signals = []store.Signal{{Code: "crisis_doubt_no", Severity: severity.Urgent, Detail: option}}
		r.Out = append([]store.Message{x.reply(b.t(lang, "crisis.doubt.no_reply", map[string]any{"Coach": coach}))}, r.Out...)
	} else {
		r.Signals = []store.Signal{{Code: "crisis_doubt_" + option, Severity: severity.Crisis, Detail: option}}
		r.Out = append(b.crisisOut(lang, x.chatID, flows.Detection{}, coach), r.Out...)
		b.log.WarnContext(ctx, "crisis confirmed", "chat_id", x.chatID, "student_id", x.conv.ID, "update_id", x.u.ID)
	}
	_, err := b.record(ctx, x, r)
	if errors.Is(err, store.ErrDuplicate) {
		return err
	}
	b.answerCallback(ctx, x, "")
	return err
}
