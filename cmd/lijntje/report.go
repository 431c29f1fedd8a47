package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"image/color"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/xuri/excelize/v2"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/lijntje/lijntje/store"
)

func report(ctx context.Context, d *deps, args []string, w io.Writer) error {
	fs := newFlags("report")
	format := fs.String("format", "text", "text, csv or xlsx")
	chart := fs.String("chart", "", "also draw where students are at 3/6/12/24 months to this PNG file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *format != "text" && *format != "csv" && *format != "xlsx" {
		return fmt.Errorf("report: --format %q is not supported (text, csv, xlsx): %w", *format, errUsage)
	}
	figs, err := d.st.Report(ctx, d.st.Now())
	if err != nil {
		return err
	}
	for i := range figs { // four decimals: what a spreadsheet shows the same as a CSV
		figs[i].Value = math.Round(figs[i].Value*1e4) / 1e4
	}
	sortFigures(figs)
	if *chart != "" {
		if err := drawWhereChart(figs, *chart); err != nil {
			return fmt.Errorf("report: --chart: %w", err)
		}
	}
	switch *format {
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write(reportHeader)
		for _, f := range figs {
			_ = cw.Write(figureRecord(f))
		}
		cw.Flush()
		return cw.Error()
	case "xlsx":
		x := excelize.NewFile()
		defer x.Close()
		sw, err := x.NewStreamWriter("Sheet1")
		if err != nil {
			return err
		}
		_ = sw.SetRow("A1", []any{reportHeader[0], reportHeader[1], reportHeader[2], reportHeader[3], reportHeader[4]})
		for i, f := range figs {
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if err := sw.SetRow(cell, []any{f.By, f.Group, f.Section, f.Measure, f.Value}); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
		_, err = x.WriteTo(w)
		return err
	}
	if err := writeReportText(w, figs); err != nil {
		return err
	}
	return writeRelationReport(ctx, d, w) // referrals: relation.go
}

var reportHeader = []string{"by", "group", "section", "measure", "value"}

func formatValue(f store.Figure) string {
	if f.Measure == "response rate" {
		return strconv.FormatFloat(100*f.Value, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(f.Value, 'f', -1, 64)
}

func figureRecord(f store.Figure) []string {
	return []string{f.By, f.Group, f.Section, f.Measure, strconv.FormatFloat(f.Value, 'f', -1, 64)}
}

// writeReportText prints one block a section, one row a group, one column a measure.
func writeReportText(w io.Writer, figs []store.Figure) error {
	type key struct{ by, group string }
	sections := []string{store.SectionStatus, store.SectionResponse}
	for _, m := range store.Milestones {
		sections = append(sections, store.SectionWhere(m))
	}
	sections = append(sections, store.SectionSignals, store.SectionAlerts)
	columns := map[string][]string{
		store.SectionStatus:   {store.StatusInvited, store.StatusActive, store.StatusPaused, store.StatusUnreachable, store.StatusStopped, store.StatusEnded},
		store.SectionResponse: {"sent", "completed", "response rate", "reminded"},
		store.SectionSignals:  {"crisis", "urgent", "attention", "request"},
		store.SectionAlerts:   {"count", "median minutes to take-on", "p90 minutes to take-on", "never taken on"},
	}
	for _, m := range store.Milestones {
		columns[store.SectionWhere(m)] = store.Daytimes
	}
	for _, sec := range sections {
		var groups []key
		vals := map[key]map[string]store.Figure{}
		for _, f := range figs {
			if f.Section != sec {
				continue
			}
			k := key{f.By, f.Group}
			if vals[k] == nil {
				vals[k] = map[string]store.Figure{}
				groups = append(groups, k)
			}
			vals[k][f.Measure] = f
		}
		fmt.Fprintf(w, "\n%s\n", strings.ToUpper(sec[:1])+sec[1:])
		if len(groups) == 0 {
			fmt.Fprintln(w, "  (none yet)")
			continue
		}
		sortGroups(groups, func(k key) (string, string) { return k.by, k.group })
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprint(tw, "\t\t")
		for _, c := range columns[sec] {
			fmt.Fprintf(tw, "%s\t", c)
		}
		fmt.Fprintln(tw)
		for _, k := range groups {
			fmt.Fprintf(tw, "%s\t%s\t", k.by, k.group)
			for _, c := range columns[sec] {
				v := "-"
				if f, ok := vals[k][c]; ok {
					v = formatValue(f)
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
	return nil
}

// sortGroups orders all first, then cohorts, then coaches, each by name.
func sortGroups[T any](gs []T, key func(T) (string, string)) {
	rank := map[string]int{"all": 0, "cohort": 1, "coach": 2}
	less := func(a, b T) bool {
		ab, ag := key(a)
		bb, bg := key(b)
		if rank[ab] != rank[bb] {
			return rank[ab] < rank[bb]
		}
		return ag < bg
	}
	for i := 1; i < len(gs); i++ {
		for j := i; j > 0 && less(gs[j], gs[j-1]); j-- {
			gs[j], gs[j-1] = gs[j-1], gs[j]
		}
	}
}

// daytimeColors are the stacked bars' colors, one a daytime option.
var daytimeColors = map[string]color.Color{
	"work":       color.RGBA{0x1b, 0x9e, 0x77, 0xff},
	"school":     color.RGBA{0x37, 0x7e, 0xb8, 0xff},
	"internship": color.RGBA{0x80, 0xb1, 0xd3, 0xff},
	"looking":    color.RGBA{0xfd, 0xb4, 0x62, 0xff},
	"home":       color.RGBA{0xe4, 0x1a, 0x1c, 0xff},
	"unknown":    color.RGBA{0xbb, 0xbb, 0xbb, 0xff},
}

// drawWhereChart draws where all students are at 3/6/12/24 months as stacked bars.
func drawWhereChart(figs []store.Figure, path string) error {
	counts := map[string]map[string]float64{}
	for _, f := range figs {
		if f.By == "all" {
			if counts[f.Section] == nil {
				counts[f.Section] = map[string]float64{}
			}
			counts[f.Section][f.Measure] = f.Value
		}
	}
	p := plot.New()
	p.Title.Text = "Where students are after leaving school"
	p.Y.Label.Text = "students"
	p.X.Label.Text = "months after leaving school"
	labels := make([]string, len(store.Milestones))
	for i, m := range store.Milestones {
		labels[i] = strconv.Itoa(m)
	}
	width := vg.Points(40)
	var below *plotter.BarChart
	for _, d := range store.Daytimes {
		vals := make(plotter.Values, len(store.Milestones))
		for i, m := range store.Milestones {
			vals[i] = counts[store.SectionWhere(m)][d]
		}
		bars, err := plotter.NewBarChart(vals, width)
		if err != nil {
			return err
		}
		bars.Color = daytimeColors[d]
		bars.LineStyle.Width = 0
		if below != nil {
			bars.StackOn(below)
		}
		below = bars
		p.Add(bars)
		p.Legend.Add(d, bars)
	}
	p.Legend.Top = true
	p.Legend.Left = false
	p.NominalX(labels...)
	return p.Save(16*vg.Centimeter, 10*vg.Centimeter, path)
}

// sortFigures orders figures by group (all, cohorts, coaches), then section and measure.
func sortFigures(figs []store.Figure) {
	rank := map[string]int{"all": 0, "cohort": 1, "coach": 2}
	sort.SliceStable(figs, func(i, j int) bool {
		a, b := figs[i], figs[j]
		if rank[a.By] != rank[b.By] {
			return rank[a.By] < rank[b.By]
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
