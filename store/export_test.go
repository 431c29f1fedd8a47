package store

import (
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
)

// Redis returns the Redis client: the store's own tests look into the cache
// (that erasing leaves nothing there, that two stores share it).
func (s *Store) Redis() *redis.Client { return s.rdb }

// DB returns the Postgres pool: the store's own tests set scenes and look into
// tables directly; every other test goes through store/storetest.
func (s *Store) DB() *pgxpool.Pool { return s.db }

// HoldWrites keeps every update's write waiting until release, as if every
// batch were busy. With alone false no write goes on its own meanwhile: the
// store's own tests queue several writes and let them go as one batch.
func (s *Store) HoldWrites(alone bool) (release func()) { return hold(s.group, alone) }

// QueuedWrites is how many updates' writes wait for a batch.
func (s *Store) QueuedWrites() int { return queued(s.group) }

// HoldRedis keeps every update's Redis round trip waiting until release, as
// if every pipeline were busy; with alone false none goes on its own meanwhile.
func (s *Store) HoldRedis(alone bool) (release func()) { return hold(s.pipes, alone) }

// QueuedRedis is how many updates' Redis round trips wait for a pipeline.
func (s *Store) QueuedRedis() int { return queued(s.pipes) }

func hold[T any](t *turns[T], alone bool) (release func()) {
	t.mu.Lock()
	wait := t.wait
	if !alone {
		t.wait = 0
	}
	t.mu.Unlock()
	for range cap(t.slots) {
		t.slots <- struct{}{}
	}
	return func() {
		for range cap(t.slots) {
			<-t.slots
		}
		t.mu.Lock()
		t.wait = wait
		t.mu.Unlock()
	}
}

func queued[T any](t *turns[T]) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.queue)
}
