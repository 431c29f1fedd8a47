package app_test

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/lijntje/lijntje/app"
	"github.com/lijntje/lijntje/store/storetest"
)

// REDIS_PREFIX puts every key of this Lijntje under it, so two (or the
// benchmark's serve and a running one) can share a Redis without touching
// each other's keys.
func TestRedisPrefixFromEnvironment(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	prefix := storetest.RedisPrefix(t)
	env := map[string]string{"REDIS_PREFIX": prefix, "DATABASE_URL": storetest.DatabaseURL(t), "REDIS_URL": storetest.RedisURL(),
		"TELEGRAM_TOKEN": "123456:test"}
	cfg, err := app.LoadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	p, err := app.Open(ctx, cfg, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Store.PrepareFloor(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Store.FloorWrite(ctx, 424242); err != nil {
		t.Fatal(err)
	}
	opt, err := redis.ParseURL(storetest.RedisURL())
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	if n := rdb.Exists(ctx, prefix+"floor:424242").Val(); n != 1 {
		t.Errorf("no key under REDIS_PREFIX %q", prefix)
	}
	if n := rdb.Exists(ctx, "lijntje:floor:424242").Val(); n != 0 {
		rdb.Del(ctx, "lijntje:floor:424242")
		t.Error("a key under the default prefix despite REDIS_PREFIX")
	}
}
