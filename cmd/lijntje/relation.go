package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lijntje/lijntje/bot"
	"github.com/lijntje/lijntje/desk"
	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/store"
)

// The relationship from the command line (issue 15): agreements, referrals
// and a student's timeline for a coordinator.

// studentFor returns student id, or a clear error.
func studentFor(ctx context.Context, d *deps, cmd string, id int64) (store.Student, error) {
	if id <= 0 {
		return store.Student{}, d.cli.usage(cmd, "cli.usage.student_flag")
	}
	s, err := d.Store.Student(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return s, fmt.Errorf("%s: %s", cmd, d.cli.T("cli.student.unknown", "ID", id))
	}
	return s, err
}

// parseDay reads a date as every date flag does (desk.DateLayouts), or DD-MM
// (the next such date), in zone.
func parseDay(s string, now time.Time, zone *time.Location) (time.Time, bool) {
	now = now.In(zone)
	if t, ok := desk.ParseDate(s, zone); ok {
		return t, true
	}
	for _, layout := range []string{"02-01", "2-1"} {
		if t, err := time.ParseInLocation(layout, s, zone); err == nil {
			t = time.Date(now.Year(), t.Month(), t.Day(), 0, 0, 0, 0, zone)
			if t.Before(time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, zone)) {
				t = t.AddDate(1, 0, 0)
			}
			return t, true
		}
	}
	return time.Time{}, false
}

func agreementAdd(ctx context.Context, d *deps, args []string, w io.Writer) error {
	fs := newFlags("agreement add")
	id := fs.Int64("student", 0, "the student's ID")
	what := fs.String("what", "", "what was agreed")
	due := fs.String("due", "", "by when: YYYY-MM-DD or DD-MM-YYYY")
	coach := fs.Int64("coach", 0, "the coach who made it (default: the student's coach)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	s, err := studentFor(ctx, d, "agreement add", *id)
	if err != nil {
		return err
	}
	text := strings.Join(strings.Fields(*what), " ")
	if text == "" || len([]rune(text)) > 300 {
		return d.cli.usage("agreement add", "cli.usage.what")
	}
	day, ok := parseDay(*due, d.Store.Now(), d.Cfg.Zone())
	if !ok {
		return d.cli.usage("agreement add", "cli.usage.date", "Flag", "--due", "Value", strconv.Quote(*due))
	}
	if *coach == 0 {
		*coach = s.CoachID
	}
	a, err := d.Store.AddAgreement(ctx, s.ID, *coach, text, time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC), day.AddDate(0, 0, 1))
	if err != nil {
		return err
	}
	// The student hears of it as when the coach makes it in Telegram; a
	// running serve sends it.
	if s.ChatID != 0 && (s.Status == store.StatusActive || s.Status == store.StatusPaused) {
		c, err := d.Store.Coach(ctx, *coach)
		if err != nil {
			return err
		}
		date := d.Locales.T(s.Lang, "agree.day."+strconv.Itoa(int(day.Weekday())), nil) + " " + day.Format("02-01")
		msg := store.Message{ChatID: s.ChatID, StudentID: s.ID, Lane: store.LaneInteractive, Kind: store.KindSend,
			Text: d.Locales.T(s.Lang, "agree.agreement.to_student", map[string]any{"Name": store.FirstName(s.Name),
				"Coach": store.FirstName(c.Name), "What": text, "Date": date})}
		if _, err := d.Store.Enqueue(ctx, msg); err != nil {
			return fmt.Errorf("agreement add: the agreement is recorded, but the message to the student could not be queued: %w", err)
		}
	}
	_, err = fmt.Fprintln(w, d.cli.T("cli.agreement.added", "ID", a.ID, "Student", s.ID, "What", a.What, "Date", day.Format("02-01-2006")))
	return err
}

