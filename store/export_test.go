package store

import "github.com/redis/go-redis/v9"

// Redis returns the Redis client: the store's own tests look into the cache
// (that erasing leaves nothing there, that two stores share it).
func (s *Store) Redis() *redis.Client { return s.rdb }
