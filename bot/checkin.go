package bot

import (
	"context"
	"errors"

	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/severity"
	"github.com/lijntje/lijntje/store"
)

// The student's conversation: their commands (with /taal and /mijngegevens:
// student_data.go, /moment, /pauze and /stop: schedule.go), their messages
// (screened for crisis language first: crisis.go; anything outside the
// check-in reaches their coach: alert_messages.go), answering the open
// check-in by a tap or by text, asking their coach to get in touch, and a
// chat that blocked the bot.

// studentCommand handles a student's command.
func (b *Bot) studentCommand(ctx context.Context, x *in, cmd, _ string) error {
	if ok, err := b.relationStudentCommand(ctx, x, cmd); ok { // /afspraken, /start after /stop: relation.go
		return err
	}
	if ok, err := b.scheduleCommand(ctx, x, cmd); ok {
		return err
	}
	key := "bot.help.student"
	if cmd == "start" {
		key = "bot.welcome.back"
	}
	_, err := b.record(ctx, x, store.Record{Out: []store.Message{x.reply(b.t(x.conv.Lang, key, nil))}})
	return err
}

// onMessage handles a message that is not a command.
func (b *Bot) onMessage(ctx context.Context, x *in) error {
	if x.conv.Role == store.RoleCoach {
		return b.coachMessage(ctx, x)
	}
	if x.conv.Role != store.RoleStudent {
		return b.strangerMessage(ctx, x) // crisis numbers for crisis language: crisis.go
	}
	m := x.u.Message
	text := m.Text
	if text == "" {
		text = m.Caption
	}
	if text != "" {
		if ok, err := b.screenMessage(ctx, x, text); ok { // crisis, in-between, urgent: crisis.go
			return err
		}
	}
	if ok, err := b.studentAnswer(ctx, x, text); ok { // an answer to the coach's message: messages.go
		return err
	}
	voice := ""
	if m.Voice != nil {
		voice = m.Voice.FileID
	}
	if text == "" && voice == "" && !hasMedia(m) {
		_, err := b.record(ctx, x, store.Record{Out: []store.Message{x.reply(b.t(x.conv.Lang, "bot.cannot_read", nil))}})
		return err
	}
	if x.conv.CheckinID != 0 && !hasMedia(m) { // a photo goes to the coach as itself: alert_messages.go
		f, err := b.flow(ctx, "", x.conv.Version)
		if err != nil {
			return err
		}
		if st, ok := f.StepByID(x.conv.Step); ok && st.FreeText {
			return b.answer(ctx, x, f, flows.Input{Step: st.ID, Text: text, VoiceFileID: voice})
		}
	}
	return b.messageToCoach(ctx, x, text, voice) // every message reaches a person: alert_messages.go
}

// freeTextRecord keeps a message outside the check-in's questions as a "message" answer.
func (b *Bot) freeTextRecord(_ context.Context, x *in, text, voice string) store.Record {
	return store.Record{StudentID: x.conv.ID, Step: "message", Text: text, VoiceFileID: voice}
}

// crisisText answers crisis language: the helpline of its category at once,
// and a crisis signal per category that alerts the coach and whoever is on call.
func (b *Bot) crisisText(ctx context.Context, x *in, text string, r store.Record) error {
	d := b.crisis.Detect(text)
	r.Signals = append(r.Signals, crisisSignals(d, text)...)
	r.Out = append(r.Out, b.crisisOut(x.conv.Lang, x.chatID, d, x.conv.Coach)...)
	b.log.WarnContext(ctx, "crisis language", "chat_id", x.chatID, "student_id", x.conv.ID, "update_id", x.u.ID)
	_, err := b.record(ctx, x, r)
	if errors.Is(err, store.ErrStale) {
		// The check-in left that step (its update is marked handled, nothing
		// else written): the crisis and its reply go as a free text.
		r.CheckinID, r.Version, r.Step, r.Option, r.NextStep, r.Done, r.Followup = 0, "", "message", "", "", false, nil
		x.noDedupe = true
		_, err = b.record(ctx, x, r)
	}
	return err
}

