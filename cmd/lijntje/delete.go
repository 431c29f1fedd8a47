package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
)

// stdin is where `student delete` reads its confirmation; tests replace it.
var stdin io.Reader = os.Stdin

// parseStudentDelete is `lijntje student delete ID [--yes]`: erases a
// student (the right to erasure) after confirmation: the student's ID typed
// on stdin, or --yes for scripts. Without a terminal and without --yes it
// refuses.
func parseStudentDelete(c *cmdline, args []string) (action, error) {
	fs := c.Flags("student delete")
	yes := fs.Bool("yes", false, c.T("cli.flag.yes"))
	ids, err := c.Parse(fs, args, true)
	if err != nil {
		return nil, err
	}
	if len(ids) != 1 {
		return nil, c.Usage("student delete", "cli.usage.one_id")
	}
	id, err := strconv.ParseInt(ids[0], 10, 64)
	if err != nil || id <= 0 {
		return nil, c.Usage("student delete", "cli.usage.not_id", "Arg", strconv.Quote(ids[0]))
	}
	return func(ctx context.Context, d *deps, w io.Writer) error {
		if err := d.desk(nil).DeleteStudent(ctx, id, *yes, stdin, w); err != nil {
			return err
		}
		d.Log.Info("student erased", "student", id)
		_, err := fmt.Fprintln(w, c.T("cli.delete.done", "ID", id))
		return err
	}, nil
}
