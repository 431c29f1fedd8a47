package sender

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

var sendRateGauge = promauto.NewGauge(prometheus.GaugeOpts{
	Name: "lijntje_send_rate", Help: "Messages a second the sender allows itself now: SEND_RATE, or where auto stands.",
})

// Default send rates: Telegram lets a bot send about 30 messages a second in
// all. Auto starts a little under that and looks for the real limit.
const (
	DefaultAutoStart = 25.0 // messages a second an auto rate starts at
	DefaultRateMax   = 30.0 // the ceiling of an auto rate
	minAutoRate      = 1.0  // an auto rate never halves below this
	// autoGrowth is how much an auto rate grows for every rate's worth of
	// accepted messages: about half a message a second for each second spent
	// sending at the full rate, so 25 reaches 30 in ten busy seconds.
	autoGrowth = 0.5
)

// rateControl paces the sender's messages in all. Fixed, it keeps one rate.
// Auto (additive increase, multiplicative decrease) grows slowly while Telegram
// accepts, halves on a 429 and waits its retry_after, and never goes above max.
// It takes the time as an argument, so tests drive it with their own clock.
// The sender calls it under its own lock.
type rateControl struct {
	auto     bool
	rate     float64   // messages a second now
	max      float64   // ceiling of an auto rate
	next     time.Time // the earliest moment the next message may go
	pausedTo time.Time // a 429 asked to wait until then
}

func newRateControl(rate, maxRate float64, auto bool) *rateControl {
	if maxRate <= 0 {
		maxRate = DefaultRateMax
	}
	if rate <= 0 {
		rate = min(DefaultAutoStart, maxRate)
	}
	if auto {
		rate = min(rate, maxRate)
	}
	sendRateGauge.Set(rate)
	return &rateControl{auto: auto, rate: rate, max: maxRate}
}

// Rate is the current rate in messages a second.
func (r *rateControl) Rate() float64 { return r.rate }

// wait is how long from now until a message may go (0: now).
func (r *rateControl) wait(now time.Time) time.Duration {
	if now.Before(r.pausedTo) {
		return r.pausedTo.Sub(now)
	}
	if now.Before(r.next) {
		return r.next.Sub(now)
	}
	return 0
}

// take counts a message sent at now (after wait said 0).
func (r *rateControl) take(now time.Time) {
	interval := time.Duration(float64(time.Second) / r.rate)
	if r.next.Before(now.Add(-interval)) {
		r.next = now // idle: no credit beyond one interval
	}
	r.next = r.next.Add(interval)
}

// accepted notes that Telegram took a message: an auto rate grows a little.
func (r *rateControl) accepted(now time.Time) {
	if !r.auto || now.Before(r.pausedTo) {
		return
	}
	r.rate = min(r.max, r.rate+autoGrowth/r.rate)
	sendRateGauge.Set(r.rate)
}

// tooMany notes a 429: every send waits retryAfter, and an auto rate halves
// (once for the 429s of one pause: requests already in flight when the first
// came back answer 429 too, and must not halve the rate again).
func (r *rateControl) tooMany(now time.Time, retryAfter time.Duration) (halved bool) {
	if r.auto && !now.Before(r.pausedTo) {
		r.rate = max(minAutoRate, r.rate/2)
		sendRateGauge.Set(r.rate)
		halved = true
	}
	if until := now.Add(retryAfter); until.After(r.pausedTo) {
		r.pausedTo = until
	}
	r.next = r.pausedTo
	return halved
}
