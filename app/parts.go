package app

import (
	"cmp"
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/lijntje/lijntje/clock"
	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/locales"
	"github.com/lijntje/lijntje/store"
)

// Options are what a test, the demo or the benchmark changes in the wiring.
type Options struct {
	Clock       *clock.Clock // nil: clock.Real()
	RedisPrefix string
	FlowsFS     fs.FS        // flow files instead of the embedded ones
	Log         *slog.Logger // nil: slog.Default()
}

// Parts are what every subcommand shares: the record (Postgres and Redis
// behind the store), flows, texts and crisis words.
type Parts struct {
	Cfg     Config
	Log     *slog.Logger
	Clock   *clock.Clock
	Store   *store.Store
	Flows   *flows.Catalog
	Locales *locales.Catalog
	Crisis  *flows.CrisisMatcher

	pool *pgxpool.Pool
	rdb  *redis.Client
}

// Open connects to Postgres (creating and migrating the database) and Redis,
// and loads flows, translations and crisis words. Close releases them.
func Open(ctx context.Context, cfg Config, o Options) (*Parts, error) {
	p := &Parts{Cfg: cfg, Log: o.Log, Clock: o.Clock}
	if p.Log == nil {
		p.Log = slog.Default()
	}
	if p.Clock == nil {
		p.Clock = clock.Real()
	}
	var err error
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if p.pool, err = store.Connect(cctx, cfg.DatabaseURL); err != nil {
		return nil, fmt.Errorf("postgres (DATABASE_URL=%s): %w", store.Redacted(cfg.DatabaseURL), err)
	}
	if err := store.Migrate(cctx, p.pool); err != nil {
		p.pool.Close()
		return nil, err
	}
	ropt, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		p.pool.Close()
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	p.rdb = redis.NewClient(ropt)
	if err := p.rdb.Ping(cctx).Err(); err != nil {
		p.Close()
		return nil, fmt.Errorf("redis (REDIS_URL=%s): %w", cfg.RedisURL, err)
	}
	var sopts []store.Option
	if o.Clock != nil {
		sopts = append(sopts, store.WithClock(o.Clock.Now))
	}
	if prefix := cmp.Or(o.RedisPrefix, cfg.RedisPrefix); prefix != "" {
		sopts = append(sopts, store.WithRedisPrefix(prefix))
	}
	sopts = append(sopts, store.WithBotID(store.BotIDFromToken(cfg.Token))) // update IDs are per bot
	p.Store = store.New(p.pool, p.rdb, sopts...)
	if o.FlowsFS != nil {
		p.Flows, err = flows.LoadFS(o.FlowsFS)
	} else {
		p.Flows, err = flows.Load()
	}
	if err != nil {
		p.Close()
		return nil, fmt.Errorf("flows: %w", err)
	}
	if p.Locales, err = locales.Load(); err != nil {
		p.Close()
		return nil, fmt.Errorf("locales: %w", err)
	}
	if p.Crisis, err = flows.LoadCrisis(); err != nil {
		p.Close()
		return nil, fmt.Errorf("crisis words: %w", err)
	}
	return p, nil
}

// Close closes the connections to Redis and Postgres.
func (p *Parts) Close() {
	if p.rdb != nil {
		_ = p.rdb.Close()
	}
	if p.pool != nil {
		p.pool.Close()
	}
}
