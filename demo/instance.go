package demo

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"regexp"
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

// Demos side by side: each instance has its own database and Redis prefix,
// named by --name (or --instance) or else by its port, and holds a Postgres
// advisory lock on its database for as long as it runs.

var instanceName = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

// Instance returns the options of the demo instance name (may be empty) with
// its page on addr (empty: Addr). The default instance (no name, port 8090)
// keeps lijntje_demo and lijntje_demo:; another is lijntje_demo_NAME and
// lijntje_demo_NAME:, NAME defaulting to the port.
func Instance(name, addr string) (Options, error) {
	if addr == "" {
		addr = Addr
	}
	n := strings.ToLower(strings.TrimSpace(name))
	if n == "" {
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			return Options{}, fmt.Errorf("demo: HTTP_ADDR %q: want host:port", addr)
		}
		if _, def, _ := net.SplitHostPort(Addr); port != def && port != "0" {
			n = port
		}
	}
	if n != "" && !instanceName.MatchString(n) {
		return Options{}, fmt.Errorf("demo: --name %q: use 1 to 32 of a-z, 0-9 and _", name)
	}
	o := Options{Database: Database, RedisPrefix: RedisPrefix, PageAddr: addr}
	if n != "" {
		o.Database, o.RedisPrefix = Database+"_"+n, Database+"_"+n+":"
	}
	return o, nil
}
