package main

import (
	"slices"
	"strings"
	"testing"
)

func TestNiceTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi, minStep float64
		n               int
		want            []float64
	}{
		{0, 30, 0, 6, []float64{0, 5, 10, 15, 20, 25, 30}},
		{0, 2, 0, 6, []float64{0, 0.5, 1, 1.5, 2}},
		{0, 5100, 0, 5, []float64{0, 2000, 4000, 6000}},
		{0, 41, 0, 5, []float64{0, 10, 20, 30, 40, 50}},
		{0, 670.95, 0, 5, []float64{0, 200, 400, 600, 800}},
		{0, 25.6e6, 0, 5, []float64{0, 10e6, 20e6, 30e6}},
		{0, 0.3, 0, 3, []float64{0, 0.1, 0.2, 0.3}}, // no 0.30000000000000004
		{0, 0.037, 0, 4, []float64{0, 0.01, 0.02, 0.03, 0.04}},
		{-7, 7, 0, 5, []float64{-10, -5, 0, 5, 10}}, // rounded out on both sides
		{3, 97, 0, 5, []float64{0, 20, 40, 60, 80, 100}},
		{0, 0, 0, 5, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}}, // empty: widened to [0, 1]
		{0, 0, 1, 5, []float64{0, 1}},                     // counts: no fractional ticks
		{0, 3, 1, 5, []float64{0, 1, 2, 3}},
		{0, 11, 1, 5, []float64{0, 5, 10, 15}},
	} {
		got, step := niceTicks(tc.lo, tc.hi, tc.n, tc.minStep)
		if !slices.Equal(got, tc.want) {
			t.Errorf("niceTicks(%v, %v, %d, %v) = %v, want %v", tc.lo, tc.hi, tc.n, tc.minStep, got, tc.want)
			continue
		}
		if step != tc.want[1]-tc.want[0] {
			t.Errorf("niceTicks(%v, %v, %d, %v) step = %v, want %v", tc.lo, tc.hi, tc.n, tc.minStep, step, tc.want[1]-tc.want[0])
		}
	}
}

func TestTickLabel(t *testing.T) {
	for _, tc := range []struct {
		v, step float64
		want    string
	}{
		{0, 5, "0"},
		{25, 5, "25"},
		{1.5, 0.5, "1.5"},
		{1, 0.5, "1"},
		{0.03, 0.01, "0.03"},
		{6000, 2000, "6k"},
		{1500, 500, "1.5k"},
		{20e6, 10e6, "20M"},
		{2.5e6, 5e5, "2.5M"},
		{3e9, 1e9, "3G"},
		{-4, 4, "-4"},
	} {
		if got := tickLabel(tc.v, tc.step); got != tc.want {
			t.Errorf("tickLabel(%v, %v) = %q, want %q", tc.v, tc.step, got, tc.want)
		}
	}
}

// TestPolylineMapsDataToPixels checks that points land where the axes say:
// the plot area's corners for the corners of the data, and in proportion
// between them.
func TestPolylineMapsDataToPixels(t *testing.T) {
	c := lineChart{Width: 400, Height: 300, Series: []series{{Name: "s", Points: []point{{0, 0}, {10, 100}, {5, 50}, {2.5, 80}}}}}
	p := c.layout()
	// The x axis runs 0..10 (ticks of 2), the y axis 0..100 (ticks of
	// 20), over a plot area of x 72..376 and y 252 (bottom) .. 46 (top,
	// below a one-row legend).
	if p.Left != 72 || p.Right != 376 || p.Bottom != 252 || p.Top != 46 {
		t.Fatalf("plot area x %v..%v, y %v..%v; want x 72..376, y 46..252", p.Left, p.Right, p.Top, p.Bottom)
	}
	if want := "72,252 376,46 224,149 148,87.2"; p.Lines[0].Points != want {
		t.Errorf("points = %q, want %q", p.Lines[0].Points, want)
	}
	if first, last := p.XTicks[0], p.XTicks[len(p.XTicks)-1]; first != (tick{72, "0"}) || last != (tick{376, "10"}) {
		t.Errorf("x ticks run from %v to %v, want {72 0} to {376 10}", first, last)
	}
	if first, last := p.YTicks[0], p.YTicks[len(p.YTicks)-1]; first != (tick{252, "0"}) || last != (tick{46, "100"}) {
		t.Errorf("y ticks run from %v to %v, want {252 0} to {46 100}", first, last)
	}
}

// TestChartSVG checks that a rendered chart is well-formed XML with one
// polyline per series, the first drawn last (on top), its labels escaped.
func TestChartSVG(t *testing.T) {
	c := lineChart{ID: "c", Title: "a <title> & more", XLabel: "time (days)", YLabel: "records/s", Width: 600, Height: 240, Series: []series{
		{Name: "a & b", Color: "#123456", Points: []point{{0, 1}, {1, 2}}},
		{Name: "<c>", Color: "#654321", Dashed: true, Points: []point{{0, 3}, {1, 4}, {2, 5}}},
	}}
	svg, err := c.SVG()
	if err != nil {
		t.Fatal(err)
	}
	root := parseXML(t, string(svg))
	if root.name != "svg" || root.attr["id"] != "c" || root.attr["viewBox"] != "0 0 600 240" {
		t.Fatalf("root element %s %v, want an svg with id c and viewBox 0 0 600 240", root.name, root.attr)
	}
	lines := root.all("polyline")
	if len(lines) != 2 {
		t.Fatalf("%d polylines, want 2", len(lines))
	}
	for i, name := range []string{"<c>", "a & b"} {
		if got := lines[i].attr["data-series"]; got != name {
			t.Errorf("polyline %d is for %q, want %q", i, got, name)
		}
		if n := len(strings.Fields(lines[i].attr["points"])); n != len(c.Series[1-i].Points) {
			t.Errorf("polyline %d has %d points, want %d", i, n, len(c.Series[1-i].Points))
		}
	}
	if got := lines[0].attr["stroke-dasharray"]; got == "" {
		t.Error("the dashed series is drawn solid")
	}
	var texts []string
	for _, e := range root.all("text") {
		texts = append(texts, e.text)
	}
	for _, want := range []string{"a & b", "<c>", "time (days)", "records/s", "0", "2"} {
		if !slices.Contains(texts, want) {
			t.Errorf("no text %q in the chart; texts: %q", want, texts)
		}
	}
	if got := root.all("title")[0].text; got != c.Title {
		t.Errorf("title %q, want %q", got, c.Title)
	}
}
