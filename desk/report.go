package desk

import (
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/severity"
	"github.com/lijntje/lijntje/store"
)

// Report measures of durations, converted from the store's minutes.
const (
	medianHours = "median hours to take-on"
	medianDays  = "median days to take-on"
	p90Hours    = "p90 hours to take-on"
	p90Days     = "p90 days to take-on"
)

// ReportFigures computes the report as of now (the store's clock, which is
// the demo's clock in the demo) with durations in hours and days.
func (d *Desk) ReportFigures(ctx context.Context) ([]store.Figure, error) {
	activity, _ := d.Flows.StepWithRole(flows.RoleActivity)
	figs, err := d.Store.Report(ctx, d.Store.Now(), d.Zone, activity.ID)
	if err != nil {
		return nil, err
	}
	out := figs[:0:0]
	for _, f := range figs {
		switch f.Measure {
		case "median minutes to take-on", "p90 minutes to take-on":
			h, dd := f, f
			h.Measure, dd.Measure = medianHours, medianDays
			if strings.HasPrefix(f.Measure, "p90") {
				h.Measure, dd.Measure = p90Hours, p90Days
			}
			h.Value = math.Round(f.Value/60*10) / 10
			dd.Value = math.Round(f.Value/60/24*10) / 10
			out = append(out, h, dd)
		default:
			f.Value = math.Round(f.Value*1e4) / 1e4 // what a spreadsheet shows the same as a CSV
			out = append(out, f)
		}
	}
	sortFigures(out)
	return out, nil
}

// Report writes the report as text, csv or xlsx.
func (d *Desk) Report(ctx context.Context, format string, w io.Writer, chart string) error {
	figs, err := d.ReportFigures(ctx)
	if err != nil {
		return err
	}
	if chart != "" {
		if err := d.DrawChart(figs, chart); err != nil {
			return fmt.Errorf("--chart: %w", err)
		}
	}
	switch format {
	case "csv":
		cw := NewCSV(w, d.Comma)
		_ = cw.Write(d.reportHeader())
		for _, f := range figs {
			_ = cw.Write([]string{d.byName(f.By), d.groupName(f), d.sectionName(f.Section), d.measureName(f.Measure), d.number(f.Value, !d.Comma)})
		}
		return cw.Flush()
	case "xlsx":
		x := excelize.NewFile()
		defer x.Close()
		sheet := d.T("cli.report.sheet")
		if err := x.SetSheetName("Sheet1", sheet); err != nil {
			return err
		}
		sw, err := x.NewStreamWriter(sheet)
		if err != nil {
			return err
		}
		if err := sw.SetPanes(frozenHeader); err != nil {
			return err
		}
		_ = sw.SetColWidth(2, 4, 28)
		if err := sw.SetRow("A1", strs(d.reportHeader())); err != nil {
			return err
		}
		for i, f := range figs {
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if err := sw.SetRow(cell, []any{d.byName(f.By), d.groupName(f), d.sectionName(f.Section), d.measureName(f.Measure), f.Value}); err != nil {
				return err
			}
		}
		last, _ := excelize.CoordinatesToCellName(5, max(len(figs)+1, 2))
		if err := sw.AddTable(&excelize.Table{Range: "A1:" + last, Name: "report"}); err != nil {
			return err
		}
		if err := sw.Flush(); err != nil {
			return err
		}
		_, err = x.WriteTo(w)
		return err
	}
	return d.writeText(w, figs)
}

func (d *Desk) reportHeader() []string {
	return []string{d.T("cli.report.by"), d.T("cli.report.group"), d.T("cli.report.section"), d.T("cli.report.measure"), d.T("cli.report.value")}
}

// key turns a store word into a text ID part: "where at 3 months" → "where_at_3_months".
func key(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, " ", "_"), "-", "_") }

func (d *Desk) byName(by string) string { return d.T("cli.by." + by) }

func (d *Desk) groupName(f store.Figure) string {
	switch {
	case f.By == "all":
		return d.T("cli.by.all")
	case f.Group == "unknown":
		return d.T("cli.group.unknown")
	case f.By == "cohort" && d.Lang != "en":
		if t, err := time.Parse("2006-01", f.Group); err == nil {
			return t.Format("01-2006")
		}
	}
	return f.Group
}

func (d *Desk) sectionName(s string) string {
	for _, m := range store.Milestones {
		if s == store.SectionWhere(m) {
			return d.T("cli.section.where", "Months", m)
		}
	}
	return d.T("cli.section." + key(s))
}

func (d *Desk) measureName(m string) string { return d.T("cli.measure." + key(m)) }

