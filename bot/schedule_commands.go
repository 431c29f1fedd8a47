package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/store"
)

// Callback data of the schedule buttons (all well under 64 bytes):
//
//	m:d:<day>          the day of the moment was chosen (0 Sunday .. 6)
//	m:<day>:<part>     the part of that day was chosen
//	p:<weeks>          pause 1, 2 or 4 weeks
//	p:r                resume now
//	s:y / s:n          confirm or cancel /stop
const (
	prefixMoment = "m:"
	prefixPause  = "p:"
	prefixStop   = "s:"
)

// momentParts are the parts of the day a student can choose, in order.
var momentParts = []string{"morning", "afternoon", "evening"}

// pauseWeeks are the lengths of a pause a student can choose.
var pauseWeeks = []int{1, 2, 4}

// scheduleCommand handles /moment, /pauze and /stop; ok is false for other commands.
func (b *Bot) scheduleCommand(ctx context.Context, x *in, cmd string) (bool, error) {
	switch cmd {
	case "moment":
		return true, b.replyAll(ctx, x, b.momentDayQuestion(x.conv.Lang, x.chatID))
	case "pauze", "pause":
		return true, b.pauseAsk(ctx, x)
	case "stop":
		lang := x.conv.Lang
		st, err := b.st.Student(ctx, x.conv.ID)
		if err != nil {
			return true, err
		}
		if st.Status != store.StatusActive && st.Status != store.StatusPaused {
			return true, b.replyAll(ctx, x, x.reply(b.t(lang, "schedule.not_active", nil)))
		}
		return true, b.replyAll(ctx, x, x.reply(b.t(lang, "schedule.stop.ask", nil),
			[]store.Button{{Text: b.t(lang, "schedule.stop.yes", nil), Data: prefixStop + "y"},
				{Text: b.t(lang, "schedule.stop.no", nil), Data: prefixStop + "n"}}))
	}
	return false, nil
}

// scheduleCallback handles a tap on a moment, pause or stop button; ok is
// false for other buttons.
func (b *Bot) scheduleCallback(ctx context.Context, x *in, data string) (bool, error) {
	switch {
	case strings.HasPrefix(data, prefixMoment):
		return true, b.momentTap(ctx, x, strings.TrimPrefix(data, prefixMoment))
	case strings.HasPrefix(data, prefixPause):
		return true, b.pauseTap(ctx, x, strings.TrimPrefix(data, prefixPause))
	case strings.HasPrefix(data, prefixStop):
		return true, b.stopTap(ctx, x, strings.TrimPrefix(data, prefixStop))
	}
	return false, nil
}

// momentDayQuestion asks on which day the student wants their check-in.
func (b *Bot) momentDayQuestion(lang string, chatID int64) store.Message {
	var rows [][]store.Button
	for i, d := range []int{1, 2, 3, 4, 5, 6, 0} { // Monday first
		if i%4 == 0 {
			rows = append(rows, nil)
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], store.Button{Text: b.dayName(lang, d), Data: prefixMoment + "d:" + strconv.Itoa(d)})
	}
	return store.Message{ChatID: chatID, Lane: store.LaneInteractive, Kind: store.KindSend,
		Text: b.t(lang, "schedule.moment.ask_day", nil), Buttons: rows}
}

func (b *Bot) dayName(lang string, day int) string {
	return b.t(lang, "schedule.day."+strconv.Itoa(day), nil)
}

func (b *Bot) momentTap(ctx context.Context, x *in, rest string) error {
	lang := x.conv.Lang
	first, second, _ := strings.Cut(rest, ":")
	if first == "d" { // a day: ask the part of the day, in the same message
		day, err := strconv.Atoi(second)
		if err != nil || day < 0 || day > 6 {
			return b.staleTap(ctx, x)
		}
		var rows [][]store.Button
		for _, p := range momentParts {
			rows = append(rows, []store.Button{{Text: b.t(lang, "schedule.part."+p, nil), Data: prefixMoment + strconv.Itoa(day) + ":" + p}})
		}
		return b.tapReply(ctx, x, store.Message{ChatID: x.chatID, Lane: store.LaneInteractive, Kind: store.KindEdit,
			Text: b.t(lang, "schedule.moment.ask_part", map[string]any{"Day": b.dayName(lang, day)}), Buttons: rows})
	}
	day, err := strconv.Atoi(first)
	known := false
	for _, p := range momentParts {
		known = known || p == second
	}
	if err != nil || day < 0 || day > 6 || !known {
		return b.staleTap(ctx, x)
	}
	if err := b.st.SetMoment(ctx, x.conv.ID, day, second); err != nil {
		return err
	}
	b.log.InfoContext(ctx, "moment chosen", "student_id", x.conv.ID, "day", day, "part", second)
	b.cfg.Kick() // plan again with the new moment
	return b.tapReply(ctx, x, store.Message{ChatID: x.chatID, Lane: store.LaneInteractive, Kind: store.KindEdit,
		Text: b.t(lang, "schedule.moment.saved", map[string]any{"Day": b.dayName(lang, day), "Part": b.t(lang, "schedule.part."+second, nil)})})
}