// answerButton applies a tap on answer option of step in check-in checkinID
// (the data of an answer button: callbacks.go).
func (b *Bot) answerButton(ctx context.Context, x *in, checkinID int64, step, option string) error {
	if checkinID != x.conv.CheckinID || step != x.conv.Step {
		conv, err := b.st.ReloadConv(ctx, x.chatID) // Redis may be behind Postgres
		if err != nil {
			return err
		}
		x.conv = conv
	}
	if checkinID == x.conv.CheckinID && step != x.conv.Step { // an answered question: its card moved on
		b.answerCallback(ctx, x, b.t(x.conv.Lang, "card.answered", nil))
		return nil
	}
	if checkinID != x.conv.CheckinID {
		b.answerCallback(ctx, x, b.t(x.conv.Lang, "bot.stale_button", nil))
		return nil
	}
	f, err := b.flow(ctx, "", x.conv.Version)
	if err != nil {
		return err
	}
	if st, ok := f.StepByID(step); ok {
		if _, ok := st.Option(option); ok {
			b.answerEarly(ctx, x) // a fitting answer: nothing to say on the button itself
		}
	}
	return b.answer(ctx, x, f, flows.Input{Step: step, Option: option})
}

// contactTap raises a request: the student wants their coach to get in touch.
// Its record checks that the chat is still theirs.
func (b *Bot) contactTap(ctx context.Context, x *in, _ string) error {
	coach := x.conv.Coach
	r := store.Record{StudentID: x.conv.ID,
		Signals: []store.Signal{{Code: "contact=yes", Severity: severity.Request, Detail: "contact=yes"}},
		Out:     []store.Message{x.reply(b.t(x.conv.Lang, "bot.contact.requested", map[string]any{"Coach": coach}))}}
	if m := x.u.CallbackQuery.Message.Message; m != nil {
		r.Out = append([]store.Message{{ChatID: x.chatID, Lane: store.LaneInteractive, Kind: store.KindEdit,
			EditMessageID: m.ID, Text: clip(m.Text, 4000)}}, r.Out...)
	}
	_, err := b.record(ctx, x, r)
	if errors.Is(err, store.ErrDuplicate) || errors.Is(err, store.ErrNotOwner) {
		return err
	}
	b.answerCallback(ctx, x, "")
	return err
}

// answer applies a tap, text or voice to the open check-in.
func (b *Bot) answer(ctx context.Context, x *in, f *flows.Flow, input flows.Input) error {
	state := flows.State{Step: x.conv.Step, Skip: x.conv.Skip, Previous: x.conv.Previous}
	out, err := f.Apply(state, input)
	if err != nil {
		b.answerCallback(ctx, x, b.t(x.conv.Lang, "bot.stale_button", nil))
		return nil
	}
	st, _ := f.StepByID(input.Step)
	lang := x.conv.Lang
	coach := x.conv.Coach
	r := store.Record{StudentID: x.conv.ID, CheckinID: x.conv.CheckinID, Version: f.Version,
		Step: out.Answer.Step, Option: out.Answer.Option, Text: out.Answer.Text, VoiceFileID: out.Answer.VoiceFileID,
		Done: out.Done, StepKeyed: x.u.CallbackQuery != nil} // a tap's step is its key: store.Record
	if out.Next != nil {
		r.NextStep = out.Next.ID
	}
	var subject string // the agreement or referral an answered or next step is about: agreements.go
	if st, ok := f.StepByID(input.Step); ok && st.Kind != flows.KindQuestion && out.Answer.Option != "" {
		if r.Followup, subject, err = b.followupAnswer(ctx, f, x.conv.CheckinID, st, out.Answer.Option); err != nil {
			return err
		}
	}
	// A tap edits the card it came from (card.go): one call per tap.
	data := map[string]any{"Coach": coach, "Name": x.conv.Name}
	lineData := b.subjectData(lang, st, subject, map[string]any{"Coach": coach, "Name": x.conv.Name})
	card := 0
	var lines []string
	if cq := x.u.CallbackQuery; cq != nil && cq.Message.Message != nil {
		card = cq.Message.Message.ID
		lines = append(cardLines(cq.Message.Message.Text), b.cardLine(lang, st, out.Answer, lineData))
	}
	for _, s := range out.Signals {
		detail := s.Step + "=" + s.Option
		if r.Followup != nil && s.Step == out.Answer.Step {
			detail = followupDetail(subject)
		}
		r.Signals = append(r.Signals, store.Signal{Code: s.Code, Severity: s.Severity,
			Detail: detail})
	}
	if out.Answer.VoiceFileID != "" {
		r.Signals = append(r.Signals, voiceSignal(x))
	}
	if out.Answer.Text != "" {
		if _, ok := b.crisis.Match(out.Answer.Text); ok {
			return b.crisisText(ctx, x, out.Answer.Text, r)
		}
	}
	b.screenAnswer(x, out.Answer.Text, &r) // in-between or urgent: crisis.go
	var reply store.Message
	if out.Next != nil {
		if out.Next.Kind != flows.KindQuestion {
			if err := b.followupDataFor(ctx, lang, x.conv.CheckinID, out.Next, data); err != nil {
				return err
			}
		}
		reply = b.question(lang, x.chatID, x.conv.CheckinID, out.Next, "", data, store.LaneInteractive)
	} else {
		reply = x.reply(b.t(lang, f.Closer, data))
		reply.CheckinID = x.conv.CheckinID
	}
	if card != 0 {
		reply = cardEdit(reply, card, lines)
	}
	r.Out = append(r.Out, reply)
	if card == 0 && x.conv.CheckinID != 0 { // typed or spoken: the reply is new, the card keeps the answers without buttons
		line := b.cardLine(lang, st, out.Answer, lineData)
		if old, _, ok := b.retireCard(ctx, x.chatID, x.conv.CheckinID, func(l []string) string { return cardText(append(l, line), "") }); ok {
			r.Out = append(r.Out, old)
		}
	}
	if _, err := b.record(ctx, x, r); err != nil {
		if errors.Is(err, store.ErrStale) {
			conv, rerr := b.st.ReloadConv(ctx, x.chatID)
			if x.u.Message != nil && rerr == nil { // a typed note or voice is never dropped
				x.conv = conv
				return b.staleNote(ctx, x, input)
			}
			b.answerCallback(ctx, x, b.t(lang, "bot.stale_button", nil))
			return nil
		}
		return err
	}
	next := x.conv
	if out.Done {
		next.CheckinID, next.Step, next.Version, next.Skip, next.Previous = 0, "", "", nil, nil
		CountCheckins("completed", 1)
	} else {
		next.Step = out.Next.ID
	}
	x.next = &next // cached with the update's mark, in one round trip
	b.answerCallback(ctx, x, "")
	return nil
}

