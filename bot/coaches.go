package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/lijntje/lijntje/severity"
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

// coachCallback handles a coach's tap on an alert: take it on (t:ID), see the
// student's history (h:ID), close it (x:ID).
func (b *Bot) coachCallback(ctx context.Context, x *in, data string) error {
	if strings.HasPrefix(data, "dienst:") {
		return b.dienstTap(ctx, x, data) // trust.go
	}
	if ok, err := b.relationCallback(ctx, x, data); ok { // card buttons: relation.go
		return err
	}
	kind, idText, _ := strings.Cut(data, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 {
		b.answerCallback(ctx, x, b.t(x.conv.Lang, "bot.stale_button", nil))
		return nil
	}
	switch kind {
	case "t":
		return b.takeOn(ctx, x, id)
	case "h":
		return b.history(ctx, x, id)
	case "x":
		return b.askCloseNote(ctx, x, id) // the next text is the note; see coach_commands.go
	case "m":
		return b.askMessage(ctx, x, id) // the next text goes to the student: messages.go
	case "k":
		return b.closeKnown(ctx, x, id) // "known, in hand": known.go
	case "o":
		return b.overviewTap(ctx, x, id) // a page of /overzicht: overview.go
	}
	b.answerCallback(ctx, x, b.t(x.conv.Lang, "bot.stale_button", nil))
	return nil
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
	if _, err := b.st.RaiseSignals(ctx, st.ID, 0, store.Signal{Code: "blocked", Severity: severity.Attention}); err != nil {
		b.log.ErrorContext(ctx, "raise blocked signal", "student_id", st.ID, "err", err)
		return
	}
	signalsRaised.WithLabelValues(severity.Attention.String()).Inc()
	b.cfg.Kick()
}
