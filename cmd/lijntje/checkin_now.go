package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/lijntje/lijntje/store"
)

// parseCheckinNow is `lijntje checkin now --student ID` or `--all`.
func parseCheckinNow(c *cmdline, args []string) (action, error) {
	fs := c.flags("checkin now")
	id := fs.Int64("student", 0, c.T("cli.flag.student_id"))
	all := fs.Bool("all", false, c.T("cli.flag.all"))
	if _, err := c.parse(fs, args, false); err != nil {
		return nil, err
	}
	if (*id > 0) == *all {
		return nil, c.usage("checkin now", "cli.usage.student_or_all")
	}
	return func(ctx context.Context, d *deps, w io.Writer) error {
		ids := []int64{*id}
		if *all {
			var err error
			if ids, err = d.Store.ActiveStudentIDs(ctx); err != nil {
				return err
			}
		} else {
			st, err := d.Store.Student(ctx, *id)
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("checkin now: %s", c.T("cli.student.unknown", "ID", *id))
			}
			if err != nil {
				return err
			}
			if st.ChatID == 0 || st.Status != store.StatusActive {
				return fmt.Errorf("checkin now: %s", c.T("cli.checkin.not_active", "ID", st.ID, "Status", c.T("cli.measure."+st.Status)))
			}
		}
		now := d.Store.Now()
		n := 0
		for _, sid := range ids {
			ok, err := d.Store.ScheduleCheckin(ctx, sid, now, now, true)
			if err != nil {
				return err
			}
			if ok {
				n++
			}
		}
		_, err := fmt.Fprintln(w, c.T("cli.checkin.queued", "Count", n))
		return err
	}, nil
}