// question renders step as a message with its buttons; prefix (the opener) goes above it.
func (b *Bot) question(lang string, chatID, checkinID int64, st *flows.Step, prefix string, data map[string]any, lane int) store.Message {
	return Question(b.loc, lang, chatID, checkinID, st, prefix, data, lane)
}

// voiceSignal is a request for the coach to listen to a voice message: since
// nobody screens speech for crisis language, the coach gets the message itself.
func voiceSignal(x *in) store.Signal {
	return store.Signal{Code: store.SignalVoice, Severity: severity.Request,
		Detail: store.VoiceDetail(x.chatID, x.u.Message.ID)}
}

// onEdit looks at an edited text only for crisis language.
func (b *Bot) onEdit(ctx context.Context, x *in) error {
	if x.conv.Role != store.RoleStudent {
		return nil
	}
	text := x.u.EditedMessage.Text + x.u.EditedMessage.Caption
	if _, ok := b.crisis.Match(text); !ok {
		return nil
	}
	return b.crisisText(ctx, x, text, store.Record{StudentID: x.conv.ID, Step: "message", Text: text})
}

// answerTap applies an answer button ("a:...") to the open check-in.
func (b *Bot) answerTap(ctx context.Context, x *in, _ string) error {
	checkinID, step, option, ok := flows.ParseCallbackData(x.u.CallbackQuery.Data)
	if !ok {
		if err := b.stillTheirs(ctx, x); err != nil {
			return err
		}
		return b.staleTap(ctx, x)
	}
	return b.answerButton(ctx, x, checkinID, step, option)
}

// chatBlocked handles a 403 from Telegram: a student who blocked the bot is
// unreachable, and their coach hears about it.
func (b *Bot) chatBlocked(ctx context.Context, chatID int64) {
	st, err := b.st.StudentByChat(ctx, chatID)
	if err != nil {
		return
	}
	if err := b.st.MarkUnreachable(ctx, st.ID, chatID); err != nil {
		b.log.ErrorContext(ctx, "mark unreachable", "student_id", st.ID, "err", err)
		return
	}
	b.log.WarnContext(ctx, "student blocked the bot", "student_id", st.ID)
	if _, err := b.st.RaiseSignals(ctx, st.ID, 0, store.Signal{Code: "blocked", Severity: severity.Attention}); err != nil {
		b.log.ErrorContext(ctx, "raise blocked signal", "student_id", st.ID, "err", err)
		return
	}
	signalsRaised.WithLabelValues(severity.Attention.String()).Inc()
	b.kick(ctx)
}
