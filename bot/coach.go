package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/store"
)

// The coach's conversation: their commands, their plain messages (a case's
// closing note, the agreement or note a button waits for: relation.go, a
// message to a student: messages.go), their taps on alerts (take on, history,
// close), and a coach who cannot be reached or is back.

// coachCommand handles a coach's command.
func (b *Bot) coachCommand(ctx context.Context, x *in, cmd, arg string) error {
	return b.coachCmd(ctx, x, cmd, arg)
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
// case's note (coachText), not an agreement a button waited for.
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

// coachCmd handles a coach's command. Every command reads only what this coach
// may see: their own students and the cases routed to them (a coordinator sees all).
func (b *Bot) coachCmd(ctx context.Context, x *in, cmd, arg string) error {
	if ok, err := b.relationCommand(ctx, x, cmd, arg); ok { // /afspraak, /verwijzing, /sluit: relation.go
		return err
	}
	switch cmd {
	case "dienst":
		return b.cmdDienst(ctx, x, arg) // trust.go
	case "overzicht":
		return b.cmdOverzicht(ctx, x)
	case "student":
		return b.cmdStudent(ctx, x, arg)
	case "checkin":
		return b.cmdCheckin(ctx, x, arg)
	case "sluit":
		return b.cmdSluit(ctx, x, arg)
	case "bericht", "vervanger": // messages.go, handover.go
		return b.talkCmd(ctx, x, cmd, arg)
	}
	return b.coachReply(ctx, x, b.t(x.conv.Lang, "coach.help", nil))
}

func (b *Bot) coachReply(ctx context.Context, x *in, text string, more ...store.Message) error {
	_, err := b.record(ctx, x, store.Record{Out: append([]store.Message{x.reply(text)}, more...)})
	return err
}

// coachReplyAbout is coachReply for a text about one student (and case), so
// that erasing the student finds it by key.
func (b *Bot) coachReplyAbout(ctx context.Context, x *in, studentID, caseID int64, text string) error {
	m := x.reply(text)
	m.StudentID, m.CaseID = studentID, caseID
	_, err := b.record(ctx, x, store.Record{Out: []store.Message{m}})
	return err
}

func (b *Bot) onCallText(lang string, who store.Coach, names []string) string {
	key := "coach.dienst.notify_off"
	if who.OnCall {
		key = "coach.dienst.notify_on"
	}
	list := strings.Join(names, ", ")
	if list == "" {
		list = b.t(lang, "coach.dienst.nobody", nil)
	}
	return b.t(lang, key, map[string]any{"Coach": who.Name, "List": list})
}

// findStudent finds the student named in arg among those the coach may see, or
// replies why not (usage, not found, ambiguous) and returns ok=false.
func (b *Bot) findStudent(ctx context.Context, x *in, arg, usage string) (store.Student, bool, error) {
	lang := x.conv.Lang
	if strings.TrimSpace(arg) == "" {
		return store.Student{}, false, b.coachReply(ctx, x, b.t(lang, usage, nil))
	}
	s, err := b.st.FindStudentFor(ctx, x.conv.ID, arg)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return s, false, b.coachReply(ctx, x, b.t(lang, "coach.student.not_found", map[string]any{"Query": clip(arg, 60)}))
	case errors.Is(err, store.ErrAmbiguous):
		return s, false, b.coachReply(ctx, x, b.t(lang, "coach.student.ambiguous", map[string]any{"Query": clip(arg, 60)}))
	case err != nil:
		return s, false, err
	}
	return s, true, nil
}

// cmdStudent shows a student's recent answers and a chart of their mood and
// what they do during the day (the flow's mood and activity steps).
func (b *Bot) cmdStudent(ctx context.Context, x *in, arg string) error {
	s, ok, err := b.findStudent(ctx, x, arg, "coach.student.usage")
	if !ok || err != nil {
		return err
	}
	return b.studentOverview(ctx, x, s)
}

// studentOverview sends a coach a student's recent answers and their chart.
func (b *Bot) studentOverview(ctx context.Context, x *in, s store.Student) error {
	lang := x.conv.Lang
	rows, err := b.st.RecentAnswers(ctx, s.ID, 500)
	if err != nil {
		return err
	}
	text, buttons, err := b.studentCard(ctx, x.conv.ID, lang, s) // the timeline and card buttons: relation.go
	if err != nil {
		return err
	}
	var steps ChartSteps
	steps.Mood, _ = b.flows.StepWithRole(flows.RoleMood)
	steps.Activity, _ = b.flows.StepWithRole(flows.RoleActivity)
	labels := ChartLabels{Title: s.Name, Mood: b.t(lang, "coach.chart.mood", nil), Activity: b.t(lang, "coach.chart.activity", nil),
		Activities: map[string]string{}}
	for _, o := range steps.Activity.Options {
		labels.Activities[o.ID] = b.t(lang, "coach.chart.activity."+o.ID, nil)
	}
	buttons = append(buttons, b.cardButtons(lang, s)...) // write to the student: messages.go
	out := []store.Message{x.reply(text, buttons...)}
	out[0].StudentID = s.ID
	if png, err := Chart(rows, steps, labels, b.cfg.Zone); err != nil {
		b.log.ErrorContext(ctx, "chart", "student_id", s.ID, "err", err)
	} else {
		out = append(out, store.Message{ChatID: x.chatID, Lane: store.LaneInteractive, Kind: store.KindPhoto, File: png, StudentID: s.ID,
			Text: b.t(lang, "coach.chart.caption", map[string]any{"Student": s.Name})})
	}
	_, err = b.record(ctx, x, store.Record{Out: out})
	return err
}

