package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
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
	w := newWorldWith(t, map[string]string{
		"HTTP_ADDR":      addr,
		"WEBHOOK_URL":    "http://" + addr + webhookPath,
		"WEBHOOK_SECRET": "s3cret-token_1",
	})
	public := "http://" + w.srv.addr.String()
	admin := "http://" + w.srv.adminAddr.String()
	if w.srv.addr.String() == w.srv.adminAddr.String() {
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
	if w.srv.http.ReadTimeout == 0 || w.srv.http.WriteTimeout == 0 || w.srv.http.IdleTimeout == 0 ||
		w.srv.admin.ReadTimeout == 0 || w.srv.admin.WriteTimeout == 0 || w.srv.admin.IdleTimeout == 0 {
		t.Error("a server without read, write or idle timeout")
	}

	// The case figures are read at most every 15 s, not at every scrape.
	ctx := context.Background()
	if _, err := w.srv.pool.Exec(ctx, `INSERT INTO coaches (id, name) VALUES (900, 'Sanne');
		INSERT INTO students (id, name, coach_id) VALUES (900, 'Noor', 900)`); err != nil {
		t.Fatal(err)
	}
	const urgentOpen = `lijntje_cases_open{severity="urgent",status="open"} `
	if _, body := get(t, admin+"/metrics"); !strings.Contains(body, urgentOpen+"0") {
		t.Fatalf("/metrics before any case lacks %q", urgentOpen+"0")
	}
	if _, err := w.srv.pool.Exec(ctx, `INSERT INTO alerts (student_id, severity, opened_at) VALUES (900, 'urgent', $1)`, w.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if _, body := get(t, admin+"/metrics"); !strings.Contains(body, urgentOpen+"0") {
		t.Error("a scrape right after the last one queried Postgres again")
	}
	cases.mu.Lock()
	cases.at = time.Now().Add(-caseFiguresTTL) // 15 s later
	cases.mu.Unlock()
	if _, body := get(t, admin+"/metrics"); !strings.Contains(body, urgentOpen+"1") {
		t.Error("after 15 s /metrics still shows the old figures")
	}

	// Not ready: which dependency, without its error text.
	_ = w.srv.rdb.Close()
	code, body := get(t, admin+"/readyz")
	if code != http.StatusServiceUnavailable || strings.TrimSpace(body) != "redis: unavailable" {
		t.Errorf("/readyz with Redis gone: %d %q, want 503 \"redis: unavailable\"", code, body)
	}
}
