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

// Per-chat pacing. Telegram takes about one message a second to one chat,
// after a short burst. A chat's burst is spread rather than spent at once: a
// message follows the chat's previous one by at least the spacing, so that a
// student who taps the instant each question shows gets every next question
// of a check-in within a second, rather than the first ones at once and the
// rest a full second apart. A chat that keeps receiving is still held to the
// rate. Urgent messages (crisis replies, alerts) need only a token.
const (
	// chatMargin: a chat's tokens come back 5% slower than the rate, so that
	// jitter between here and Telegram never makes a chat see one too many.
	chatMargin = 0.95
	// cardMessages is the run of messages a chat's burst is spread over: a
	// check-in's card, its opener and an edit for each of its eight taps.
	cardMessages = 9
)

// chatLimits are the per-chat pace the sender keeps (SEND_CHAT_RATE).
type chatLimits struct {
	off     bool          // no pacing; one chat's messages still go one at a time, in order
	burst   float64       // tokens a chat holds at most
	rate    float64       // tokens a second, the margin taken off
	spacing time.Duration // least time between two messages to one chat
}

func newChatLimits(burst, rate float64, off bool) chatLimits {
	l := chatLimits{off: off, burst: burst, rate: rate * chatMargin}
	// Spent evenly, the burst's spare tokens (all but the one a message
	// needs) shorten each of the cardMessages-1 gaps of a run below the
	// rate's interval, and the run's last message still finds a token.
	gap := (1 - (burst-1)/(cardMessages-1)) / l.rate
	l.spacing = time.Duration(max(gap, 0) * float64(time.Second))
	return l
}

// chatPace is where one chat stands. The sender keeps one per chat, under its lock.
type chatPace struct {
	busy   bool      // a message to the chat is in flight
	tokens float64   // messages the chat may get now
	at     time.Time // tokens counted at
	last   time.Time // the chat's last message went at
	until  time.Time // paused by a 429 until
}

func (c *chatPace) refill(l chatLimits, now time.Time) {
	if l.off {
		c.tokens = 1
		return
	}
	if c.at.IsZero() {
		c.tokens, c.at = l.burst, now
		return
	}
	if el := now.Sub(c.at); el > 0 {
		c.tokens = min(l.burst, c.tokens+el.Seconds()*l.rate)
		c.at = now
	}
}

// wait is how long from now until the chat may get a message (0: now),
// ignoring busy. urgent messages skip the spacing.
func (c *chatPace) wait(l chatLimits, now time.Time, urgent bool) time.Duration {
	c.refill(l, now)
	w := c.until.Sub(now)
	if l.off {
		return max(w, 0)
	}
	if c.tokens < 1 {
		w = max(w, time.Duration((1-c.tokens)/l.rate*float64(time.Second))+time.Nanosecond)
	}
	if !urgent && !c.last.IsZero() {
		w = max(w, c.last.Add(l.spacing).Sub(now))
	}
	return max(w, 0)
}

// take counts a message to the chat going now (after wait said 0).
func (c *chatPace) take(now time.Time) {
	c.busy = true
	c.tokens--
	c.last = now
}
