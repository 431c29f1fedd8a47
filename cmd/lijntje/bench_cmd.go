package main

import (
	"context"
	"fmt"
	"io"

	"github.com/lijntje/lijntje/app"
	"github.com/lijntje/lijntje/bench"
	"github.com/lijntje/lijntje/cli"
)

// runBench is `lijntje bench [flags]`: package bench defines the flags and runs it.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := cli.NewFlags("bench")
	options := bench.Flags(fs)
	if err := cli.ParseFlags(fs, args); err != nil {
		return err
	}
	o, err := options()
	if err != nil {
		return fmt.Errorf("%v: %w", err, cli.ErrUsage)
	}
	cfg, err := app.LoadConfig(func(k string) string {
		if k == "SEND_RATE" || k == "SEND_CHAT_RATE" || k == "SEND_RATE_MAX" { // the bench sets its own rates
			return ""
		}
		return getenv(k)
	})
	if err != nil {
		return err
	}
	o.Progress = stderr
	return bench.Run(ctx, cfg, o, stdout)
}
