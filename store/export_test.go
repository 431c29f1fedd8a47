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
