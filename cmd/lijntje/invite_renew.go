package main

import (
	"context"
	"io"
)

// parseInviteRenew is `lijntje invite renew --student ID [--json]`: a new
// link; the old one stops working.
func parseInviteRenew(c *cmdline, args []string) (action, error) {
	fs := c.Flags("invite renew")
	id := fs.Int64("student", 0, c.T("cli.flag.student_id"))
	asJSON := fs.Bool("json", false, c.T("cli.flag.json"))
	if _, err := c.Parse(fs, args, false); err != nil {
		return nil, err
	}
	if *id <= 0 {
		return nil, c.Usage("invite renew", "cli.usage.student_required")
	}
	return func(ctx context.Context, d *deps, w io.Writer) error {
		link, err := d.linker(ctx)
		if err != nil {
			return err
		}
		dk := d.desk(link)
		st, code, err := dk.RenewInvite(ctx, *id)
		if err != nil {
			return err
		}
		return dk.WriteInvite(w, *asJSON, st.ID, st.Name, code, "student")
	}, nil
}