// pauseAsk offers a pause of 1, 2 or 4 weeks, and to resume when paused.
func (b *Bot) pauseAsk(ctx context.Context, x *in) error {
	lang := x.conv.Lang
	st, err := b.st.ScheduledStudent(ctx, x.conv.ID)
	if err != nil {
		return err
	}
	if st.Status != store.StatusActive && st.Status != store.StatusPaused {
		return b.replyAll(ctx, x, x.reply(b.t(lang, "schedule.not_active", nil)))
	}
	var row []store.Button
	for _, w := range pauseWeeks {
		row = append(row, store.Button{Text: b.t(lang, "schedule.pause.week."+strconv.Itoa(w), nil), Data: prefixPause + strconv.Itoa(w)})
	}
	rows := [][]store.Button{row}
	text := b.t(lang, "schedule.pause.ask", nil)
	if st.Status == store.StatusPaused {
		text = b.t(lang, "schedule.pause.paused", map[string]any{"Date": b.localDate(st.PausedUntil)})
		rows = append(rows, []store.Button{{Text: b.t(lang, "schedule.pause.resume", nil), Data: prefixPause + "r"}})
	}
	return b.replyAll(ctx, x, x.reply(text, rows...))
}

func (b *Bot) pauseTap(ctx context.Context, x *in, arg string) error {
	lang := x.conv.Lang
	if arg == "r" {
		if _, err := b.st.Resume(ctx, x.conv.ID); err != nil {
			return err
		}
		_ = b.st.ForgetConv(ctx, x.chatID)
		b.cfg.Kick()
		return b.tapReply(ctx, x, store.Message{ChatID: x.chatID, Lane: store.LaneInteractive, Kind: store.KindEdit,
			Text: b.t(lang, "schedule.pause.resumed", nil)})
	}
	weeks, err := strconv.Atoi(arg)
	if err != nil || (weeks != 1 && weeks != 2 && weeks != 4) {
		return b.staleTap(ctx, x)
	}
	until := x.at.Add(time.Duration(weeks) * 7 * 24 * time.Hour)
	ok, err := b.st.Pause(ctx, x.conv.ID, until)
	if err != nil {
		return err
	}
	if !ok {
		return b.tapReply(ctx, x, store.Message{ChatID: x.chatID, Lane: store.LaneInteractive, Kind: store.KindEdit,
			Text: b.t(lang, "schedule.not_active", nil)})
	}
	_ = b.st.ForgetConv(ctx, x.chatID) // an open check-in was cancelled
	b.log.InfoContext(ctx, "paused", "student_id", x.conv.ID, "weeks", weeks)
	b.tellCoach(ctx, x.conv.ID, "talk.status.paused", map[string]any{"Date": b.localDate(until)}) // handover.go
	return b.tapReply(ctx, x, store.Message{ChatID: x.chatID, Lane: store.LaneInteractive, Kind: store.KindEdit,
		Text: b.t(lang, "schedule.pause.done", map[string]any{"Date": b.localDate(until)})})
}

