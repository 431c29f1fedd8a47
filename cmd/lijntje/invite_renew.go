package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/lijntje/lijntje/store"
)

// parseInviteRenew is `lijntje invite renew --student ID [--json]`: a new
// link; the old one stops working.
func parseInviteRenew(c *cmdline, args []string) (action, error) {
	fs := c.flags("invite renew")
	id := fs.Int64("student", 0, c.T("cli.flag.student_id"))
	asJSON := fs.Bool("json", false, c.T("cli.flag.json"))
	if _, err := c.parse(fs, args, false); err != nil {
		return nil, err
	}
	if *id <= 0 {
		return nil, c.usage("invite renew", "cli.usage.student_required")
	}
	return func(ctx context.Context, d *deps, w io.Writer) error {
		link, err := d.linker(ctx)
		if err != nil {
			return err
		}
		code, err := d.Store.RenewInvite(ctx, *id, d.Cfg.InviteTTL)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("invite renew: %s", c.T("cli.student.unknown", "ID", *id))
		}
		if err != nil {
			return err
		}
		st, err := d.Store.Student(ctx, *id)
		if err != nil {
			return err
		}
		return c.printInvite(w, *asJSON, invited{ID: st.ID, Name: st.Name, Code: code, Link: link(code), Role: "student"})
	}, nil
}
