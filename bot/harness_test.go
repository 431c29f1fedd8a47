package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lijntje/lijntje/app/apptest"
	"github.com/lijntje/lijntje/bot"
	"github.com/lijntje/lijntje/bot/telegramtest"
	"github.com/lijntje/lijntje/clock"
	"github.com/lijntje/lijntje/scheduler"
	"github.com/lijntje/lijntje/store"
)

// harness is `lijntje serve` (app.New and Start, through app/apptest)
// against the Telegram double, with one stopped clock for the store, bot,
// scheduler and double.
type harness struct {
	t     *testing.T
	ctx   context.Context
	clock *clock.Clock
	srv   *telegramtest.Server
	st    *store.Store
	bot   *bot.Bot
	sched *scheduler.Scheduler
}

func newHarness(t *testing.T, start time.Time) *harness {
	t.Helper()
	e := apptest.New(t, apptest.Options{Start: start, Stopped: true,
		Telegram: telegramtest.Options{GlobalRate: 1000, PerChatBurst: 1000, PerChatRate: 1000}})
	cfg := e.Config()
	cfg.SendRate, cfg.SendRateAuto, cfg.SendChatRate, cfg.SendChatBurst, cfg.SendPollEvery = 1000, false, 1000, 1000, 20*time.Millisecond
	cfg.Schedule.Tick = 20 * time.Millisecond
	a := e.StartWith(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return &harness{t: t, ctx: ctx, clock: e.Clock, srv: e.TG, st: a.Store, bot: a.Bot(), sched: a.Scheduler()}
}

// coach adds a coach and links a Telegram user to them.
func (h *harness) coach(c store.Coach) (store.Coach, *telegramtest.User) {
	h.t.Helper()
	c, code, err := h.st.AddCoach(h.ctx, c, time.Hour)
	if err != nil {
		h.t.Fatal(err)
	}
	u := h.srv.NewUser(store.FirstName(c.Name))
	u.SendCommand("start", code)
	h.wait(u, "coach", func(m telegramtest.Sent) bool { return strings.Contains(m.Text, "/help") })
	if c.OnCall {
		if _, err := h.st.SetOnCall(h.ctx, c.ID, true); err != nil {
			h.t.Fatal(err)
		}
	}
	c, _ = h.st.Coach(h.ctx, c.ID)
	return c, u
}

// student adds a student of coachID and links a Telegram user to them.
func (h *harness) student(name string, coachID int64) (store.Student, *telegramtest.User) {
	h.t.Helper()
	s, code, err := h.st.AddStudent(h.ctx, store.NewStudent{Name: name, CoachID: coachID}, time.Hour)
	if err != nil {
		h.t.Fatal(err)
	}
	u := h.srv.NewUser(store.FirstName(name))
	u.SendCommand("start", code)
	h.wait(u, "welcome", func(m telegramtest.Sent) bool { return strings.Contains(m.Text, "113") })
	s, _ = h.st.Student(h.ctx, s.ID)
	return s, u
}

// wait waits (on the double, not on a timer) for a message in u's chat.
func (h *harness) wait(u *telegramtest.User, what string, pred func(telegramtest.Sent) bool) telegramtest.Sent {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, 10*time.Second)
	defer cancel()
	m, err := u.WaitFor(ctx, pred)
	if err != nil {
		h.t.Fatalf("waiting for %s in %s's chat: %v; chat has %s", what, u.FirstName, err, dump(u))
	}
	return m
}

// after waits for a message in u's chat newer than the last one seen.
func (h *harness) after(u *telegramtest.User, what string, last int, pred func(telegramtest.Sent) bool) telegramtest.Sent {
	h.t.Helper()
	return h.wait(u, what, func(m telegramtest.Sent) bool { return m.MessageID > last && pred(m) })
}

func lastID(u *telegramtest.User) int {
	if m, ok := u.Last(); ok {
		return m.MessageID
	}
	return 0
}

func has(s string) func(telegramtest.Sent) bool {
	return func(m telegramtest.Sent) bool { return strings.Contains(m.Text+m.Caption, s) }
}

func dump(u *telegramtest.User) string {
	var sb strings.Builder
	for _, m := range u.Messages() {
		sb.WriteString("\n  [" + m.Kind + "] " + m.Text + m.Caption)
	}
	return sb.String()
}
