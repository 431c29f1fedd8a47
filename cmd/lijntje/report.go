package main

import (
	"context"
	"io"
	"os"
	"time"

	"github.com/lijntje/lijntje/cli"
)

// parseReport is `lijntje report [--format text|csv|xlsx] [--chart FILE.png] [--out FILE]`.
func parseReport(c *cmdline, args []string) (action, error) {
	fs := c.Flags("report")
	format := fs.String("format", "text", c.T("cli.flag.report_format"))
	chart := fs.String("chart", "", c.T("cli.flag.chart"))
	out := fs.String("out", "", c.T("cli.flag.out_file"))
	fs.BoolVar(&c.Comma, "csv-comma", c.Comma, c.T("cli.flag.csv_comma"))
	if _, err := c.Parse(fs, args, false); err != nil {
		return nil, err
	}
	if *format != "text" && *format != "csv" && *format != "xlsx" {
		return nil, c.Usage("report", "cli.usage.format", "Format", *format, "Formats", "text, csv, xlsx")
	}
	if *format == "xlsx" && *out == "" && cli.IsTerminal(c.Stdout) {
		return nil, c.Usage("report", "cli.usage.terminal")
	}
	return func(ctx context.Context, d *deps, w io.Writer) error {
		return writeTo(*out, w, func(w io.Writer) error {
			if err := d.desk(nil).Report(ctx, *format, w, *chart); err != nil || *format != "text" {
				return err
			}
			return d.desk(nil).WriteRelationReport(ctx, w) // referrals and the pilot's questions
		})
	}, nil
}

// writeTo runs write on the file path (created or truncated), or on w
// without a path.
func writeTo(path string, w io.Writer, write func(io.Writer) error) error {
	if path == "" {
		return write(w)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// inZone is the same calendar day at midnight in zone.
func inZone(t time.Time, zone *time.Location) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, zone)
}
