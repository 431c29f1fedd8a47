package bot

import (
	"context"
	"strings"

	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/store"
)

// This file keeps one chat one person, and makes commands safe to handle
// twice: a redelivered update changes nothing.

// stillTheirs returns store.ErrNotOwner when the chat is no longer linked to
// the person its cached conversation names (a new phone was linked since):
// Handle then handles the update again as who the chat is now. One read by
// primary key, for actions that change or reveal data outside b.record
// (which checks the same in its own statement).
func (b *Bot) stillTheirs(ctx context.Context, x *in) error {
	if x.conv.Role == store.RoleNone {
		return nil
	}
	ok, err := b.st.OwnsChat(ctx, store.Owner{Role: x.conv.Role, ID: x.conv.ID, ChatID: x.chatID})
	if err != nil {
		return err
	}
	if !ok {
		return store.ErrNotOwner
	}
	return nil
}

// staleNote keeps a typed note or voice message that came for a step the
// check-in has left (it expired, or moved on in another process): it is
// recorded as a free message, never dropped. x.conv is fresh from Postgres.
func (b *Bot) staleNote(ctx context.Context, x *in, input flows.Input) error {
	r := b.freeTextRecord(ctx, x, input.Text, input.VoiceFileID)
	key := "bot.thanks.message"
	if input.VoiceFileID != "" {
		key = "bot.thanks.voice"
		r.Signals = append(r.Signals, voiceSignal(x))
	}
	r.Out = append(r.Out, x.reply(b.t(x.conv.Lang, key, map[string]any{"Coach": x.conv.Coach}),
		[]store.Button{{Text: b.t(x.conv.Lang, "bot.contact.button", nil), Data: "contact"}}))
	// The refused answer marked the update handled when it had no signals
	// (one statement); this record then cannot carry the update ID again.
	x.noDedupe = true
	_, err := b.record(ctx, x, r)
	return err
}

// cmdDienst sets the coach's on-call duty: "/dienst aan" or "/dienst uit"
// (also on/off) set it, so handling the command twice changes nothing;
// plain /dienst shows the duty and a button for the other state.
func (b *Bot) cmdDienst(ctx context.Context, x *in, arg string) error {
	switch strings.ToLower(strings.TrimSpace(arg)) {
	case "aan", "on", "in":
		return b.setDienst(ctx, x, true)
	case "uit", "off", "af":
		return b.setDienst(ctx, x, false)
	case "":
		me, err := b.st.Coach(ctx, x.conv.ID)
		if err != nil {
			return err
		}
		_, err = b.record(ctx, x, store.Record{Out: []store.Message{b.dienstState(x, me.OnCall)}})
		return err
	}
	return b.coachReply(ctx, x, b.t(x.conv.Lang, "trust.dienst.usage", nil))
}

// dienstState is the coach's duty with a button for the other state.
func (b *Bot) dienstState(x *in, on bool) store.Message {
	lang := x.conv.Lang
	if on {
		return x.reply(b.t(lang, "trust.dienst.is_on", nil), []store.Button{{Text: b.t(lang, "trust.dienst.button_off", nil), Data: "dienst:uit"}})
	}
	return x.reply(b.t(lang, "trust.dienst.is_off", nil), []store.Button{{Text: b.t(lang, "trust.dienst.button_on", nil), Data: "dienst:aan"}})
}

// dienstTap handles the duty button ("dienst:aan", "dienst:uit").
func (b *Bot) dienstTap(ctx context.Context, x *in, rest string) error {
	switch rest {
	case "aan":
		return b.setDienst(ctx, x, true)
	case "uit":
		return b.setDienst(ctx, x, false)
	}
	b.answerCallback(ctx, x, b.t(x.conv.Lang, "bot.stale_button", nil))
	return nil
}

// setDienst sets the coach's duty to on. The coordinators hear of a change;
// the coach gets the new state with a button for the other. Setting the state
// it already has tells only the coach.
func (b *Bot) setDienst(ctx context.Context, x *in, on bool) error {
	me, err := b.st.Coach(ctx, x.conv.ID)
	if err != nil {
		return err
	}
	changed := me.OnCall != on
	if changed {
		if me, err = b.st.SetOnCall(ctx, me.ID, on); err != nil {
			return err
		}
		b.log.InfoContext(ctx, "on call", "coach_id", me.ID, "on", me.OnCall)
	}
	onCall, err := b.st.CoachesOnDuty(ctx, true)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(onCall))
	for _, c := range onCall {
		names = append(names, c.Name)
	}
	var out []store.Message
	if changed {
		coords, err := b.st.CoachesOnDuty(ctx, false)
		if err != nil {
			return err
		}
		for _, c := range coords {
			if c.ChatID == 0 || c.ID == me.ID {
				continue
			}
			out = append(out, store.Message{ChatID: c.ChatID, Lane: store.LaneInteractive, Kind: store.KindSend,
				Text: b.onCallText(c.Lang, me, names)})
		}
	}
	key := "coach.dienst.off"
	if me.OnCall {
		key = "coach.dienst.on"
	}
	text := b.t(x.conv.Lang, key, nil)
	if me.Coordinator {
		text += "\n" + b.onCallText(x.conv.Lang, me, names)
	}
	reply := b.dienstState(x, me.OnCall)
	reply.Text = clip(text, 4000)
	if cq := x.u.CallbackQuery; cq != nil && cq.Message.Message != nil { // the tapped message shows the new state
		reply.Kind, reply.EditMessageID = store.KindEdit, cq.Message.Message.ID
	}
	if _, err := b.record(ctx, x, store.Record{Out: append([]store.Message{reply}, out...)}); err != nil {
		return err
	}
	b.answerCallback(ctx, x, "")
	return nil
}
