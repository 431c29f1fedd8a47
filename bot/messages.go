package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/lijntje/lijntje/store"
)

// Personal messages between a coach and a student. The bot carries them both
// ways in the coach's name: the student sees the coach's first name, never the
// coach's Telegram account (no forward, no chat ID, no username).
//
// A coach writes with /bericht NAME text, by replying (Telegram's reply) to an
// alert about the student or to a message from them, or with the "write"
// button on the student's card (then the next text is the message). A student
// answers by replying to the message, or simply by writing within
// answerWindow of it: outside a check-in's free-text question, that text goes
// back to the coach who wrote last.

// answerWindow is how long a student's free text counts as an answer to their
// coach's last message: long enough for an answer the next evening.
const answerWindow = 72 * time.Hour

// maxPersonal is the longest message carried (Telegram's limit is 4096).
const maxPersonal = 3500

// cardButtons are the buttons under a student's card.
func (b *Bot) cardButtons(lang string, s store.Student) [][]store.Button {
	return [][]store.Button{{{Text: b.t(lang, "talk.write.button", nil), Data: "m:" + strconv.FormatInt(s.ID, 10)}}}
}

// cmdBericht handles /bericht NAME text: the name is as many leading words as
// name a student the coach may see (the longest that does), the rest is the message.
func (b *Bot) cmdBericht(ctx context.Context, x *in, arg string) error {
	lang := x.conv.Lang
	words := strings.Fields(arg)
	if len(words) < 2 {
		return b.coachReply(ctx, x, b.t(lang, "talk.write.usage", nil))
	}
	if _, err := b.st.FindStudentFor(ctx, x.conv.ID, arg); err == nil {
		return b.coachReply(ctx, x, b.t(lang, "talk.write.usage", nil)) // a whole name, and no message
	}
	ambiguous := false
	for k := min(len(words)-1, 4); k >= 1; k-- {
		name := strings.Join(words[:k], " ")
		s, err := b.st.FindStudentFor(ctx, x.conv.ID, name)
		switch {
		case errors.Is(err, store.ErrNotFound):
			continue
		case errors.Is(err, store.ErrAmbiguous):
			ambiguous = true
			continue
		case err != nil:
			return err
		}
		text := strings.TrimSpace(arg)
		for _, w := range words[:k] { // keep the message's own line breaks
			text = strings.TrimSpace(strings.TrimPrefix(text, w))
		}
		return b.writeToStudent(ctx, x, s, text)
	}
	key := "coach.student.not_found"
	if ambiguous {
		key = "coach.student.ambiguous"
	}
	return b.coachReply(ctx, x, b.t(lang, key, map[string]any{"Query": clip(words[0], 60)}))
}

