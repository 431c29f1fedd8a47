// Package storetest gives each test its own migrated Postgres database and its
// own Redis key prefix, on the real servers (DATABASE_URL / REDIS_URL, or the
// local defaults). Databases are cloned from a migrated template, so a test
// pays for a copy, not for the migrations.
package storetest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/redis/go-redis/v9"

	"github.com/lijntje/lijntje/store"
)

// BaseURL is the Postgres server tests use.
func BaseURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// RedisURL is the Redis server tests use.
func RedisURL() string {
	if u := os.Getenv("TEST_REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

var (
	tplOnce sync.Once
	tplName string
	tplErr  error
)

// template returns the name of a migrated template database for the current migrations.
func template(ctx context.Context) (string, error) {
	tplOnce.Do(func() {
		h := sha256.New()
		_ = fs.WalkDir(store.Migrations(), ".", func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				b, _ := fs.ReadFile(store.Migrations(), p)
				h.Write([]byte(p))
				h.Write(b)
			}
			return nil
		})
		tplName = "lijntje_tpl_" + hex.EncodeToString(h.Sum(nil))[:12]
		admin, err := pgx.Connect(ctx, BaseURL())
		if err != nil {
			tplErr = err
			return
		}
		defer admin.Close(ctx)
		// One package at a time builds the template.
		if _, err := admin.Exec(ctx, `SELECT pg_advisory_lock(727274)`); err != nil {
			tplErr = err
			return
		}
		defer admin.Exec(ctx, `SELECT pg_advisory_unlock(727274)`)
		exists, err := store.DatabaseExists(ctx, BaseURL(), tplName)
		if err != nil {
			tplErr = err
			return
		}
		if exists {
			return
		}
		building := tplName + "_build"
		_ = store.DropDatabase(ctx, BaseURL(), building)
		buildURL, err := store.CreateDatabase(ctx, BaseURL(), building, "")
		if err != nil {
			tplErr = err
			return
		}
		pool, err := store.Connect(ctx, buildURL)
		if err != nil {
			tplErr = err
			return
		}
		err = store.Migrate(ctx, pool)
		pool.Close()
		if err != nil {
			tplErr = err
			return
		}
		tplErr = store.RenameDatabase(ctx, BaseURL(), building, tplName)
	})
	return tplName, tplErr
}

// DatabaseURL returns the URL of a fresh migrated database, dropped when the test ends.
func DatabaseURL(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tpl, err := template(ctx)
	if err != nil {
		t.Fatalf("storetest: template database: %v (is Postgres running at %s?)", err, BaseURL())
	}
	name := "lijntje_t_" + randomHex(6)
	var dbURL string
	for attempt := 0; ; attempt++ {
		dbURL, err = store.CreateDatabase(ctx, BaseURL(), name, tpl)
		var pe *pgconn.PgError
		if err == nil || !errors.As(err, &pe) || pe.Code != "55006" || attempt > 50 {
			break
		}
		time.Sleep(100 * time.Millisecond) // another test is copying the template
	}
	if err != nil {
		t.Fatalf("storetest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = store.DropDatabase(ctx, BaseURL(), name)
	})
	return dbURL
}

// RedisPrefix returns a Redis key prefix of the test's own; its keys are deleted when the test ends.
func RedisPrefix(t testing.TB) string {
	prefix := "lijntje_t_" + randomHex(6) + ":"
	t.Cleanup(func() {
		opt, err := redis.ParseURL(RedisURL())
		if err != nil {
			return
		}
		rdb := redis.NewClient(opt)
		defer rdb.Close()
		_ = store.New(nil, rdb, store.WithRedisPrefix(prefix)).FlushRedis(context.Background())
	})
	return prefix
}

// New returns a store on a fresh database and Redis prefix, closed when the test ends.
func New(t testing.TB, opts ...store.Option) *store.Store {
	t.Helper()
	ctx := context.Background()
	pool, err := store.Connect(ctx, DatabaseURL(t))
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	opt, err := redis.ParseURL(RedisURL())
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	rdb := redis.NewClient(opt)
	prefix := RedisPrefix(t)
	t.Cleanup(func() { rdb.Close(); pool.Close() })
	return store.New(pool, rdb, append([]store.Option{store.WithRedisPrefix(prefix)}, opts...)...)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Logger returns a logger that writes to the test's log (shown for a failing
// test, or with -v): what the service said is there when a test fails.
// Lines written after the test's cleanup (by a goroutine that outlived it)
// are dropped rather than logged to a finished test.
func Logger(t testing.TB) *slog.Logger {
	w := &testLog{t: t}
	t.Cleanup(func() { w.mu.Lock(); w.done = true; w.mu.Unlock() })
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

type testLog struct {
	t    testing.TB
	mu   sync.Mutex
	done bool
}

func (w *testLog) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}
