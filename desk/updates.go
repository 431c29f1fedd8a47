package desk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/lijntje/lijntje/store"
)

// WriteParkedUpdates writes the parked updates (dead letters) as a table:
// IDs, when, attempts and the error, never their content.
func (d *Desk) WriteParkedUpdates(ctx context.Context, w io.Writer) error {
	ls, err := d.Store.DeadLetters(ctx)
	if err != nil {
		return err
	}
	if len(ls) == 0 {
		_, err := fmt.Fprintln(w, d.T("cli.updates.none"))
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, d.T("cli.updates.header"))
	for _, l := range ls {
		fmt.Fprintf(tw, "%d\t%d\t%s\t%d\t%s\n", l.UpdateID, l.ChatID, l.ParkedAt.Format(time.RFC3339), l.Attempts, oneLine(l.Error, 120))
	}
	return tw.Flush()
}

// DropParkedUpdate deletes a parked update, and the text it held.
func (d *Desk) DropParkedUpdate(ctx context.Context, id int64) error {
	if err := d.Store.DropDeadLetter(ctx, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("updates drop: %s", d.T("cli.updates.unknown", "ID", id))
		}
		return err
	}
	return nil
}

// oneLine puts s on one line of at most n characters.
func oneLine(s string, n int) string {
	r := []rune(s)
	for i, c := range r {
		if c == '\n' || c == '\t' {
			r[i] = ' '
		}
	}
	if len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return string(r)
}
