package main

import (
	"context"
	"io"

	"github.com/lijntje/lijntje/app"
)

// parseServe is `lijntje serve`: the bot, scheduler, escalations and HTTP.
// It builds the application itself (app.New), so it opens no deps.
func parseServe(c *cmdline, args []string) (action, error) {
	fs := c.Flags("serve")
	if _, err := c.Parse(fs, args, false); err != nil {
		return nil, err
	}
	return func(ctx context.Context, _ *deps, _ io.Writer) error {
		cfg, err := app.LoadConfig(c.Getenv)
		if err != nil {
			return err
		}
		if cfg.Token == "" {
			return app.ErrNoToken // before connecting to anything
		}
		return app.Run(ctx, cfg, c.opts)
	}, nil
}