// cmdCheckin sends one of the coach's own students a check-in now (a coordinator: anyone's).
func (b *Bot) cmdCheckin(ctx context.Context, x *in, arg string) error {
	s, ok, err := b.findStudent(ctx, x, arg, "coach.checkin.usage")
	if !ok || err != nil {
		return err
	}
	lang := x.conv.Lang
	me, err := b.st.Coach(ctx, x.conv.ID)
	if err != nil {
		return err
	}
	if s.CoachID != me.ID && !me.Coordinator {
		return b.coachReply(ctx, x, b.t(lang, "coach.not_allowed", nil))
	}
	if s.Status != store.StatusActive || s.ChatID == 0 {
		return b.coachReplyAbout(ctx, x, s.ID, 0, b.t(lang, "coach.checkin.not_active", map[string]any{"Student": s.Name,
			"Status": b.t(lang, "coach.status."+s.Status, nil)}))
	}
	// The check-in is scheduled with the update: handled twice, it is one
	// check-in. In the students' quiet hours it waits for the morning.
	reply := b.t(lang, "coach.checkin.sent", map[string]any{"Student": firstName(s.Name)})
	due := b.cfg.Cadence.OutOfQuiet(x.at)
	if due.After(x.at) {
		reply = b.t(lang, "trust.checkin.morning", map[string]any{"Student": firstName(s.Name), "Time": b.localTime(due)})
	}
	m := x.reply(reply)
	m.StudentID = s.ID // erased with the student, by key
	if _, err := b.record(ctx, x, store.Record{ManualCheckinFor: s.ID, ManualCheckinDue: due,
		Out: []store.Message{m}}); err != nil {
		return err
	}
	b.kick(ctx)
	return nil
}

// cmdSluit closes a case the coach took on: /sluit ID note.
func (b *Bot) cmdSluit(ctx context.Context, x *in, arg string) error {
	idText, note, _ := strings.Cut(strings.TrimSpace(arg), " ")
	id, err := strconv.ParseInt(strings.TrimPrefix(idText, "#"), 10, 64)
	if err != nil || id <= 0 {
		return b.coachReply(ctx, x, b.t(x.conv.Lang, "coach.close.usage", nil))
	}
	return b.closeWithNote(ctx, x, id, strings.TrimSpace(note))
}

func (b *Bot) closeWithNote(ctx context.Context, x *in, id int64, note string) error {
	err := b.st.CloseAlert(ctx, id, x.conv.ID, clip(note, 1000))
	if errors.Is(err, store.ErrNotAllowed) {
		return b.coachReply(ctx, x, b.t(x.conv.Lang, "coach.close.not_allowed", nil))
	}
	if err != nil {
		return fmt.Errorf("close alert: %w", err)
	}
	b.log.InfoContext(ctx, "alert closed", "alert_id", id, "coach_id", x.conv.ID)
	b.send.Wake()
	return b.coachReply(ctx, x, b.t(x.conv.Lang, "coach.alert.you_closed", nil))
}

// askCloseNote answers a tap on "close": the coach's next text is the note.
func (b *Bot) askCloseNote(ctx context.Context, x *in, alertID int64) error {
	v, err := b.st.Alert(ctx, alertID, 0)
	if errors.Is(err, store.ErrNotFound) {
		b.answerCallback(ctx, x, b.t(x.conv.Lang, "coach.not_allowed", nil))
		return nil
	}
	if err != nil {
		return err
	}
	me, err := b.st.Coach(ctx, x.conv.ID)
	if err != nil {
		return err
	}
	if v.Status != store.AlertTaken || (v.TakenBy != me.Name && !me.Coordinator) {
		b.answerCallback(ctx, x, b.t(x.conv.Lang, "coach.close.not_allowed", nil))
		return nil
	}
	if err := b.st.AwaitCloseNote(ctx, x.chatID, alertID); err != nil {
		return err
	}
	err = b.coachReplyAbout(ctx, x, 0, alertID, b.t(x.conv.Lang, "coach.close.ask_note", map[string]any{"Student": v.StudentName, "ID": alertID}))
	if err == nil {
		b.answerCallback(ctx, x, "")
	}
	return err
}

// coachText handles a coach's plain text: the note that closes a case they
// tapped "close" on, or else the help.
func (b *Bot) coachText(ctx context.Context, x *in) error {
	if m := x.u.Message; m != nil && strings.TrimSpace(m.Text) != "" {
		id, err := b.st.TakeCloseNote(ctx, x.chatID)
		if err != nil {
			return err
		}
		if id != 0 {
			return b.closeWithNote(ctx, x, id, strings.TrimSpace(m.Text))
		}
	}
	return b.coachReply(ctx, x, b.t(x.conv.Lang, "coach.help", nil))
}

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
