package bot

import (
	"context"
	"errors"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/lijntje/lijntje/store"
)

// No dead ends for alerts: an alert that cannot reach a coach (they blocked
// the bot, deleted their account, the chat is gone) marks that coach
// unreachable and passes the case on to the next in line at once; only the
// failed message fails (the sender's Undeliverable hook).

// coachUnreachable handles a message that cannot reach a chat. For a coach's
// chat it fails only that message, marks the coach unreachable, passes their
// open cases on, and tells the coordinators; it returns false for any other
// chat (a student who blocked the bot is handled by chatBlocked).
func (b *Bot) coachUnreachable(ctx context.Context, m store.Message, cause error) bool {
	f, err := b.st.CoachChatFailed(ctx, m.ID, m.ChatID, m.DeliveryID, clip(cause.Error(), 200))
	if errors.Is(err, store.ErrNotFound) {
		return false
	}
	if err != nil {
		b.log.ErrorContext(ctx, "coach chat failed", "chat_id", m.ChatID, "outbox_id", m.ID, "err", err)
		// Not recorded: try the message again later rather than lose the case.
		if err := b.st.Retry(ctx, m.ID, b.st.Now().Add(30*time.Second), "coach chat failed"); err != nil {
			b.log.ErrorContext(ctx, "retry", "outbox_id", m.ID, "err", err)
		}
		return true
	}
	b.log.WarnContext(ctx, "coach cannot be reached", "coach_id", f.Coach.ID, "outbox_id", m.ID, "delivery_id", m.DeliveryID,
		"cases_rerouted", f.Rerouted)
	b.tellCoordinators(ctx, f)
	b.kick(ctx)
	return true
}

// tellCoordinators tells the coordinators that a coach became unreachable.
func (b *Bot) tellCoordinators(ctx context.Context, f store.ChatFailure) {
	var out []store.Message
	for _, c := range f.Tell {
		out = append(out, store.Message{ChatID: c.ChatID, Lane: store.LaneUrgent, Kind: store.KindSend,
			Text: b.t(c.Lang, "alerts.coach_unreachable", map[string]any{"Coach": f.Coach.Name})})
	}
	if len(out) == 0 {
		return
	}
	if _, err := b.st.Enqueue(ctx, out...); err != nil {
		b.log.ErrorContext(ctx, "tell coordinators", "coach_id", f.Coach.ID, "err", err)
	}
	b.send.Wake()
}

// coachBack greets a coach who was unreachable and writes /start again: they
// get alerts again from now on.
func (b *Bot) coachBack(ctx context.Context, x *in) {
	back, err := b.st.CoachBack(ctx, x.conv.ID)
	if err != nil {
		b.log.ErrorContext(ctx, "coach back", "coach_id", x.conv.ID, "err", err)
		return
	}
	if !back {
		return
	}
	b.log.InfoContext(ctx, "coach reachable again", "coach_id", x.conv.ID)
	if _, err := b.st.Enqueue(ctx, store.Message{ChatID: x.chatID, Lane: store.LaneInteractive, Kind: store.KindSend,
		Text: b.t(x.conv.Lang, "alerts.coach_back", nil)}); err != nil {
		b.log.ErrorContext(ctx, "coach back", "coach_id", x.conv.ID, "err", err)
	}
	b.send.Wake()
}

// onMember handles the bot being blocked or unblocked in a private chat. A
// coach who blocks the bot is unreachable at once: their open cases go on to
// the next in line without waiting for an alert to fail. Students who block
// the bot are handled when a message to them fails (chatBlocked).
func (b *Bot) onMember(ctx context.Context, x *in) error {
	if x.conv.Role != store.RoleCoach {
		return nil
	}
	switch x.u.MyChatMember.NewChatMember.Type {
	case models.ChatMemberTypeBanned, models.ChatMemberTypeLeft:
		f, err := b.st.CoachChatFailed(ctx, 0, x.chatID, 0, "blocked the bot")
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		b.log.WarnContext(ctx, "coach blocked the bot", "coach_id", f.Coach.ID, "cases_rerouted", f.Rerouted)
		b.tellCoordinators(ctx, f)
		b.kick(ctx)
	case models.ChatMemberTypeMember:
		b.coachBack(ctx, x)
	}
	return nil
}