// askMessage answers a tap on "write": the coach's next text goes to the student.
func (b *Bot) askMessage(ctx context.Context, x *in, studentID int64) error {
	s, err := b.st.FindStudentFor(ctx, x.conv.ID, "#"+strconv.FormatInt(studentID, 10))
	if errors.Is(err, store.ErrNotFound) {
		b.answerCallback(ctx, x, b.t(x.conv.Lang, "coach.not_allowed", nil))
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := b.st.TakeCloseNote(ctx, x.chatID); err != nil { // a note asked for earlier is no longer awaited
		return err
	}
	if err := b.st.AwaitMessage(ctx, x.chatID, s.ID); err != nil {
		return err
	}
	err = b.coachReply(ctx, x, b.t(x.conv.Lang, "talk.write.ask", map[string]any{"Student": firstName(s.Name)}))
	if err == nil {
		b.answerCallback(ctx, x, "")
	}
	return err
}

// coachWrite handles a coach's text that is a message to a student: a reply to
// an alert or message about them, or the text after tapping "write". ok is
// false for any other text. A case waiting for its closing note wins: a note
// must never reach a student by mistake.
func (b *Bot) coachWrite(ctx context.Context, x *in) (bool, error) {
	m := x.u.Message
	if m == nil || strings.TrimSpace(m.Text) == "" {
		return false, nil
	}
	if b.st.CloseNotePending(ctx, x.chatID) {
		_, _ = b.st.TakeAwaitedMessage(ctx, x.chatID)
		return false, nil
	}
	var studentID int64
	if r := m.ReplyToMessage; r != nil && r.ID != 0 {
		id, err := b.st.ReplyTarget(ctx, x.chatID, r.ID)
		switch {
		case err == nil:
			studentID = id
		case !errors.Is(err, store.ErrNotFound):
			return true, err
		}
	}
	if studentID == 0 {
		id, err := b.st.TakeAwaitedMessage(ctx, x.chatID)
		if err != nil {
			return true, err
		}
		studentID = id
	}
	if studentID == 0 {
		return false, nil
	}
	s, err := b.st.FindStudentFor(ctx, x.conv.ID, "#"+strconv.FormatInt(studentID, 10))
	if errors.Is(err, store.ErrNotFound) {
		return true, b.coachReply(ctx, x, b.t(x.conv.Lang, "coach.not_allowed", nil))
	}
	if err != nil {
		return true, err
	}
	return true, b.writeToStudent(ctx, x, s, strings.TrimSpace(m.Text))
}

// writeToStudent sends text to student s in the coach's name and keeps it.
func (b *Bot) writeToStudent(ctx context.Context, x *in, s store.Student, text string) error {
	lang := x.conv.Lang
	if text == "" {
		return b.coachReply(ctx, x, b.t(lang, "talk.write.usage", nil))
	}
	if s.ChatID == 0 || (s.Status != store.StatusActive && s.Status != store.StatusPaused) {
		return b.coachReply(ctx, x, b.t(lang, "talk.write.unreachable", map[string]any{"Student": firstName(s.Name),
			"Status": b.t(lang, "coach.status."+s.Status, nil)}))
	}
	if len([]rune(text)) > maxPersonal {
		return b.coachReply(ctx, x, b.t(lang, "talk.write.too_long", map[string]any{"Max": maxPersonal}))
	}
	me, err := b.st.Coach(ctx, x.conv.ID)
	if err != nil {
		return err
	}
	out := []store.Message{
		{ChatID: s.ChatID, Lane: store.LaneInteractive, Kind: store.KindSend,
			Text: b.t(s.Lang, "talk.to_student", map[string]any{"Coach": firstName(me.Name), "Text": text})},
		x.reply(b.t(lang, "talk.write.sent", map[string]any{"Student": firstName(s.Name)})),
	}
	pm := store.PersonalMessage{StudentID: s.ID, CoachID: me.ID, Direction: store.ToStudent, Text: text, At: x.at}
	if err := b.sendPersonal(ctx, x, pm, out); err != nil {
		return err
	}
	b.log.InfoContext(ctx, "personal message to student", "student_id", s.ID, "coach_id", me.ID)
	return nil
}

// sendPersonal records a personal message with its outgoing messages and hands them to the sender.
func (b *Bot) sendPersonal(ctx context.Context, x *in, pm store.PersonalMessage, out []store.Message) error {
	for i := range out {
		out[i].StudentID = pm.StudentID // erased with the student, by key
	}
	ids, err := b.st.SendPersonal(ctx, x.u.ID, pm, out)
	if err != nil {
		return err
	}
	for i := range out {
		out[i].ID = ids[i]
	}
	b.send.HandMessages(out)
	personalMessages.WithLabelValues(pm.Direction).Inc()
	return nil
}

// studentAnswer handles a student's text that answers their coach: a reply to
// a coach's message, or (outside a check-in's free-text question) any text
// within answerWindow of one. ok is false for any other text.
func (b *Bot) studentAnswer(ctx context.Context, x *in, text string) (bool, error) {
	m := x.u.Message
	if m == nil || strings.TrimSpace(text) == "" {
		return false, nil
	}
	replyTo := 0
	if m.ReplyToMessage != nil {
		replyTo = m.ReplyToMessage.ID
	}
	window := answerWindow
	if replyTo == 0 && x.conv.CheckinID != 0 {
		if f, err := b.flow(ctx, "", x.conv.Version); err == nil {
			if st, ok := f.StepByID(x.conv.Step); ok && st.FreeText {
				return false, nil // the check-in asked for this text
			}
		}
	}
	coach, err := b.st.AnswerTarget(ctx, x.conv.ID, x.chatID, replyTo, window)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return true, err
	}
	text = strings.TrimSpace(text)
	if len([]rune(text)) > maxPersonal {
		text = clip(text, maxPersonal)
	}
	lang := x.conv.Lang
	var out []store.Message
	if coach.ChatID != 0 {
		out = append(out, store.Message{ChatID: coach.ChatID, Lane: store.LaneInteractive, Kind: store.KindSend,
			Text: b.t(coach.Lang, "talk.to_coach", map[string]any{"Student": x.conv.Name, "Text": text}),
			Buttons: [][]store.Button{{
				{Text: b.t(coach.Lang, "talk.reply.button", nil), Data: "m:" + strconv.FormatInt(x.conv.ID, 10)},
				{Text: b.t(coach.Lang, "coach.alert.history", nil), Data: "h:" + strconv.FormatInt(x.conv.ID, 10)},
			}}})
	}
	out = append(out, x.reply(b.t(lang, "talk.answer.sent", map[string]any{"Coach": firstName(coach.Name)})))
	pm := store.PersonalMessage{StudentID: x.conv.ID, CoachID: coach.ID, Direction: store.ToCoach, Text: text, At: x.at}
	if err := b.sendPersonal(ctx, x, pm, out); err != nil {
		return true, err
	}
	b.log.InfoContext(ctx, "personal message to coach", "student_id", x.conv.ID, "coach_id", coach.ID)
	return true, nil
}

var personalMessages = promauto.NewCounterVec(prometheus.CounterOpts{
	Name: "lijntje_personal_messages_total", Help: "Personal messages between coaches and students, by direction.",
}, []string{"direction"})

// writeMessages adds a student's personal messages to their /mijngegevens file.
func (b *Bot) writeMessages(ctx context.Context, doc *strings.Builder, lang string, studentID int64) error {
	msgs, err := b.st.StudentMessages(ctx, studentID)
	if err != nil || len(msgs) == 0 {
		return err
	}
	doc.WriteString("\n" + b.t(lang, "talk.data.messages", nil) + "\n")
	for _, m := range msgs {
		who := firstName(m.CoachName)
		key := "talk.data.from_coach"
		if m.Direction == store.ToCoach {
			key = "talk.data.to_coach"
		}
		fmt.Fprintf(doc, "%s\t%s\t%s\n", m.At.In(b.cfg.Zone).Format("2006-01-02 15:04"), b.t(lang, key, map[string]any{"Coach": who}),
			strings.ReplaceAll(m.Text, "\n", " "))
	}
	return nil
}
