package app_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/lijntje/lijntje/app"
	"github.com/lijntje/lijntje/app/apptest"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// Not parallel: /metrics reports the cases of the latest serve in the process.
func TestHealthAndMetricsOnlyOnTheAdminListener(t *testing.T) {
	addr := freeAddr(t)
	e := apptest.New(t, apptest.Options{})
	cfg := e.Config()
	cfg.HTTPAddr, cfg.WebhookURL, cfg.WebhookSecret = addr, "http://"+addr+app.WebhookPath, "s3cret-token_1"
	a := e.StartWith(cfg)
	public := "http://" + a.Addr().String()
	admin := "http://" + a.AdminAddr().String()
	if a.Addr().String() == a.AdminAddr().String() {
		t.Fatal("webhook and admin share a listener")
	}
	for _, path := range []string{"/metrics", "/healthz", "/readyz"} {
		if code, _ := get(t, public+path); code != http.StatusNotFound {
			t.Errorf("webhook port %s: %d, want 404", path, code)
		}
		if code, _ := get(t, admin+path); code != http.StatusOK {
			t.Errorf("admin port %s: %d, want 200", path, code)
		}
	}
	webhook, adminServer := a.Servers()
	if webhook.ReadTimeout == 0 || webhook.WriteTimeout == 0 || webhook.IdleTimeout == 0 ||
		adminServer.ReadTimeout == 0 || adminServer.WriteTimeout == 0 || adminServer.IdleTimeout == 0 {
		t.Error("a server without read, write or idle timeout")
	}

	// The case figures are read at most every 15 s, not at every scrape.
	ctx := context.Background()
	if _, err := a.Store.DB().Exec(ctx, `INSERT INTO coaches (id, name) VALUES (900, 'Sanne');
		INSERT INTO students (id, name, coach_id) VALUES (900, 'Noor', 900)`); err != nil {
		t.Fatal(err)
	}
	const urgentOpen = `lijntje_cases_open{severity="urgent",status="open"} `
	if _, body := get(t, admin+"/metrics"); !strings.Contains(body, urgentOpen+"0") {
		t.Fatalf("/metrics before any case lacks %q", urgentOpen+"0")
	}
	if _, err := a.Store.DB().Exec(ctx, `INSERT INTO alerts (student_id, severity, opened_at) VALUES (900, 'urgent', $1)`, e.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if _, body := get(t, admin+"/metrics"); !strings.Contains(body, urgentOpen+"0") {
		t.Error("a scrape right after the last one queried Postgres again")
	}
	app.ExpireCaseFigures() // 15 s later
	if _, body := get(t, admin+"/metrics"); !strings.Contains(body, urgentOpen+"1") {
		t.Error("after 15 s /metrics still shows the old figures")
	}

	// Not ready: which dependency, without its error text.
	_ = a.Store.Redis().Close()
	code, body := get(t, admin+"/readyz")
	if code != http.StatusServiceUnavailable || strings.TrimSpace(body) != "redis: unavailable" {
		t.Errorf("/readyz with Redis gone: %d %q, want 503 \"redis: unavailable\"", code, body)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
