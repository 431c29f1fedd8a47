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

// studentDelete erases a student (the right to erasure) after confirmation:
// the student's ID typed on stdin, or --yes for scripts. Without a terminal
// and without --yes it refuses.
func studentDelete(ctx context.Context, d *deps, args []string, w io.Writer) error {
	fs := newFlags("student delete")
	yes := fs.Bool("yes", false, "do not ask for confirmation")
	var ids []string
	for {
		if err := fs.Parse(args); err != nil {
			return fmt.Errorf("student delete: %v: %w", err, errUsage)
		}
		if fs.NArg() == 0 {
			break
		}
		ids = append(ids, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(ids) != 1 {
		return fmt.Errorf("student delete: give one student ID: %w", errUsage)
	}
	id, err := strconv.ParseInt(ids[0], 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("student delete: %q is not a student ID: %w", ids[0], errUsage)
	}
	st, err := d.st.Student(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("student delete: there is no student %d", id)
	}
	if err != nil {
		return err
	}
	if !*yes {
		fmt.Fprintf(w, "This deletes student %d (%s) and everything about them: answers, check-ins, signals, invites and messages.\n"+
			"Alerts stay, without name or text. This cannot be undone.\nType the student's ID (%d) to confirm: ", st.ID, st.Name, st.ID)
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if strings.TrimSpace(line) != strconv.FormatInt(id, 10) {
			fmt.Fprintln(w)
			if err != nil {
				return fmt.Errorf("student delete: no confirmation (no input); nothing deleted (use --yes in scripts)")
			}
			return fmt.Errorf("student delete: not confirmed; nothing deleted")
		}
	}
	if err := d.st.EraseStudent(ctx, id); err != nil {
		return fmt.Errorf("student delete: %w", err)
	}
	d.log.Info("student erased", "student", id)
	_, err = fmt.Fprintf(w, "student %d deleted\n", id)
	return err
}
