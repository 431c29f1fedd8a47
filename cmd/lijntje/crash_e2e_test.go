package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lijntje/lijntje/app"
	"github.com/lijntje/lijntje/app/apptest"
	"github.com/lijntje/lijntje/bot/telegramtest"
	"github.com/lijntje/lijntje/clock"
	"github.com/lijntje/lijntje/store/storetest"
)

// childEnv makes the test binary run `lijntje serve` instead of the tests, so
// an end-to-end test can run serve as a real process and kill it.
const childEnv = "LIJNTJE_E2E_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "serve" {
		os.Exit(runChild())
	}
	os.Exit(m.Run())
}

// runChild is `lijntje serve` with the test's clock offset and Redis prefix.
func runChild() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	offset, _ := time.ParseDuration(os.Getenv("LIJNTJE_E2E_CLOCK_OFFSET"))
	o := app.Options{Clock: clock.At(time.Now().Add(offset)), RedisPrefix: os.Getenv("LIJNTJE_E2E_REDIS_PREFIX")}
	return runWith(ctx, []string{"serve"}, os.Stdout, os.Stderr, os.Getenv, o)
}

// crashWorld runs `lijntje serve` as real child processes on one database,
// Redis prefix and Telegram double, so a test can kill them with SIGKILL.
type crashWorld struct {
	t      *testing.T
	tg     *telegramtest.Server
	clock  *clock.Clock
	prefix string
	env    map[string]string
}

func newCrashWorld(t *testing.T) *crashWorld {
	tg := telegramtest.Start(t)
	return &crashWorld{t: t, tg: tg, clock: clock.At(tuesday10), prefix: storetest.RedisPrefix(t), env: map[string]string{
		"TELEGRAM_TOKEN":   tg.Token(),
		"TELEGRAM_API_URL": tg.URL,
		"BOT_USERNAME":     tg.BotUsername(),
		"DATABASE_URL":     storetest.DatabaseURL(t),
		"REDIS_URL":        storetest.RedisURL(),
		"HTTP_ADDR":        "127.0.0.1:0",
		"ADMIN_ADDR":       "127.0.0.1:0",
	}}
}

// cli runs a lijntje command in the test's process and returns its output.
func (w *crashWorld) cli(args ...string) string {
	w.t.Helper()
	var out, errOut bytes.Buffer
	getenv := func(k string) string { return w.env[k] }
	if code := runWith(context.Background(), args, &out, &errOut, getenv, app.Options{Clock: w.clock, RedisPrefix: w.prefix}); code != 0 {
		w.t.Fatalf("lijntje %s: exit %d: %s", strings.Join(args, " "), code, errOut.String())
	}
	return out.String()
}

// serve starts `lijntje serve` as a child process; extra ("KEY=value")
// comes last, so it overrides the world's environment.
func (w *crashWorld) serve(extra ...string) *exec.Cmd {
	w.t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=serve", "LIJNTJE_E2E_REDIS_PREFIX="+w.prefix,
		"LIJNTJE_E2E_CLOCK_OFFSET="+time.Until(w.clock.Now()).String())
	for k, v := range w.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Env = append(cmd.Env, extra...)
	cmd.Stderr = testWriter{w.t}
	if err := cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd
}

// wait waits at most d for a message to u that pred accepts.
func (w *crashWorld) wait(u *telegramtest.User, d time.Duration, what string, pred func(telegramtest.Sent) bool) telegramtest.Sent {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	m, err := u.WaitFor(ctx, pred)
	if err != nil {
		w.t.Fatalf("%s never saw %s within %v", u.FirstName, what, d)
	}
	return m
}

// checkinStarted links a coach and a student (Noor) through the running
// serve, starts a check-in for her and returns her and its first question.
func (w *crashWorld) checkinStarted() (*telegramtest.User, telegramtest.Sent) {
	w.t.Helper()
	var coach, student invite
	if err := json.Unmarshal([]byte(w.cli("coach", "add", "--name", "Sanne de Vries", "--json")), &coach); err != nil {
		w.t.Fatal(err)
	}
	sanne := w.tg.NewUser("Sanne")
	sanne.SendCommand("start", coach.Code)
	w.wait(sanne, 30*time.Second, "the coach link", containing("gekoppeld als coach"))
	left := w.clock.Now().AddDate(0, -5, 0).Format("2006-01-02")
	if err := json.Unmarshal([]byte(w.cli("student", "add", "--name", "Noor Bakker", "--coach", fmt.Sprint(coach.ID),
		"--left-school", left, "--json")), &student); err != nil {
		w.t.Fatal(err)
	}
	noor := w.tg.NewUser("Noor")
	noor.SendCommand("start", student.Code)
	w.wait(noor, 10*time.Second, "the welcome", containing("Welkom bij Lijntje"))
	w.cli("checkin", "now", "--student", strconv.FormatInt(student.ID, 10))
	return noor, w.wait(noor, 20*time.Second, "the first question", askingStep("mood"))
}

