package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lijntje/lijntje/bot/telegramtest"
	"github.com/lijntje/lijntje/demo"
	"github.com/lijntje/lijntje/store"
)

// The demo's own database and Redis prefix: it never touches real data.
const (
	demoDatabase    = "lijntje_demo"
	demoRedisPrefix = "lijntje_demo:"
	demoAddr        = "127.0.0.1:8090"
)

// demoOptions let the browser test run the demo on a database of its own.
type demoOptions struct {
	database    string // must start with lijntje_demo: it is dropped on start and reset
	redisPrefix string
	pageAddr    string
	ready       func(pageURL string)
}

// demoCmd is `lijntje demo`: the real bot against the Telegram double, with a
// web page showing the student's and the coach's phones.
func demoCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	o, err := demoOptionsFrom(args, getenv) // arguments first: nothing is created for a wrong one
	if err != nil {
		return err
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return runDemo(ctx, cfg, log, stdout, o)
}

// offsetClock is the wall clock plus an offset that "fast-forward" advances.
type offsetClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *offsetClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *offsetClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

func (c *offsetClock) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = 0
}

// demoRunner owns the current demo session and replaces it on reset.
type demoRunner struct {
	cfg   config // DatabaseURL points at the demo database
	o     demoOptions
	log   *slog.Logger
	clock offsetClock

	mu   sync.Mutex // serializes start and stop
	cur  *demoSession
	page struct {
		sync.RWMutex
		s *demo.Session
	}
}

// demoSession is one run: a Telegram double, `serve` on it, and the two users.
type demoSession struct {
	tg     *telegramtest.Server
	srv    *server
	stop   context.CancelFunc
	done   chan error
	public *demo.Session
}

func runDemo(ctx context.Context, cfg config, log *slog.Logger, stdout io.Writer, o demoOptions) error {
	if !strings.HasPrefix(o.database, demoDatabase) {
		return fmt.Errorf("demo: database %q: the demo only uses databases named %s*", o.database, demoDatabase)
	}
	dbURL, err := withDatabase(cfg.DatabaseURL, o.database)
	if err != nil {
		return err
	}
	cfg.DatabaseURL = dbURL
	// Held for the demo's lifetime: no other demo resets this database under it.
	unlock, err := lockDemo(ctx, dbURL)
	if err != nil {
		return err
	}
	defer unlock()
	r := &demoRunner{cfg: cfg, o: o, log: log}
	if err := r.start(ctx); err != nil {
		return err
	}
	defer r.stop()
	loc := r.cur.srv.loc

	ln, err := net.Listen("tcp", o.pageAddr)
	if err != nil {
		return fmt.Errorf("HTTP_ADDR %s: %w", o.pageAddr, err)
	}
	hs := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: r.withReport(demo.Handler(demo.Config{
		Loc:     loc,
		Current: r.session,
		Reset:   r.reset,
		Zone:    r.cur.srv.zone(),
	}))}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("demo page", "err", err)
		}
	}()
	pageURL := "http://" + ln.Addr().String() + "/"
	fmt.Fprintf(stdout, `Lijntje demo is running: open %s in your browser (English: %s?lang=en).

Left is Noor's phone (a young person), right is Sanne's (her coach). Tap Start
in Noor's phone to join, then "send a check-in now" and answer it; risky answers
(say "🏠 Ik zit thuis") alert Sanne. Type /help in either phone for the commands.
"Fast-forward a week" moves the bot's clock 7 days ahead; "reset" starts over.
The coordinator's report on the demo's clock: %sreport (and %sreport/chart.png).

This is the real bot with Telegram simulated on this computer: data lives in
the database %q (server of DATABASE_URL) and under Redis prefix %q, both
erased on start and reset. Press Ctrl-C to stop.
`, pageURL, pageURL, pageURL, pageURL, o.database, o.redisPrefix)
	if o.ready != nil {
		o.ready(pageURL)
	}
	<-ctx.Done()
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = hs.Shutdown(shut)
	fmt.Fprintln(stdout, "Lijntje demo stopped.")
	return nil
}

func (r *demoRunner) session() *demo.Session {
	r.page.RLock()
	defer r.page.RUnlock()
	return r.page.s
}

func (r *demoRunner) setSession(s *demo.Session) {
	r.page.Lock()
	r.page.s = s
	r.page.Unlock()
}

func (r *demoRunner) reset(ctx context.Context) error {
	r.stop()
	return r.start(ctx)
}

// stop ends the current session, if any.
func (r *demoRunner) stop() {
	r.setSession(nil)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopLocked()
}

func (r *demoRunner) stopLocked() {
	if r.cur == nil {
		return
	}
	r.cur.stop()
	select {
	case err := <-r.cur.done:
		if err != nil {
			r.log.Warn("demo: serve stopped", "err", err)
		}
	case <-time.After(30 * time.Second):
		r.log.Warn("demo: serve did not stop within 30s")
	}
	r.cur.tg.Close()
	r.cur = nil
}

