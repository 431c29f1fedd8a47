package app

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lijntje/lijntje/scheduler"
)

// LoadConfig reads the environment (README: "Running it"); getenv is
// os.Getenv outside tests. A value that cannot be used is an *EnvError.
func LoadConfig(getenv func(string) string) (Config, error) {
	env := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	c := Config{
		Token:         env("TELEGRAM_TOKEN", ""),
		APIURL:        strings.TrimRight(env("TELEGRAM_API_URL", "https://api.telegram.org"), "/"),
		BotUsername:   strings.TrimPrefix(env("BOT_USERNAME", ""), "@"),
		DatabaseURL:   env("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lijntje?sslmode=disable"),
		RedisURL:      env("REDIS_URL", "redis://127.0.0.1:6379/0"),
		RedisPrefix:   env("REDIS_PREFIX", ""),
		HTTPAddr:      env("HTTP_ADDR", ":8080"),
		AdminAddr:     env("ADMIN_ADDR", "127.0.0.1:9090"),
		WebhookURL:    env("WEBHOOK_URL", ""),
		WebhookSecret: env("WEBHOOK_SECRET", ""),
	}
	var err error
	if c.EscalateAfter, err = duration(env("ESCALATE_AFTER", "30m")); err != nil || c.EscalateAfter <= 0 {
		return c, envErr("ESCALATE_AFTER", getenv("ESCALATE_AFTER"), "want a duration like 30m")
	}
	if c.Retention, err = duration(env("RETENTION", "12mo")); err != nil || c.Retention <= 0 {
		return c, envErr("RETENTION", getenv("RETENTION"), "want a duration like 12mo, 365d or 8760h")
	}
	if c.InviteTTL, err = duration(env("INVITE_TTL", "30d")); err != nil || c.InviteTTL <= 0 {
		return c, envErr("INVITE_TTL", getenv("INVITE_TTL"), "want a duration like 30d")
	}
	if err := loadSendConfig(&c, env); err != nil {
		return c, err
	}
	if c.Schedule, err = scheduler.ConfigFromEnv(scheduler.Config{}, getenv); err != nil {
		return c, &EnvError{Var: "schedule", Want: err.Error(), err: err}
	}
	c.Schedule.Retention = c.Retention
	if _, err := url.Parse(c.APIURL); err != nil {
		return c, envErr("TELEGRAM_API_URL", c.APIURL, "want a URL")
	}
	if c.WebhookURL != "" {
		u, err := url.Parse(c.WebhookURL)
		if err != nil || u.Scheme != "https" && u.Scheme != "http" {
			return c, envErr("WEBHOOK_URL", c.WebhookURL, "want an https URL")
		}
		if c.WebhookSecret == "" {
			return c, envErr("WEBHOOK_SECRET", "", "needed with WEBHOOK_URL (1-256 characters of A-Z, a-z, 0-9, _ and -)")
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

// loadSendConfig reads SEND_RATE, SEND_RATE_MAX, SEND_CHAT_RATE and PAID_BROADCAST.
func loadSendConfig(c *Config, env func(k, def string) string) error {
	var err error
	if c.SendRateMax, err = strconv.ParseFloat(env("SEND_RATE_MAX", "30"), 64); err != nil || !(c.SendRateMax >= 1 && c.SendRateMax <= 100000) {
		return envErr("SEND_RATE_MAX", env("SEND_RATE_MAX", ""), "want the most messages a second auto may reach, a number from 1 (default 30)")
	}
	switch v := env("SEND_RATE", "auto"); strings.ToLower(v) {
	case "auto":
		c.SendRateAuto, c.SendRate = true, min(25, c.SendRateMax)
	default:
		if c.SendRate, err = strconv.ParseFloat(v, 64); err != nil || !(c.SendRate > 0 && c.SendRate <= 100000) {
			return envErr("SEND_RATE", v, "want auto (the default) or messages a second, above 0")
		}
	}
	if c.SendChatRate, err = strconv.ParseFloat(env("SEND_CHAT_RATE", "1"), 64); err != nil || !(c.SendChatRate >= 0 && c.SendChatRate <= 100000) {
		return envErr("SEND_CHAT_RATE", env("SEND_CHAT_RATE", ""), "want messages a second to one chat (default 1; 0 turns per-chat pacing off)")
	}
	c.SendChatOff = c.SendChatRate == 0
	switch v := env("PAID_BROADCAST", "0"); strings.ToLower(v) {
	case "1", "true", "yes", "on":
		c.PaidBroadcast = true
	case "0", "false", "no", "off":
	default:
		return envErr("PAID_BROADCAST", v, "want 1 (send new check-ins as paid broadcasts) or 0")
	}
	return nil
}

// EnvError is an environment variable whose value cannot be used. Its Error
// is English (for operators' logs); the command line prints it in the
// user's language (cli.config.<VAR>).
type EnvError struct {
	Var, Got, Want string
	err            error
}

func envErr(name, got, want string) error { return &EnvError{Var: name, Got: got, Want: want} }

func (e *EnvError) Error() string {
	if e.Var == "schedule" {
		return e.Want
	}
	if e.Got == "" {
		return e.Var + ": " + e.Want
	}
	return fmt.Sprintf("%s: %s, got %q", e.Var, e.Want, e.Got)
}

func (e *EnvError) Unwrap() error { return e.err }
