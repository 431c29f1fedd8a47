package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/lijntje/lijntje/app"
	"github.com/lijntje/lijntje/app/apptest"
	"github.com/lijntje/lijntje/bot/telegramtest"
	"github.com/lijntje/lijntje/clock"
	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/scheduler"
	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// world is one Lijntje deployment under test: a database, a Redis prefix, the
// Telegram double, and `serve` running against them with the real wiring
// (app/apptest), configured from the environment as main does.
type world struct {
	t      *testing.T
	env    *apptest.Env
	clock  *clock.Clock
	tg     *telegramtest.Server
	prefix string
	flows  fs.FS
	srv    *server
}

// server is the running application, with the parts the tests reach into.
type server struct {
	*app.App
	st        *store.Store
	rdb       *redis.Client
	sched     *scheduler.Scheduler
	addr      net.Addr
	adminAddr net.Addr
}

func newWorld(t *testing.T) *world { return newWorldWith(t, nil) }

// newWorldWith is newWorld with extra environment.
func newWorldWith(t *testing.T, extra map[string]string) *world {
	return newWorldAt(t, tuesday10, extra)
}

// newWorldAt is a world whose clock starts at start.
func newWorldAt(t *testing.T, start time.Time, extra map[string]string) *world {
	t.Helper()
	e := apptest.New(t, apptest.Options{Start: start, Env: extra, Config: app.LoadConfig})
	w := &world{t: t, env: e, clock: e.Clock, tg: e.TG, prefix: e.RedisPrefix}
	w.start()
	return w
}

func (w *world) getenv(k string) string { return w.env.Getenv(k) }

// options are the wiring options of a command run against the world: its
// clock and Redis prefix, so that a command and the running serve share one clock.
func (w *world) options() app.Options {
	w.env.FlowsFS = w.flows
	return w.env.Options()
}

// start runs `serve` as main does (app.New and Start), with logs going to the test log.
func (w *world) start() {
	w.t.Helper()
	w.env.FlowsFS = w.flows
	a := w.env.Start()
	opt, err := redis.ParseURL(w.env.Getenv("REDIS_URL"))
	if err != nil {
		w.t.Fatal(err)
	}
	rdb := redis.NewClient(opt) // the test's own look into the cache
	w.t.Cleanup(func() { _ = rdb.Close() })
	w.srv = &server{App: a, st: a.Store, rdb: rdb, sched: a.Scheduler(),
		addr: a.Addr(), adminAddr: a.AdminAddr()}
}

// shutdown stops `serve` as SIGTERM would and checks that it stops cleanly.
func (w *world) shutdown() { w.env.Stop() }

// cli runs a lijntje subcommand against the world's database.
func (w *world) cli(args ...string) string {
	w.t.Helper()
	var out, errOut bytes.Buffer
	if code := runWith(context.Background(), args, &out, &errOut, w.getenv, w.options()); code != 0 {
		w.t.Fatalf("lijntje %s: exit %d: %s", strings.Join(args, " "), code, errOut.String())
	}
	return out.String()
}

type testWriter struct{ t *testing.T }

