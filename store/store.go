// Package store keeps Lijntje's record in Postgres and its fast path in Redis.
//
// Postgres is the source of truth: students, coaches, invites, check-ins,
// answers, signals, alerts and the outbox of messages waiting to be sent.
// Redis only caches where a conversation is; losing it loses nothing.
// Every method takes a context and wraps its errors with what it was doing.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
)

// Store is the record (Postgres) and the fast path (Redis).
type Store struct {
	db    *pgxpool.Pool
	rdb   *redis.Client
	key   keys
	now   func() time.Time
	bot   int64            // the Telegram bot whose update IDs this store records (see WithBotID)
	group *turns[*write]   // the updates' writes, committed together (group.go)
	pipes *turns[*redisOp] // the updates' Redis round trips, sent together (pipes.go)
}

// Option configures a Store.
type Option func(*Store)

// WithClock makes the store use now instead of the wall clock.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// WithRedisPrefix puts every Redis key of this store under prefix (tests use one per test).
func WithRedisPrefix(prefix string) Option { return func(s *Store) { s.key = keys{prefix: prefix} } }

// New wraps an open pool and Redis client.
func New(db *pgxpool.Pool, rdb *redis.Client, opts ...Option) *Store {
	s := &Store{db: db, rdb: rdb, key: keys{prefix: "lijntje:"}, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	s.group = s.newGroup()
	s.pipes = s.newPipes()
	return s
}

// Now is the store's clock.
func (s *Store) Now() time.Time { return s.now() }

// Ping checks that Postgres and Redis answer.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	return nil
}

// withTx runs fn in a transaction; it commits when fn returns nil and rolls back otherwise.
func (s *Store) withTx(ctx context.Context, fn func(pgx.Tx) error) error {
	tx, err := s.db.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// ErrNotFound is returned when a row asked for does not exist.
var ErrNotFound = errors.New("not found")

func notFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	return err
}
