package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/lijntje/lijntje/store"
)

// stdin is where `student delete` reads its confirmation; tests replace it.
var stdin io.Reader = os.Stdin

// parseStudentDelete is `lijntje student delete ID [--yes]`: erases a
// student (the right to erasure) after confirmation: the student's ID typed
// on stdin, or --yes for scripts. Without a terminal and without --yes it
// refuses.
func parseStudentDelete(c *cmdline, args []string) (action, error) {
	fs := c.flags("student delete")
	yes := fs.Bool("yes", false, c.T("cli.flag.yes"))
	ids, err := c.parse(fs, args, true)
	if err != nil {
		return nil, err
	}
	if len(ids) != 1 {
		return nil, c.usage("student delete", "cli.usage.one_id")
	}
	id, err := strconv.ParseInt(ids[0], 10, 64)
	if err != nil || id <= 0 {
		return nil, c.usage("student delete", "cli.usage.not_id", "Arg", strconv.Quote(ids[0]))
	}
	return func(ctx context.Context, d *deps, w io.Writer) error {
		st, err := d.Store.Student(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("student delete: %s", c.T("cli.student.unknown", "ID", id))
		}
		if err != nil {
			return err
		}
		if !*yes {
			fmt.Fprint(w, c.T("cli.delete.confirm", "ID", st.ID, "Name", st.Name))
			line, err := bufio.NewReader(stdin).ReadString('\n')
			if strings.TrimSpace(line) != strconv.FormatInt(id, 10) {
				fmt.Fprintln(w)
				if err != nil {
					return fmt.Errorf("student delete: %s", c.T("cli.delete.no_input"))
				}
				return fmt.Errorf("student delete: %s", c.T("cli.delete.not_confirmed"))
			}
		}
		if err := d.Store.EraseStudent(ctx, id); err != nil {
			return fmt.Errorf("student delete: %w", err)
		}
		d.Log.Info("student erased", "student", id)
		_, err = fmt.Fprintln(w, c.T("cli.delete.done", "ID", id))
		return err
	}, nil
}