func (tw testWriter) Write(p []byte) (int, error) {
	tw.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

type invite struct {
	ID   int64  `json:"id"`
	Code string `json:"code"`
	Link string `json:"link"`
}

func (w *world) addCoach(name string) (invite, *telegramtest.User) {
	w.t.Helper()
	var inv invite
	if err := json.Unmarshal([]byte(w.cli("coach", "add", "--name", name, "--json")), &inv); err != nil {
		w.t.Fatal(err)
	}
	u := w.tg.NewUser(strings.Fields(name)[0])
	u.SendCommand("start", inv.Code)
	w.waitText(u, "gekoppeld als coach")
	return inv, u
}

func (w *world) addStudent(name string, coachID int64) (invite, *telegramtest.User) {
	w.t.Helper()
	var inv invite
	left := w.clock.Now().AddDate(0, -5, 0).Format("2006-01-02") // in the fortnightly phase
	out := w.cli("student", "add", "--name", name, "--coach", fmt.Sprint(coachID), "--left-school", left, "--json")
	if err := json.Unmarshal([]byte(out), &inv); err != nil {
		w.t.Fatal(err)
	}
	u := w.tg.NewUser(strings.Fields(name)[0])
	u.SendCommand("start", inv.Code)
	w.waitText(u, "Welkom bij Lijntje")
	return inv, u
}

// waitText waits (up to 10s) for a message in u's chat containing text.
func (w *world) waitText(u *telegramtest.User, text string) telegramtest.Sent {
	w.t.Helper()
	return w.waitFor(u, func(m telegramtest.Sent) bool { return strings.Contains(m.Text+m.Caption, text) }, text)
}

func (w *world) waitFor(u *telegramtest.User, pred func(telegramtest.Sent) bool, what string) telegramtest.Sent {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := u.WaitFor(ctx, pred)
	if err != nil {
		var got []string
		for _, m := range u.Messages() {
			got = append(got, fmt.Sprintf("%q", m.Text))
		}
		w.t.Fatalf("%s never saw %q; chat: %s", u.FirstName, what, strings.Join(got, ", "))
	}
	return m
}

// question waits for the open question of step in u's chat: a message with
// buttons for that step, of the chat's newest check-in (an earlier check-in's
// question may still show its buttons until its confirmation edit arrives).
func (w *world) question(u *telegramtest.User, step string) telegramtest.Sent {
	w.t.Helper()
	newest := w.newestCheckin(u)
	return w.waitFor(u, func(m telegramtest.Sent) bool {
		for _, row := range m.Keyboard {
			for _, b := range row {
				if id, s, _, ok := flows.ParseCallbackData(b.CallbackData); ok && s == step && id == newest {
					return true
				}
			}
		}
		return false
	}, "question "+step)
}

// newestCheckin returns the ID of the newest check-in of u's chat's student, 0 for none.
func (w *world) newestCheckin(u *telegramtest.User) int64 {
	w.t.Helper()
	var newest int64
	for _, s := range storetest.Students(w.t, w.srv.st) {
		if s.ChatID != u.ID {
			continue
		}
		for _, c := range storetest.Checkins(w.t, w.srv.st) {
			if c.StudentID == s.ID && c.ID > newest {
				newest = c.ID
			}
		}
	}
	return newest
}

// checkinRow returns the check-in with ID id as stored (a zero row if there is none).
func (w *world) checkinRow(id int64) store.CheckinRow {
	w.t.Helper()
	for _, c := range storetest.Checkins(w.t, w.srv.st) {
		if c.ID == id {
			return c
		}
	}
	return store.CheckinRow{}
}

// answer taps option of the open question of step and returns the update ID.
func (w *world) answer(u *telegramtest.User, step, option string) int64 {
	w.t.Helper()
	q := w.question(u, step)
	for _, row := range q.Keyboard {
		for _, b := range row {
			if strings.HasSuffix(b.CallbackData, ":"+option) {
				return u.Tap(q.MessageID, b.CallbackData)
			}
		}
	}
	w.t.Fatalf("question %s has no option %s", step, option)
	return 0
}

// export returns the answers export as records (without the header).
func (w *world) export() [][]string {
	w.t.Helper()
	return parseDutchCSV(w.t, []byte(w.cli("export", "answers", "--format", "csv")))[1:]
}

var _ = io.Discard

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// tuesday10 is a working morning in Amsterdam: where the world's clock starts.
// It is the next Tuesday 10:00 from today (plus LIJNTJE_TEST_SHIFT, e.g.
// "8760h" to run the suite a year ahead), so no test depends on today's date.
var tuesday10 = nextAt(time.Tuesday, 10, 0)

// nextAt is the next weekday at hh:mm in Amsterdam after now (shifted).
func nextAt(day time.Weekday, hh, mm int) time.Time {
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		panic(err)
	}
	now := time.Now().In(ams)
	if d, err := time.ParseDuration(os.Getenv("LIJNTJE_TEST_SHIFT")); err == nil {
		now = now.Add(d)
	}
	t := time.Date(now.Year(), now.Month(), now.Day(), hh, mm, 0, 0, ams)
	for t.Weekday() != day || !t.After(now) {
		t = time.Date(t.Year(), t.Month(), t.Day()+1, hh, mm, 0, 0, ams)
	}
	return t
}
