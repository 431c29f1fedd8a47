package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/lijntje/lijntje/store"
)

// parseStudentAdd is `lijntje student add --name NAME --coach COACH_ID [--lang nl] [--left-school DATE] [--json]`.
func parseStudentAdd(c *cmdline, args []string) (action, error) {
	fs := c.Flags("student add")
	name := fs.String("name", "", c.T("cli.flag.student_name"))
	coach := fs.Int64("coach", 0, c.T("cli.flag.coach_id"))
	lang := fs.String("lang", "nl", c.T("cli.flag.student_lang"))
	left := c.DateFlag(fs, "left-school", c.T("cli.flag.left_school"), time.UTC)
	ref := fs.String("ref", "", c.T("cli.flag.ref"))
	asJSON := fs.Bool("json", false, c.T("cli.flag.json"))
	if _, err := c.Parse(fs, args, false); err != nil {
		return nil, err
	}
	n := strings.Join(strings.Fields(*name), " ")
	if n == "" || *coach <= 0 {
		return nil, c.Usage("student add", "cli.usage.name_coach_required")
	}
	if *lang != "nl" && *lang != "en" {
		return nil, c.Usage("student add", "cli.usage.lang")
	}
	return func(ctx context.Context, d *deps, w io.Writer) error {
		link, err := d.linker(ctx)
		if err != nil {
			return err
		}
		st, code, err := d.Store.AddStudent(ctx, store.NewStudent{Name: n, CoachID: *coach, Lang: *lang, LeftSchool: left.At, Ref: strings.TrimSpace(*ref)}, d.Cfg.InviteTTL)
		if errors.Is(err, store.ErrUnknownCoach) {
			return fmt.Errorf("student add: %s", c.T("cli.student.no_coach", "ID", *coach))
		}
		if err != nil {
			return err
		}
		return d.desk(link).WriteInvite(w, *asJSON, st.ID, st.Name, code, "student")
	}, nil
}
