package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lijntje/lijntje/app"
	"github.com/lijntje/lijntje/app/apptest"
	"github.com/lijntje/lijntje/demo"
	"github.com/lijntje/lijntje/store/storetest"
)

func TestDemoInstanceNames(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args           []string
		addr, db, pref string
	}{
		{nil, "", "lijntje_demo", "lijntje_demo:"},
		{nil, "127.0.0.1:8091", "lijntje_demo_8091", "lijntje_demo_8091:"},
		{[]string{"--name", "Anna"}, "", "lijntje_demo_anna", "lijntje_demo_anna:"},
		{[]string{"--instance", "b2"}, "127.0.0.1:8092", "lijntje_demo_b2", "lijntje_demo_b2:"},
	} {
		o, err := demoOptionsFrom(c.args, envMap{"HTTP_ADDR": c.addr}.get)
		if err != nil || o.Database != c.db || o.RedisPrefix != c.pref {
			t.Errorf("%v HTTP_ADDR=%q: %q %q %v, want %q %q", c.args, c.addr, o.Database, o.RedisPrefix, err, c.db, c.pref)
		}
	}
	for _, bad := range [][]string{{"--name", "a;drop"}, {"--name", strings.Repeat("x", 40)}, {"extra"}} {
		if _, err := demoOptionsFrom(bad, envMap{}.get); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// startDemo runs `lijntje demo` as main would, with HTTP_ADDR addr, and returns its page URL.
func startDemo(t *testing.T, addr string, args ...string) (string, <-chan error, context.CancelFunc) {
	t.Helper()
	env := envMap{"DATABASE_URL": storetest.BaseURL(), "REDIS_URL": storetest.RedisURL(), "HTTP_ADDR": addr}
	o, err := demoOptionsFrom(args, env.get)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := app.LoadConfig(env.get)
	if err != nil {
		t.Fatal(err)
	}
	urls := make(chan string, 1)
	o.Ready = func(u string) { urls <- u }
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	started := false
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	go func() { done <- demo.Run(ctx, cfg, log, io.Discard, o) }()
	t.Cleanup(func() {
		stop()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("demo did not stop within 30s")
		}
		if started { // a refused demo's database is another's
			dbURL, _ := demo.WithDatabase(cfg.DatabaseURL, o.Database)
			_ = demo.DropDatabase(context.Background(), dbURL)
		}
	})
	select {
	case u := <-urls:
		started = true
		return u, done, stop
	case err := <-done:
		t.Logf("the demo on %s ended as it started: %v", addr, err) // why, when a caller wanted it running
		done <- err                                                 // for the cleanup
		return "", closedWith(err), stop
	case <-time.After(30 * time.Second):
		t.Fatal("demo did not start within 30s")
	}
	return "", nil, stop
}

func closedWith(err error) <-chan error {
	ch := make(chan error, 1)
	ch <- err
	return ch
}

// demoJoins taps Start in the demo's student phone and waits for the welcome.
func demoJoins(t *testing.T, page string) {
	t.Helper()
	resp, err := http.Post(page+"api/start", "application/json", bytes.NewReader([]byte(`{}`)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(page + "api/state")
		if err != nil {
			t.Fatal(err)
		}
		var st struct{ Student string }
		_ = json.NewDecoder(resp.Body).Decode(&st)
		resp.Body.Close()
		if strings.Contains(st.Student, "Welkom bij Lijntje") {
			return
		}
		if strings.Contains(st.Student, "werkt niet") {
			t.Fatalf("%s: the student's link no longer works (another demo reset the database?)", page)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: the student never got a welcome", page)
}

func TestTwoDemosSideBySide(t *testing.T) {
	t.Parallel()
	a, b := apptest.FreeAddr(t), apptest.FreeAddr(t)
	pageA, _, _ := startDemo(t, a)
	pageB, _, _ := startDemo(t, b)
	if pageA == "" || pageB == "" {
		t.Fatal("a demo did not start")
	}
	// A third one on the first one's database is refused, in one line, and harms nothing.
	_, done, _ := startDemo(t, apptest.FreeAddr(t), "--name", strings.TrimPrefix(mustDemoDB(t, a), "lijntje_demo_"))
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "another lijntje demo is running") || strings.Contains(err.Error(), "\n") {
			t.Errorf("the third demo: %v, want a one-line refusal", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the third demo neither started nor refused")
	}
	demoJoins(t, pageA)
	demoJoins(t, pageB)
}

func mustDemoDB(t *testing.T, addr string) string {
	t.Helper()
	o, err := demoOptionsFrom(nil, envMap{"HTTP_ADDR": addr}.get)
	if err != nil {
		t.Fatal(err)
	}
	return o.Database
}

// TestDemoShowsAnAgreementAndAMessage: in the demo's two phones, the coach
// makes an agreement and writes to the student, and the student's answer
// comes back to the coach.
func TestDemoShowsAnAgreementAndAMessage(t *testing.T) {
	t.Parallel()
	page, _, _ := startDemo(t, apptest.FreeAddr(t), "--name", "relatie")
	if page == "" {
		t.Fatal("the demo did not start")
	}
	demoJoins(t, page)
	send := func(who, text string) {
		t.Helper()
		resp, err := http.PostForm(page+"api/send", map[string][]string{"who": {who}, "text": {text}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	phones := func() (student, coach string) {
		resp, err := http.Get(page + "api/state")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var st struct{ Student, Coach string }
		_ = json.NewDecoder(resp.Body).Decode(&st)
		return st.Student, st.Coach
	}
	wait := func(what string, ok func(student, coach string) bool) {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if ok(phones()) {
				return
			}
		}
		s, c := phones()
		t.Fatalf("the demo never showed %s\nstudent: %s\ncoach: %s", what, s, c)
	}
	send("coach", "/afspraak Noor cv naar 3 bedrijven sturen tot vrijdag")
	wait("the agreement in both phones", func(s, c string) bool {
		return strings.Contains(s, "Je hebt met Sanne afgesproken: cv naar 3 bedrijven sturen") &&
			strings.Contains(c, "Afspraak met Noor")
	})
	send("coach", "/bericht Noor Hoi Noor, lukt het met je cv?")
	wait("the coach's message in the student's phone", func(s, _ string) bool {
		return strings.Contains(s, "Bericht van Sanne") && strings.Contains(s, "lukt het met je cv?")
	})
	send("student", "ja bijna klaar!")
	wait("the student's answer in the coach's phone", func(_, c string) bool {
		return strings.Contains(c, "Noor: ja bijna klaar!")
	})
}