func (b *Bot) stopTap(ctx context.Context, x *in, arg string) error {
	lang := x.conv.Lang
	switch arg {
	case "n":
		return b.tapReply(ctx, x, store.Message{ChatID: x.chatID, Lane: store.LaneInteractive, Kind: store.KindEdit,
			Text: b.t(lang, "schedule.stop.kept", nil)})
	case "y":
		ok, err := b.st.StopCheckins(ctx, x.conv.ID, x.at)
		if err != nil {
			return err
		}
		key := "schedule.stop.done"
		if !ok {
			key = "schedule.not_active"
		} else if _, err := b.st.EraseAnswers(ctx, x.conv.ID); err != nil { // what they said goes with them
			return err
		}
		_ = b.st.ForgetConv(ctx, x.chatID)
		b.log.InfoContext(ctx, "check-ins stopped", "student_id", x.conv.ID)
		if ok {
			b.tellCoach(ctx, x.conv.ID, "talk.status.stopped", nil) // handover.go
		}
		return b.tapReply(ctx, x, store.Message{ChatID: x.chatID, Lane: store.LaneInteractive, Kind: store.KindEdit,
			Text: b.t(lang, key, map[string]any{"Coach": x.conv.Coach})})
	}
	return b.staleTap(ctx, x)
}

// replyAll records the update with msgs as its replies.
func (b *Bot) replyAll(ctx context.Context, x *in, msgs ...store.Message) error {
	_, err := b.record(ctx, x, store.Record{Out: msgs})
	return err
}

// tapReply answers a tap by editing the tapped message into edit (its
// buttons gone unless edit has some), or by a new message when the tapped
// one is not available.
func (b *Bot) tapReply(ctx context.Context, x *in, edit store.Message) error {
	if cq := x.u.CallbackQuery; cq != nil && cq.Message.Message != nil {
		edit.EditMessageID = cq.Message.Message.ID
	} else {
		edit.Kind = store.KindSend
	}
	edit.Text = clip(edit.Text, 4000)
	if err := b.replyAll(ctx, x, edit); err != nil {
		return err
	}
	b.answerCallback(ctx, x, "")
	return nil
}

func (b *Bot) staleTap(ctx context.Context, x *in) error {
	b.answerCallback(ctx, x, b.t(x.conv.Lang, "bot.stale_button", nil))
	return nil
}

// localDate is t's day in the deployment's zone.
func (b *Bot) localDate(t time.Time) string { return localDateIn(t, b.cfg.Zone) }

func localDateIn(t time.Time, zone *time.Location) string { return t.In(zone).Format("02-01-2006") }

// RemindCheckin renders the one reminder of an open check-in: the flow's
// reminder text above its current question, with the question's buttons.
func (b *Bot) RemindCheckin(r store.Reminder) ([]store.Message, error) {
	f, err := b.flow(context.Background(), r.FlowID, r.Version)
	if err != nil {
		return nil, err
	}
	data := map[string]any{"Name": firstName(r.StudentName), "Coach": firstName(r.CoachName)}
	st, ok := f.StepByID(r.Step)
	if !ok {
		return nil, fmt.Errorf("check-in %d: step %q not in flow %s@%s", r.CheckinID, r.Step, f.ID, f.Version)
	}
	if st.Kind != flows.KindQuestion { // an agreement or referral: its question names it
		if err := b.followupDataFor(context.Background(), r.Lang, r.CheckinID, st, data); err != nil {
			return nil, err
		}
	}
	// The question comes back at the bottom of the chat as a new card with the
	// answers so far; the old card loses its buttons and points to it (card.go).
	msg := Question(b.loc, r.Lang, r.ChatID, r.CheckinID, st, b.t(r.Lang, f.Reminder, data), data, store.LaneReminder)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	moved := b.t(r.Lang, "card.moved", nil)
	old, lines, ok := b.retireCard(ctx, r.ChatID, r.CheckinID, func([]string) string { return moved })
	msg.Text = cardText(lines, msg.Text)
	if !ok {
		return []store.Message{msg}, nil
	}
	return []store.Message{msg, old}, nil
}

// ClosingMessage is the kind message at the end of a student's follow-up.
func (b *Bot) ClosingMessage(s store.Scheduled) []store.Message {
	data := map[string]any{"Name": firstName(s.Name), "Coach": firstName(s.CoachName)}
	return []store.Message{{ChatID: s.ChatID, Lane: store.LaneBulk, Kind: store.KindSend, Text: b.t(s.Lang, "schedule.closing", data)}}
}

// PauseOverMessage tells a student their pause is over.
func (b *Bot) PauseOverMessage(s store.Scheduled) []store.Message {
	data := map[string]any{"Name": firstName(s.Name), "Coach": firstName(s.CoachName)}
	return []store.Message{{ChatID: s.ChatID, Lane: store.LaneReminder, Kind: store.KindSend, Text: b.t(s.Lang, "schedule.pause.over", data)}}
}
