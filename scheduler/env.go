package scheduler

import (
	"fmt"
	"strings"
	"time"
)

// DefaultTimezone is TIMEZONE's default: where Lijntje's people are.
const DefaultTimezone = "Europe/Amsterdam"

var defaultZone = mustZone(DefaultTimezone)

// DefaultZone is DefaultTimezone, the zone of whatever was given none (main
// embeds time/tzdata, so it loads everywhere). Serve passes the configured
// zone (Cadence.Zone) to everything; this is only the default.
func DefaultZone() *time.Location { return defaultZone }

// ConfigFromEnv reads the schedule settings from the environment (getenv is
// os.Getenv outside tests) into cfg: CADENCE (default "1w:3m,2w:12m,1m:24m"),
// QUIET_HOURS (default "21:30-09:00"), TIMEZONE (default DefaultTimezone),
// REMIND_AFTER (default 4h) and CHECKIN_EXPIRY (default 48h).
func ConfigFromEnv(cfg Config, getenv func(string) string) (Config, error) {
	env := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	def := DefaultCadence()
	c, err := ParseCadence(env("CADENCE", DefaultCadenceSpec))
	if err != nil {
		return cfg, fmt.Errorf("CADENCE: %w", err)
	}
	c.Parts, c.Part = def.Parts, def.Part
	if c.Quiet, err = ParseQuiet(env("QUIET_HOURS", "21:30-09:00")); err != nil {
		return cfg, fmt.Errorf("QUIET_HOURS: %w", err)
	}
	if c.Zone, err = time.LoadLocation(env("TIMEZONE", DefaultTimezone)); err != nil {
		return cfg, fmt.Errorf("TIMEZONE: %w", err)
	}
	cfg.Cadence = c
	if cfg.RemindAfter, err = time.ParseDuration(env("REMIND_AFTER", "4h")); err != nil || cfg.RemindAfter <= 0 {
		return cfg, fmt.Errorf("REMIND_AFTER: want a duration like 4h, got %q", getenv("REMIND_AFTER"))
	}
	if cfg.Expiry, err = time.ParseDuration(env("CHECKIN_EXPIRY", "48h")); err != nil || cfg.Expiry <= 0 {
		return cfg, fmt.Errorf("CHECKIN_EXPIRY: want a duration like 48h, got %q", getenv("CHECKIN_EXPIRY"))
	}
	return cfg, nil
}
