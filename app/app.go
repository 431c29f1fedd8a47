// Package app is Lijntje's one application: the wiring of the store, the bot,
// the scheduler and the HTTP listeners that `lijntje serve`, the demo, the
// benchmark and the end-to-end tests all use.
//
// Open gives the parts every subcommand shares (Parts); New builds the
// running bot on them; Start listens and starts the workers and the intake
// (long polling as the elected leader, or the webhook); Stop stops them in
// order: intake, HTTP, scheduler, sender, connections.
package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/lijntje/lijntje/bot"
	"github.com/lijntje/lijntje/scheduler"
)

// ErrNoToken is New (or serve) without Config.Token.
var ErrNoToken error = &EnvError{Var: "TELEGRAM_TOKEN", Want: "not set: get a token from @BotFather and set TELEGRAM_TOKEN"}

// WebhookPath is where Telegram posts updates in webhook mode.
const WebhookPath = "/telegram/webhook"

// App is a running (or ready to run) Lijntje: the bot, its sender, the
// scheduler, the intake and the HTTP listeners, on its Parts.
type App struct {
	*Parts
	bot   *bot.Bot
	sched *scheduler.Scheduler

	http      *http.Server // the webhook's listener (HTTP_ADDR)
	addr      net.Addr
	admin     *http.Server // health and metrics on the operator's listener (ADMIN_ADDR)
	adminAddr net.Addr

	ownParts   bool // opened by New: Stop closes them
	started    bool
	stopOnce   sync.Once
	stopErr    error
	stopIntake context.CancelFunc
	intakeDone chan struct{}
	stopWork   context.CancelFunc
	disp       *bot.Dispatcher
	workers    sync.WaitGroup
	senderDone chan struct{}
}

// New opens the parts (Open) and builds the bot and the scheduler on them;
// nothing runs until Start. Stop closes what New opened.
func New(ctx context.Context, cfg Config, o Options) (*App, error) {
	if cfg.Token == "" {
		return nil, ErrNoToken
	}
	p, err := Open(ctx, cfg, o)
	if err != nil {
		return nil, err
	}
	a, err := NewOn(ctx, p)
	if err != nil {
		p.Close()
		return nil, err
	}
	a.ownParts = true
	return a, nil
}

// NewOn builds the application on parts the caller opened, and closes: its
// Stop leaves them open (the benchmark runs serve twice on one database).
func NewOn(ctx context.Context, p *Parts) (*App, error) {
	if p.Cfg.Token == "" {
		return nil, ErrNoToken
	}
	cfg := p.Cfg
	tg, err := bot.NewClient(cfg.Token, cfg.APIURL, p.Log)
	if err != nil {
		return nil, err
	}
	a := &App{Parts: p}
	cfg.WarnSendConfig(p.Log)
	// The bot and the scheduler meet in Postgres: the scheduler writes outbox
	// rows (rendered with package render) that wake the sender, and the bot's
	// writes wake the scheduler (store.Kick). The bot reads the quiet hours.
	scfg := cfg.Schedule
	scfg.Now, scfg.EscalateAfter, scfg.Flows, scfg.Locales, scfg.Digests = p.Store.Now, cfg.EscalateAfter, p.Flows, p.Locales, true
	sched := scheduler.New(scfg, p.Store, p.Log)
	b := bot.New(bot.Config{BotUsername: cfg.BotUsername, Sender: cfg.SenderConfig(), Now: p.Store.Now, Zone: cfg.Zone(), Cadence: scfg.Cadence.WithDefaults()},
		tg, p.Store, p.Flows, p.Locales, p.Crisis, p.Log)
	a.bot, a.sched = b, sched
	if err := b.RegisterFlows(ctx); err != nil {
		return nil, err
	}
	if err := p.Store.AdoptUnkeyedUpdates(ctx); err != nil {
		return nil, err
	}
	return a, nil
}

// Bot is the application's bot.
func (a *App) Bot() *bot.Bot { return a.bot }

// Scheduler is the application's scheduler.
func (a *App) Scheduler() *scheduler.Scheduler { return a.sched }

// Addr is the webhook's listener (HTTP_ADDR); nil before Start.
func (a *App) Addr() net.Addr { return a.addr }

// AdminAddr is the listener of health and metrics (ADMIN_ADDR); nil before Start.
func (a *App) AdminAddr() net.Addr { return a.adminAddr }