// number writes v with a decimal comma (Dutch) or point.
func (d *Desk) number(v float64, comma bool) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if comma {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

func (d *Desk) formatValue(f store.Figure) string {
	dutch := d.Lang != "en"
	switch f.Measure {
	case "response rate":
		return d.number(math.Round(1000*f.Value)/10, dutch) + "%"
	case medianHours, p90Hours:
		return d.T("cli.unit.hours", "N", d.number(f.Value, dutch))
	case medianDays, p90Days:
		return d.T("cli.unit.days", "N", d.number(f.Value, dutch))
	}
	return d.number(f.Value, dutch)
}

// whereColumns are the measures of where students are: the options of the
// flow's activity step, best first, then no answer and never joined.
func (d *Desk) whereColumns() []string {
	activity, _ := d.Flows.StepWithRole(flows.RoleActivity)
	var out []string
	for _, o := range activity.Options {
		out = append(out, o.ID)
	}
	return append(out, store.NoAnswer, store.NeverJoined)
}

// severityColumns are the severities, the highest first.
func severityColumns() []string {
	var out []string
	for _, l := range severity.All {
		out = append(out, l.String())
	}
	return out
}

// writeText prints one block a section, one row a group, one column a measure.
func (d *Desk) writeText(w io.Writer, figs []store.Figure) error {
	type grp struct{ by, group string }
	sections := []string{store.SectionStatus, store.SectionResponse}
	for _, m := range store.Milestones {
		sections = append(sections, store.SectionWhere(m))
	}
	sections = append(sections, store.SectionSignals, store.SectionAlerts, store.SectionContact)
	columns := map[string][]string{
		store.SectionStatus:   {store.StatusInvited, store.StatusActive, store.StatusPaused, store.StatusUnreachable, store.StatusStopped, store.StatusEnded},
		store.SectionResponse: {"sent", "completed", "response rate", "reminded"},
		store.SectionSignals:  severityColumns(),
		store.SectionAlerts:   {"count", medianHours, p90Hours, "never taken on"},
	}
	for _, m := range store.Milestones {
		columns[store.SectionWhere(m)] = d.whereColumns()
	}
	columns[store.SectionContact] = store.ContactMeasures
	fmt.Fprintln(w, d.T("cli.report.title", "Date", FormatDate(d.Store.Now().In(d.Zone))))
	for _, sec := range sections {
		var groups []grp
		vals := map[grp]map[string]store.Figure{}
		for _, f := range figs {
			if f.Section != sec {
				continue
			}
			k := grp{f.By, f.Group}
			if vals[k] == nil {
				vals[k] = map[string]store.Figure{}
				groups = append(groups, k)
			}
			vals[k][f.Measure] = f
		}
		fmt.Fprintf(w, "\n%s\n", d.sectionName(sec))
		if len(groups) == 0 {
			fmt.Fprintln(w, "  "+d.T("cli.report.none"))
			continue
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprint(tw, "\t\t")
		for _, c := range columns[sec] {
			name := d.measureName(c)
			switch c { // one column a duration: hours, or days from two days on
			case medianHours:
				name = d.T("cli.measure.median_to_take_on")
			case p90Hours:
				name = d.T("cli.measure.p90_to_take_on")
			}
			fmt.Fprintf(tw, "%s\t", name)
		}
		fmt.Fprintln(tw)
		for _, k := range groups {
			fmt.Fprintf(tw, "%s\t%s\t", d.byName(k.by), d.groupName(store.Figure{By: k.by, Group: k.group}))
			for _, c := range columns[sec] {
				v := "-"
				if f, ok := vals[k][c]; ok {
					v = d.formatValue(f)
					if days, ok := vals[k][dayMeasure[c]]; ok && f.Value >= 48 {
						v = d.formatValue(days)
					}
				} else if sec != store.SectionAlerts || c == "count" || c == "never taken on" {
					v = "0"
				}
				fmt.Fprintf(tw, "%s\t", v)
			}
			fmt.Fprintln(tw)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	fmt.Fprintln(w, "\n"+d.T("cli.report.note"))
	return nil
}

// dayMeasure is the days figure of an hours figure.
var dayMeasure = map[string]string{medianHours: medianDays, p90Hours: p90Days}

// byRank orders groups: all, cohorts, schools, coaches.
var byRank = map[string]int{"all": 0, "cohort": 1, "school": 2, "coach": 3}

// sortFigures orders figures by group, then section and measure.
func sortFigures(figs []store.Figure) {
	sort.SliceStable(figs, func(i, j int) bool {
		a, b := figs[i], figs[j]
		if byRank[a.By] != byRank[b.By] {
			return byRank[a.By] < byRank[b.By]
		}
		if a.Group != b.Group {
			return a.Group < b.Group
		}
		if a.Section != b.Section {
			return a.Section < b.Section
		}
		return a.Measure < b.Measure
	})
}
