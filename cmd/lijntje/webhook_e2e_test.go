package main

import (
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/lijntje/lijntje/app"
	"github.com/lijntje/lijntje/app/apptest"
	"github.com/lijntje/lijntje/store/storetest"
)

func TestWebhookModeChecksTheSecret(t *testing.T) {
	t.Parallel()
	addr := apptest.FreeAddr(t)
	w := newWorldWith(t, map[string]string{
		"HTTP_ADDR":      addr,
		"WEBHOOK_URL":    "http://" + addr + app.WebhookPath,
		"WEBHOOK_SECRET": "s3cret-token_1",
	})
	if url, secret := w.tg.Webhook(); url == "" || secret != "s3cret-token_1" {
		t.Fatalf("setWebhook not called with the secret: url %q secret %q", url, secret)
	}
	forged := `{"update_id": 4242, "message": {"message_id": 1, "date": 0, "chat": {"id": 77, "type": "private"}, "from": {"id": 77, "first_name": "X"}, "text": "hallo"}}`
	for _, secret := range []string{"", "wrong"} {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+app.WebhookPath, strings.NewReader(forged))
		if secret != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("secret %q: status %d, want 401", secret, resp.StatusCode)
		}
	}
	// Real updates, posted by the double with the secret, are handled.
	coach, _ := w.addCoach("Sanne de Vries")
	_, noor := w.addStudent("Noor Bakker", coach.ID)
	noor.SendText("ik wil dood")
	w.waitText(noor, "113")
	if n := storetest.Count(storetest.ProcessedUpdates(w.t, w.srv.st), func(id int64) bool { return id == 4242 }); n != 0 {
		t.Errorf("the update with a wrong secret was processed")
	}
}

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	ropt, err := redis.ParseURL(storetest.RedisURL())
	if err != nil {
		t.Fatal(err)
	}
	redisProxy := newTCPProxy(t, ropt.Addr)
	w := newWorldWith(t, map[string]string{"REDIS_URL": "redis://" + redisProxy.addr + "/0"})
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		resp, err := http.Get("http://" + w.srv.adminAddr.String() + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d, want 200", path, resp.StatusCode)
		}
	}
	redisProxy.cut() // Redis gone: not ready
	resp, err := http.Get("http://" + w.srv.adminAddr.String() + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz with Redis gone: %d, want 503", resp.StatusCode)
	}
}

func TestConfigErrorsAreOneLine(t *testing.T) {
	t.Parallel()
	cases := map[string]map[string]string{
		"TELEGRAM_TOKEN: niet ingesteld":                                    {"DATABASE_URL": storetest.DatabaseURL(t)}, // its own: other checkouts may migrate a shared one further; Dutch first
		"ESCALATE_AFTER: verwacht een duur zoals 30m; nu staat er \"soon\"": {"ESCALATE_AFTER": "soon"},
		"TELEGRAM_TOKEN: not set":                                           {"DATABASE_URL": storetest.DatabaseURL(t), "LANG": "en_US.UTF-8"},
		"postgres":                                                          {"TELEGRAM_TOKEN": "1:x", "DATABASE_URL": "postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=2"},
		"WEBHOOK_SECRET":                                                    {"WEBHOOK_URL": "https://example.org/hook"},
		"onbekende opdracht \"serve2\"":                                     nil, // Dutch by default (no LANG)
	}
	for want, env := range cases {
		args := []string{"serve"}
		if env == nil {
			args = []string{"serve2"}
		}
		var out, errOut strings.Builder
		code := run(t.Context(), args, &out, &errOut, func(k string) string { return env[k] })
		first := strings.SplitN(errOut.String(), "\n", 2)[0]
		if code == 0 || !strings.Contains(first, want) || strings.Contains(errOut.String(), "goroutine") {
			t.Errorf("%s: exit %d, stderr %q", want, code, errOut.String())
		}
	}
}

// tcpProxy forwards connections to a real server until cut, as a server that
// went away looks to its clients: open connections close, new ones are refused.
type tcpProxy struct {
	addr string
	ln   net.Listener
	mu   sync.Mutex
	cons []net.Conn
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{addr: ln.Addr().String(), ln: ln}
	t.Cleanup(p.cut)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.cons = append(p.cons, c, u)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(u, c); u.Close() }()
			go func() { _, _ = io.Copy(c, u); c.Close() }()
		}
	}()
	return p
}

func (p *tcpProxy) cut() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.cons {
		c.Close()
	}
	p.cons = nil
}
