package desk

import (
	"image/color"
	"io"
	"math"
	"os"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/lijntje/lijntje/store"
)

// activityColors are the stacked bars' colors for the activity step's
// options, best first (green for the best, red for the last); more options
// than colors start over.
var activityColors = []color.Color{
	color.RGBA{0x1b, 0x9e, 0x77, 0xff},
	color.RGBA{0x37, 0x7e, 0xb8, 0xff},
	color.RGBA{0x80, 0xb1, 0xd3, 0xff},
	color.RGBA{0xfd, 0xb4, 0x62, 0xff},
	color.RGBA{0xe4, 0x1a, 0x1c, 0xff},
}

// otherColors are the colors of the measures besides the options.
var otherColors = map[string]color.Color{
	store.NoAnswer:    color.RGBA{0xbb, 0xbb, 0xbb, 0xff},
	store.NeverJoined: color.RGBA{0x66, 0x66, 0x66, 0xff},
}

// DrawChart draws where all students are at 3/6/12/24 months as stacked
// bars to a PNG file; without any student at a milestone yet, a chart that
// says so.
func (d *Desk) DrawChart(figs []store.Figure, path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if err := d.Chart(figs, f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Chart draws the chart of DrawChart as a PNG to w.
func (d *Desk) Chart(figs []store.Figure, w io.Writer) error {
	counts := map[string]map[string]float64{}
	total := 0.0
	for _, f := range figs {
		if f.By == "all" {
			if counts[f.Section] == nil {
				counts[f.Section] = map[string]float64{}
			}
			counts[f.Section][f.Measure] = f.Value
			for _, m := range store.Milestones {
				if f.Section == store.SectionWhere(m) {
					total += f.Value
				}
			}
		}
	}
	p := plot.New()
	p.Title.Text = d.T("cli.chart.title")
	p.Y.Label.Text = d.T("cli.chart.y")
	p.X.Label.Text = d.T("cli.chart.x")
	labels := make([]string, len(store.Milestones))
	for i, m := range store.Milestones {
		labels[i] = strconv.Itoa(m)
	}
	p.NominalX(labels...)
	if total == 0 {
		p.Y.Min, p.Y.Max = 0, 1
		p.Y.Tick.Marker = plot.ConstantTicks(nil)
		p.X.Min, p.X.Max = -0.5, float64(len(store.Milestones))-0.5
		l, err := plotter.NewLabels(plotter.XYLabels{XYs: []plotter.XY{{X: float64(len(store.Milestones)-1) / 2, Y: 0.5}},
			Labels: []string{d.T("cli.chart.empty")}})
		if err != nil {
			return err
		}
		l.TextStyle[0].XAlign = draw.XCenter
		l.TextStyle[0].Font.Size = vg.Points(14)
		p.Add(l)
		return savePNG(p, w)
	}
	top := 0.0 // room above the highest bar for the legend
	for _, m := range store.Milestones {
		sum := 0.0
		for _, v := range counts[store.SectionWhere(m)] {
			sum += v
		}
		top = max(top, sum)
	}
	p.Y.Min, p.Y.Max = 0, roundUp(top*1.45)
	width := vg.Points(40)
	var below *plotter.BarChart
	for n, dt := range d.whereColumns() {
		vals := make(plotter.Values, len(store.Milestones))
		for i, m := range store.Milestones {
			vals[i] = counts[store.SectionWhere(m)][dt]
		}
		bars, err := plotter.NewBarChart(vals, width)
		if err != nil {
			return err
		}
		bars.Color = otherColors[dt]
		if bars.Color == nil {
			bars.Color = activityColors[n%len(activityColors)]
		}
		bars.LineStyle.Width = 0
		if below != nil {
			bars.StackOn(below)
		}
		below = bars
		p.Add(bars)
		p.Legend.Add(d.measureName(dt), bars)
	}
	p.Legend.Top = true
	p.Legend.Left = false
	return savePNG(p, w)
}

func savePNG(p *plot.Plot, w io.Writer) error {
	wt, err := p.WriterTo(16*vg.Centimeter, 10*vg.Centimeter, "png")
	if err != nil {
		return err
	}
	_, err = wt.WriteTo(w)
	return err
}

// roundUp rounds v up to a round number (1, 1.5, 2, 2.5, ... times a power of ten), so the axis ticks are whole.
func roundUp(v float64) float64 {
	if v <= 0 {
		return 1
	}
	step := math.Pow(10, math.Floor(math.Log10(v)))
	return math.Ceil(v/step*2) / 2 * step
}
