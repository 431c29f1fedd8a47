package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/lijntje/lijntje/store/storetest"
)

// The lead ends within seconds when the lock's session is gone (as when the
// server drops the session of a dead node), and another replica takes it.
func TestLeaderLockMovesWhenTheSessionDies(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	leading := make(chan struct{})
	lost := make(chan time.Time, 1)
	go func() {
		_ = st.WithLeaderLock(ctx, "test", func(lctx context.Context) error {
			close(leading)
			<-lctx.Done()
			lost <- time.Now()
			return nil
		})
	}()
	select {
	case <-leading:
	case <-ctx.Done():
		t.Fatal("never led")
	}
	// A second replica does not get the lock while the first holds it.
	got := false
	if err := st.WithLeaderLock(ctx, "test", func(context.Context) error { got = true; return nil }); err != nil || got {
		t.Fatalf("a second replica led at the same time (err %v)", err)
	}
	// The leader's session dies.
	var pid int
	if err := st.DB().QueryRow(ctx, `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND database =
		(SELECT oid FROM pg_database WHERE datname = current_database()) LIMIT 1`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	if _, err := st.DB().Exec(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
		t.Fatal(err)
	}
	select {
	case at := <-lost:
		if d := at.Sub(killed); d > 6*time.Second {
			t.Errorf("the old leader noticed after %v, want seconds", d)
		}
	case <-ctx.Done():
		t.Fatal("the old leader never noticed it lost its session")
	}
	if err := st.WithLeaderLock(ctx, "test", func(context.Context) error { got = true; return nil }); err != nil || !got {
		t.Fatalf("another replica could not lead after the session died (err %v)", err)
	}
}
