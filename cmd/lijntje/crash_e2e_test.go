package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lijntje/lijntje/app"
	"github.com/lijntje/lijntje/bot/telegramtest"
	"github.com/lijntje/lijntje/clock"
	"github.com/lijntje/lijntje/flows"
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

// A serve killed with SIGKILL in the middle of a check-in, holding the next
// question (Telegram had asked it to wait), costs seconds: the restarted
// process sends that question within 10 s.
func TestSIGKILLMidCheckinNextQuestionWithinSeconds(t *testing.T) {
	if testing.Short() {
		t.Skip("runs serve as a child process")
	}
	t.Parallel()
	tg := telegramtest.Start(t)
	clock := clock.At(tuesday10)
	prefix := storetest.RedisPrefix(t)
	env := map[string]string{
		"TELEGRAM_TOKEN":   tg.Token(),
		"TELEGRAM_API_URL": tg.URL,
		"BOT_USERNAME":     tg.BotUsername(),
		"DATABASE_URL":     storetest.DatabaseURL(t),
		"REDIS_URL":        storetest.RedisURL(),
		"HTTP_ADDR":        "127.0.0.1:0",
		"ADMIN_ADDR":       "127.0.0.1:0",
	}
	getenv := func(k string) string { return env[k] }
	cli := func(args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		if code := runWith(context.Background(), args, &out, &errOut, getenv, app.Options{Clock: clock, RedisPrefix: prefix}); code != 0 {
			t.Fatalf("lijntje %s: exit %d: %s", strings.Join(args, " "), code, errOut.String())
		}
		return out.String()
	}
	start := func() *exec.Cmd {
		t.Helper()
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"=serve", "LIJNTJE_E2E_REDIS_PREFIX="+prefix,
			"LIJNTJE_E2E_CLOCK_OFFSET="+time.Until(clock.Now()).String())
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		cmd.Stderr = testWriter{t}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		return cmd
	}
	wait := func(u *telegramtest.User, d time.Duration, what string, pred func(telegramtest.Sent) bool) telegramtest.Sent {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), d)
		defer cancel()
		m, err := u.WaitFor(ctx, pred)
		if err != nil {
			t.Fatalf("%s never saw %s within %v", u.FirstName, what, d)
		}
		return m
	}
	contains := func(s string) func(telegramtest.Sent) bool {
		return func(m telegramtest.Sent) bool { return strings.Contains(m.Text, s) }
	}
	question := func(step string) func(telegramtest.Sent) bool {
		return func(m telegramtest.Sent) bool {
			for _, row := range m.Keyboard {
				for _, b := range row {
					if _, s, _, ok := flows.ParseCallbackData(b.CallbackData); ok && s == step {
						return true
					}
				}
			}
			return false
		}
	}

	first := start()
	var coach, student invite
	if err := json.Unmarshal([]byte(cli("coach", "add", "--name", "Sanne de Vries", "--json")), &coach); err != nil {
		t.Fatal(err)
	}
	sanne := tg.NewUser("Sanne")
	sanne.SendCommand("start", coach.Code)
	wait(sanne, 30*time.Second, "the coach link", contains("gekoppeld als coach"))
	left := clock.Now().AddDate(0, -5, 0).Format("2006-01-02")
	if err := json.Unmarshal([]byte(cli("student", "add", "--name", "Noor Bakker", "--coach", fmt.Sprint(coach.ID),
		"--left-school", left, "--json")), &student); err != nil {
		t.Fatal(err)
	}
	noor := tg.NewUser("Noor")
	noor.SendCommand("start", student.Code)
	wait(noor, 10*time.Second, "the welcome", contains("Welkom bij Lijntje"))
	cli("checkin", "now", "--student", strconv.FormatInt(student.ID, 10))
	q := wait(noor, 20*time.Second, "the first question", question("mood"))

	// Telegram asks to wait before the next question (the card's edit): serve
	// holds it, leased.
	tg.FailNext("editMessageText", noor.ID, 1, 429, 300)
	noor.Tap(q.MessageID, q.Keyboard[0][0].CallbackData)
	deadline := time.Now().Add(10 * time.Second)
	for tg.Stats().TooManyRequests == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the next question was never tried")
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // and its lease renewed at least once more, maybe
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()

	restarted := time.Now()
	start()
	next := wait(noor, 15*time.Second, "the next question after the restart", func(m telegramtest.Sent) bool {
		return question("daytime")(m)
	})
	if took := time.Since(restarted); took > 10*time.Second {
		t.Errorf("the next question came %v after the restart, want within 10 s", took.Round(100*time.Millisecond))
	}
	_ = next
}
