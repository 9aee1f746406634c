package main

import (
	_ "embed"
	"html/template"
	"math"
	"slices"
	"strconv"
	"strings"
)

// point is one data point of a series, in data units.
type point struct{ X, Y float64 }

// series is one line of a chart.
type series struct {
	// Name labels the line in the legend.
	Name string
	// Color is an SVG colour, such as "#1f77b4".
	Color string
	// Dashed draws the line dashed.
	Dashed bool
	// Points are the line's points, in order of X.
	Points []point
}

// lineChart draws series as lines over linear axes, as SVG. Both axes
// span zero and every point, rounded out to the nearest "nice" ticks.
type lineChart struct {
	// ID is the svg element's id.
	ID string
	// Title describes the chart to screen readers.
	Title string
	// XLabel and YLabel name each axis and its unit.
	XLabel, YLabel string
	// YMinStep is the least step between y ticks: 1 keeps counts from
	// getting fractional ticks. Zero sets no least step.
	YMinStep float64
	// Width and Height are the chart's size in pixels.
	Width, Height float64
	// Series are the lines, drawn in order.
	Series []series
}

// Space around the plot area, in pixels, for tick labels and axis names,
// and the legend's geometry.
const (
	marginLeft    = 72
	marginRight   = 24
	marginBottom  = 48
	marginTop     = 16 // above the legend
	legendRow     = 22
	legendSwatch  = 24  // width of a legend entry's line sample
	legendGap     = 28  // between legend entries
	legendCharPx  = 7.2 // average width of a legend character
	xTicksWanted  = 6
	yTicksWanted  = 5
	pixelDecimals = 1
)

//go:embed chart.svg
var chartSVG string

// chartTemplate renders a plot; html/template escapes every label.
var chartTemplate = template.Must(template.New("chart").Parse(chartSVG))

// plot is a lineChart laid out in pixels, what chart.svg renders.
type plot struct {
	// ID, Title, XLabel, YLabel, Width and Height are the chart's.
	ID, Title, XLabel, YLabel string
	Width, Height             float64
	// Left, Right, Top and Bottom are the plot area's edges, MidX and
	// MidY its middle.
	Left, Right, Top, Bottom, MidX, MidY float64
	// XTicks and YTicks are the axes' ticks, lowest value first.
	XTicks, YTicks []tick
	// Lines are the series in drawing order, the chart's last series
	// first, so that the first, which the legend lists first, is on top.
	Lines []line
	// Legend names the series, in the same order.
	Legend []legendEntry
}

// tick is an axis tick: its pixel position along the axis and its label.
type tick struct {
	Pos   float64
	Label string
}

// line is a series in pixels: its points as an SVG points list.
type line struct {
	// Name, Color and Dashed are the series'.
	Name, Color string
	Dashed      bool
	// Points lists the points as "x,y x,y ...".
	Points string
}

// legendEntry is a series' place in the legend: its sample line starts at
// (X, Y), the middle of its row.
type legendEntry struct {
	// Name, Color and Dashed are the series'.
	Name, Color string
	Dashed      bool
	// X and Y place the entry.
	X, Y float64
}

// linear maps the data interval [lo, hi] onto the pixel interval
// [from, to]; from may be greater than to, as on a y axis.
type linear struct{ lo, hi, from, to float64 }

// px returns the pixel position of v, rounded to pixelDecimals.
func (s linear) px(v float64) float64 {
	p := s.from + (v-s.lo)/(s.hi-s.lo)*(s.to-s.from)
	return roundTo(p, pixelDecimals)
}

// roundTo rounds v to d decimals.
func roundTo(v float64, d int) float64 {
	f := math.Pow(10, float64(d))
	return math.Round(v*f) / f
}

// SVG renders the chart as an svg element.
func (c lineChart) SVG() (template.HTML, error) {
	var b strings.Builder
	if err := chartTemplate.Execute(&b, c.layout()); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil
}

