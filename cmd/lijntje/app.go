package main

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/locales"
	"github.com/lijntje/lijntje/store"
)

// deps are the parts every subcommand shares: the record, Redis, flows and texts.
type deps struct {
	cfg    config
	log    *slog.Logger
	pool   *pgxpool.Pool
	rdb    *redis.Client
	st     *store.Store
	flows  *flows.Catalog
	loc    *locales.Catalog
	crisis *flows.CrisisMatcher
	cli    *cmdline // the command line's language and flags (nil in serve)
}

// options let tests, the demo and the benchmark reuse the real wiring.
type options struct {
	now         func() time.Time
	redisPrefix string
	flowsFS     fs.FS // flow files instead of the embedded ones
}

// open connects to Postgres (creating and migrating the database) and Redis,
// and loads flows and translations.
func open(ctx context.Context, cfg config, log *slog.Logger, o options) (*deps, error) {
	d := &deps{cfg: cfg, log: log}
	var err error
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if d.pool, err = store.Connect(cctx, cfg.DatabaseURL); err != nil {
		return nil, fmt.Errorf("postgres (DATABASE_URL=%s): %w", store.Redacted(cfg.DatabaseURL), err)
	}
	if err := store.Migrate(cctx, d.pool); err != nil {
		d.pool.Close()
		return nil, err
	}
	ropt, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		d.pool.Close()
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	d.rdb = redis.NewClient(ropt)
	if err := d.rdb.Ping(cctx).Err(); err != nil {
		d.close()
		return nil, fmt.Errorf("redis (REDIS_URL=%s): %w", cfg.RedisURL, err)
	}
	var sopts []store.Option
	if o.now != nil {
		sopts = append(sopts, store.WithClock(o.now))
	}
	if o.redisPrefix != "" {
		sopts = append(sopts, store.WithRedisPrefix(o.redisPrefix))
	}
	sopts = append(sopts, store.WithBotID(store.BotIDFromToken(cfg.Token))) // update IDs are per bot
	d.st = store.New(d.pool, d.rdb, sopts...)
	if o.flowsFS != nil {
		d.flows, err = flows.LoadFS(o.flowsFS)
	} else {
		d.flows, err = flows.Load()
	}
	if err != nil {
		d.close()
		return nil, fmt.Errorf("flows: %w", err)
	}
	if d.loc, err = locales.Load(); err != nil {
		d.close()
		return nil, fmt.Errorf("locales: %w", err)
	}
	if d.crisis, err = flows.LoadCrisis(); err != nil {
		d.close()
		return nil, fmt.Errorf("crisis words: %w", err)
	}
	return d, nil
}

func (d *deps) close() {
	if d.rdb != nil {
		_ = d.rdb.Close()
	}
	if d.pool != nil {
		d.pool.Close()
	}
}
