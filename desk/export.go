package desk

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/xuri/excelize/v2"

	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/store"
)

// ExportHeader is the answers export's columns: the contract's student,
// checkin, step, option, text and answered_at first, in that order, then the
// flow version and voice file, then the label beside the option code, the
// local time (dd-mm-jjjj uu:mm), the coach and the school's ref. The header
// names are the same in every language, so scripts can rely on them.
var ExportHeader = []string{"student", "checkin", "step", "option", "text", "answered_at", "flow_version", "voice_file_id",
	"label", "local_time", "coach_id", "coach", "ref"}

// ExportAnswers writes every answer matching f as CSV or XLSX (format).
func (d *Desk) ExportAnswers(ctx context.Context, f store.ExportFilter, format string, w io.Writer) error {
	labels := d.labeler()
	if format == "xlsx" {
		return d.exportXLSX(ctx, f, labels, w)
	}
	cw := NewCSV(w, d.Comma)
	if err := cw.Write(ExportHeader); err != nil {
		return err
	}
	err := d.Store.ExportAnswers(ctx, f, func(r store.ExportRow) error { return cw.Write(d.exportRecord(r, labels)) })
	if err != nil {
		return err
	}
	return cw.Flush()
}

func (d *Desk) exportRecord(r store.ExportRow, label func(store.ExportRow) string) []string {
	checkin := ""
	if r.CheckinID != 0 {
		checkin = strconv.FormatInt(r.CheckinID, 10)
	}
	coach := ""
	if r.CoachID != 0 {
		coach = strconv.FormatInt(r.CoachID, 10)
	}
	return []string{strconv.FormatInt(r.StudentID, 10), checkin, r.Step, r.Option, r.Text,
		r.AnsweredAt.In(d.Zone).Format(time.RFC3339), r.FlowVersion, r.VoiceFileID,
		label(r), FormatTime(r.AnsweredAt, d.Zone), coach, r.CoachName, r.Ref}
}

// exportXLSX writes the same columns and rows as the CSV export to one sheet,
// streaming, with typed cells: IDs as numbers, answered_at as a date and
// time in local time; the header row frozen and filters on.
func (d *Desk) exportXLSX(ctx context.Context, f store.ExportFilter, label func(store.ExportRow) string, w io.Writer) error {
	x := excelize.NewFile()
	defer x.Close()
	sheet := d.T("cli.export.sheet")
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	dateTime, err := x.NewStyle(&excelize.Style{CustomNumFmt: ptr("dd-mm-yyyy hh:mm:ss")})
	if err != nil {
		return err
	}
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	if err := sw.SetPanes(frozenHeader); err != nil {
		return err
	}
	if err := sw.SetColWidth(6, 6, 20); err != nil {
		return err
	}
	if err := sw.SetRow("A1", strs(ExportHeader)); err != nil {
		return err
	}
	row := 1
	err = d.Store.ExportAnswers(ctx, f, func(r store.ExportRow) error {
		row++
		rec := d.exportRecord(r, label)
		cells := strs(rec)
		cells[0] = r.StudentID
		if r.CheckinID != 0 {
			cells[1] = r.CheckinID
		}
		local := r.AnsweredAt.In(d.Zone)
		// Excel has no time zones: the local wall time, as a date cell.
		cells[5] = excelize.Cell{StyleID: dateTime, Value: time.Date(local.Year(), local.Month(), local.Day(),
			local.Hour(), local.Minute(), local.Second(), 0, time.UTC)}
		if r.CoachID != 0 {
			cells[10] = r.CoachID
		}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		return sw.SetRow(cell, cells)
	})
	if err != nil {
		return err
	}
	last, _ := excelize.CoordinatesToCellName(len(ExportHeader), max(row, 2))
	if err := sw.AddTable(&excelize.Table{Range: "A1:" + last, Name: "answers"}); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = x.WriteTo(w)
	return err
}

func ptr[T any](v T) *T { return &v }

// labeler returns the label of an answer's option as the flow names it, in
// the desk's language and without its emoji ("4" of mood: "Goed"), or "".
// The answer's flow version is looked up among the current flows; an answer
// of an older version gets the label the current flow gives the same step
// and option.
func (d *Desk) labeler() func(store.ExportRow) string {
	cache := map[[3]string]string{}
	return func(r store.ExportRow) string {
		if r.Option == "" || d.Flows == nil {
			return ""
		}
		k := [3]string{r.FlowVersion, r.Step, r.Option}
		if v, ok := cache[k]; ok {
			return v
		}
		var msg string
		var fs []*flows.Flow
		for _, f := range d.Flows.Flows() {
			if f.Version == r.FlowVersion {
				fs = append([]*flows.Flow{f}, fs...)
			} else {
				fs = append(fs, f)
			}
		}
		for _, f := range fs {
			if st, ok := f.StepByID(r.Step); ok {
				if o, ok := st.Option(r.Option); ok {
					msg = o.Label
					break
				}
			}
		}
		v := ""
		if msg != "" {
			v = PlainLabel(d.Texts.T(d.Lang, msg, nil))
		}
		cache[k] = v
		return v
	}
}

// PlainLabel drops a button label's leading emoji and spaces: "🙂 Goed" → "Goed".
func PlainLabel(s string) string {
	return strings.TrimSpace(strings.TrimLeftFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}))
}

// ParseFilterDate reads a --from or --to date for an export.
func (d *Desk) ParseFilterDate(flag, s string) (time.Time, error) {
	t, ok := ParseDate(s, d.Zone)
	if !ok {
		return time.Time{}, fmt.Errorf("%s", d.T("cli.usage.date", "Flag", flag, "Value", strconv.Quote(s)))
	}
	return t, nil
}
