package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lijntje/lijntje/app"
	"github.com/lijntje/lijntje/demo"
	"github.com/lijntje/lijntje/desk"
	"github.com/lijntje/lijntje/store/storetest"
)

// The demo's report follows the demo's clock: after "fast-forward a week"
// the report is dated a week later.
func TestDemoReportFollowsTheDemosClock(t *testing.T) {
	t.Parallel()
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
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("demo did not stop within 30s")
		}
		dbURL, _ := demo.WithDatabase(cfg.DatabaseURL, dbName)
		_ = demo.DropDatabase(context.Background(), dbURL)
	})
	var page string
	select {
	case page = <-urls:
	case err := <-done:
		t.Fatalf("demo: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("demo did not start within 30s")
	}
	get := func(path string) string {
		t.Helper()
		resp, err := http.Get(page + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
		}
		return string(body)
	}
	today := desk.FormatDate(time.Now().In(mustZone(t)))
	if r := get("report"); !strings.Contains(r, "overzicht op "+today) {
		t.Fatalf("report before fast-forward, want dated %s:\n%s", today, r)
	}
	resp, err := http.Post(page+"api/forward", "application/x-www-form-urlencoded", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	week := desk.FormatDate(time.Now().In(mustZone(t)).AddDate(0, 0, 7))
	if r := get("report?lang=en"); !strings.Contains(r, "report on "+week) {
		t.Fatalf("report after fast-forward, want dated %s:\n%s", week, r)
	}
	if png := get("report/chart.png"); !bytes.HasPrefix([]byte(png), []byte("\x89PNG")) {
		t.Fatal("chart is not a PNG")
	}
}

func mustZone(t *testing.T) *time.Location {
	z, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	return z
}
