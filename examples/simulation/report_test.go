package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestReport runs two simulated days with a provisioned stream too small
// for the afternoon peak, writing the CSV, and checks the report written
// next to it: well-formed, self-contained, four charts with a line per
// stream each, and a summary table that agrees with the CSV.
func TestReport(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "sim.csv")
	if err := run(options{days: 2, provisionedShards: 4, csvPath: csvPath}, io.Discard); err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, csvPath)
	if len(rows) != 48 {
		t.Fatalf("%d CSV rows, want 48 hours", len(rows))
	}
	page, err := os.ReadFile(filepath.Join(dir, "sim.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, outside := range []string{"<script", "<link", "<img", "src=", "href=", "@import", "url("} {
		if strings.Contains(string(page), outside) {
			t.Errorf("the report contains %q: it should need nothing but itself", outside)
		}
	}
	root := parseXML(t, string(page))

	charts := root.all("svg")
	wantLines := map[string]int{"chart-load": 3, "chart-shards": 2, "chart-throttled": 2, "chart-cost": 3}
	if len(charts) != len(wantLines) {
		t.Fatalf("%d charts, want %d", len(charts), len(wantLines))
	}
	for _, svg := range charts {
		id := svg.attr["id"]
		lines := svg.all("polyline")
		if len(lines) != wantLines[id] {
			t.Errorf("chart %q has %d lines, want %d", id, len(lines), wantLines[id])
		}
		var w, h float64
		fmt.Sscanf(svg.attr["viewBox"], "0 0 %g %g", &w, &h)
		for _, l := range lines {
			pts := pairs(t, l.attr["points"])
			if len(pts) != len(rows) {
				t.Errorf("chart %q, line %q: %d points, want one an hour, %d", id, l.attr["data-series"], len(pts), len(rows))
			}
			for _, p := range pts {
				if p.X < 0 || p.X > w || p.Y < 0 || p.Y > h {
					t.Errorf("chart %q, line %q: point %v outside the %gx%g chart", id, l.attr["data-series"], p, w, h)
					break
				}
			}
		}
		if len(svg.all("text")) < 10 {
			t.Errorf("chart %q has %d texts: too few for ticks, axis names and a legend", id, len(svg.all("text")))
		}
	}

	// The summary table against the CSV's totals.
	var throttledAny bool
	for _, m := range modes {
		col := strings.ReplaceAll(m.String(), "-", "_") + "_"
		var offered, throttled int64
		for _, r := range rows {
			offered += r.int(t, "offered_records")
			throttled += r.int(t, col+"throttled")
		}
		throttledAny = throttledAny || throttled > 0
		cost, _ := strconv.ParseFloat(rows[len(rows)-1][col+"cost_usd"], 64)
		cells := tableRow(t, root, m.String())
		for _, c := range []struct {
			name string
			got  string
			want string
		}{
			{"records offered", cells[2], groupDigits(offered)},
			{"accepted", cells[3], groupDigits(offered - throttled)},
			{"throttled", cells[4], groupDigits(throttled)},
			{"cost", cells[6], fmt.Sprintf("$%.2f", cost)},
		} {
			if c.got != c.want {
				t.Errorf("%s stream, %s: the table says %s, the CSV %s", m, c.name, c.got, c.want)
			}
		}
	}
	if !throttledAny {
		t.Error("no stream throttled: the test meant the provisioned stream to")
	}
}

// TestReportBesideCSV checks that the report takes the CSV's name with
// .html, and that a CSV named .html is refused rather than overwritten.
func TestReportBesideCSV(t *testing.T) {
	dir := t.TempDir()
	if err := run(options{days: 1, provisionedShards: 6, csvPath: filepath.Join(dir, "figures")}, io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "figures.html")); err != nil {
		t.Error(err)
	}
	if err := run(options{days: 1, provisionedShards: 6, csvPath: filepath.Join(dir, "figures.html")}, io.Discard); err == nil {
		t.Error("a CSV named .html was taken: the report would have overwritten it")
	}
}

// csvRow is a CSV row by column name.
type csvRow map[string]string

// int returns the column col of r as an integer.
func (r csvRow) int(t *testing.T, col string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(r[col], 10, 64)
	if err != nil {
		t.Fatalf("column %s: %v", col, err)
	}
	return n
}

// readCSV reads path's rows by the names in its header.
func readCSV(t *testing.T, path string) []csvRow {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var rows []csvRow
	for _, rec := range records[1:] {
		r := csvRow{}
		for i, name := range records[0] {
			r[name] = rec[i]
		}
		rows = append(rows, r)
	}
	return rows
}

// tableRow returns the cells of the summary table's row for stream.
func tableRow(t *testing.T, root *element, stream string) []string {
	t.Helper()
	for _, tr := range root.all("tr") {
		if tr.attr["data-stream"] == stream {
			var cells []string
			for _, c := range tr.children {
				cells = append(cells, c.text)
			}
			if len(cells) != 7 {
				t.Fatalf("the %s row has %d cells, want 7", stream, len(cells))
			}
			return cells
		}
	}
	t.Fatalf("no summary row for the %s stream", stream)
	return nil
}

// pairs parses an SVG points list.
func pairs(t *testing.T, points string) []point {
	t.Helper()
	var out []point
	for _, f := range strings.Fields(points) {
		x, y, ok := strings.Cut(f, ",")
		px, err1 := strconv.ParseFloat(x, 64)
		py, err2 := strconv.ParseFloat(y, 64)
		if !ok || err1 != nil || err2 != nil {
			t.Fatalf("bad point %q in %q", f, points)
		}
		out = append(out, point{px, py})
	}
	return out
}
