// Package apptest starts Lijntje for a test as `lijntje serve` runs it: the
// Telegram double (bot/telegramtest), a fresh database and Redis prefix
// (store/storetest), one clock, and the application (app.New and Start),
// stopped as SIGTERM would stop it when the test ends.
package apptest

import (
	"context"
	"io/fs"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/lijntje/lijntje/app"
	"github.com/lijntje/lijntje/bot/telegramtest"
	"github.com/lijntje/lijntje/clock"
	"github.com/lijntje/lijntje/store/storetest"
)

// Options shape the deployment under test.
type Options struct {
	// Start is where the clock starts (zero: now).
	Start time.Time
	// Stopped makes the clock stand still until Advance or Set; the double
	// then keeps the same clock. Otherwise the clock runs at the wall clock's
	// pace from Start, and the double keeps the wall clock.
	Stopped bool
	// Telegram are the double's options.
	Telegram telegramtest.Options
	// Env is extra environment for Config (CADENCE, WEBHOOK_URL, ...).
	Env map[string]string
	// Config makes the application's configuration from the environment
	// (cmd/lijntje's loadConfig). Nil: the double, the database, Redis,
	// loopback listeners and defaults, without reading Env.
	Config func(getenv func(string) string) (app.Config, error)
	// FlowsFS are flow files instead of the embedded ones.
	FlowsFS fs.FS
	// Log is the application's logger (nil: the test's log).
	Log *slog.Logger
}

// Env is one deployment under test.
type Env struct {
	TG    *telegramtest.Server
	Clock *clock.Clock
	// Vars is the environment: TELEGRAM_TOKEN, TELEGRAM_API_URL,
	// BOT_USERNAME, DATABASE_URL, REDIS_URL, HTTP_ADDR, ADMIN_ADDR and
	// Options.Env.
	Vars        map[string]string
	RedisPrefix string
	FlowsFS     fs.FS // used by the next Start and by Options
	Log         *slog.Logger
	// App is the running application; nil before Start and after Stop.
	App *app.App

	t      testing.TB
	config func(getenv func(string) string) (app.Config, error)
}

// New makes the double, the database, the Redis prefix and the clock; the
// application is not started (Start).
func New(t testing.TB, o Options) *Env {
	t.Helper()
	start := o.Start
	if start.IsZero() {
		start = time.Now()
	}
	e := &Env{t: t, RedisPrefix: storetest.RedisPrefix(t), FlowsFS: o.FlowsFS, Log: o.Log, config: o.Config}
	topts := o.Telegram
	if o.Stopped {
		e.Clock = clock.Stopped(start)
		if topts.Now == nil {
			topts.Now = e.Clock.Now
		}
	} else {
		e.Clock = clock.At(start)
	}
	e.TG = telegramtest.Start(t, topts)
	if e.Log == nil {
		e.Log = storetest.Logger(t)
	}
	e.Vars = map[string]string{
		"TELEGRAM_TOKEN":   e.TG.Token(),
		"TELEGRAM_API_URL": e.TG.URL,
		"BOT_USERNAME":     e.TG.BotUsername(),
		"DATABASE_URL":     storetest.DatabaseURL(t),
		"REDIS_URL":        storetest.RedisURL(),
		"HTTP_ADDR":        "127.0.0.1:0",
		"ADMIN_ADDR":       "127.0.0.1:0",
	}
	for k, v := range o.Env {
		e.Vars[k] = v
	}
	t.Cleanup(e.Stop)
	return e
}

// Start is New and Start: a running deployment.
func Start(t testing.TB, o Options) *Env {
	t.Helper()
	e := New(t, o)
	e.Start()
	return e
}

// Getenv is the deployment's environment variable k.
func (e *Env) Getenv(k string) string { return e.Vars[k] }

// Options are the wiring options of the application and of a command run
// against the same deployment: its clock, Redis prefix, flows and log.
func (e *Env) Options() app.Options {
	return app.Options{Clock: e.Clock, RedisPrefix: e.RedisPrefix, FlowsFS: e.FlowsFS, Log: e.Log}
}

// Config is the application's configuration for this deployment.
func (e *Env) Config() app.Config {
	e.t.Helper()
	if e.config != nil {
		cfg, err := e.config(e.Getenv)
		if err != nil {
			e.t.Fatalf("apptest: configuration: %v", err)
		}
		return cfg
	}
	return app.Config{
		Token: e.Vars["TELEGRAM_TOKEN"], APIURL: e.Vars["TELEGRAM_API_URL"], BotUsername: e.Vars["BOT_USERNAME"],
		DatabaseURL: e.Vars["DATABASE_URL"], RedisURL: e.Vars["REDIS_URL"],
		HTTPAddr: e.Vars["HTTP_ADDR"], AdminAddr: e.Vars["ADMIN_ADDR"],
		EscalateAfter: 30 * time.Minute, Retention: 365 * 24 * time.Hour, InviteTTL: 30 * 24 * time.Hour,
		SendRate: 25, SendRateAuto: true, SendRateMax: 30, SendChatRate: 1,
	}
}

// Start starts the application with Config; see StartWith.
func (e *Env) Start() *app.App {
	e.t.Helper()
	return e.StartWith(e.Config())
}

// StartWith starts the application with cfg (app.New and Start: it returns
// once the application is ready). It is stopped when the test ends.
func (e *Env) StartWith(cfg app.Config) *app.App {
	e.t.Helper()
	if e.App != nil {
		e.t.Fatal("apptest: Start while the application runs")
	}
	ctx := context.Background()
	a, err := app.New(ctx, cfg, e.Options())
	if err != nil {
		e.t.Fatalf("apptest: %v", err)
	}
	if err := a.Start(ctx); err != nil {
		_ = a.Stop(ctx)
		e.t.Fatalf("apptest: start: %v", err)
	}
	e.App = a
	return a
}

// Stop stops the application as SIGTERM would and checks that it stops
// cleanly within 30 s. Stop without a running application does nothing.
func (e *Env) Stop() {
	a := e.App
	if a == nil {
		return
	}
	e.App = nil
	done := make(chan error, 1)
	go func() { done <- a.Stop(context.Background()) }()
	select {
	case err := <-done:
		if err != nil {
			e.t.Errorf("the application stopped with %v", err)
		}
	case <-time.After(30 * time.Second):
		e.t.Error("the application did not stop within 30s")
	}
}

// FreeAddr returns a 127.0.0.1 address with a port free right now, for a
// listener the test configures (a webhook's, say).
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
