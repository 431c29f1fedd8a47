package bot

import (
	"context"
	"errors"
	"fmt"

	"github.com/lijntje/lijntje/store"
)

// closeKnown answers a tap on "known, in hand" under a taken case: the case
// closes with that as its note, and the same answers stay quiet while they
// stay the same (up to four weeks; then they alert once, as attention).
func (b *Bot) closeKnown(ctx context.Context, x *in, alertID int64) error {
	lang := x.conv.Lang
	err := b.st.CloseKnown(ctx, alertID, x.conv.ID, b.t(lang, "talk.known.note", nil))
	if errors.Is(err, store.ErrNotAllowed) || errors.Is(err, store.ErrNotFound) {
		b.answerCallback(ctx, x, b.t(lang, "coach.close.not_allowed", nil))
		return nil
	}
	if err != nil {
		return fmt.Errorf("close known: %w", err)
	}
	b.log.InfoContext(ctx, "alert closed as known", "alert_id", alertID, "coach_id", x.conv.ID)
	b.send.Wake()
	err = b.coachReply(ctx, x, b.t(lang, "talk.known.done", nil))
	if err == nil {
		b.answerCallback(ctx, x, "")
	}
	return err
}

// remindHeader heads a case brought back to its coach: how long it is open,
// and how many check-ins it holds back.
func (b *Bot) remindHeader(ctx context.Context, lang string, v store.AlertView) string {
	days := int(b.cfg.Now().Sub(v.OpenedAt).Hours() / 24)
	text := b.t(lang, "talk.remind.open", map[string]any{"Days": days})
	if v.StudentID != 0 {
		if n, err := b.st.HeldCheckins(ctx, v.StudentID); err == nil && n > 0 {
			text += " " + b.t(lang, "talk.remind.held", map[string]any{"Count": n})
		}
	}
	return text + "\n\n"
}