// tapHeldBack taps q's first answer while Telegram asks to wait (a 429 of
// 300 s) before the card's edit with the next question, and returns once
// the edit was tried: the serve that handled the tap holds it, leased.
func (w *crashWorld) tapHeldBack(u *telegramtest.User, q telegramtest.Sent) {
	w.t.Helper()
	w.tg.FailNext("editMessageText", u.ID, 1, 429, 300)
	u.Tap(q.MessageID, q.Keyboard[0][0].CallbackData)
	deadline := time.Now().Add(10 * time.Second)
	for w.tg.Stats().TooManyRequests == 0 {
		if time.Now().After(deadline) {
			w.t.Fatal("the next question was never tried")
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // and its lease renewed at least once more, maybe
}

func containing(s string) func(telegramtest.Sent) bool {
	return func(m telegramtest.Sent) bool { return strings.Contains(m.Text, s) }
}

// askingStep accepts a message with the buttons of a check-in's step.
func askingStep(step string) func(telegramtest.Sent) bool {
	return func(m telegramtest.Sent) bool { return hasStep(m, step) }
}

func kill(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
}

// A serve killed with SIGKILL in the middle of a check-in, holding the next
// question (Telegram had asked it to wait), costs seconds: the restarted
// process sends that question within 10 s.
func TestSIGKILLMidCheckinNextQuestionWithinSeconds(t *testing.T) {
	if testing.Short() {
		t.Skip("runs serve as a child process")
	}
	t.Parallel()
	w := newCrashWorld(t)
	first := w.serve()
	noor, q := w.checkinStarted()
	w.tapHeldBack(noor, q)
	kill(t, first)

	restarted := time.Now()
	w.serve()
	w.wait(noor, 15*time.Second, "the next question after the restart", askingStep("daytime"))
	if took := time.Since(restarted); took > 10*time.Second {
		t.Errorf("the next question came %v after the restart, want within 10 s", took.Round(100*time.Millisecond))
	}
}

// Two replicas of serve share the database and Redis. The one that took the
// tap holds its next question (Telegram had asked it to wait) and is killed
// with SIGKILL; the other, still running, takes over intake and sends that
// question within seconds, and the check-in goes on with it.
func TestSIGKILLedReplicaNextQuestionFromTheOther(t *testing.T) {
	if testing.Short() {
		t.Skip("runs serve as child processes")
	}
	t.Parallel()
	w := newCrashWorld(t)
	admins := [2]string{apptest.FreeAddr(t), apptest.FreeAddr(t)}
	replicas := [2]*exec.Cmd{w.serve("ADMIN_ADDR=" + admins[0]), w.serve("ADMIN_ADDR=" + admins[1])}
	noor, q := w.checkinStarted()
	w.tapHeldBack(noor, q)
	// The replica that got the 429 holds the question.
	held := -1
	for i, a := range admins {
		if sentWithResult(t, a, "429") > 0 {
			held = i
		}
	}
	if held < 0 {
		t.Fatal("neither replica reports the 429")
	}
	kill(t, replicas[held])

	killed := time.Now()
	next := w.wait(noor, 20*time.Second, "the next question from the other replica", askingStep("daytime"))
	if took := time.Since(killed); took > 15*time.Second {
		t.Errorf("the next question came %v after the kill, want within 15 s", took.Round(100*time.Millisecond))
	}
	// The survivor takes the next tap too: the check-in goes on.
	noor.Tap(next.MessageID, next.Keyboard[0][0].CallbackData)
	w.wait(noor, 20*time.Second, "the question after that", func(m telegramtest.Sent) bool {
		return m.MessageID == next.MessageID && len(m.Keyboard) > 0 && !hasStep(m, "daytime")
	})
}

// sentWithResult reads lijntje_messages_sent_total{result} from the
// /metrics of the serve whose admin listener is at addr (0 when unread).
func sentWithResult(t *testing.T, addr, result string) float64 {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	prefix := `lijntje_messages_sent_total{result="` + result + `"} `
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, prefix); ok {
			f, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return f
		}
	}
	return 0
}
