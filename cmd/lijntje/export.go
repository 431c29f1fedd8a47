package main

import (
	"context"
	"io"
	"time"

	"github.com/lijntje/lijntje/store"
)

// parseExport is `lijntje export answers --format csv|xlsx [--from DATE] [--to DATE] [--coach ID]`.
func parseExport(c *cmdline, args []string) (action, error) {
	fs := c.flags("export answers")
	format := fs.String("format", "csv", c.T("cli.flag.export_format"))
	// Calendar days: inZone places them in the deployment's zone below.
	from := c.dateFlag(fs, "from", c.T("cli.flag.from"), time.UTC)
	to := c.dateFlag(fs, "to", c.T("cli.flag.to"), time.UTC)
	coach := fs.Int64("coach", 0, c.T("cli.flag.coach_filter"))
	out := fs.String("out", "", c.T("cli.flag.out_file"))
	fs.BoolVar(&c.comma, "csv-comma", c.comma, c.T("cli.flag.csv_comma"))
	if _, err := c.parse(fs, args, false); err != nil {
		return nil, err
	}
	if *format != "csv" && *format != "xlsx" {
		return nil, c.usage("export answers", "cli.usage.format", "Format", *format, "Formats", "csv, xlsx")
	}
	if *format == "xlsx" && *out == "" && isTerminal(c.stdout) {
		return nil, c.usage("export answers", "cli.usage.terminal")
	}
	return func(ctx context.Context, d *deps, w io.Writer) error {
		dk := d.desk(nil)
		f := store.ExportFilter{CoachID: *coach}
		// Dates are days in the deployment's time zone.
		if from.set {
			f.From = inZone(from.t, dk.Zone)
		}
		if to.set {
			f.To = inZone(to.t, dk.Zone)
		}
		return writeTo(*out, w, func(w io.Writer) error { return dk.ExportAnswers(ctx, f, *format, w) })
	}, nil
}
