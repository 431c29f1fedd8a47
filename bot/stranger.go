package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/store"
)

// The conversation with someone Lijntje does not know: an invite code from a
// deep link makes them a student or a coach; without one they get a kind
// refusal, or for crisis language the crisis numbers, and nothing about them
// is stored.

// onStart redeems an invite code from a deep link.
func (b *Bot) onStart(ctx context.Context, x *in, code string) error {
	if len(code) > 64 {
		return b.strangerInvite(ctx, x)
	}
	red, err := b.st.RedeemInvite(ctx, code, x.chatID)
	switch {
	case errors.Is(err, store.ErrRoleTaken):
		return b.roleTaken(ctx, x)
	case errors.Is(err, store.ErrInviteInvalid), errors.Is(err, store.ErrChatTaken):
		if x.conv.Role != store.RoleNone {
			_, err := b.record(ctx, x, store.Record{Out: []store.Message{x.reply(b.t(x.conv.Lang, "bot.invite.used", nil))}})
			return err
		}
		return b.strangerInvite(ctx, x)
	case err != nil:
		return fmt.Errorf("redeem invite: %w", err)
	}
	b.log.InfoContext(ctx, "invite redeemed", "chat_id", x.chatID, "role", red.Role, "student_id", red.Student.ID, "coach_id", red.Coach.ID)
	conv, err := b.st.ReloadConv(ctx, x.chatID)
	if err != nil {
		return err
	}
	x.conv = conv
	var text string
	if red.Role == store.RoleStudent {
		coach, err := b.st.Coach(ctx, red.Student.CoachID)
		if err != nil {
			return err
		}
		text = b.t(red.Student.Lang, "bot.welcome.student", map[string]any{"Name": firstName(red.Student.Name), "Coach": firstName(coach.Name)})
	} else {
		text = b.t(red.Coach.Lang, "bot.welcome.coach", map[string]any{"Name": firstName(red.Coach.Name)})
		b.coachBack(ctx, x)
		b.setCoachCommands(ctx, x.chatID, red.Coach.Lang)
	}
	out := []store.Message{x.reply(text)}
	if red.Role == store.RoleStudent { // then: when do they want their check-ins?
		out = append(out, b.momentDayQuestion(red.Student.Lang, x.chatID))
	}
	_, err = b.record(ctx, x, store.Record{Out: out})
	return err
}

// strangerInvite refuses a wrong or used code from someone unknown; nothing is stored.
func (b *Bot) strangerInvite(ctx context.Context, x *in) error {
	if x.conv.Role != store.RoleNone {
		_, err := b.record(ctx, x, store.Record{Out: []store.Message{x.reply(b.t(x.conv.Lang, "bot.invite.invalid", nil))}})
		return err
	}
	lang := "nl"
	if from := fromUser(x.u); from != nil && len(from.LanguageCode) >= 2 && from.LanguageCode[:2] == "en" {
		lang = "en"
	}
	_, err := b.tg.SendMessage(ctx, sendText(x.chatID, b.t(lang, "bot.invite.invalid", nil)))
	if err != nil {
		b.log.WarnContext(ctx, "reply to stranger", "update_id", x.u.ID, "err", err)
	}
	return nil
}

// roleTaken refuses, kindly, an invite for the other role: a coach who taps a
// student's link stays a coach, a student who taps a coach's link a student.
func (b *Bot) roleTaken(ctx context.Context, x *in) error {
	key := "trust.role.student_got_coach_link"
	if x.conv.Role == store.RoleCoach {
		key = "trust.role.coach_got_student_link"
	}
	b.log.InfoContext(ctx, "invite for the other role refused", "chat_id", x.chatID, "role", x.conv.Role, "update_id", x.u.ID)
	_, err := b.record(ctx, x, store.Record{Out: []store.Message{x.reply(b.t(x.conv.Lang, key, nil))}})
	return err
}

// strangerReply tells someone without an invite, kindly, that this bot is for
// invited participants. Nothing about them is stored.
func (b *Bot) strangerReply(ctx context.Context, x *in) error {
	lang := "nl"
	if from := fromUser(x.u); from != nil && strings.HasPrefix(from.LanguageCode, "en") {
		lang = "en"
	}
	if x.u.CallbackQuery != nil {
		b.answerCallback(ctx, x, b.t(lang, "bot.stranger.short", nil))
		return nil
	}
	_, err := b.tg.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: x.chatID, Text: b.t(lang, "bot.stranger", nil)})
	if err != nil {
		b.log.WarnContext(ctx, "reply to stranger", "update_id", x.u.ID, "err", err)
	}
	return nil
}

// fromUser is who sent u.
func fromUser(u *models.Update) *models.User {
	switch {
	case u.Message != nil:
		return u.Message.From
	case u.EditedMessage != nil:
		return u.EditedMessage.From
	case u.CallbackQuery != nil:
		return &u.CallbackQuery.From
	}
	return nil
}

// strangerMessage answers a chat without an invite. Crisis language (or an
// in-between phrase: the safer choice) gets the numbers of its category in the
// language of the Telegram client, through the sender's rate limits; nothing
// about the chat is stored. Anything else gets the polite refusal.
func (b *Bot) strangerMessage(ctx context.Context, x *in) error {
	if x.conv.Role != store.RoleNone || x.u.Message == nil {
		return b.strangerReply(ctx, x)
	}
	text := x.u.Message.Text + " " + x.u.Message.Caption
	d := b.crisis.Detect(text)
	if d.Tier < flows.TierDoubt {
		return b.strangerReply(ctx, x)
	}
	lang := "nl"
	if from := fromUser(x.u); from != nil && strings.HasPrefix(strings.ToLower(from.LanguageCode), "en") {
		lang = "en"
	}
	out := b.crisisOut(lang, x.chatID, d, "")
	out[len(out)-1].Text = clip(out[len(out)-1].Text+"\n\n"+b.t(lang, "crisis.stranger_note", nil), 4000)
	for _, m := range out {
		b.send.SendDirect(m)
	}
	b.log.WarnContext(ctx, "crisis language from a chat without an invite", "update_id", x.u.ID)
	return nil
}
