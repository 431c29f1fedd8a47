package app

import (
	"log/slog"
	"time"

	"github.com/lijntje/lijntje/bot/sender"
	"github.com/lijntje/lijntje/scheduler"
)

// Config is Lijntje's configuration. cmd/lijntje reads it from the
// environment; tests, the demo and the benchmark fill it in themselves.
type Config struct {
	Token         string
	APIURL        string
	BotUsername   string
	DatabaseURL   string
	RedisURL      string
	RedisPrefix   string // every Redis key under it (REDIS_PREFIX); empty: the store's own (lijntje:)
	HTTPAddr      string
	AdminAddr     string // health and metrics (ADMIN_ADDR), apart from the webhook
	WebhookURL    string
	WebhookSecret string
	EscalateAfter time.Duration
	Retention     time.Duration
	// SendRate is messages a second in all: fixed, or where SendRateAuto
	// starts (SEND_RATE: "auto", the default, or a number).
	SendRate     float64
	SendRateAuto bool
	SendRateMax  float64 // SEND_RATE_MAX: the ceiling of auto (default 30)
	// SendChatRate paces one chat (SEND_CHAT_RATE, default 1 a second with a
	// short burst; 0: SendChatOff). SendChatBurst is not read from the
	// environment: only the benchmark raises it.
	SendChatRate  float64
	SendChatOff   bool
	SendChatBurst float64
	// SendPollEvery is how often the sender sweeps the outbox when nothing
	// wakes it (default 1s). Not read from the environment: tests shorten it.
	SendPollEvery time.Duration
	PaidBroadcast bool // PAID_BROADCAST=1: the bulk lane with allow_paid_broadcast
	InviteTTL     time.Duration
	Schedule      scheduler.Config // CADENCE, QUIET_HOURS, TIMEZONE, REMIND_AFTER, CHECKIN_EXPIRY
}

// SenderConfig is the sender's part of c.
func (c Config) SenderConfig() sender.Config {
	return sender.Config{Rate: c.SendRate, Auto: c.SendRateAuto, RateMax: c.SendRateMax, ChatBurst: c.SendChatBurst,
		ChatRate: c.SendChatRate, ChatOff: c.SendChatOff, PaidBroadcast: c.PaidBroadcast, APIURL: c.APIURL, Token: c.Token,
		PollEvery: c.SendPollEvery}
}

// Zone is the deployment's time zone (TIMEZONE, default scheduler.DefaultTimezone).
func (c Config) Zone() *time.Location {
	if z := c.Schedule.Cadence.Zone; z != nil {
		return z
	}
	return scheduler.DefaultZone()
}

// WarnSendConfig logs what in the send configuration may cost 429s or Stars.
func (c Config) WarnSendConfig(log *slog.Logger) {
	if !c.SendRateAuto && c.SendRate > 30 {
		log.Warn("SEND_RATE is above 30 a second: Telegram answers 429 unless this is a local Bot API server, paid broadcasts or a test double", "send_rate", c.SendRate)
	}
	if c.SendRateAuto && c.SendRateMax > 30 {
		log.Warn("SEND_RATE_MAX is above 30 a second: auto will look for a limit above Telegram's usual one", "send_rate_max", c.SendRateMax)
	}
	if c.PaidBroadcast {
		log.Warn("PAID_BROADCAST is on: new check-ins above Telegram's free limit cost 0.1 Star each, from the bot's balance")
	}
}
