package bot

import (
	"bytes"
	"fmt"
	"image/color"
	"slices"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/store"
)

// ChartLabels are the (localized) texts on a chart.
type ChartLabels struct {
	Title, Mood, Activity string
	Activities            map[string]string // option ID → label
}

// ChartSteps are the steps a chart reads: the flow's flows.RoleMood and
// flows.RoleActivity steps.
type ChartSteps struct {
	Mood, Activity flows.Step
}

// Chart draws a student's mood (1..n) and what they do during the day over
// time, as a PNG: two panels sharing the time axis, dated in zone. The
// activity's options go bottom up from the last, so the best is on top.
func Chart(rows []store.ExportRow, steps ChartSteps, l ChartLabels, zone *time.Location) ([]byte, error) {
	var order []string // the activity's options, bottom up
	for _, o := range slices.Backward(steps.Activity.Options) {
		order = append(order, o.ID)
	}
	moods := max(len(steps.Mood.Options), 1)
	var mood, day plotter.XYs
	for _, r := range rows {
		x := float64(r.AnsweredAt.Unix())
		switch {
		case r.Step == steps.Mood.ID:
			if v, err := strconv.Atoi(r.Option); err == nil {
				mood = append(mood, plotter.XY{X: x, Y: float64(v)})
			}
		case r.Step == steps.Activity.ID:
			if i := slices.Index(order, r.Option); i >= 0 {
				day = append(day, plotter.XY{X: x, Y: float64(i)})
			}
		}
	}
	ticks := timeTicks{zone}
	top := plot.New()
	top.Title.Text = l.Title
	top.Y.Label.Text = l.Mood
	top.Y.Min, top.Y.Max = 0.5, float64(moods)+0.5
	top.Y.Tick.Marker = plot.ConstantTicks(intTicks(1, moods))
	top.X.Tick.Marker = ticks
	top.Add(plotter.NewGrid())
	if len(mood) > 0 {
		line, points, err := plotter.NewLinePoints(mood)
		if err != nil {
			return nil, fmt.Errorf("chart: %w", err)
		}
		line.Color = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}
		line.Width = vg.Points(2)
		points.Shape = draw.CircleGlyph{}
		points.Color = line.Color
		points.Radius = vg.Points(3.5)
		top.Add(line, points)
	}
	bottom := plot.New()
	bottom.Y.Label.Text = l.Activity
	bottom.Y.Min, bottom.Y.Max = -0.5, float64(max(len(order), 1))-0.5
	var dticks []plot.Tick
	for i, o := range order {
		label := o
		if t, ok := l.Activities[o]; ok {
			label = t
		}
		dticks = append(dticks, plot.Tick{Value: float64(i), Label: label})
	}
	bottom.Y.Tick.Marker = plot.ConstantTicks(dticks)
	bottom.X.Tick.Marker = ticks
	bottom.Add(plotter.NewGrid())
	if len(day) > 0 {
		sc, err := plotter.NewScatter(day)
		if err != nil {
			return nil, fmt.Errorf("chart: %w", err)
		}
		sc.Shape = draw.BoxGlyph{}
		sc.Color = color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}
		sc.Radius = vg.Points(4)
		bottom.Add(sc)
	}
	// Both panels span the same time.
	if len(mood)+len(day) > 0 {
		lo, hi := rows[0].AnsweredAt, rows[len(rows)-1].AnsweredAt
		pad := hi.Sub(lo) / 20
		if pad < 12*time.Hour {
			pad = 12 * time.Hour
		}
		for _, p := range []*plot.Plot{top, bottom} {
			p.X.Min, p.X.Max = float64(lo.Add(-pad).Unix()), float64(hi.Add(pad).Unix())
		}
	}

	const w, h = 20 * vg.Centimeter, 14 * vg.Centimeter
	img := vgimg.New(w, h)
	dc := draw.New(img)
	// The mood panel gets twice the height of the activity panel.
	topArea := draw.Crop(dc, 0, 0, h/3, 0)
	bottomArea := draw.Crop(dc, 0, 0, 0, -2*h/3)
	top.Draw(topArea)
	bottom.Draw(bottomArea)
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart png: %w", err)
	}
	return buf.Bytes(), nil
}

func intTicks(from, to int) []plot.Tick {
	var out []plot.Tick
	for i := from; i <= to; i++ {
		out = append(out, plot.Tick{Value: float64(i), Label: strconv.Itoa(i)})
	}
	return out
}

// timeTicks labels a Unix-seconds axis with dates in a zone.
type timeTicks struct{ zone *time.Location }

func (tt timeTicks) Ticks(min, max float64) []plot.Tick {
	span := time.Duration(max-min) * time.Second
	step := 24 * time.Hour
	for _, s := range []time.Duration{7 * 24 * time.Hour, 14 * 24 * time.Hour, 28 * 24 * time.Hour, 91 * 24 * time.Hour} {
		if span/step <= 8 {
			break
		}
		step = s
	}
	start := time.Unix(int64(min), 0).In(tt.zone)
	day := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, tt.zone)
	var out []plot.Tick
	for t := day; float64(t.Unix()) <= max; t = t.Add(step) {
		if float64(t.Unix()) >= min {
			out = append(out, plot.Tick{Value: float64(t.Unix()), Label: t.Format("02-01")})
		}
	}
	return out
}
