package scheduler

import (
	"testing"
	"time"
)

// Amsterdam is the default zone (TIMEZONE unset), as the tests use it.
var Amsterdam = DefaultZone()

// TestTimezoneFromEnv: a deployment with TIMEZONE=America/Curacao reads quiet
// hours, check-in moments and working hours in Curaçao, not in the default zone.
func TestTimezoneFromEnv(t *testing.T) {
	cfg, err := ConfigFromEnv(Config{}, func(k string) string {
		if k == "TIMEZONE" {
			return "America/Curacao"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	zone := cfg.Cadence.Zone
	if zone.String() != "America/Curacao" {
		t.Fatalf("zone %v, want America/Curacao", zone)
	}
	// 21:00 UTC is 17:00 in Curaçao (UTC-4) and 22:00 in Amsterdam.
	evening := time.Date(2026, 12, 1, 21, 0, 0, 0, time.UTC)
	if cfg.Cadence.InQuiet(evening) {
		t.Errorf("17:00 in Curaçao is in quiet hours")
	}
	if !DefaultCadence().InQuiet(evening) {
		t.Errorf("22:00 in Amsterdam is not in quiet hours (the default zone)")
	}
	// 09:30 UTC is 05:30 in Curaçao: quiet until 09:00 there, 13:00 UTC.
	if got, want := cfg.Cadence.OutOfQuiet(time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)), time.Date(2026, 12, 1, 13, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("out of quiet %v, want %v", got, want)
	}
	// A check-in slot's afternoon moment is 15:00 in Curaçao.
	slot := time.Date(2026, 12, 1, 0, 0, 0, 0, zone) // a Tuesday
	if got, want := cfg.Cadence.Due(slot, -1, ""), time.Date(2026, 12, 1, 19, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("due %v, want %v (15:00 in Curaçao)", got, want)
	}
	// 08:00 UTC on a Tuesday is 09:00 in Amsterdam but 04:00 in Curaçao: an
	// attention case waits for the coach's 09:00 there.
	morning := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	p := Route(step(StepRoute, "attention", false), morning, time.Hour, zone)
	if len(p.Deliver) != 0 || len(p.Next) != 1 || p.Next[0].Kind != StepHeld || !p.Next[0].DueAt.Equal(time.Date(2026, 12, 1, 13, 0, 0, 0, time.UTC)) {
		t.Errorf("attention at 04:00 in Curaçao: %+v, want held until 09:00 there", p)
	}
	if p := Route(step(StepRoute, "attention", false), morning, time.Hour, Amsterdam); len(p.Deliver) != 1 {
		t.Errorf("attention at 09:00 in Amsterdam: %+v, want delivered", p)
	}
}
