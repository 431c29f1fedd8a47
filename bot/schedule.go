package bot

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/lijntje/lijntje/store"
)

// The student's schedule: when their check-ins come (/moment), a pause
// (/pauze) and stopping (/stop), with their buttons; and what the scheduler
// sends about it: the reminder of an open check-in, the closing message, the
// end of a pause.

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
	b.kick(ctx) // plan again with the new moment
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
		b.kick(ctx)
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

// localDate is t's day in the deployment's zone.
func (b *Bot) localDate(t time.Time) string { return t.In(b.cfg.Zone).Format("02-01-2006") }
