package app_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/lijntje/lijntje/app"
	"github.com/lijntje/lijntje/app/apptest"
	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
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
	addr := apptest.FreeAddr(t)
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
	sanne := storetest.Coach(t, a.Store, store.Coach{Name: "Sanne"}, 0)
	noor, _ := storetest.Student(t, a.Store, store.NewStudent{Name: "Noor", CoachID: sanne.ID})
	const urgentOpen = `lijntje_cases_open{severity="urgent",status="open"} `
	if _, body := get(t, admin+"/metrics"); !strings.Contains(body, urgentOpen+"0") {
		t.Fatalf("/metrics before any case lacks %q", urgentOpen+"0")
	}
	storetest.AlertRow(t, a.Store, noor.ID, "urgent", "open", e.Clock.Now())
	if _, body := get(t, admin+"/metrics"); !strings.Contains(body, urgentOpen+"0") {
		t.Error("a scrape right after the last one queried Postgres again")
	}
	app.ExpireCaseFigures() // 15 s later
	if _, body := get(t, admin+"/metrics"); !strings.Contains(body, urgentOpen+"1") {
		t.Error("after 15 s /metrics still shows the old figures")
	}

	// Not ready: which dependency, without its error text.
	_ = a.CloseRedis()
	code, body := get(t, admin+"/readyz")
	if code != http.StatusServiceUnavailable || strings.TrimSpace(body) != "redis: unavailable" {
		t.Errorf("/readyz with Redis gone: %d %q, want 503 \"redis: unavailable\"", code, body)
	}
}
