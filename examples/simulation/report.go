package main

import (
	_ "embed"
	"fmt"
	"html/template"
	"os"
	"strconv"

	"github.com/kdsgo/kds"
)

//go:embed report.html
var reportHTML string

// reportTemplate renders a reportPage.
var reportTemplate = template.Must(template.New("report").Parse(reportHTML))

// Colours of the report's lines.
const (
	onDemandColor    = "#1f77b4"
	provisionedColor = "#d95f02"
	offeredColor     = "#444444"
)

// reportPage is what report.html renders.
type reportPage struct {
	// Days is how many days were simulated.
	Days int
	// Scale is the simulation's scale, as in "10,000" for 1/10,000.
	Scale string
	// Region and AsOf say whose prices were used and when they were
	// recorded.
	Region, AsOf string
	// Summary says in a sentence how the two streams did.
	Summary string
	// Rows are the summary table's, one a stream.
	Rows []summaryRow
	// Charts follow the table.
	Charts []reportChart
}

// summaryRow is one stream's line in the summary table, formatted.
type summaryRow struct {
	// Stream names the stream; Shards is its fewest and most shards.
	Stream, Shards string
	// Offered, Accepted and Throttled count records; ThrottledShare is
	// Throttled as a percentage of Offered.
	Offered, Accepted, Throttled, ThrottledShare string
	// Cost is the stream's cost in dollars, in its own capacity mode.
	Cost string
}

// reportChart is a chart with its heading and a caption saying what it
// shows.
type reportChart struct {
	// Heading and Caption go above and below the chart.
	Heading, Caption string
	// SVG is the chart, rendered.
	SVG template.HTML
}

