package main

import (
	"context"
	"fmt"
	"io"
)

// parseCheckinNow is `lijntje checkin now --student ID` or `--all`.
func parseCheckinNow(c *cmdline, args []string) (action, error) {
	fs := c.Flags("checkin now")
	id := fs.Int64("student", 0, c.T("cli.flag.student_id"))
	all := fs.Bool("all", false, c.T("cli.flag.all"))
	if _, err := c.Parse(fs, args, false); err != nil {
		return nil, err
	}
	if (*id > 0) == *all {
		return nil, c.Usage("checkin now", "cli.usage.student_or_all")
	}
	return func(ctx context.Context, d *deps, w io.Writer) error {
		n, err := d.desk(nil).CheckinNow(ctx, *id, *all)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(w, c.T("cli.checkin.queued", "Count", n))
		return err
	}, nil
}