// layout places the legend, axes, ticks and lines in pixels.
func (c lineChart) layout() plot {
	p := plot{ID: c.ID, Title: c.Title, XLabel: c.XLabel, YLabel: c.YLabel, Width: c.Width, Height: c.Height}
	p.Left, p.Right, p.Bottom = marginLeft, c.Width-marginRight, c.Height-marginBottom
	p.Legend, p.Top = c.legend(p.Left, p.Right)
	p.MidX, p.MidY = (p.Left+p.Right)/2, (p.Top+p.Bottom)/2

	var xmin, xmax, ymin, ymax float64 // zero is always in range
	for _, s := range c.Series {
		for _, pt := range s.Points {
			xmin, xmax = min(xmin, pt.X), max(xmax, pt.X)
			ymin, ymax = min(ymin, pt.Y), max(ymax, pt.Y)
		}
	}
	xt, xstep := niceTicks(xmin, xmax, xTicksWanted, 0)
	yt, ystep := niceTicks(ymin, ymax, yTicksWanted, c.YMinStep)
	x := linear{xt[0], xt[len(xt)-1], p.Left, p.Right}
	y := linear{yt[0], yt[len(yt)-1], p.Bottom, p.Top}
	for _, v := range xt {
		p.XTicks = append(p.XTicks, tick{x.px(v), tickLabel(v, xstep)})
	}
	for _, v := range yt {
		p.YTicks = append(p.YTicks, tick{y.px(v), tickLabel(v, ystep)})
	}
	for _, s := range slices.Backward(c.Series) {
		p.Lines = append(p.Lines, line{Name: s.Name, Color: s.Color, Dashed: s.Dashed, Points: polyline(s.Points, x, y)})
	}
	return p
}

// legend lays the series' names out in rows above the plot area, between
// left and right, and returns them with the plot area's top edge.
func (c lineChart) legend(left, right float64) ([]legendEntry, float64) {
	var entries []legendEntry
	x, y := left, marginTop+legendRow/2.0
	for _, s := range c.Series {
		w := legendSwatch + 6 + legendCharPx*float64(len(s.Name))
		if x > left && x+w > right {
			x, y = left, y+legendRow
		}
		entries = append(entries, legendEntry{Name: s.Name, Color: s.Color, Dashed: s.Dashed, X: x, Y: y})
		x += w + legendGap
	}
	return entries, y + legendRow/2.0 + marginTop/2.0
}

// polyline returns points as an SVG points list, "x,y x,y ...", in pixels.
func polyline(points []point, x, y linear) string {
	var b strings.Builder
	for i, pt := range points {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.FormatFloat(x.px(pt.X), 'f', -1, 64))
		b.WriteByte(',')
		b.WriteString(strconv.FormatFloat(y.px(pt.Y), 'f', -1, 64))
	}
	return b.String()
}

// niceTicks returns about n evenly spaced ticks, steps of 1, 2 or 5 times
// a power of ten and at least minStep, from the last one at or below lo
// to the first one at or above hi, and the step between them. An empty
// range is widened to [lo, lo+1].
func niceTicks(lo, hi float64, n int, minStep float64) ([]float64, float64) {
	if hi <= lo {
		hi = lo + 1
	}
	raw := max((hi-lo)/float64(n), minStep)
	exp := math.Floor(math.Log10(raw))
	mag := math.Pow(10, exp)
	mult := 10.0
	for _, m := range []float64{1, 2, 5} {
		if raw <= m*mag*(1+1e-9) {
			mult = m
			break
		}
	}
	// A tick is i·mult·10^exp; dividing by 10^-exp, an exact integer,
	// rather than multiplying by a fraction keeps 0.3 from coming out as
	// 0.30000000000000004.
	at := func(i float64) float64 {
		if exp < 0 {
			return i * mult / math.Pow(10, -exp)
		}
		return i * mult * mag
	}
	step := at(1)
	first := math.Floor(lo/step + 1e-9)
	last := math.Ceil(hi/step - 1e-9)
	ticks := make([]float64, 0, int(last-first)+1)
	for i := first; i <= last; i++ {
		ticks = append(ticks, at(i))
	}
	return ticks, step
}

// tickLabel writes v, a multiple of step, briefly: thousands, millions and
// billions as k, M and G, with as many decimals as step calls for.
func tickLabel(v, step float64) string {
	if v == 0 {
		return "0"
	}
	unit, suffix := 1.0, ""
	switch a := math.Abs(v); {
	case a >= 1e9:
		unit, suffix = 1e9, "G"
	case a >= 1e6:
		unit, suffix = 1e6, "M"
	case a >= 1e3:
		unit, suffix = 1e3, "k"
	}
	decimals := max(0, int(math.Ceil(-math.Log10(step/unit)-1e-9)))
	s := strconv.FormatFloat(v/unit, 'f', decimals, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s + suffix
}
