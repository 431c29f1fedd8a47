// Package bot is Lijntje's Telegram side: it decodes and dedupes updates, asks
// the flow engine what an answer means, records it through the store, and sends
// what there is to say through one rate-limited sender. It also holds the
// long-polling loop and the webhook handler, and (in telegramtest) a faithful
// fake of the Telegram Bot API for tests, the demo and the benchmark.
package bot

import (
	"context"
	"log/slog"
	"time"

	tgbot "github.com/go-telegram/bot"

	"github.com/lijntje/lijntje/bot/sender"
	"github.com/lijntje/lijntje/bot/textlen"
	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/locales"
	"github.com/lijntje/lijntje/scheduler"
	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/warm"
)

// Config is what the bot needs besides its parts.
type Config struct {
	BotUsername string
	Sender      sender.Config
	Now         func() time.Time // the clock (tests move it); default time.Now
	// Cadence is the scheduler's cadence, read here for the students' quiet
	// hours only (a manual check-in asked in them waits for their end); the
	// zero value has none.
	Cadence scheduler.Cadence
	Zone    *time.Location // the deployment's time zone (TIMEZONE); default scheduler.DefaultZone()
}

// Bot handles updates and owns the sender.
type Bot struct {
	cfg    Config
	tg     *tgbot.Bot
	st     *store.Store
	flows  *flows.Catalog
	loc    *locales.Catalog
	crisis *flows.CrisisMatcher
	send   *sender.Sender
	log    *slog.Logger

	versions *flows.Versions  // the flow a check-in began with
	tapGo    *warm.Goroutines // answers taps early (answerEarly)
}

// New wires a bot. tg is a go-telegram/bot client used only to call methods.
func New(cfg Config, tg *tgbot.Bot, st *store.Store, fl *flows.Catalog, loc *locales.Catalog, crisis *flows.CrisisMatcher, log *slog.Logger) *Bot {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Zone == nil {
		cfg.Zone = scheduler.DefaultZone()
	}
	b := &Bot{cfg: cfg, tg: tg, st: st, flows: fl, loc: loc, crisis: crisis, log: log, versions: flows.NewVersions(fl, st.FlowSource),
		tapGo: warm.New(idleGoroutine, 32)}
	b.send = sender.New(cfg.Sender, tg, st, log)
	b.send.SetHooks(sender.Hooks{Render: b.renderAlert, Blocked: b.chatBlocked, Undeliverable: b.coachUnreachable})
	return b
}

// kick wakes the schedulers (of every replica, through Postgres) after the
// bot recorded something they act on: a signal, a manual check-in, a chosen
// moment. A lost kick only waits for the scheduler's next tick.
func (b *Bot) kick(ctx context.Context) {
	if err := b.st.Kick(context.WithoutCancel(ctx)); err != nil {
		b.log.WarnContext(ctx, "kick scheduler", "err", err)
	}
}

// Sender returns the bot's sender.
func (b *Bot) Sender() *sender.Sender { return b.send }

// RegisterFlows records every current flow version in Postgres, so check-ins
// started on it can finish on it after the file changes.
func (b *Bot) RegisterFlows(ctx context.Context) error {
	for _, f := range b.flows.Flows() {
		if err := b.st.SaveFlowVersion(ctx, f.ID, f.Version, f.Source); err != nil {
			return err
		}
	}
	return nil
}

// flow returns flow id at version, loading an older version from Postgres.
func (b *Bot) flow(ctx context.Context, id, version string) (*flows.Flow, error) {
	return b.versions.Get(ctx, id, version)
}

// t localizes a message.
func (b *Bot) t(lang, id string, data map[string]any) string { return b.loc.T(lang, id, data) }

func firstName(name string) string { return store.FirstName(name) }

// clip shortens s to at most n UTF-16 units (as Telegram counts), marking the cut.
func clip(s string, n int) string { return textlen.Clip(s, n) }