// writeReport writes res as a self-contained HTML report to path.
func writeReport(path string, res result) error {
	page, err := newReportPage(res)
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := reportTemplate.Execute(f, page); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// newReportPage lays res out as a summary and four charts.
func newReportPage(res result) (reportPage, error) {
	od, prov := res.total(onDemandMode), res.total(provisionedMode)
	page := reportPage{
		Days:   res.Days,
		Scale:  groupDigits(scale),
		Region: res.Prices.Region,
		AsOf:   res.Prices.AsOf.Format("2006-01-02"),
		Summary: fmt.Sprintf("Over %d days the on-demand stream throttled %s of its records and would have cost $%.2f; "+
			"the provisioned stream with %d shards throttled %s and would have cost $%.2f.",
			res.Days, share(od), od.Cost, prov.Shards, share(prov), prov.Cost),
	}
	for _, m := range modes {
		t := res.total(m)
		page.Rows = append(page.Rows, summaryRow{
			Stream:         m.String(),
			Shards:         shardRange(res, m),
			Offered:        groupDigits(t.Offered),
			Accepted:       groupDigits(t.Accepted),
			Throttled:      groupDigits(t.Throttled),
			ThrottledShare: share(t),
			Cost:           fmt.Sprintf("$%.2f", t.Cost),
		})
	}
	last := res.Hours[len(res.Hours)-1]
	charts := []struct {
		heading, caption string
		chart            lineChart
	}{{
		"Offered load and write capacity",
		fmt.Sprintf("Records per second offered in the busiest minute of each hour, against the least each stream's open shards took during the hour (%s records/s a shard). "+
			"Where the grey line rises above a stream's capacity, that stream throttles: minute by minute, the offered load was above the on-demand stream's capacity for %d minutes and above the provisioned stream's for %d.",
			groupDigits(int64(shardCapacity())), od.MinutesOver, prov.MinutesOver),
		lineChart{ID: "chart-load", Title: "Offered records per second and each stream's write capacity", YLabel: "records/s",
			Series: append([]series{{Name: "offered (busiest minute of the hour)", Color: offeredColor, Points: hourly(res, func(h hour) float64 { return h.PeakRate })}},
				perStream(res, " capacity", func(_ mode, s streamHour) float64 { return s.Capacity })...)},
	}, {
		"Shard count",
		fmt.Sprintf("Open shards at the end of each hour. The on-demand stream scales to twice its highest per-minute write rate of the last 30 days, and never below %d shards; "+
			"it ended with %d. The provisioned stream keeps the %d it was created with.", kds.OnDemandInitialShards, last.OnDemand.Shards, last.Provisioned.Shards),
		lineChart{ID: "chart-shards", Title: "Open shards of each stream", YLabel: "open shards", YMinStep: 1,
			Series: perStream(res, "", func(_ mode, s streamHour) float64 { return float64(s.Shards) })},
	}, {
		"Throttled records",
		fmt.Sprintf("Records each stream refused in each hour for exceeding its shards' write limits (the simulation does not retry them): %s on demand, %s provisioned in all.",
			groupDigits(od.Throttled), groupDigits(prov.Throttled)),
		lineChart{ID: "chart-throttled", Title: "Records throttled per hour by each stream", YLabel: "records/hour", YMinStep: 1,
			Series: perStream(res, "", func(_ mode, s streamHour) float64 { return float64(s.Throttled) })},
	}, {
		"Cumulative cost",
		fmt.Sprintf("What each stream would have cost so far at %s prices of %s: the on-demand stream billed on demand (stream-hours, and data ingested with each record rounded up to 1 KiB), "+
			"the provisioned stream billed provisioned (shard-hours and PUT payload units). The dashed line prices the on-demand stream's usage in provisioned mode instead (its shard-hours and PUT payload units): $%.2f in all.",
			page.Region, page.AsOf, last.OnDemand.Bill.Provisioned.Total),
		lineChart{ID: "chart-cost", Title: "Cumulative cost of each stream in US dollars", YLabel: "US dollars",
			Series: append(perStream(res, "", mode.cost),
				series{Name: "on-demand, priced as provisioned", Color: onDemandColor, Dashed: true,
					Points: hourly(res, func(h hour) float64 { return h.OnDemand.Bill.Provisioned.Total })})},
	}}
	for _, c := range charts {
		c.chart.XLabel, c.chart.Width, c.chart.Height = "time (days)", 880, 300
		svg, err := c.chart.SVG()
		if err != nil {
			return reportPage{}, err
		}
		page.Charts = append(page.Charts, reportChart{Heading: c.heading, Caption: c.caption, SVG: svg})
	}
	return page, nil
}

// hourly returns one point per hour of res: its end, in days, and f of it.
func hourly(res result, f func(hour) float64) []point {
	pts := make([]point, len(res.Hours))
	for i, h := range res.Hours {
		pts[i] = point{float64(h.Hour) / 24, f(h)}
	}
	return pts
}

// perStream returns a series for each stream, named after the stream
// followed by suffix, of f of its hours.
func perStream(res result, suffix string, f func(mode, streamHour) float64) []series {
	var out []series
	for _, m := range modes {
		color := onDemandColor
		if m == provisionedMode {
			color = provisionedColor
		}
		out = append(out, series{Name: m.String() + suffix, Color: color, Points: hourly(res, func(h hour) float64 { return f(m, m.of(h)) })})
	}
	return out
}

// shardRange returns the fewest and most shards the stream m had at the
// end of an hour, as "4" or "4–41".
func shardRange(res result, m mode) string {
	lo, hi := m.of(res.Hours[0]).Shards, 0
	for _, h := range res.Hours {
		lo, hi = min(lo, m.of(h).Shards), max(hi, m.of(h).Shards)
	}
	if lo == hi {
		return strconv.Itoa(lo)
	}
	return fmt.Sprintf("%d–%d", lo, hi)
}

// share returns the part of t's offered records that were throttled, as a
// percentage with two significant digits (all of them from 10% up).
func share(t totals) string {
	if t.Throttled == 0 {
		return "0%"
	}
	pct := 100 * float64(t.Throttled) / float64(t.Offered)
	switch {
	case pct < 0.001:
		return "<0.001%"
	case pct >= 10:
		return strconv.FormatFloat(pct, 'f', 0, 64) + "%"
	}
	return strconv.FormatFloat(pct, 'g', 2, 64) + "%"
}

// groupDigits writes n, a count, with commas between groups of three
// digits.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