func referralAdd(ctx context.Context, d *deps, args []string, w io.Writer) error {
	fs := newFlags("referral add")
	id := fs.Int64("student", 0, "the student's ID")
	kind := fs.String("kind", "", strings.Join(store.ReferralKinds, ", "))
	note := fs.String("note", "", "a free note")
	coach := fs.Int64("coach", 0, "the coach who made it (default: the student's coach)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	s, err := studentFor(ctx, d, "referral add", *id)
	if err != nil {
		return err
	}
	if !containsString(store.ReferralKinds, *kind) {
		return d.cli.usage("referral add", "cli.usage.kind", "Kind", strconv.Quote(*kind), "Kinds", strings.Join(store.ReferralKinds, ", "))
	}
	f, ok := d.Flows.Current(flows.Standard)
	if !ok {
		return fmt.Errorf("referral add: no flow %q", flows.Standard)
	}
	if *coach == 0 {
		*coach = s.CoachID
	}
	r, err := d.Store.AddReferral(ctx, s.ID, *coach, *kind, strings.TrimSpace(*note), d.Store.Now().Add(f.ReferralFollowUp()))
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, d.cli.T("cli.referral.added", "ID", r.ID, "Student", s.ID, "Kind", r.Kind,
		"Date", r.FollowUpAt.In(d.Cfg.Zone()).Format("02-01-2006")))
	return err
}

func studentShow(ctx context.Context, d *deps, args []string, w io.Writer) error {
	fs := newFlags("student show")
	lang := fs.String("lang", "nl", "nl or en")
	var id int64
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		if _, err := fmt.Sscan(strings.TrimPrefix(args[0], "#"), &id); err != nil {
			return d.cli.usage("student show", "cli.usage.not_id", "Arg", strconv.Quote(args[0]))
		}
		args = args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	s, err := studentFor(ctx, d, "student show", id)
	if err != nil {
		return err
	}
	text, err := bot.NewTimeline(d.Store, d.Locales, d.Flows, d.Cfg.Zone()).Text(ctx, *lang, s, 1<<20)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, text)
	return err
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// writeRelationReport is the report's sections on referrals (how many of
// each kind are in each status) and on the pilot's questions (the fit of
// work or school, the final feedback), per cohort (year of leaving school).
func writeRelationReport(ctx context.Context, d *deps, w io.Writer) error {
	if err := writeReferralReport(ctx, d, w); err != nil {
		return err
	}
	return writePilotReport(ctx, d, w)
}

func writePilotReport(ctx context.Context, d *deps, w io.Writer) error {
	f, ok := d.Flows.Current(flows.Standard)
	if !ok {
		return fmt.Errorf("report: no flow %q", flows.Standard)
	}
	steps := append(f.StepsOfKind(flows.KindPilot), f.StepsOfKind(flows.KindFinal)...)
	counts, err := d.Store.AnswerCounts(ctx, steps)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%s\n", d.cli.T("cli.report.pilot"))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  %s\n", d.cli.T("cli.report.pilot_header"))
	type key struct{ cohort, step string }
	byKey := map[key][]string{}
	var order []key
	for _, c := range counts {
		k := key{c.Cohort, c.Step}
		if byKey[k] == nil {
			order = append(order, k)
		}
		byKey[k] = append(byKey[k], fmt.Sprintf("%s=%d", c.Option, c.Count))
	}
	for _, k := range order {
		cohort := k.cohort
		if cohort == "" {
			cohort = "?"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", cohort, k.step, strings.Join(byKey[k], " "))
	}
	if len(order) == 0 {
		fmt.Fprintf(tw, "  %s\n", d.cli.T("cli.report.none"))
	}
	return tw.Flush()
}

func writeReferralReport(ctx context.Context, d *deps, w io.Writer) error {
	counts, err := d.Store.ReferralCounts(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%s\n", d.cli.T("cli.report.referrals"))
	if len(counts) == 0 {
		_, err := fmt.Fprintln(w, "  "+d.cli.T("cli.report.none"))
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  %s\t%s\n", d.cli.T("cli.report.referral_header"), strings.Join(store.ReferralStatuses, "\t"))
	type key struct{ cohort, kind string }
	var order []key
	vals := map[key]map[string]int{}
	for _, c := range counts {
		k := key{c.Cohort, c.Kind}
		if vals[k] == nil {
			vals[k] = map[string]int{}
			order = append(order, k)
		}
		vals[k][c.Status] += c.Count
	}
	for _, k := range order {
		cohort := k.cohort
		if cohort == "" {
			cohort = "?"
		}
		row := []string{cohort, k.kind}
		for _, st := range store.ReferralStatuses {
			row = append(row, fmt.Sprint(vals[k][st]))
		}
		fmt.Fprintf(tw, "  %s\n", strings.Join(row, "\t"))
	}
	return tw.Flush()
}
