package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/lijntje/lijntje/app"
	"github.com/lijntje/lijntje/cli"
	"github.com/lijntje/lijntje/store"
)

// parseUpdates wraps an `updates` subcommand: its arguments are checked
// before the database is opened.
func parseUpdates(name string, run func(context.Context, *deps, []string, io.Writer) error) func(*cmdline, []string) (action, error) {
	return func(c *cmdline, args []string) (action, error) {
		fs := c.Flags(name)
		pos, err := c.Parse(fs, args, true)
		if err != nil {
			return nil, err
		}
		if name != "updates list" {
			if _, err := deadLetterID(c, name, pos); err != nil {
				return nil, err
			}
		} else if len(pos) != 0 {
			return nil, c.Usage(name, "cli.usage.unexpected", "Arg", pos[0])
		}
		return func(ctx context.Context, d *deps, w io.Writer) error { return run(ctx, d, pos, w) }, nil
	}
}

// updatesList shows the parked updates (dead letters): IDs, when, attempts
// and the error, never their content.
func updatesList(ctx context.Context, d *deps, args []string, w io.Writer) error {
	if len(args) != 0 {
		return fmt.Errorf("updates list takes no arguments: %w", cli.ErrUsage)
	}
	if d.Cfg.Token == "" {
		return fmt.Errorf("updates list: %w", app.ErrNoToken)
	}
	return d.desk(nil).WriteParkedUpdates(ctx, w)
}

// updatesRetry handles a parked update again now; what it answers is sent by
// the running serve.
func updatesRetry(ctx context.Context, d *deps, args []string, w io.Writer) error {
	id, err := deadLetterID(d.cli, "updates retry", args)
	if err != nil {
		return err
	}
	a, err := app.NewOn(ctx, d.Parts) // the bot as serve builds it, not started
	if err != nil {
		return fmt.Errorf("updates retry: %w", err)
	}
	if err := a.Bot().Retry(ctx, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("updates retry: %s", d.cli.T("cli.updates.unknown", "ID", id))
		}
		return fmt.Errorf("updates retry: %w", err)
	}
	d.Log.Info("parked update handled", "update_id", id)
	_, err = fmt.Fprintln(w, d.cli.T("cli.updates.handled", "ID", id))
	return err
}

// updatesDrop deletes a parked update, and the text it held.
func updatesDrop(ctx context.Context, d *deps, args []string, w io.Writer) error {
	id, err := deadLetterID(d.cli, "updates drop", args)
	if err != nil {
		return err
	}
	if d.Cfg.Token == "" {
		return fmt.Errorf("updates drop: %w", app.ErrNoToken)
	}
	if err := d.desk(nil).DropParkedUpdate(ctx, id); err != nil {
		return err
	}
	d.Log.Info("parked update dropped", "update_id", id)
	_, err = fmt.Fprintln(w, d.cli.T("cli.updates.dropped", "ID", id))
	return err
}

func deadLetterID(c *cmdline, cmd string, args []string) (int64, error) {
	if len(args) != 1 {
		return 0, c.Usage(cmd, "cli.usage.one_update")
	}
	id, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil || id < 0 {
		return 0, c.Usage(cmd, "cli.usage.not_update", "Arg", strconv.Quote(args[0]))
	}
	return id, nil
}
