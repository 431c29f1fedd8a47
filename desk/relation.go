package desk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/store"
)

// The relationship from the command line (issue 15): agreements, referrals
// and the report's sections on them, for a coordinator.

// InputError is input the coordinator can correct: the command's usage.
type InputError struct{ Msg string }

func (e *InputError) Error() string { return e.Msg }

func (d *Desk) input(id string, kv ...any) error { return &InputError{Msg: d.T(id, kv...)} }

// StudentFor returns student id, or a clear error (cmd names the command).
func (d *Desk) StudentFor(ctx context.Context, cmd string, id int64) (store.Student, error) {
	if id <= 0 {
		return store.Student{}, d.input("cli.usage.student_flag")
	}
	s, err := d.Store.Student(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return s, fmt.Errorf("%s: %s", cmd, d.T("cli.student.unknown", "ID", id))
	}
	return s, err
}

// parseDay reads a date as every date flag does (desk.DateLayouts), or DD-MM
// (the next such date), in zone.
func parseDay(s string, now time.Time, zone *time.Location) (time.Time, bool) {
	now = now.In(zone)
	if t, ok := ParseDate(s, zone); ok {
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

// AddAgreement records what coach (0: the student's own) agreed with student s
// by due (a date as every date flag takes, or DD-MM: the next such day), and
// tells the student as /afspraak does: a running serve sends it.
func (d *Desk) AddAgreement(ctx context.Context, s store.Student, coach int64, what, due string) (store.Agreement, time.Time, error) {
	text := strings.Join(strings.Fields(what), " ")
	if text == "" || len([]rune(text)) > 300 {
		return store.Agreement{}, time.Time{}, d.input("cli.usage.what")
	}
	day, ok := parseDay(due, d.Store.Now(), d.Zone)
	if !ok {
		return store.Agreement{}, time.Time{}, d.input("cli.usage.date", "Flag", "--due", "Value", strconv.Quote(due))
	}
	if coach == 0 {
		coach = s.CoachID
	}
	a, err := d.Store.AddAgreement(ctx, s.ID, coach, text, time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC), day.AddDate(0, 0, 1))
	if err != nil {
		return a, day, err
	}
	// The student hears of it as when the coach makes it in Telegram; a
	// running serve sends it.
	if s.ChatID != 0 && (s.Status == store.StatusActive || s.Status == store.StatusPaused) {
		c, err := d.Store.Coach(ctx, coach)
		if err != nil {
			return a, day, err
		}
		date := d.Texts.T(s.Lang, "agree.day."+strconv.Itoa(int(day.Weekday())), nil) + " " + day.Format("02-01")
		msg := store.Message{ChatID: s.ChatID, StudentID: s.ID, Lane: store.LaneInteractive, Kind: store.KindSend,
			Text: d.Texts.T(s.Lang, "agree.agreement.to_student", map[string]any{"Name": store.FirstName(s.Name),
				"Coach": store.FirstName(c.Name), "What": text, "Date": date})}
		if _, err := d.Store.Enqueue(ctx, msg); err != nil {
			return a, day, fmt.Errorf("agreement add: the agreement is recorded, but the message to the student could not be queued: %w", err)
		}
	}
	return a, day, nil
}

// AddReferral records a referral of student s of kind (store.ReferralKinds)
// by coach (0: the student's own), with its follow-up after the flow's delay.
func (d *Desk) AddReferral(ctx context.Context, s store.Student, coach int64, kind, note string) (store.Referral, error) {
	if !slices.Contains(store.ReferralKinds, kind) {
		return store.Referral{}, d.input("cli.usage.kind", "Kind", strconv.Quote(kind), "Kinds", strings.Join(store.ReferralKinds, ", "))
	}
	f, ok := d.Flows.Current(flows.Standard)
	if !ok {
		return store.Referral{}, fmt.Errorf("referral add: no flow %q", flows.Standard)
	}
	if coach == 0 {
		coach = s.CoachID
	}
	return d.Store.AddReferral(ctx, s.ID, coach, kind, strings.TrimSpace(note), d.Store.Now().Add(f.ReferralFollowUp()))
}

// WriteRelationReport is the report's sections on referrals (how many of
// each kind are in each status) and on the pilot's questions (the fit of
// work or school, the final feedback), per cohort (year of leaving school).
func (d *Desk) WriteRelationReport(ctx context.Context, w io.Writer) error {
	if err := d.writeReferralReport(ctx, w); err != nil {
		return err
	}
	return d.writePilotReport(ctx, w)
}

func (d *Desk) writePilotReport(ctx context.Context, w io.Writer) error {
	f, ok := d.Flows.Current(flows.Standard)
	if !ok {
		return fmt.Errorf("report: no flow %q", flows.Standard)
	}
	steps := append(f.StepsOfKind(flows.KindPilot), f.StepsOfKind(flows.KindFinal)...)
	counts, err := d.Store.AnswerCounts(ctx, steps)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%s\n", d.T("cli.report.pilot"))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  %s\n", d.T("cli.report.pilot_header"))
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
		fmt.Fprintf(tw, "  %s\n", d.T("cli.report.none"))
	}
	return tw.Flush()
}

func (d *Desk) writeReferralReport(ctx context.Context, w io.Writer) error {
	counts, err := d.Store.ReferralCounts(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%s\n", d.T("cli.report.referrals"))
	if len(counts) == 0 {
		_, err := fmt.Fprintln(w, "  "+d.T("cli.report.none"))
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  %s\t%s\n", d.T("cli.report.referral_header"), strings.Join(store.ReferralStatuses, "\t"))
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
