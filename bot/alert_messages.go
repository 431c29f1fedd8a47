package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/lijntje/lijntje/render"
	"github.com/lijntje/lijntje/scheduler"
	"github.com/lijntje/lijntje/severity"
	"github.com/lijntje/lijntje/store"
)

// Every message reaches a person: what a student sends outside a check-in's
// questions (a text, a photo of a letter, a voice message, a typed answer
// where buttons were asked) goes to their coach as a request, copied as it
// is, in the coach's working hours; the student is told truthfully when the
// coach will see it. Crisis language takes the crisis path before this.

// hasMedia reports whether m carries something to look at (a photo of a
// letter, a document, a video) that can be passed on as it is.
func hasMedia(m *models.Message) bool {
	return len(m.Photo) > 0 || m.Document != nil || m.Video != nil || m.VideoNote != nil || m.Audio != nil
}

// messageToCoach keeps a message outside a check-in's free-text step,
// passes it on to the coach as a request (joining the student's open case)
// and tells the student when the coach will see it.
func (b *Bot) messageToCoach(ctx context.Context, x *in, text, voice string) error {
	m := x.u.Message
	r := b.freeTextRecord(ctx, x, text, voice)
	key := "alerts.thanks.message"
	switch {
	case voice != "":
		key = "alerts.thanks.voice"
		r.Signals = append(r.Signals, voiceSignal(x))
	case hasMedia(m):
		key = "alerts.thanks.media"
		r.Signals = append(r.Signals, store.Signal{Code: store.SignalMedia, Severity: severity.Request,
			Detail: store.CopyDetail(x.chatID, m.ID, clip(text, 1000))})
	default:
		r.Signals = append(r.Signals, store.Signal{Code: store.SignalMessage, Severity: severity.Request,
			Detail: store.CopyDetail(x.chatID, m.ID, clip(text, 1000))})
	}
	if x.conv.CheckinID != 0 && key == "alerts.thanks.message" {
		key = "alerts.use_buttons" // a typed answer where buttons were asked: kept, passed on, and a kind reminder
	}
	lang := x.conv.Lang
	data := map[string]any{"Coach": x.conv.Coach, "When": b.whenCoachSees(ctx, x)}
	r.Out = append(r.Out, x.reply(b.t(lang, key, data),
		[]store.Button{{Text: b.t(lang, "bot.contact.button", nil), Data: "contact"}}))
	_, err := b.record(ctx, x, r)
	return err
}

// whenCoachSees says when the student's coach will see a request sent now:
// soon in their working hours, otherwise the start of their next ones
// ("Sanne ziet het maandag vanaf 9:00").
func (b *Bot) whenCoachSees(ctx context.Context, x *in) string {
	lang := x.conv.Lang
	data := map[string]any{"Coach": x.conv.Coach}
	generic := b.t(lang, "alerts.when.workday", data)
	st, err := b.st.Student(ctx, x.conv.ID)
	if err != nil {
		return generic
	}
	coach, err := b.st.Coach(ctx, st.CoachID)
	if err != nil {
		return generic
	}
	if gone, err := b.st.CoachUnreachable(ctx, coach.ID); err == nil && gone {
		return b.t(lang, "alerts.when.colleague", data) // the case goes to the next in line
	}
	hours, err := scheduler.ParseHours(coach.Hours)
	if err != nil {
		return generic
	}
	now := b.cfg.Now()
	start := hours.NextStart(now)
	if !start.After(now) {
		return b.t(lang, "alerts.when.now", data)
	}
	loc := start.In(b.cfg.Zone)
	today := now.In(b.cfg.Zone)
	days := int(time.Date(loc.Year(), loc.Month(), loc.Day(), 12, 0, 0, 0, time.UTC).Sub(
		time.Date(today.Year(), today.Month(), today.Day(), 12, 0, 0, 0, time.UTC)).Hours() / 24)
	var day string
	switch {
	case days <= 0:
		day = b.t(lang, "alerts.day.today", nil)
	case days == 1:
		day = b.t(lang, "alerts.day.tomorrow", nil)
	case days < 7:
		day = b.dayName(lang, int(loc.Weekday()))
	default:
		day = b.localDate(start)
	}
	data["Day"] = day
	data["Time"] = fmt.Sprintf("%d:%02d", loc.Hour(), loc.Minute())
	return b.t(lang, "alerts.when.later", data)
}

// renderMoved renders the edit of an alert message that a new one replaced
// (news in the case, or a repeat nobody took on): it points down to the new
// message and loses its buttons, so each case has one message to act on.
func (b *Bot) renderMoved(ctx context.Context, m store.Message) (store.Message, error) {
	v, err := b.st.Alert(ctx, m.AlertID, 0)
	if err != nil {
		return store.Message{}, err
	}
	lang := "nl"
	c, err := b.st.CoachByChat(ctx, m.ChatID)
	switch {
	case err == nil:
		lang = c.Lang
	case !errors.Is(err, store.ErrNotFound):
		return store.Message{}, err
	}
	text := render.Moved(b.loc, lang, v)
	return store.Message{ID: m.ID, ChatID: m.ChatID, Lane: m.Lane, Kind: store.KindEdit, EditMessageID: m.EditMessageID,
		Text: text, AlertID: m.AlertID}, nil
}

// pointToNew queues the edit that turns a coach's old alert message into a
// pointer to the new one being sent now (after it, in the chat's order).
// Should it be lost, the old message only keeps its buttons, which still work.
func (b *Bot) pointToNew(ctx context.Context, m store.Message, old int) {
	_, err := b.st.Enqueue(ctx, store.Message{ChatID: m.ChatID, Lane: store.LaneUrgent, Kind: store.KindAlert,
		AlertID: m.AlertID, EditMessageID: old}) // no DeliveryID: the edit's message ID must not become the delivery's
	if err != nil {
		b.log.WarnContext(ctx, "point old alert to new", "alert_id", m.AlertID, "err", err)
	}
}
