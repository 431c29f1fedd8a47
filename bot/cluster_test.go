package bot_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/lijntje/lijntje/app"
	"github.com/lijntje/lijntje/app/apptest"
	"github.com/lijntje/lijntje/bot"
	"github.com/lijntje/lijntje/bot/sender"
	"github.com/lijntje/lijntje/bot/telegramtest"
	"github.com/lijntje/lijntje/clock"
	"github.com/lijntje/lijntje/scheduler"
	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// replica is one Lijntje (bot, sender, scheduler) on a shared database:
// an application built with app.New, its workers started by the test.
type replica struct {
	st    *store.Store
	bot   *bot.Bot
	sched *scheduler.Scheduler
}

type cluster struct {
	t     *testing.T
	srv   *telegramtest.Server
	clock *clock.Clock
	reps  []*replica
}

// newCluster starts a Telegram double and builds n applications on one fresh
// database and Redis prefix (app/apptest), none of them started: a test runs
// the senders and the poller it needs (runSenders, runPoller) and the
// scheduler's rounds itself. The store clock is injected and stopped; the
// sender paces itself on the wall clock, like the double.
func newCluster(t *testing.T, n int, start time.Time, tgOpts telegramtest.Options, sc sender.Config) *cluster {
	t.Helper()
	if tgOpts.Now == nil {
		tgOpts.Now = time.Now // the double keeps the wall clock
	}
	e := apptest.New(t, apptest.Options{Start: start, Stopped: true, Telegram: tgOpts})
	c := &cluster{t: t, srv: e.TG, clock: e.Clock}
	cfg := e.Config()
	cfg.BotUsername = ""
	cfg.SendRate, cfg.SendRateAuto, cfg.SendRateMax = sc.Rate, sc.Auto, sc.RateMax
	cfg.SendChatRate, cfg.SendChatOff, cfg.SendChatBurst = sc.ChatRate, sc.ChatOff, sc.ChatBurst
	cfg.SendPollEvery, cfg.PaidBroadcast = sc.PollEvery, sc.PaidBroadcast
	ctx := context.Background()
	for range n {
		a, err := app.New(ctx, cfg, e.Options())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = a.Stop(ctx) })
		c.reps = append(c.reps, &replica{st: a.Store, bot: a.Bot(), sched: a.Scheduler()})
	}
	return c
}

// runSenders runs every replica's sender until the test ends.
func (c *cluster) runSenders() {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, r := range c.reps {
		wg.Add(1)
		go func() { defer wg.Done(); r.bot.Sender().Run(ctx) }()
	}
	c.t.Cleanup(func() { cancel(); wg.Wait() })
}

// runPoller long-polls the double with the first replica's bot until the test ends.
func (c *cluster) runPoller() {
	ctx, cancel := context.WithCancel(context.Background())
	d := bot.NewDispatcher(ctx, 4, c.reps[0].bot.Handle)
	p := &bot.Poller{URL: c.srv.URL, Token: c.srv.Token(), Timeout: time.Second}
	done := make(chan struct{})
	go func() { defer close(done); _ = p.Run(ctx, d) }()
	c.t.Cleanup(func() { cancel(); <-done; d.Close() })
}

// students adds n linked, active students (one double user each) with a check-in due now.
func (c *cluster) studentsDue(n int) []*telegramtest.User {
	c.t.Helper()
	st := c.reps[0].st
	coachID := storetest.Coach(c.t, st, store.Coach{Name: "Sanne de Vries"}, 0).ID
	users := make([]*telegramtest.User, n)
	chats := make([]int64, n)
	for i := range users {
		users[i] = c.srv.NewUser("Noor")
		chats[i] = users[i].ID
	}
	storetest.StudentsDue(c.t, st, coachID, chats, c.clock.Now())
	return users
}

func waitCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// eventually polls cond (a database condition: the double cannot wake us for it) until it holds or ctx ends.
func eventually(ctx context.Context, cond func() bool) error {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}
