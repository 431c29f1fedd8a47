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
//
// The lock has a deadline both ways. The holder pings its connection every
// leaderPing with a deadline of leaderPingTimeout and gives up the lead when a
// ping fails. The server drops the session of a holder that died without a
// word (a node lost, a cable pulled) within about leaderDeadline, through TCP
// keepalives and a user timeout set on the lock's session, so another replica
// gets the lock within seconds instead of after the kernel's default of hours.
// Deadlines of the leader lock (see WithLeaderLock).
const (
	leaderPing        = 2 * time.Second
	leaderPingTimeout = 3 * time.Second
	leaderDeadline    = 10 * time.Second // keepalives 3 s + 3 × 1 s, user timeout 6 s
)

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
	// On TCP connections; on a Unix socket Postgres ignores these.
	if _, err := conn.Exec(ctx, `SELECT set_config('tcp_keepalives_idle', '3', false),
		set_config('tcp_keepalives_interval', '1', false), set_config('tcp_keepalives_count', '3', false),
		set_config('tcp_user_timeout', '6000', false)`); err != nil {
		_, _ = conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key)
		return fmt.Errorf("leader lock keepalives: %w", err)
	}
	defer func() { _, _ = conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key) }()
	lctx, cancel := context.WithCancel(ctx)
	pinged := make(chan struct{})
	defer func() { cancel(); <-pinged }() // before the unlock above uses the connection
	go func() {                           // lose the lock's connection, lose the lead
		defer close(pinged)
		t := time.NewTicker(leaderPing)
		defer t.Stop()
		for {
			select {
			case <-lctx.Done():
				return
			case <-t.C:
				pctx, pcancel := context.WithTimeout(lctx, leaderPingTimeout)
				err := conn.Ping(pctx)
				pcancel()
				if err != nil {
					cancel()
					return
				}
			}
		}
	}()
	return fn(lctx)
}
