package store

import (
	"context"
	"fmt"
	"hash/fnv"
	"time"
)

// WithLeaderLock runs fn while this process holds the Postgres advisory lock
// name on a dedicated connection; fn's context ends when the connection is
// lost. It returns at once, with no error, when another replica holds it.
func (s *Store) WithLeaderLock(ctx context.Context, name string, fn func(context.Context) error) error {
	conn, err := s.db.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("leader lock: %w", err)
	}
	defer conn.Release()
	h := fnv.New64a()
	_, _ = h.Write([]byte("lijntje:" + name))
	key := int64(h.Sum64())
	var ok bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ok); err != nil {
		return fmt.Errorf("leader lock: %w", err)
	}
	if !ok {
		return nil
	}
	defer func() { _, _ = conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key) }()
	lctx, cancel := context.WithCancel(ctx)
	pinged := make(chan struct{})
	defer func() { cancel(); <-pinged }() // before the unlock above uses the connection
	go func() {                           // lose the lock's connection, lose the lead
		defer close(pinged)
		t := time.NewTicker(2 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-lctx.Done():
				return
			case <-t.C:
				if err := conn.Ping(lctx); err != nil {
					cancel()
					return
				}
			}
		}
	}()
	return fn(lctx)
}
