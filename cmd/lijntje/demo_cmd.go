package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/lijntje/lijntje/app"
	"github.com/lijntje/lijntje/cli"
	"github.com/lijntje/lijntje/demo"
)

// demoCmd is `lijntje demo`: the real bot against the Telegram double, with a
// web page showing the student's and the coach's phones.
func demoCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	o, err := demoOptionsFrom(args, getenv) // arguments first: nothing is created for a wrong one
	if err != nil {
		return err
	}
	cfg, err := app.LoadConfig(getenv)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return demo.Run(ctx, cfg, log, stdout, o)
}

// demoOptionsFrom reads `lijntje demo [--name NAME]` and HTTP_ADDR.
func demoOptionsFrom(args []string, getenv func(string) string) (demo.Options, error) {
	fs := cli.NewFlags("demo")
	name := fs.String("name", "", "the instance: its database is lijntje_demo_NAME (default: the port)")
	fs.StringVar(name, "instance", "", "the same as --name")
	if err := cli.ParseFlags(fs, args); err != nil {
		return demo.Options{}, err
	}
	o, err := demo.Instance(*name, strings.TrimSpace(getenv("HTTP_ADDR")))
	if err != nil {
		return o, fmt.Errorf("%v: %w", err, cli.ErrUsage)
	}
	return o, nil
}
