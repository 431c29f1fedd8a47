package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/locales"
	"github.com/lijntje/lijntje/scheduler"
	"github.com/lijntje/lijntje/store"
)

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%s: %v: %w", fs.Name(), err, errUsage)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected %q: %w", fs.Name(), fs.Arg(0), errUsage)
	}
	return nil
}

// inviteLink is the deep link that opens the bot with the code.
func (d *deps) inviteLink(code string) string {
	name := d.cfg.BotUsername
	if name == "" {
		name = "LijntjeBot"
	}
	return "https://t.me/" + name + "?start=" + code
}

type invited struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Code string `json:"code"`
	Link string `json:"link"`
	Role string `json:"role"`
}

func printInvite(w io.Writer, asJSON bool, v invited) error {
	if asJSON {
		return json.NewEncoder(w).Encode(v)
	}
	_, err := fmt.Fprintf(w, "%s %d (%s): %s\n", v.Role, v.ID, v.Name, v.Link)
	return err
}

func coachAdd(ctx context.Context, d *deps, args []string, w io.Writer) error {
	fs := newFlags("coach add")
	name := fs.String("name", "", "the coach's name")
	hours := fs.String("hours", "mon-fri 09:00-17:00", `working hours, e.g. "mon-fri 09:00-17:00" or "always"`)
	coord := fs.Bool("coordinator", false, "the coach is a coordinator: the last line for alerts")
	lang := fs.String("lang", "nl", "nl or en")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if strings.TrimSpace(*name) == "" {
		return fmt.Errorf("coach add: --name is required: %w", errUsage)
	}
	if _, err := scheduler.ParseHours(*hours); err != nil {
		return fmt.Errorf("coach add: --hours: %v: %w", err, errUsage)
	}
	if *lang != "nl" && *lang != "en" {
		return fmt.Errorf("coach add: --lang must be nl or en: %w", errUsage)
	}
	c, code, err := d.st.AddCoach(ctx, store.Coach{Name: strings.TrimSpace(*name), Hours: *hours, Coordinator: *coord, Lang: *lang}, d.cfg.InviteTTL)
	if err != nil {
		return err
	}
	return printInvite(w, *asJSON, invited{ID: c.ID, Name: c.Name, Code: code, Link: d.inviteLink(code), Role: "coach"})
}

func studentAdd(ctx context.Context, d *deps, args []string, w io.Writer) error {
	fs := newFlags("student add")
	name := fs.String("name", "", "the student's name")
	coach := fs.Int64("coach", 0, "the coach's ID")
	lang := fs.String("lang", "nl", "nl or en")
	left := fs.String("left-school", "", "the date the student left school, YYYY-MM-DD")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if strings.TrimSpace(*name) == "" || *coach <= 0 {
		return fmt.Errorf("student add: --name and --coach are required: %w", errUsage)
	}
	if *lang != "nl" && *lang != "en" {
		return fmt.Errorf("student add: --lang must be nl or en: %w", errUsage)
	}
	var leftAt time.Time
	if *left != "" {
		var err error
		if leftAt, err = time.Parse("2006-01-02", *left); err != nil {
			return fmt.Errorf("student add: --left-school wants YYYY-MM-DD, got %q: %w", *left, errUsage)
		}
	}
	st, code, err := d.st.AddStudent(ctx, store.NewStudent{Name: strings.TrimSpace(*name), CoachID: *coach, Lang: *lang, LeftSchool: leftAt}, d.cfg.InviteTTL)
	if errors.Is(err, store.ErrUnknownCoach) {
		return fmt.Errorf("student add: there is no coach %d (see `lijntje coach add`)", *coach)
	}
	if err != nil {
		return err
	}
	return printInvite(w, *asJSON, invited{ID: st.ID, Name: st.Name, Code: code, Link: d.inviteLink(code), Role: "student"})
}

func inviteRenew(ctx context.Context, d *deps, args []string, w io.Writer) error {
	fs := newFlags("invite renew")
	id := fs.Int64("student", 0, "the student's ID")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *id <= 0 {
		return fmt.Errorf("invite renew: --student is required: %w", errUsage)
	}
	code, err := d.st.RenewInvite(ctx, *id, d.cfg.InviteTTL)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("invite renew: there is no student %d", *id)
	}
	if err != nil {
		return err
	}
	st, err := d.st.Student(ctx, *id)
	if err != nil {
		return err
	}
	return printInvite(w, *asJSON, invited{ID: st.ID, Name: st.Name, Code: code, Link: d.inviteLink(code), Role: "student"})
}

