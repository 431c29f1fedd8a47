package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"regexp"
	"strings"

	"github.com/lijntje/lijntje/demo"
)

// demoCmd is `lijntje demo`: the real bot against the Telegram double, with a
// web page showing the student's and the coach's phones.
func demoCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	o, err := demoOptionsFrom(args, getenv) // arguments first: nothing is created for a wrong one
	if err != nil {
		return err
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return demo.Run(ctx, cfg, log, stdout, o)
}

// Demos side by side: each instance has its own database and Redis prefix,
// named by --name (or --instance) or else by its port, and holds a Postgres
// advisory lock on its database for as long as it runs.

var demoNamePattern = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

// demoOptionsFrom reads `lijntje demo [--name NAME]` and HTTP_ADDR. The
// default instance (no name, port 8090) keeps lijntje_demo and lijntje_demo:;
// another is lijntje_demo_NAME and lijntje_demo_NAME:, NAME defaulting to the port.
func demoOptionsFrom(args []string, getenv func(string) string) (demo.Options, error) {
	fs := newFlags("demo")
	name := fs.String("name", "", "the instance: its database is lijntje_demo_NAME (default: the port)")
	fs.StringVar(name, "instance", "", "the same as --name")
	if err := parseFlags(fs, args); err != nil {
		return demo.Options{}, err
	}
	addr := strings.TrimSpace(getenv("HTTP_ADDR"))
	if addr == "" {
		addr = demo.Addr
	}
	n := strings.ToLower(strings.TrimSpace(*name))
	if n == "" {
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			return demo.Options{}, fmt.Errorf("demo: HTTP_ADDR %q: want host:port: %w", addr, errUsage)
		}
		if _, def, _ := net.SplitHostPort(demo.Addr); port != def && port != "0" {
			n = port
		}
	}
	if n != "" && !demoNamePattern.MatchString(n) {
		return demo.Options{}, fmt.Errorf("demo: --name %q: use 1 to 32 of a-z, 0-9 and _: %w", *name, errUsage)
	}
	o := demo.Options{Database: demo.Database, RedisPrefix: demo.RedisPrefix, PageAddr: addr}
	if n != "" {
		o.Database, o.RedisPrefix = demo.Database+"_"+n, demo.Database+"_"+n+":"
	}
	return o, nil
}
