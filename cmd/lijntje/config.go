package main

import (
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/lijntje/lijntje/scheduler"
)

// config is Lijntje's configuration, read once from the environment.
type config struct {
	Token         string
	APIURL        string
	BotUsername   string
	DatabaseURL   string
	RedisURL      string
	HTTPAddr      string
	AdminAddr     string // health and metrics (ADMIN_ADDR), apart from the webhook
	WebhookURL    string
	WebhookSecret string
	EscalateAfter time.Duration
	Retention     time.Duration
	SendRate      float64
	// SendChatBurst and SendChatRate pace one chat (0: the sender's defaults,
	// Telegram's limits). Not read from the environment: only the benchmark
	// raises them, to measure update handling without Telegram's pacing.
	SendChatBurst float64
	SendChatRate  float64
	InviteTTL     time.Duration
	Schedule      scheduler.Config // CADENCE, QUIET_HOURS, TIMEZONE, REMIND_AFTER, CHECKIN_EXPIRY
}

// loadConfig reads the environment; getenv is os.Getenv outside tests.
func loadConfig(getenv func(string) string) (config, error) {
	env := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	c := config{
		Token:         env("TELEGRAM_TOKEN", ""),
		APIURL:        strings.TrimRight(env("TELEGRAM_API_URL", "https://api.telegram.org"), "/"),
		BotUsername:   strings.TrimPrefix(env("BOT_USERNAME", ""), "@"),
		DatabaseURL:   env("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lijntje?sslmode=disable"),
		RedisURL:      env("REDIS_URL", "redis://127.0.0.1:6379/0"),
		HTTPAddr:      env("HTTP_ADDR", ":8080"),
		AdminAddr:     env("ADMIN_ADDR", "127.0.0.1:9090"),
		WebhookURL:    env("WEBHOOK_URL", ""),
		WebhookSecret: env("WEBHOOK_SECRET", ""),
	}
	var err error
	if c.EscalateAfter, err = duration(env("ESCALATE_AFTER", "30m")); err != nil || c.EscalateAfter <= 0 {
		return c, fmt.Errorf("ESCALATE_AFTER: want a duration like 30m, got %q", getenv("ESCALATE_AFTER"))
	}
	if c.Retention, err = duration(env("RETENTION", "12mo")); err != nil || c.Retention <= 0 {
		return c, fmt.Errorf("RETENTION: want a duration like 12mo, 365d or 8760h, got %q", getenv("RETENTION"))
	}
	if c.InviteTTL, err = duration(env("INVITE_TTL", "30d")); err != nil || c.InviteTTL <= 0 {
		return c, fmt.Errorf("INVITE_TTL: want a duration like 30d, got %q", getenv("INVITE_TTL"))
	}
	if c.SendRate, err = strconv.ParseFloat(env("SEND_RATE", "25"), 64); err != nil || c.SendRate <= 0 || c.SendRate > 30 {
		return c, fmt.Errorf("SEND_RATE: want messages a second between 1 and 30, got %q", getenv("SEND_RATE"))
	}
	if c.Schedule, err = scheduler.ConfigFromEnv(scheduler.Config{}, getenv); err != nil {
		return c, err
	}
	c.Schedule.Retention = c.Retention
	if _, err := url.Parse(c.APIURL); err != nil {
		return c, fmt.Errorf("TELEGRAM_API_URL: %w", err)
	}
	if c.WebhookURL != "" {
		u, err := url.Parse(c.WebhookURL)
		if err != nil || u.Scheme != "https" && u.Scheme != "http" {
			return c, fmt.Errorf("WEBHOOK_URL: want an https URL, got %q", c.WebhookURL)
		}
		if c.WebhookSecret == "" {
			return c, fmt.Errorf("WEBHOOK_SECRET: needed with WEBHOOK_URL (1-256 characters of A-Z, a-z, 0-9, _ and -)")
		}
	}
	return c, nil
}

// duration parses Go durations plus days ("30d") and months ("12mo", 30 days each).
func duration(s string) (time.Duration, error) {
	for _, u := range []struct {
		suffix string
		unit   time.Duration
	}{{"mo", 30 * 24 * time.Hour}, {"d", 24 * time.Hour}} {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			v, err := strconv.ParseFloat(n, 64)
			if err != nil {
				return 0, err
			}
			return time.Duration(v * float64(u.unit)), nil
		}
	}
	return time.ParseDuration(s)
}

func getenv(k string) string { return os.Getenv(k) }
