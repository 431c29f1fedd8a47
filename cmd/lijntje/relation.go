package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/lijntje/lijntje/bot"
	"github.com/lijntje/lijntje/cli"
	"github.com/lijntje/lijntje/desk"
	"github.com/lijntje/lijntje/store"
)

// The relationship from the command line (issue 15): agreements, referrals
// and a student's timeline for a coordinator (package desk does the work).

// asUsage turns the desk's input errors into cmd's usage errors (exit 2).
func asUsage(cmd string, err error) error {
	var ie *desk.InputError
	if errors.As(err, &ie) {
		return &cli.UsageError{Cmd: cmd, Msg: ie.Msg}
	}
	return err
}

func agreementAdd(ctx context.Context, d *deps, args []string, w io.Writer) error {
	fs := cli.NewFlags("agreement add")
	id := fs.Int64("student", 0, "the student's ID")
	what := fs.String("what", "", "what was agreed")
	due := fs.String("due", "", "by when: YYYY-MM-DD or DD-MM-YYYY")
	coach := fs.Int64("coach", 0, "the coach who made it (default: the student's coach)")
	if err := cli.ParseFlags(fs, args); err != nil {
		return err
	}
	dk := d.desk(nil)
	s, err := dk.StudentFor(ctx, "agreement add", *id)
	if err != nil {
		return asUsage("agreement add", err)
	}
	a, day, err := dk.AddAgreement(ctx, s, *coach, *what, *due)
	if err != nil {
		return asUsage("agreement add", err)
	}
	_, err = fmt.Fprintln(w, d.cli.T("cli.agreement.added", "ID", a.ID, "Student", s.ID, "What", a.What, "Date", day.Format("02-01-2006")))
	return err
}

func referralAdd(ctx context.Context, d *deps, args []string, w io.Writer) error {
	fs := cli.NewFlags("referral add")
	id := fs.Int64("student", 0, "the student's ID")
	kind := fs.String("kind", "", strings.Join(store.ReferralKinds, ", "))
	note := fs.String("note", "", "a free note")
	coach := fs.Int64("coach", 0, "the coach who made it (default: the student's coach)")
	if err := cli.ParseFlags(fs, args); err != nil {
		return err
	}
	dk := d.desk(nil)
	s, err := dk.StudentFor(ctx, "referral add", *id)
	if err != nil {
		return asUsage("referral add", err)
	}
	r, err := dk.AddReferral(ctx, s, *coach, *kind, *note)
	if err != nil {
		return asUsage("referral add", err)
	}
	_, err = fmt.Fprintln(w, d.cli.T("cli.referral.added", "ID", r.ID, "Student", s.ID, "Kind", r.Kind,
		"Date", r.FollowUpAt.In(d.Cfg.Zone()).Format("02-01-2006")))
	return err
}

func studentShow(ctx context.Context, d *deps, args []string, w io.Writer) error {
	fs := cli.NewFlags("student show")
	lang := fs.String("lang", "nl", "nl or en")
	var id int64
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		if _, err := fmt.Sscan(strings.TrimPrefix(args[0], "#"), &id); err != nil {
			return d.cli.Usage("student show", "cli.usage.not_id", "Arg", strconv.Quote(args[0]))
		}
		args = args[1:]
	}
	if err := cli.ParseFlags(fs, args); err != nil {
		return err
	}
	s, err := d.desk(nil).StudentFor(ctx, "student show", id)
	if err != nil {
		return asUsage("student show", err)
	}
	text, err := bot.NewTimeline(d.Store, d.Locales, d.Flows, d.Cfg.Zone()).Text(ctx, *lang, s, 1<<20)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, text)
	return err
}
