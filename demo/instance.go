package demo

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/lijntje/lijntje/store"
)

// lockDatabase takes the advisory lock of the demo database of databaseURL on a
// connection of its own (to the server's "postgres" database, which a reset
// does not drop), or says which other demo holds it. unlock releases it.
func lockDatabase(ctx context.Context, databaseURL string) (unlock func(), err error) {
	name, admin, err := adminURL(databaseURL)
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	unlock, ok, err := store.LockDatabase(cctx, admin, "lijntje demo "+name)
	if err != nil {
		return nil, fmt.Errorf("demo: lock database %q (DATABASE_URL=%s): %w", name, store.Redacted(databaseURL), err)
	}
	if !ok {
		return nil, fmt.Errorf("demo: another lijntje demo is running on database %q; stop it, or start this one with --name OTHER or another HTTP_ADDR port", name)
	}
	return unlock, nil
}

// adminURL returns the database name of databaseURL and the URL of the
// server's "postgres" database, which a reset does not drop.
func adminURL(databaseURL string) (name, admin string, err error) {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return "", "", fmt.Errorf("demo: DATABASE_URL: %w", err)
	}
	name = strings.TrimPrefix(u.Path, "/")
	u.Path = "/postgres"
	return name, u.String(), nil
}
