package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"

	"github.com/lijntje/lijntje/bot"
	"github.com/lijntje/lijntje/bot/sender"
	"github.com/lijntje/lijntje/bot/telegramtest"
	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/locales"
	"github.com/lijntje/lijntje/scheduler"
	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// harness is `lijntje serve` wired as in cmd/lijntje/serve.go, against the
// Telegram double, with one manual clock for the store, bot, scheduler and double.
type harness struct {
	t     *testing.T
	ctx   context.Context
	clock *telegramtest.Clock
	srv   *telegramtest.Server
	st    *store.Store
	bot   *bot.Bot
	sched *scheduler.Scheduler
}

func newHarness(t *testing.T, start time.Time) *harness {
	t.Helper()
	clock := telegramtest.NewClock(start)
	srv := telegramtest.Start(t, telegramtest.Options{Now: clock.Now, GlobalRate: 1000, PerChatBurst: 1000, PerChatRate: 1000})
	st := storetest.New(t, store.WithClock(clock.Now))
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	log := storetest.Logger(t)
	tg, err := tgbot.New(srv.Token(), tgbot.WithServerURL(srv.URL), tgbot.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	fl, loc, crisis := loadParts(t)
	h := &harness{t: t, ctx: ctx, clock: clock, srv: srv, st: st}
	var sched *scheduler.Scheduler
	b := bot.New(bot.Config{BotUsername: srv.BotUsername(), Now: clock.Now,
		Sender: sender.Config{Rate: 1000, ChatRate: 1000, ChatBurst: 1000, PollEvery: 20 * time.Millisecond},
		Kick:   func() { sched.Kick() }}, tg, st, fl, loc, crisis, log)
	sched = scheduler.New(scheduler.Config{Now: clock.Now, EscalateAfter: 30 * time.Minute, Open: b.OpenCheckin,
		Sent: b.Sender().Wake, Tick: 20 * time.Millisecond}, st, log)
	h.bot, h.sched = b, sched
	if err := b.RegisterFlows(ctx); err != nil {
		t.Fatal(err)
	}
	disp := bot.NewDispatcher(ctx, 4, b.Handle)
	p := &bot.Poller{URL: srv.URL, Token: srv.Token(), OnError: func(err error) { log.Error("poller", "err", err) }}
	done := make(chan struct{}, 3)
	go func() { b.Sender().Run(ctx); done <- struct{}{} }()
	go func() { sched.Run(ctx); done <- struct{}{} }()
	go func() { _ = p.Run(ctx, disp); done <- struct{}{} }()
	t.Cleanup(func() {
		cancel()
		for range 3 {
			<-done
		}
		disp.Close()
	})
	return h
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

// loadParts loads the embedded flows, translations and crisis words.
func loadParts(t *testing.T) (*flows.Catalog, *locales.Catalog, *flows.CrisisMatcher) {
	t.Helper()
	fl, err := flows.Load()
	if err != nil {
		t.Fatal(err)
	}
	loc, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	crisis, err := flows.LoadCrisis()
	if err != nil {
		t.Fatal(err)
	}
	return fl, loc, crisis
}
