package bot

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/lijntje/lijntje/scheduler"
	"github.com/lijntje/lijntje/store"
)

// talkCmd handles the coach commands of messages and hand-over.
func (b *Bot) talkCmd(ctx context.Context, x *in, cmd, arg string) error {
	switch cmd {
	case "bericht":
		return b.cmdBericht(ctx, x, arg)
	case "vervanger":
		return b.cmdVervanger(ctx, x, arg)
	}
	return b.coachReply(ctx, x, b.t(x.conv.Lang, "coach.help", nil))
}

var totRe = regexp.MustCompile(`(?i)\s+(tot|until|t/m)\s+`)

// cmdVervanger names a stand-in for a period (/vervanger NAME tot DATE), ends
// it (/vervanger uit) or shows who it is (/vervanger).
func (b *Bot) cmdVervanger(ctx context.Context, x *in, arg string) error {
	lang := x.conv.Lang
	me, err := b.st.Coach(ctx, x.conv.ID)
	if err != nil {
		return err
	}
	arg = strings.TrimSpace(arg)
	switch strings.ToLower(arg) {
	case "":
		cur, ok, err := b.st.CurrentStandIn(ctx, me.ID)
		if err != nil {
			return err
		}
		if !ok {
			return b.coachReply(ctx, x, b.t(lang, "talk.standin.none", nil))
		}
		return b.coachReply(ctx, x, b.t(lang, "talk.standin.current", map[string]any{"Coach": cur.Coach.Name, "Date": b.standInDate(cur.Until)}))
	case "uit", "off", "stop", "klaar":
		cur, ok, err := b.st.EndStandIn(ctx, me.ID)
		if err != nil {
			return err
		}
		if !ok {
			return b.coachReply(ctx, x, b.t(lang, "talk.standin.none", nil))
		}
		var more []store.Message
		if cur.Coach.ChatID != 0 {
			more = append(more, store.Message{ChatID: cur.Coach.ChatID, Lane: store.LaneInteractive, Kind: store.KindSend,
				Text: b.t(cur.Coach.Lang, "talk.standin.ended_notify", map[string]any{"Coach": firstName(me.Name)})})
		}
		b.log.InfoContext(ctx, "stand-in ended", "coach_id", me.ID, "stand_in_id", cur.Coach.ID)
		return b.coachReply(ctx, x, b.t(lang, "talk.standin.ended", map[string]any{"Coach": firstName(cur.Coach.Name)}), more...)
	}
	loc := totRe.FindStringIndex(arg)
	if loc == nil {
		return b.coachReply(ctx, x, b.t(lang, "talk.standin.usage", nil))
	}
	name, dateText := strings.TrimSpace(arg[:loc[0]]), strings.TrimSpace(arg[loc[1]:])
	until, ok := parseUntil(dateText, b.cfg.Now().In(b.cfg.Zone))
	if !ok {
		return b.coachReply(ctx, x, b.t(lang, "talk.standin.bad_date", map[string]any{"Date": clip(dateText, 40)}))
	}
	other, err := b.st.FindCoach(ctx, name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return b.coachReply(ctx, x, b.t(lang, "talk.standin.not_found", map[string]any{"Query": clip(name, 60)}))
	case errors.Is(err, store.ErrAmbiguous):
		return b.coachReply(ctx, x, b.t(lang, "talk.standin.ambiguous", map[string]any{"Query": clip(name, 60)}))
	case err != nil:
		return err
	}
	if other.ID == me.ID {
		return b.coachReply(ctx, x, b.t(lang, "talk.standin.self", nil))
	}
	if other.ChatID == 0 {
		return b.coachReply(ctx, x, b.t(lang, "talk.standin.not_linked", map[string]any{"Coach": other.Name}))
	}
	if err := b.st.SetStandIn(ctx, me.ID, other.ID, until); err != nil {
		return err
	}
	b.log.InfoContext(ctx, "stand-in named", "coach_id", me.ID, "stand_in_id", other.ID)
	date := b.standInDate(until)
	notify := store.Message{ChatID: other.ChatID, Lane: store.LaneInteractive, Kind: store.KindSend,
		Text: b.t(other.Lang, "talk.standin.notify", map[string]any{"Coach": firstName(me.Name), "Date": date})}
	return b.coachReply(ctx, x, b.t(lang, "talk.standin.set", map[string]any{"Coach": other.Name, "Date": date}), notify)
}

// standInDate is the last day of a stand-in (it ends at the start of the next day).
func (b *Bot) standInDate(until time.Time) string { return b.localDate(until.Add(-time.Minute)) }

var dateRe = regexp.MustCompile(`^(\d{1,4})[-/.](\d{1,2})(?:[-/.](\d{2,4}))?$`)

// parseUntil reads the last day of a period ("14-12", "14-12-2026", "2026-12-14",
// "14/12") and returns the end of that day in now's zone. A day without a year
// is the next one to come. ok is false for what is no date or is in the past.
func parseUntil(s string, now time.Time) (time.Time, bool) {
	m := dateRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return time.Time{}, false
	}
	a, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	var day, year int
	switch {
	case len(m[1]) == 4: // 2026-12-14
		if m[3] == "" {
			return time.Time{}, false
		}
		year, day = a, atoi(m[3])
	default:
		day = a
		if m[3] != "" {
			year = atoi(m[3])
			if year < 100 {
				year += 2000
			}
		}
	}
	zone := now.Location()
	local := now
	guess := year == 0
	if guess {
		year = local.Year()
	}
	if mo < 1 || mo > 12 || day < 1 || day > 31 {
		return time.Time{}, false
	}
	end := time.Date(year, time.Month(mo), day, 0, 0, 0, 0, zone)
	if end.Day() != day { // 31-02
		return time.Time{}, false
	}
	end = end.AddDate(0, 0, 1)
	if guess && !end.After(now) {
		end = end.AddDate(1, 0, 0)
	}
	if !end.After(now) || end.After(now.AddDate(1, 0, 1)) {
		return time.Time{}, false
	}
	return end, true
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// tellCoach sends the student's coach (their stand-in while one is named) a
// short note about the student, key with data, at the start of the coach's
// next working hours (now, within them). A failure only logs: what the student
// did is recorded already.
func (b *Bot) tellCoach(ctx context.Context, studentID int64, key string, data map[string]any) {
	st, c, err := b.st.CaseOwner(ctx, studentID)
	if err != nil {
		b.log.ErrorContext(ctx, "tell coach", "student_id", studentID, "err", err)
		return
	}
	if c.ChatID == 0 {
		return
	}
	h, err := scheduler.ParseHours(c.Hours)
	if err != nil {
		h, _ = scheduler.ParseHours("mon-fri 09:00-17:00")
	}
	if data == nil {
		data = map[string]any{}
	}
	data["Student"] = st.Name
	at := h.NextStart(b.cfg.Now())
	kind := strings.TrimPrefix(key, "talk.status.")
	if err := b.st.NoteForCoach(context.WithoutCancel(ctx), c.ID, st.ID, kind, b.t(c.Lang, key, data), at); err != nil {
		b.log.ErrorContext(ctx, "tell coach", "student_id", studentID, "coach_id", c.ID, "err", err)
		return
	}
	b.kick(ctx) // the scheduler sends due notes
}
