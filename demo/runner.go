package demo

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

	"github.com/lijntje/lijntje/app"
	"github.com/lijntje/lijntje/bot/telegramtest"
	"github.com/lijntje/lijntje/clock"
	"github.com/lijntje/lijntje/store"
)

// The demo's own database and Redis prefix: it never touches real data.
const (
	Database    = "lijntje_demo"
	RedisPrefix = "lijntje_demo:"
	Addr        = "127.0.0.1:8090" // the page's default address
)

// Options are one demo instance: its database (must start with
// lijntje_demo: it is dropped on start and reset), Redis prefix and page
// address; Ready, when set, gets the page's URL once it serves.
type Options struct {
	Database    string
	RedisPrefix string
	PageAddr    string
	Ready       func(pageURL string)
}

// runner owns the current demo session and replaces it on reset.
type runner struct {
	cfg   app.Config // DatabaseURL points at the demo database
	o     Options
	log   *slog.Logger
	clock *clock.Clock // the wall clock until "fast-forward"

	mu   sync.Mutex // serializes start and stop
	cur  *session
	page struct {
		sync.RWMutex
		s *Session
	}
}

// session is one run: a Telegram double, `serve` on it, and the two users.
type session struct {
	tg     *telegramtest.Server
	srv    *app.App
	public *Session
}

// Run runs the demo until ctx ends: the real application against a Telegram
// double, and the page showing both phones on o.PageAddr.
func Run(ctx context.Context, cfg app.Config, log *slog.Logger, stdout io.Writer, o Options) error {
	if !strings.HasPrefix(o.Database, Database) {
		return fmt.Errorf("demo: database %q: the demo only uses databases named %s*", o.Database, Database)
	}
	dbURL, err := WithDatabase(cfg.DatabaseURL, o.Database)
	if err != nil {
		return err
	}
	cfg.DatabaseURL = dbURL
	// Held for the demo's lifetime: no other demo resets this database under it.
	unlock, err := lockDatabase(ctx, dbURL)
	if err != nil {
		return err
	}
	defer unlock()
	r := &runner{cfg: cfg, o: o, log: log, clock: clock.Real()}
	if err := r.start(ctx); err != nil {
		return err
	}
	defer r.stop()
	loc := r.cur.srv.Locales

	ln, err := net.Listen("tcp", o.PageAddr)
	if err != nil {
		return fmt.Errorf("HTTP_ADDR %s: %w", o.PageAddr, err)
	}
	hs := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: r.withReport(Handler(Config{
		Loc:     loc,
		Current: r.session,
		Reset:   r.reset,
		Zone:    r.cur.srv.Cfg.Zone(),
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
`, pageURL, pageURL, pageURL, pageURL, o.Database, o.RedisPrefix)
	if o.Ready != nil {
		o.Ready(pageURL)
	}
	<-ctx.Done()
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = hs.Shutdown(shut)
	fmt.Fprintln(stdout, "Lijntje demo stopped.")
	return nil
}

func (r *runner) session() *Session {
	r.page.RLock()
	defer r.page.RUnlock()
	return r.page.s
}

func (r *runner) setSession(s *Session) {
	r.page.Lock()
	r.page.s = s
	r.page.Unlock()
}

func (r *runner) reset(ctx context.Context) error {
	r.stop()
	return r.start(ctx)
}

// stop ends the current session, if any.
func (r *runner) stop() {
	r.setSession(nil)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopLocked()
}

func (r *runner) stopLocked() {
	if r.cur == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.cur.srv.Stop(ctx); err != nil {
		r.log.Warn("demo: serve stopped", "err", err)
	}
	r.cur.tg.Close()
	r.cur = nil
}

// start erases the demo database and Redis keys, starts `serve` against a
// new Telegram double, and adds the coach (linked) and the student (invited).
func (r *runner) start(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := DropDatabase(ctx, r.cfg.DatabaseURL); err != nil {
		return err
	}
	r.clock.Reset()
	tg := telegramtest.NewServer(telegramtest.Options{Now: r.clock.Now, BotUsername: "LijntjeDemoBot"})
	cfg := r.cfg
	cfg.Token, cfg.APIURL, cfg.BotUsername = tg.Token(), tg.URL, tg.BotUsername()
	cfg.HTTPAddr = "127.0.0.1:0" // the page has HTTP_ADDR; health and metrics get any free port
	cfg.AdminAddr = "127.0.0.1:0"
	cfg.WebhookURL, cfg.WebhookSecret = "", ""
	a, err := app.New(ctx, cfg, app.Options{Clock: r.clock, RedisPrefix: r.o.RedisPrefix, Log: r.log})
	if err != nil {
		tg.Close()
		return err
	}
	err = a.Store.FlushRedis(ctx)
	if err == nil {
		err = a.Start(ctx)
	}
	if err != nil {
		_ = a.Stop(ctx)
		tg.Close()
		return err
	}
	s := &session{tg: tg, srv: a}
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
func (r *runner) populate(ctx context.Context, s *session) error {
	st := s.srv.Store
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
	s.public = &Session{
		Student: noor, Coach: sanne, StudentCode: scode, Now: r.clock.Now,
		CheckinNow: func(ctx context.Context) error {
			cur, err := st.Student(ctx, student.ID)
			if err != nil {
				return err
			}
			if cur.Status != store.StatusActive {
				return ErrNotStarted
			}
			now := st.Now()
			if _, err := st.ScheduleCheckin(ctx, student.ID, now, now, true); err != nil {
				return err
			}
			srv.Scheduler().Kick()
			return nil
		},
		FastForward: func(ctx context.Context) error {
			r.clock.Advance(7 * 24 * time.Hour)
			if _, err := srv.Scheduler().Plan(ctx); err != nil { // the week's check-in falls due
				return err
			}
			srv.Scheduler().Kick()
			srv.Bot().Sender().Wake()
			return nil
		},
	}
	return nil
}

// WithDatabase returns databaseURL with its database name replaced.
func WithDatabase(databaseURL, name string) (string, error) {
	u, err := url.Parse(databaseURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("demo: DATABASE_URL must be a postgres:// URL, got %q", store.Redacted(databaseURL))
	}
	u.Path = "/" + name
	return u.String(), nil
}

// DropDatabase drops the database of databaseURL (a demo database), so that
// open creates and migrates it afresh.
func DropDatabase(ctx context.Context, databaseURL string) error {
	name, admin, err := adminURL(databaseURL)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(name, Database) {
		return fmt.Errorf("demo: refusing to drop database %q", name)
	}
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := store.DropDatabase(cctx, admin, name); err != nil {
		return fmt.Errorf("demo: erase database %q (DATABASE_URL=%s): %w", name, store.Redacted(databaseURL), err)
	}
	return nil
}
