package main

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/kdsgo/kds/analytics"
)

// summary is what the checks found, for the closing report.
type summary struct {
	trucks, minutes, fixes int
	took                   time.Duration

	flagged, invocations int
	worstTruck           string
	worstCount           int

	objects    int
	objectSize int64
	hours      []string

	truckMinutes int
	km           float64
	busiest      analytics.Output[float64]
}

// checkAlerts checks that the trigger flagged each speeding fix once and
// nothing else.
func checkAlerts(fl *fleet, a *speedingAlerts, s *summary) error {
	perTruck := map[string]int{}
	for id, n := range a.flagged {
		if !fl.speeding[id] {
			return fmt.Errorf("speeding: %s fix %d flagged but was not speeding", id.truck, id.n)
		}
		if n != 1 {
			return fmt.Errorf("speeding: %s fix %d flagged %d times", id.truck, id.n, n)
		}
		perTruck[id.truck]++
	}
	if len(a.flagged) != len(fl.speeding) {
		return fmt.Errorf("speeding: %d fixes flagged, want %d", len(a.flagged), len(fl.speeding))
	}
	s.flagged, s.invocations = len(a.flagged), a.invocations
	for truck, n := range perTruck {
		if n > s.worstCount || n == s.worstCount && truck < s.worstTruck {
			s.worstTruck, s.worstCount = truck, n
		}
	}
	return nil
}

// checkArchive reads every object the delivery stream wrote under dir and
// checks that it holds each fix once, in an hourly folder that matches
// the fixes' time.
func checkArchive(fl *fleet, dir string, s *summary) error {
	seen := map[fixID]int{}
	hours := map[string]bool{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		folder, name := filepath.Split(rel)
		hour, err := time.Parse("2006/01/02/15/", filepath.ToSlash(folder))
		if err != nil || !strings.HasPrefix(name, "fixes-archive-1-") || !strings.HasSuffix(name, ".gz") {
			return fmt.Errorf("archive: unexpected object %s", rel)
		}
		hours[filepath.ToSlash(folder)] = true
		info, err := d.Info()
		if err != nil {
			return err
		}
		s.objects++
		s.objectSize += info.Size()
		return readObject(path, func(f fix) error {
			// An object is filed under the hour of its oldest record; a
			// minute's buffer may run into the next hour.
			if f.Time.Before(hour.Add(-time.Minute)) || !f.Time.Before(hour.Add(time.Hour+2*time.Minute)) {
				return fmt.Errorf("archive: %s holds a fix of %s", rel, f.Time.Format(time.TimeOnly))
			}
			seen[fixID{f.Truck, f.N}]++
			return nil
		})
	})
	if err != nil {
		return err
	}
	for id, n := range seen {
		if n != 1 {
			return fmt.Errorf("archive: %s fix %d archived %d times", id.truck, id.n, n)
		}
	}
	if len(seen) != fl.fixes {
		return fmt.Errorf("archive: %d fixes archived, want %d", len(seen), fl.fixes)
	}
	for h := range hours {
		s.hours = append(s.hours, strings.TrimSuffix(h, "/"))
	}
	slices.Sort(s.hours)
	return nil
}

// readObject calls each with every fix of a gzip'd, newline-delimited
// object.
func readObject(path string, each func(fix) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("archive: %s: %w", path, err)
	}
	lines := bufio.NewScanner(zr)
	for lines.Scan() {
		var fx fix
		if err := json.Unmarshal(lines.Bytes(), &fx); err != nil {
			return fmt.Errorf("archive: %s: %w", path, err)
		}
		if err := each(fx); err != nil {
			return err
		}
	}
	if err := lines.Err(); err != nil && err != io.EOF {
		return err
	}
	return nil
}

// checkDistances checks that the windows found, for every truck and
// minute, the distance the trucks drove then, once, and no late records.
func checkDistances(fl *fleet, d *minuteDistances, st analytics.Stats, s *summary) error {
	if st.Late > 0 || st.Failed > 0 || st.Updates > 0 {
		return fmt.Errorf("distance: %d late, %d failed records, %d updated results; want none", st.Late, st.Failed, st.Updates)
	}
	got := map[string]map[time.Time]float64{}
	for _, o := range d.results {
		if o.Window.End.Sub(o.Window.Start) != time.Minute {
			return fmt.Errorf("distance: window %v is not a minute", o.Window)
		}
		if got[o.Key] == nil {
			got[o.Key] = map[time.Time]float64{}
		}
		if _, dup := got[o.Key][o.Window.Start]; dup {
			return fmt.Errorf("distance: %s at %s reported twice", o.Key, o.Window.Start.Format(time.TimeOnly))
		}
		got[o.Key][o.Window.Start] = o.Result
		s.km += o.Result / 1000
		if o.Result > s.busiest.Result {
			s.busiest = o
		}
	}
	for truck, minutes := range fl.distance {
		for m, want := range minutes {
			if g, ok := got[truck][m]; !ok || math.Abs(g-want) > 1e-6 {
				return fmt.Errorf("distance: %s at %s: %.3f m, want %.3f m", truck, m.Format(time.TimeOnly), g, want)
			}
			s.truckMinutes++
		}
	}
	if len(d.results) != s.truckMinutes {
		return fmt.Errorf("distance: %d results, want %d", len(d.results), s.truckMinutes)
	}
	return nil
}

// print writes the summary.
func (s *summary) print(w io.Writer) {
	end := start.Add(time.Duration(s.minutes) * time.Minute)
	fmt.Fprintf(w, "pipeline: %d trucks sent %d GPS fixes over %d simulated minutes (%s to %s UTC), run in %.1fs\n",
		s.trucks, s.fixes, s.minutes, start.Format("15:04"), end.Format("15:04"), s.took.Seconds())
	fmt.Fprintf(w, "  trigger \"speeding\":        %d fixes over %d km/h flagged in %d invocations (most: %s, %d)\n",
		s.flagged, speedLimit, s.invocations, s.worstTruck, s.worstCount)
	fmt.Fprintf(w, "  delivery \"fixes-archive\":  %d fixes in %d gzip'd objects (%.1f KiB) under %s\n",
		s.fixes, s.objects, float64(s.objectSize)/1024, strings.Join(s.hours, ", "))
	fmt.Fprintf(w, "  analytics \"distance\":      %d truck-minutes, %.1f km in all (most in a minute: %s, %.2f km at %s)\n",
		s.truckMinutes, s.km, s.busiest.Key, s.busiest.Result/1000, s.busiest.Window.Start.Format("15:04"))
	fmt.Fprintln(w, "verified: every fix archived once, every speeding fix flagged once, every truck-minute's distance exact")
}