// start erases the demo database and Redis keys, starts `serve` against a
// new Telegram double, and adds the coach (linked) and the student (invited).
func (r *demoRunner) start(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := dropDatabase(ctx, r.cfg.DatabaseURL); err != nil {
		return err
	}
	r.clock.reset()
	tg := telegramtest.NewServer(telegramtest.Options{Now: r.clock.Now, BotUsername: "LijntjeDemoBot"})
	cfg := r.cfg
	cfg.Token, cfg.APIURL, cfg.BotUsername = tg.Token(), tg.URL, tg.BotUsername()
	cfg.HTTPAddr = "127.0.0.1:0" // the page has HTTP_ADDR; health and metrics get any free port
	cfg.AdminAddr = "127.0.0.1:0"
	cfg.WebhookURL, cfg.WebhookSecret = "", ""
	d, err := open(ctx, cfg, r.log, options{now: r.clock.Now, redisPrefix: r.o.redisPrefix})
	if err != nil {
		tg.Close()
		return err
	}
	if err := d.st.FlushRedis(ctx); err != nil {
		d.close()
		tg.Close()
		return err
	}
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &demoSession{tg: tg, stop: cancel, done: make(chan error, 1)}
	ready := make(chan *server, 1)
	go func() {
		err := serve(sctx, d, func(srv *server) { ready <- srv })
		d.close()
		s.done <- err
	}()
	select {
	case s.srv = <-ready:
	case err := <-s.done:
		cancel()
		tg.Close()
		return err
	}
	r.cur = s
	if err := r.populate(ctx, s); err != nil {
		r.stopLocked()
		return err
	}
	r.setSession(s.public)
	return nil
}

// populate adds Sanne (coach, linked through her invite) and Noor (student,
// invited: the page's Start button redeems her invite).
func (r *demoRunner) populate(ctx context.Context, s *demoSession) error {
	st := s.srv.st
	coach, code, err := st.AddCoach(ctx, store.Coach{Name: "Sanne de Vries", Hours: "always", Lang: "nl"}, r.cfg.InviteTTL)
	if err != nil {
		return err
	}
	sanne := s.tg.NewUser("Sanne")
	sanne.SendCommand("start", code)
	wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if _, err := sanne.WaitFor(wctx, func(telegramtest.Sent) bool { return true }); err != nil {
		return fmt.Errorf("demo: the coach's invite was not answered: %w", err)
	}
	now := st.Now().In(time.Local)
	student, scode, err := st.AddStudent(ctx, store.NewStudent{Name: "Noor Bakker", CoachID: coach.ID, Lang: "nl",
		LeftSchool: time.Date(now.Year(), now.Month()-1, now.Day(), 0, 0, 0, 0, time.UTC)}, r.cfg.InviteTTL)
	if err != nil {
		return err
	}
	noor := s.tg.NewUser("Noor")
	srv := s.srv
	s.public = &demo.Session{
		Student: noor, Coach: sanne, StudentCode: scode, Now: r.clock.Now,
		CheckinNow: func(ctx context.Context) error {
			cur, err := st.Student(ctx, student.ID)
			if err != nil {
				return err
			}
			if cur.Status != store.StatusActive {
				return demo.ErrNotStarted
			}
			now := st.Now()
			if _, err := st.ScheduleCheckin(ctx, student.ID, now, now, true); err != nil {
				return err
			}
			srv.sched.Kick()
			return nil
		},
		FastForward: func(ctx context.Context) error {
			r.clock.advance(7 * 24 * time.Hour)
			if _, err := srv.sched.Plan(ctx); err != nil { // the week's check-in falls due
				return err
			}
			srv.sched.Kick()
			srv.bot.Sender().Wake()
			return nil
		},
	}
	return nil
}

// withDatabase returns databaseURL with its database name replaced.
func withDatabase(databaseURL, name string) (string, error) {
	u, err := url.Parse(databaseURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("demo: DATABASE_URL must be a postgres:// URL, got %q", store.Redacted(databaseURL))
	}
	u.Path = "/" + name
	return u.String(), nil
}

// dropDatabase drops the database of databaseURL (a demo database), so that
// open creates and migrates it afresh.
func dropDatabase(ctx context.Context, databaseURL string) error {
	cc, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return err
	}
	name := cc.Database
	if !strings.HasPrefix(name, demoDatabase) {
		return fmt.Errorf("demo: refusing to drop database %q", name)
	}
	cc.Database = "postgres"
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(cctx, cc)
	if err != nil {
		return fmt.Errorf("demo: postgres (DATABASE_URL=%s): %w", store.Redacted(databaseURL), err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(cctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("demo: erase database %q: %w", name, err)
	}
	return nil
}
