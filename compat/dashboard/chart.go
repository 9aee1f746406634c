package dashboard

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// The shard count chart's drawing area, in SVG user units: the plot and
// the margins around it for the axis labels.
const (
	chartWidth  = 960
	chartHeight = 200
	plotLeft    = 44
	plotRight   = chartWidth - 12
	plotTop     = 12
	plotBottom  = chartHeight - 28
	// minChartSpan is the least time the chart shows, so a single count
	// draws as a line rather than a point.
	minChartSpan = time.Minute
)

// chart is an open shard count history laid out for an SVG step chart.
type chart struct {
	Width, Height int
	// Left, Right, Top and Bottom bound the plot area.
	Left, Right, Top, Bottom int
	// Line is the step line's points attribute; Area is the same line
	// closed down to the time axis.
	Line, Area string
	// Changes marks each recorded count where it starts.
	Changes []mark
	YTicks  []tick
	// From and To label the ends of the time axis.
	From, To string
}

// mark is a point of the chart with what it shows.
type mark struct {
	X, Y  float64
	Title string
}

// tick is one labelled line across the plot at height Y.
type tick struct {
	Y     float64
	Label int
}

// shardChart lays out counts (oldest first, at least one; the last is now)
// as a step chart: each count holds until the next one. The line starts at
// the first count; before it, the dashboard had not seen the stream.
func shardChart(counts []ShardCount) chart {
	c := chart{Width: chartWidth, Height: chartHeight, Left: plotLeft, Right: plotRight, Top: plotTop, Bottom: plotBottom}
	end := counts[len(counts)-1].Time
	start := counts[0].Time
	if end.Sub(start) < minChartSpan {
		start = end.Add(-minChartSpan)
	}
	most := 0
	for _, p := range counts {
		most = max(most, p.OpenShards)
	}
	step, top := yScale(most)
	x := func(t time.Time) float64 {
		return plotLeft + float64(plotRight-plotLeft)*float64(t.Sub(start))/float64(end.Sub(start))
	}
	y := func(n int) float64 {
		return plotBottom - float64(plotBottom-plotTop)*float64(n)/float64(top)
	}
	for n := 0; n <= top; n += step {
		c.YTicks = append(c.YTicks, tick{Y: y(n), Label: n})
	}

	var line strings.Builder
	point := func(x, y float64) { fmt.Fprintf(&line, "%.1f,%.1f ", x, y) }
	for i, p := range counts {
		if i > 0 {
			point(x(p.Time), y(counts[i-1].OpenShards))
		}
		point(x(p.Time), y(p.OpenShards))
		if i < len(counts)-1 || i == 0 {
			c.Changes = append(c.Changes, mark{X: x(p.Time), Y: y(p.OpenShards), Title: fmt.Sprintf("%s UTC: %d open", clockTime(p.Time), p.OpenShards)})
		}
	}
	c.Line = strings.TrimSpace(line.String())
	c.Area = fmt.Sprintf("%.1f,%d %s %d,%d", x(counts[0].Time), plotBottom, c.Line, plotRight, plotBottom)
	c.From, c.To = clockTime(start), clockTime(end)
	return c
}

// yScale picks the step between labelled counts (at most five labels) and
// the count at the top of the plot, a multiple of the step at or above
// most.
func yScale(most int) (step, top int) {
	most = max(most, 1)
	step = int(math.Ceil(float64(most) / 4))
	return step, step * int(math.Ceil(float64(most)/float64(step)))
}

// clockTime formats t for the dashboard: time of day in UTC.
func clockTime(t time.Time) string {
	return t.UTC().Format("15:04:05")
}
