package main

import (
	"context"
	"io"
	"strings"

	"github.com/lijntje/lijntje/scheduler"
	"github.com/lijntje/lijntje/store"
)

// parseCoachAdd is `lijntje coach add --name NAME [--hours SPEC] [--coordinator] [--json]`.
func parseCoachAdd(c *cmdline, args []string) (action, error) {
	fs := c.Flags("coach add")
	name := fs.String("name", "", c.T("cli.flag.coach_name"))
	hours := fs.String("hours", "mon-fri 09:00-17:00", c.T("cli.flag.hours"))
	coord := fs.Bool("coordinator", false, c.T("cli.flag.coordinator"))
	lang := fs.String("lang", "nl", c.T("cli.flag.coach_lang"))
	force := fs.Bool("force", false, c.T("cli.flag.force_name"))
	asJSON := fs.Bool("json", false, c.T("cli.flag.json"))
	if _, err := c.Parse(fs, args, false); err != nil {
		return nil, err
	}
	n := strings.Join(strings.Fields(*name), " ")
	if n == "" {
		return nil, c.Usage("coach add", "cli.usage.name_required")
	}
	if _, err := scheduler.ParseHours(*hours); err != nil {
		return nil, c.Usage("coach add", "cli.usage.hours", "Detail", err.Error())
	}
	if *lang != "nl" && *lang != "en" {
		return nil, c.Usage("coach add", "cli.usage.lang")
	}
	return func(ctx context.Context, d *deps, w io.Writer) error {
		link, err := d.linker(ctx)
		if err != nil {
			return err
		}
		dk := d.desk(link)
		co, code, err := dk.AddCoach(ctx, store.Coach{Name: n, Hours: *hours, Coordinator: *coord, Lang: *lang}, *force)
		if err != nil {
			return err
		}
		return dk.WriteInvite(w, *asJSON, co.ID, co.Name, code, "coach")
	}, nil
}
