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
func (s *Store) HoldWrites(alone bool) (release func()) {
	g := s.group
	g.mu.Lock()
	wait := g.wait
	if !alone {
		g.wait = 0
	}
	g.mu.Unlock()
	for range cap(g.slots) {
		g.slots <- struct{}{}
	}
	return func() {
		for range cap(g.slots) {
			<-g.slots
		}
		g.mu.Lock()
		g.wait = wait
		g.mu.Unlock()
	}
}

// QueuedWrites is how many updates' writes wait for a batch.
func (s *Store) QueuedWrites() int {
	s.group.mu.Lock()
	defer s.group.mu.Unlock()
	return len(s.group.queue)
}