func checkinNow(ctx context.Context, d *deps, args []string, w io.Writer) error {
	fs := newFlags("checkin now")
	id := fs.Int64("student", 0, "the student's ID")
	all := fs.Bool("all", false, "every active student")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if (*id > 0) == *all {
		return fmt.Errorf("checkin now: give --student ID or --all: %w", errUsage)
	}
	ids := []int64{*id}
	if *all {
		var err error
		if ids, err = d.st.ActiveStudentIDs(ctx); err != nil {
			return err
		}
	} else {
		st, err := d.st.Student(ctx, *id)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("checkin now: there is no student %d", *id)
		}
		if err != nil {
			return err
		}
		if st.ChatID == 0 || st.Status != store.StatusActive {
			return fmt.Errorf("checkin now: student %d is %s and cannot get a check-in now", st.ID, st.Status)
		}
	}
	now := d.st.Now()
	n := 0
	for _, sid := range ids {
		ok, err := d.st.ScheduleCheckin(ctx, sid, now, now, true)
		if err != nil {
			return err
		}
		if ok {
			n++
		}
	}
	_, err := fmt.Fprintf(w, "%d check-in(s) queued; a running `lijntje serve` sends them now\n", n)
	return err
}

func exportAnswers(ctx context.Context, d *deps, args []string, w io.Writer) error {
	fs := newFlags("export answers")
	format := fs.String("format", "csv", "csv or xlsx")
	from := fs.String("from", "", "only answers from this date on (YYYY-MM-DD)")
	to := fs.String("to", "", "only answers before this date (YYYY-MM-DD)")
	coach := fs.Int64("coach", 0, "only this coach's students")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	f := store.ExportFilter{CoachID: *coach}
	for _, p := range []struct {
		s   string
		dst *time.Time
	}{{*from, &f.From}, {*to, &f.To}} {
		if p.s == "" {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02", p.s, scheduler.Amsterdam)
		if err != nil {
			return fmt.Errorf("export answers: dates are YYYY-MM-DD, got %q: %w", p.s, errUsage)
		}
		*p.dst = t
	}
	switch *format {
	case "csv":
	case "xlsx":
		return exportAnswersXLSX(ctx, d, f, w)
	default:
		return fmt.Errorf("export answers: --format %q is not supported (csv, xlsx): %w", *format, errUsage)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(exportHeader); err != nil {
		return err
	}
	err := d.st.ExportAnswers(ctx, f, func(r store.ExportRow) error { return cw.Write(exportRecord(r)) })
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// exportAnswersXLSX writes the same columns and rows as the CSV export to one
// sheet, streaming: excelize's stream writer spills rows to a temporary file
// rather than holding them in memory.
func exportAnswersXLSX(ctx context.Context, d *deps, f store.ExportFilter, w io.Writer) error {
	x := excelize.NewFile()
	defer x.Close()
	const sheet = "answers"
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("export answers: %w", err)
	}
	header := make([]any, len(exportHeader))
	for i, h := range exportHeader {
		header[i] = h
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	row := 1
	err = d.st.ExportAnswers(ctx, f, func(r store.ExportRow) error {
		row++
		rec := exportRecord(r)
		cells := make([]any, len(rec))
		for i, v := range rec {
			cells[i] = v
		}
		cells[0] = r.StudentID // IDs as numbers, so a spreadsheet sorts them as numbers
		if r.CheckinID != 0 {
			cells[1] = r.CheckinID
		}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		return sw.SetRow(cell, cells)
	})
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("export answers: %w", err)
	}
	_, err = x.WriteTo(w)
	return err
}

// exportHeader is the contract's columns, then the flow version and voice file.
var exportHeader = []string{"student", "checkin", "step", "option", "text", "answered_at", "flow_version", "voice_file_id"}

func exportRecord(r store.ExportRow) []string {
	checkin := ""
	if r.CheckinID != 0 {
		checkin = strconv.FormatInt(r.CheckinID, 10)
	}
	return []string{strconv.FormatInt(r.StudentID, 10), checkin, r.Step, r.Option, r.Text,
		r.AnsweredAt.UTC().Format(time.RFC3339), r.FlowVersion, r.VoiceFileID}
}

// flowsCheck validates every flow and translation, listing every problem.
func flowsCheck(w io.Writer) error {
	loc, err := locales.Load()
	if err != nil {
		return fmt.Errorf("flows check: translations: %w", err)
	}
	msgs := map[string]map[string]bool{}
	for _, l := range loc.Languages() {
		msgs[l] = loc.IDs(l)
	}
	problems := flows.Check(flows.FS(), msgs)
	for _, p := range problems {
		fmt.Fprintln(w, p.Error())
	}
	if len(problems) > 0 {
		return fmt.Errorf("flows check: %d problem(s)", len(problems))
	}
	fmt.Fprintln(w, "flows check: all flows and translations are in order")
	return nil
}
