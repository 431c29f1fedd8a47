package sender

import (
	"testing"
	"time"
)

// sendFor drives r with a clock of its own for d, sending whenever the rate
// allows; ok says whether Telegram accepts each message. It returns the
// messages sent and the highest rate seen.
func sendFor(r *rateControl, now *time.Time, d time.Duration, ok func() bool) (sent int, peak float64) {
	end := now.Add(d)
	for now.Before(end) {
		if w := r.wait(*now); w > 0 {
			*now = now.Add(w)
			continue
		}
		r.take(*now)
		sent++
		if ok() {
			r.accepted(*now)
		} else {
			r.tooMany(*now, 3*time.Second)
		}
		peak = max(peak, r.Rate())
	}
	return sent, peak
}

func TestAutoRateClimbsHalvesAndStaysUnderMax(t *testing.T) {
	now := time.Date(2026, 11, 29, 19, 0, 0, 0, time.UTC)
	r := newRateControl(0, 30, true)
	if r.Rate() != 25 {
		t.Fatalf("auto starts at %v a second, want 25", r.Rate())
	}
	accept := func() bool { return true }

	// Telegram accepts: the rate grows, slowly.
	sent, _ := sendFor(r, &now, 2*time.Second, accept)
	if r.Rate() <= 25 || r.Rate() > 27 {
		t.Fatalf("after 2 s without a 429 the rate is %v, want a little above 25", r.Rate())
	}
	if sent < 49 || sent > 54 {
		t.Errorf("sent %d in the first 2 s, want about 50", sent)
	}

	// A minute of acceptance: it reaches the ceiling and never passes it.
	start := now
	sent, peak := sendFor(r, &now, time.Minute, accept)
	if peak > 30 || r.Rate() != 30 {
		t.Fatalf("after a minute without a 429: rate %v, peak %v; want exactly SEND_RATE_MAX 30", r.Rate(), peak)
	}
	if perSec := float64(sent) / now.Sub(start).Seconds(); perSec > 30.01 {
		t.Fatalf("sent %.2f a second, above SEND_RATE_MAX", perSec)
	}

	// A 429: the rate halves and nothing goes out until retry_after has passed.
	r.take(now)
	r.tooMany(now, 3*time.Second)
	if r.Rate() != 15 {
		t.Fatalf("after a 429 the rate is %v, want 15 (halved)", r.Rate())
	}
	if w := r.wait(now); w != 3*time.Second {
		t.Fatalf("after a 429 with retry_after 3 s the sender waits %v", w)
	}
	// The other requests of that moment answer 429 too: halved once, not again.
	r.tooMany(now.Add(10*time.Millisecond), 3*time.Second)
	if r.Rate() != 15 {
		t.Fatalf("a second 429 in the same pause halved again: %v", r.Rate())
	}
	now = now.Add(3*time.Second + 10*time.Millisecond) // the later 429's retry_after
	if w := r.wait(now); w != 0 {
		t.Fatalf("retry_after has passed, but the sender still waits %v", w)
	}

	// Then it climbs again, back to the ceiling and no further.
	_, peak = sendFor(r, &now, 10*time.Second, accept)
	if r.Rate() <= 15 {
		t.Fatalf("no climb after the pause: %v", r.Rate())
	}
	_, peak2 := sendFor(r, &now, 2*time.Minute, accept)
	if max(peak, peak2) > 30 || r.Rate() != 30 {
		t.Fatalf("climb after a 429: rate %v, peak %v", r.Rate(), max(peak, peak2))
	}

	// Telegram refusing every tenth message keeps the rate well under the ceiling.
	n := 0
	_, _ = sendFor(r, &now, time.Minute, func() bool { n++; return n%10 != 0 })
	if r.Rate() >= 30 {
		t.Fatalf("with 429s the rate stays at %v", r.Rate())
	}
}

func TestFixedRateStaysAndMayExceed30(t *testing.T) {
	now := time.Date(2026, 11, 29, 19, 0, 0, 0, time.UTC)
	r := newRateControl(500, 30, false)
	sent, peak := sendFor(r, &now, time.Second, func() bool { return true })
	if peak != 500 || sent < 499 || sent > 501 {
		t.Fatalf("fixed 500: sent %d in a second at peak %v", sent, peak)
	}
	r.tooMany(now, time.Second)
	if r.Rate() != 500 || r.wait(now) != time.Second {
		t.Fatalf("fixed rate after a 429: rate %v, wait %v; want 500 and retry_after", r.Rate(), r.wait(now))
	}
}
