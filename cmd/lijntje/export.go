package main

import (
	"context"
	"io"
	"time"

	"github.com/lijntje/lijntje/cli"
	"github.com/lijntje/lijntje/store"
)

// parseExport is `lijntje export answers --format csv|xlsx [--from DATE] [--to DATE] [--coach ID]`.
func parseExport(c *cmdline, args []string) (action, error) {
	fs := c.Flags("export answers")
	format := fs.String("format", "csv", c.T("cli.flag.export_format"))
	// Calendar days: inZone places them in the deployment's zone below.
	from := c.DateFlag(fs, "from", c.T("cli.flag.from"), time.UTC)
	to := c.DateFlag(fs, "to", c.T("cli.flag.to"), time.UTC)
	coach := fs.Int64("coach", 0, c.T("cli.flag.coach_filter"))
	out := fs.String("out", "", c.T("cli.flag.out_file"))
	fs.BoolVar(&c.Comma, "csv-comma", c.Comma, c.T("cli.flag.csv_comma"))
	if _, err := c.Parse(fs, args, false); err != nil {
		return nil, err
	}
	if *format != "csv" && *format != "xlsx" {
		return nil, c.Usage("export answers", "cli.usage.format", "Format", *format, "Formats", "csv, xlsx")
	}
	if *format == "xlsx" && *out == "" && cli.IsTerminal(c.Stdout) {
		return nil, c.Usage("export answers", "cli.usage.terminal")
	}
	return func(ctx context.Context, d *deps, w io.Writer) error {
		dk := d.desk(nil)
		f := store.ExportFilter{CoachID: *coach}
		// Dates are days in the deployment's time zone.
		if from.IsSet {
			f.From = inZone(from.At, dk.Zone)
		}
		if to.IsSet {
			f.To = inZone(to.At, dk.Zone)
		}
		return writeTo(*out, w, func(w io.Writer) error { return dk.ExportAnswers(ctx, f, *format, w) })
	}, nil
}