// Start listens on HTTP_ADDR and ADMIN_ADDR, starts the sender, the
// scheduler and the intake (the webhook, or long polling as the elected
// leader), and returns once the application is ready. ctx bounds the start
// only: the application runs until Stop.
func (a *App) Start(ctx context.Context) error {
	if a.started {
		return errors.New("app: started twice")
	}
	cfg, log, b := a.Cfg, a.Log, a.bot
	b.SetCommands(ctx)

	// Workers live until intake has drained; intake stops first.
	work, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	disp := bot.NewDispatcher(work, 32, b.Handle, bot.WithDispatch(bot.DispatchOptions{Park: b.Park, Unpark: b.Unpark}))

	mux := http.NewServeMux() // the public listener: the webhook and nothing else
	if cfg.WebhookURL != "" {
		mux.Handle("POST "+WebhookPath, bot.WebhookHandler(cfg.WebhookSecret, disp))
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		disp.Close()
		stopWork()
		return fmt.Errorf("HTTP_ADDR %s: %w", cfg.HTTPAddr, err)
	}
	aln, err := net.Listen("tcp", cfg.AdminAddr) // health and metrics: the operator's (surface.go)
	if err != nil {
		ln.Close()
		disp.Close()
		stopWork()
		return fmt.Errorf("ADMIN_ADDR %s: %w", cfg.AdminAddr, err)
	}
	a.started = true
	a.disp, a.stopWork = disp, stopWork
	a.addr, a.http = ln.Addr(), newWebhookServer(mux)
	a.adminAddr, a.admin = aln.Addr(), newAdminServer(adminHandler(a.Parts))

	run := func(f func()) { a.workers.Add(1); go func() { defer a.workers.Done(); f() }() }
	run(func() {
		if err := a.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server", "err", err)
		}
	})
	run(func() {
		if err := a.admin.Serve(aln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("admin server", "err", err)
		}
	})
	a.senderDone = make(chan struct{})
	go func() { defer close(a.senderDone); b.Sender().Run(work) }()
	run(func() { a.sched.Run(work) })

	intake, stopIntake := context.WithCancel(context.WithoutCancel(ctx))
	a.stopIntake, a.intakeDone = stopIntake, make(chan struct{})
	if cfg.WebhookURL != "" {
		if err := a.bot.SetWebhook(ctx, cfg.WebhookURL, cfg.WebhookSecret); err != nil {
			log.Error("setWebhook failed; updates will not arrive until it works", "err", err)
		}
		close(a.intakeDone)
	} else {
		go func() {
			defer close(a.intakeDone)
			a.pollAsLeader(intake)
		}()
	}
	log.Info("lijntje is running", "http_addr", a.addr.String(), "admin_addr", a.adminAddr.String(), "webhook", cfg.WebhookURL != "")
	return nil
}

// Stop stops in order: intake, HTTP (requests in flight finish first), the
// scheduler, the sender, and then the connections to Postgres and Redis
// (those New opened).
// ctx bounds the HTTP shutdown (at most 20 s). Stop after a Stop does nothing.
func (a *App) Stop(ctx context.Context) error {
	a.stopOnce.Do(func() { a.stopErr = a.stop(ctx) })
	return a.stopErr
}

func (a *App) stop(ctx context.Context) error {
	if a.ownParts {
		defer a.Parts.Close()
	}
	if !a.started {
		return nil
	}
	a.Log.Info("stopping: finishing what is in hand")
	a.stopIntake()
	<-a.intakeDone
	shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
	defer cancel()
	_ = a.http.Shutdown(shut) // webhook requests in flight finish first
	_ = a.admin.Shutdown(shut)
	a.disp.Close()
	a.stopWork()
	a.workers.Wait()
	<-a.senderDone
	a.Log.Info("stopped")
	return nil
}

// pollAsLeader long-polls Telegram while this replica holds the poller lock:
// Telegram allows one poller per bot, so replicas elect one and another takes
// over within seconds when it dies.
func (a *App) pollAsLeader(ctx context.Context) {
	cfg, log := a.Cfg, a.Log
	if err := a.bot.DeleteWebhook(ctx); err != nil && ctx.Err() == nil {
		log.Warn("deleteWebhook", "err", err)
	}
	p := &bot.Poller{URL: cfg.APIURL, Token: cfg.Token, OnError: func(err error) { log.Warn("polling", "err", err) }}
	for ctx.Err() == nil {
		err := a.Store.WithLeaderLock(ctx, "poller", func(lctx context.Context) error { return p.Run(lctx, a.disp) })
		if err != nil && ctx.Err() == nil {
			log.Warn("poller lock", "err", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(2 * time.Second):
		}
	}
}

// Run is `lijntje serve`: it runs the application until ctx ends (SIGINT,
// SIGTERM), then stops it in order: updates, HTTP, scheduler, sender,
// connections.
func Run(ctx context.Context, cfg Config, o Options) error {
	a, err := New(ctx, cfg, o)
	if err != nil {
		return err
	}
	if err := a.Start(ctx); err != nil {
		_ = a.Stop(ctx)
		return err
	}
	<-ctx.Done()
	return a.Stop(context.WithoutCancel(ctx))
}
