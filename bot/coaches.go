package bot

import (
	"context"
	"errors"
	"fmt"

	"github.com/lijntje/lijntje/store"
)

// coachCommand handles a coach's command.
func (b *Bot) coachCommand(ctx context.Context, x *in, cmd, arg string) error {
	return b.coachCmd(ctx, x, cmd, arg) // see coach_commands.go
}

// coachMessage handles a coach's plain message.
func (b *Bot) coachMessage(ctx context.Context, x *in) error {
	if ok, err := b.relationText(ctx, x); ok || err != nil { // an agreement or note a button waits for: relation.go
		return err
	}
	if ok, err := b.coachWrite(ctx, x); ok { // a message to a student: messages.go
		return err
	}
	return b.coachText(ctx, x) // a case's closing note, or the help
}

// closeTap handles a coach's tap on "close" (x:ID): the next text is the
// case's note (coach_commands.go), not an agreement a button waited for.
func (b *Bot) closeTap(ctx context.Context, x *in, rest string) error {
	if _, err := b.st.TakeAwaitText(ctx, x.chatID); err != nil {
		return err
	}
	return idTap((*Bot).askCloseNote)(b, ctx, x, rest)
}

func (b *Bot) takeOn(ctx context.Context, x *in, alertID int64) error {
	winner, err := b.st.TakeAlert(ctx, alertID, x.conv.ID)
	switch {
	case errors.Is(err, store.ErrAlreadyTaken):
		b.answerCallback(ctx, x, b.t(x.conv.Lang, "coach.alert.already_taken", map[string]any{"Coach": winner}))
		return nil
	case errors.Is(err, store.ErrNotAllowed), errors.Is(err, store.ErrNotFound):
		b.answerCallback(ctx, x, b.t(x.conv.Lang, "coach.not_allowed", nil))
		return nil
	case err != nil:
		return fmt.Errorf("take alert: %w", err)
	}
	b.log.InfoContext(ctx, "alert taken on", "alert_id", alertID, "coach_id", x.conv.ID)
	if v, err := b.st.Alert(ctx, alertID, 0); err == nil {
		takeOnSeconds.Observe(v.TakenAt.Sub(v.OpenedAt).Seconds())
	}
	b.send.Wake()
	b.answerCallback(ctx, x, b.t(x.conv.Lang, "coach.alert.you_took", nil))
	return nil
}

// history shows a coach the recent answers of one of their students.
func (b *Bot) history(ctx context.Context, x *in, studentID int64) error {
	st, err := b.st.Student(ctx, studentID)
	if errors.Is(err, store.ErrNotFound) {
		b.answerCallback(ctx, x, b.t(x.conv.Lang, "coach.not_allowed", nil))
		return nil
	}
	if err != nil {
		return err
	}
	coach, err := b.st.Coach(ctx, x.conv.ID)
	if err != nil {
		return err
	}
	if st.CoachID != coach.ID && !coach.Coordinator && !b.st.CoachHasStudentAlert(ctx, coach.ID, studentID) {
		b.answerCallback(ctx, x, b.t(x.conv.Lang, "coach.not_allowed", nil))
		return nil
	}
	if err := b.studentOverview(ctx, x, st); err != nil {
		return err
	}
	b.answerCallback(ctx, x, "")
	return nil
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
	if _, err := b.st.RaiseSignals(ctx, st.ID, 0, store.Signal{Code: "blocked", Severity: "attention", Rank: 2}); err != nil {
		b.log.ErrorContext(ctx, "raise blocked signal", "student_id", st.ID, "err", err)
		return
	}
	signalsRaised.WithLabelValues("attention").Inc()
	b.kick(ctx)
}
