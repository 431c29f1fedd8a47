package main

import (
	"context"
	"io"

	"github.com/lijntje/lijntje/app"
)

// parseServe is `lijntje serve`: the bot, scheduler, escalations and HTTP.
// It builds the application itself (app.New), so it opens no deps.
func parseServe(c *cmdline, args []string) (action, error) {
	fs := c.flags("serve")
	if _, err := c.parse(fs, args, false); err != nil {
		return nil, err
	}
	return func(ctx context.Context, _ *deps, _ io.Writer) error {
		cfg, err := loadConfig(c.getenv)
		if err != nil {
			return err
		}
		if cfg.Token == "" {
			return errNoToken // before connecting to anything
		}
		return serve(ctx, cfg, c.opts)
	}, nil
}

// serve runs the application until ctx ends (SIGINT, SIGTERM), then stops
// it in order: updates, HTTP, scheduler, sender, connections.
func serve(ctx context.Context, cfg app.Config, o app.Options) error {
	a, err := app.New(ctx, cfg, o)
	if err != nil {
		return err
	}
	if err := a.Start(ctx); err != nil {
		_ = a.Stop(ctx)
		return err
	}
	<-ctx.Done()
	return a.Stop(context.WithoutCancel(ctx))
}
