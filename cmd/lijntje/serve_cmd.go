package main

import (
	"context"
	"io"
)

// parseServe is `lijntje serve`: the bot, scheduler, escalations and HTTP.
func parseServe(c *cmdline, args []string) (action, error) {
	fs := c.flags("serve")
	if _, err := c.parse(fs, args, false); err != nil {
		return nil, err
	}
	return func(ctx context.Context, d *deps, _ io.Writer) error { return serve(ctx, d, nil) }, nil
}
