package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lijntje/lijntje/app"
	"github.com/lijntje/lijntje/demo"
	"github.com/lijntje/lijntje/store/storetest"
)

const chromiumPath = "/usr/bin/chromium"

// TestDemoInBrowser drives `lijntje demo` in headless Chromium: the student
// joins, gets a check-in, answers daytime=home, and the coach sees the alert
// and takes it on. DEMO_SCREENSHOT=path keeps a screenshot of the page.
func TestDemoInBrowser(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("%s is missing (apt-get install -y chromium); skipped outside CI", chromiumPath)
		}
		t.Fatalf("%s is missing, and CI is set: .ci/run should have installed Debian's chromium (apt-get install -y chromium)", chromiumPath)
	}
	t.Parallel()

	// The demo on a database and Redis prefix of this test's own.
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	dbName := "lijntje_demo_t_" + hex.EncodeToString(b)
	cfg, err := app.LoadConfig(envMap{"DATABASE_URL": storetest.BaseURL(), "REDIS_URL": storetest.RedisURL()}.get)
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	done := make(chan error, 1)
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	go func() {
		done <- demo.Run(ctx, cfg, log, io.Discard, demo.Options{Database: dbName, RedisPrefix: storetest.RedisPrefix(t),
			PageAddr: "127.0.0.1:0", Ready: func(u string) { urls <- u }})
	}()
	t.Cleanup(func() {
		stop()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("demo stopped with %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("demo did not stop within 30s")
		}
		dbURL, _ := demo.WithDatabase(cfg.DatabaseURL, dbName)
		if err := demo.DropDatabase(context.Background(), dbURL); err != nil {
			t.Log(err)
		}
	})
	var pageURL string
	select {
	case pageURL = <-urls:
	case err := <-done:
		t.Fatalf("demo: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("demo did not start within 30s")
	}

	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1100, 1000),
	)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()
	if err := chromedp.Do(bctx, chromedp.EmulateViewport(1100, 1000), chromedp.Navigate(pageURL)); err != nil {
		t.Fatal(err)
	}

	// step waits (up to 20s) until the JavaScript expression is true; click
	// expressions click what they find, so a chat redrawn meanwhile does no harm.
	step := func(what, expr string) {
		t.Helper()
		sctx, cancel := context.WithTimeout(bctx, 20*time.Second)
		defer cancel()
		if _, err := chromedp.Run(sctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
			chat, _ := chromedp.Run(bctx, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
			t.Fatalf("%s: %v\npage:\n%s", what, err, chat)
		}
	}
	// clickButton clicks a button in phone (or the whole page) whose text or callback_data matches.
	clickButton := func(what, scope, js string) {
		t.Helper()
		step(what, `(() => { const b = [...document.querySelectorAll(`+strconv.Quote(scope+" button")+`)].find(b => !b.disabled && !b.closest("[hidden]") && (`+js+`)); if (b) b.click(); return !!b })()`)
	}
	has := func(scope, text string) string {
		return `document.querySelector(` + strconv.Quote(scope) + `).innerText.includes(` + strconv.Quote(text) + `)`
	}

	clickButton("Start in Noor's phone", "#student", `b.id === "start"`)
	step("Noor's welcome", has("#student-chat", "Welkom bij Lijntje"))
	clickButton("send a check-in now", "header", `b.id === "checkin-now"`)
	clickButton("mood 3", "#student-chat", `/:mood:3$/.test(b.dataset.cb)`)
	clickButton("daytime home", "#student-chat", `/:daytime:home$/.test(b.dataset.cb)`)
	step("the money question", `!!document.querySelector('#student-chat button[data-cb*=":money:"]')`)
	step("the alert in Sanne's phone", has("#coach-chat", "Noor Bakker")+" && "+has("#coach-chat", "Dringend"))
	clickButton("Ik pak het op", "#coach-chat", `b.textContent.includes("Ik pak het op")`)
	step("taken on by Sanne", has("#coach-chat", "Opgepakt door Sanne"))

	shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if path := os.Getenv("DEMO_SCREENSHOT"); path != "" {
		if err := os.WriteFile(path, shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

type envMap map[string]string

func (m envMap) get(k string) string { return m[k] }
