package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	tgbot "github.com/go-telegram/bot"

	"github.com/lijntje/lijntje/bot"
	"github.com/lijntje/lijntje/scheduler"
)

var errNoToken error = &envError{Var: "TELEGRAM_TOKEN", Want: "not set: get a token from @BotFather and set TELEGRAM_TOKEN"}

// webhookPath is where Telegram posts updates in webhook mode.
const webhookPath = "/telegram/webhook"

// server is a running `lijntje serve`.
type server struct {
	*deps
	bot   *bot.Bot
	sched *scheduler.Scheduler
	http  *http.Server
	addr  net.Addr // the webhook's listener (HTTP_ADDR)
	// admin serves health and metrics on the operator's listener (ADMIN_ADDR).
	admin     *http.Server
	adminAddr net.Addr
	tg        *tgbot.Bot
}

// serve runs the bot, the scheduler and the HTTP endpoints until ctx ends,
// then stops in order: updates, HTTP, scheduler, sender, connections.
// ready, when not nil, gets the server once it listens.
func serve(ctx context.Context, d *deps, ready func(*server)) error {
	cfg := d.cfg
	if cfg.Token == "" {
		return errNoToken
	}
	tg, err := tgbot.New(cfg.Token, tgbot.WithServerURL(cfg.APIURL), tgbot.WithSkipGetMe(), tgbot.WithHTTPClient(time.Minute, bot.HTTPClient(time.Minute)),
		tgbot.WithErrorsHandler(func(err error) { d.log.Warn("telegram client", "err", err) }))
	if err != nil {
		return fmt.Errorf("telegram client: %w", err)
	}
	s := &server{deps: d, tg: tg}
	cfg.warnSendConfig(d.log)
	var sched *scheduler.Scheduler
	b := bot.New(bot.Config{BotUsername: cfg.BotUsername, Sender: cfg.sendConfig(), Now: d.st.Now, Zone: d.zone(),
		Kick: func() { sched.Kick() }, OutOfQuiet: func(t time.Time) time.Time { return sched.OutOfQuiet(t) }}, tg, d.st, d.flows, d.loc, d.crisis, d.log)
	scfg := cfg.Schedule
	scfg.Now, scfg.EscalateAfter, scfg.Open, scfg.Sent = d.st.Now, cfg.EscalateAfter, b.OpenCheckin, b.Sender().Wake
	scfg.Digest = b.DigestMessage
	scfg.Remind, scfg.Closing, scfg.Resumed = b.RemindCheckin, b.ClosingMessage, b.PauseOverMessage
	sched = scheduler.New(scfg, d.st, d.log)
	s.bot, s.sched = b, sched
	if err := b.RegisterFlows(ctx); err != nil {
		return err
	}
	if err := d.st.AdoptUnkeyedUpdates(ctx); err != nil {
		return err
	}
	b.SetCommands(ctx)

	// Workers live until intake has drained; intake stops first.
	work, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	disp := bot.NewDispatcher(work, 32, b.Handle, bot.WithDispatch(bot.DispatchOptions{Park: b.Park}))

	mux := http.NewServeMux() // the public listener: the webhook and nothing else
	if cfg.WebhookURL != "" {
		mux.Handle("POST "+webhookPath, bot.WebhookHandler(cfg.WebhookSecret, disp))
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("HTTP_ADDR %s: %w", cfg.HTTPAddr, err)
	}
	s.addr = ln.Addr()
	s.http = newWebhookServer(mux)
	aln, err := net.Listen("tcp", cfg.AdminAddr) // health and metrics: the operator's (surface.go)
	if err != nil {
		ln.Close()
		return fmt.Errorf("ADMIN_ADDR %s: %w", cfg.AdminAddr, err)
	}
	s.adminAddr = aln.Addr()
	s.admin = newAdminServer(adminHandler(d))

	var wg sync.WaitGroup
	run := func(f func()) { wg.Add(1); go func() { defer wg.Done(); f() }() }
	run(func() {
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			d.log.Error("http server", "err", err)
		}
	})
	run(func() {
		if err := s.admin.Serve(aln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			d.log.Error("admin server", "err", err)
		}
	})
	sendDone := make(chan struct{})
	go func() { defer close(sendDone); b.Sender().Run(work) }()
	run(func() { sched.Run(work) })

	intakeDone := make(chan struct{})
	if cfg.WebhookURL != "" {
		if _, err := tg.SetWebhook(ctx, &tgbot.SetWebhookParams{URL: cfg.WebhookURL, SecretToken: cfg.WebhookSecret,
			AllowedUpdates: []string{"message", "edited_message", "callback_query", "my_chat_member"}}); err != nil {
			d.log.Error("setWebhook failed; updates will not arrive until it works", "err", err)
		}
		close(intakeDone)
	} else {
		go func() {
			defer close(intakeDone)
			pollAsLeader(ctx, d, tg, cfg, disp)
		}()
	}
	d.log.Info("lijntje is running", "http_addr", s.addr.String(), "admin_addr", s.adminAddr.String(), "webhook", cfg.WebhookURL != "")
	if ready != nil {
		ready(s)
	}

	<-ctx.Done()
	d.log.Info("stopping: finishing what is in hand")
	<-intakeDone
	shut, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_ = s.http.Shutdown(shut) // webhook requests in flight finish first
	_ = s.admin.Shutdown(shut)
	disp.Close()
	stopWork()
	wg.Wait()
	<-sendDone
	d.log.Info("stopped")
	return nil
}

// pollAsLeader long-polls Telegram while this replica holds the poller lock:
// Telegram allows one poller per bot, so replicas elect one and another takes
// over within seconds when it dies.
func pollAsLeader(ctx context.Context, d *deps, tg *tgbot.Bot, cfg config, disp *bot.Dispatcher) {
	if _, err := tg.DeleteWebhook(ctx, &tgbot.DeleteWebhookParams{}); err != nil && ctx.Err() == nil {
		d.log.Warn("deleteWebhook", "err", err)
	}
	p := &bot.Poller{URL: cfg.APIURL, Token: cfg.Token, OnError: func(err error) { d.log.Warn("polling", "err", err) }}
	for ctx.Err() == nil {
		err := d.st.WithLeaderLock(ctx, "poller", func(lctx context.Context) error { return p.Run(lctx, disp) })
		if err != nil && ctx.Err() == nil {
			d.log.Warn("poller lock", "err", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(2 * time.Second):
		}
	}
}
