package main

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

// Demos side by side: each instance has its own database and Redis prefix,
// named by --name (or --instance) or else by its port, and holds a Postgres
// advisory lock on its database for as long as it runs.

var demoNamePattern = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

// demoOptionsFrom reads `lijntje demo [--name NAME]` and HTTP_ADDR. The
// default instance (no name, port 8090) keeps lijntje_demo and lijntje_demo:;
// another is lijntje_demo_NAME and lijntje_demo_NAME:, NAME defaulting to the port.
func demoOptionsFrom(args []string, getenv func(string) string) (demoOptions, error) {
	fs := newFlags("demo")
	name := fs.String("name", "", "the instance: its database is lijntje_demo_NAME (default: the port)")
	fs.StringVar(name, "instance", "", "the same as --name")
	if err := parseFlags(fs, args); err != nil {
		return demoOptions{}, err
	}
	addr := strings.TrimSpace(getenv("HTTP_ADDR"))
	if addr == "" {
		addr = demoAddr
	}
	n := strings.ToLower(strings.TrimSpace(*name))
	if n == "" {
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			return demoOptions{}, fmt.Errorf("demo: HTTP_ADDR %q: want host:port: %w", addr, errUsage)
		}
		if _, def, _ := net.SplitHostPort(demoAddr); port != def && port != "0" {
			n = port
		}
	}
	if n != "" && !demoNamePattern.MatchString(n) {
		return demoOptions{}, fmt.Errorf("demo: --name %q: use 1 to 32 of a-z, 0-9 and _: %w", *name, errUsage)
	}
	o := demoOptions{database: demoDatabase, redisPrefix: demoRedisPrefix, pageAddr: addr}
	if n != "" {
		o.database, o.redisPrefix = demoDatabase+"_"+n, demoDatabase+"_"+n+":"
	}
	return o, nil
}

// lockDemo takes the advisory lock of the demo database of databaseURL on a
// connection of its own (to the server's "postgres" database, which a reset
// does not drop), or says which other demo holds it. unlock releases it.
func lockDemo(ctx context.Context, databaseURL string) (unlock func(), err error) {
	name, admin, err := demoAdminURL(databaseURL)
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

// demoAdminURL returns the database name of databaseURL and the URL of the
// server's "postgres" database, which a reset does not drop.
func demoAdminURL(databaseURL string) (name, admin string, err error) {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return "", "", fmt.Errorf("demo: DATABASE_URL: %w", err)
	}
	name = strings.TrimPrefix(u.Path, "/")
	u.Path = "/postgres"
	return name, u.String(), nil
}
