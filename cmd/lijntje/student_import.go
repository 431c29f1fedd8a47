package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lijntje/lijntje/desk"
)

// parseStudentImport is `lijntje student import FILE.csv|FILE.xlsx [--dry-run]
// [--renew] [--out links.csv|links.xlsx] [--qr DIR] [--cards FILE.pdf|DIR]`.
func parseStudentImport(c *cmdline, args []string) (action, error) {
	fs := c.Flags("student import")
	var o desk.ImportOptions
	fs.BoolVar(&o.DryRun, "dry-run", false, c.T("cli.flag.dry_run"))
	fs.BoolVar(&o.Renew, "renew", false, c.T("cli.flag.renew"))
	fs.StringVar(&o.Out, "out", "", c.T("cli.flag.out_links"))
	fs.StringVar(&o.QRDir, "qr", "", c.T("cli.flag.qr"))
	fs.StringVar(&o.Cards, "cards", "", c.T("cli.flag.cards"))
	fs.BoolVar(&c.Comma, "csv-comma", c.Comma, c.T("cli.flag.csv_comma"))
	files, err := c.Parse(fs, args, true)
	if err != nil {
		return nil, err
	}
	if len(files) != 1 {
		return nil, c.Usage("student import", "cli.usage.one_file")
	}
	if ext := strings.ToLower(filepath.Ext(files[0])); ext != ".csv" && ext != ".txt" && ext != ".xlsx" {
		return nil, c.Usage("student import", "cli.usage.import_kind")
	}
	if ext := strings.ToLower(filepath.Ext(o.Out)); o.Out != "" && ext != ".csv" && ext != ".xlsx" {
		return nil, c.Usage("student import", "cli.usage.out_kind")
	}
	if _, err := os.Stat(files[0]); err != nil {
		return nil, fmt.Errorf("student import: %w", err)
	}
	return func(ctx context.Context, d *deps, w io.Writer) error {
		link := func(string) string { return "" }
		if !o.DryRun {
			var err error
			if link, err = d.linker(ctx); err != nil {
				return err
			}
		}
		dk := d.desk(link)
		if ph := d.Cfg.Schedule.Cadence.Phases; len(ph) > 0 {
			last := ph[len(ph)-1].Until
			o.FollowUpEnds = func(left time.Time) time.Time { return left.AddDate(0, last.Months, last.Days) }
		}
		return desk.CommandError("student import", dk.Import(ctx, files[0], o, w))
	}, nil
}
