package kds

import (
	"math/rand/v2"
	"testing"
	"time"
)

// FuzzMetricLog adds samples at random minutes (mostly forward, sometimes
// back) to a small ring and checks it against a plain model: totals hold
// every sample, and each minute still in the ring holds exactly the
// samples added to it while it had its slot.
func FuzzMetricLog(f *testing.F) {
	f.Add(uint64(1), uint8(3))
	f.Add(uint64(42), uint8(1))
	f.Add(uint64(7), uint8(8))
	f.Fuzz(func(t *testing.T, seed uint64, window uint8) {
		w := int(window%8) + 1
		const width = 3
		l := newMetricLog(width, w)
		rng := rand.New(rand.NewPCG(seed, seed>>7))
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		type key struct {
			minute int64
			metric int
		}
		perMinute := map[key]tally{}
		totals := []tally{emptyTally, emptyTally, emptyTally}
		newest := int64(-1) // the latest minute written so far; the fuzzed minutes are from 2026 on
		minute := int64(0)
		for range 300 {
			switch r := rng.IntN(10); {
			case r < 2:
				minute += int64(rng.IntN(2 * w)) // forward, sometimes past the window
			case r == 2:
				minute = max(minute-int64(rng.IntN(w+2)), 0) // back
			}
			i, v := rng.IntN(width), rng.Int64N(1000)-500
			at := base.Add(time.Duration(minute)*time.Minute + time.Duration(rng.IntN(60))*time.Second)
			l.add(at, i, v)
			m := unixMinute(at)
			one := tally{count: 1, sum: v, min: v, max: v}
			totals[i] = totals[i].merge(one)
			if newest >= 0 && m <= newest-int64(w) {
				// Older than the ring's slot for it: the sample counts in
				// the totals only, unless that slot still holds its minute.
				if slot := l.ring[uint64(m)%uint64(w)].minute.Load(); slot != m {
					continue
				}
			}
			newest = max(newest, m)
			k := key{m, i}
			perMinute[k] = perMinute[k].merge(one)
		}
		gotTotals, minutes := l.read()
		for i := range width {
			if gotTotals[i] != totals[i] && !(gotTotals[i].count == 0 && totals[i].count == 0) {
				t.Fatalf("total %d = %+v, want %+v", i, gotTotals[i], totals[i])
			}
		}
		if len(minutes) > w {
			t.Fatalf("%d minutes in a ring of %d", len(minutes), w)
		}
		for j, p := range minutes {
			if j > 0 && p.minute <= minutes[j-1].minute {
				t.Fatalf("minutes out of order: %d after %d", p.minute, minutes[j-1].minute)
			}
			for i, got := range p.stats {
				want := perMinute[key{p.minute, i}]
				if got.count != want.count || got.count > 0 && got != want {
					t.Fatalf("minute %d metric %d = %+v, want %+v", p.minute, i, got, want)
				}
			}
		}
	})
}

func TestMetricLogReadersSeeWholeSamples(t *testing.T) {
	// Every add lands in a fresh minute, so it races the reader on a
	// stat that was just reset.
	l := newMetricLog(1, 4)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			l.add(base.Add(time.Duration(i)*time.Minute), 0, 5)
		}
	}()
	defer func() { close(stop); <-done }()
	for range 200000 {
		_, minutes := l.read()
		for _, p := range minutes {
			if s := p.stats[0]; s.count > 0 && (s.min != 5 || s.max != 5) {
				t.Fatalf("minute %d: %+v, want samples of 5", p.minute, s)
			}
		}
	}
}

func TestUnixMinute(t *testing.T) {
	for _, c := range []struct {
		t    time.Time
		want int64
	}{
		{time.Unix(0, 0), 0},
		{time.Unix(59, 999), 0},
		{time.Unix(60, 0), 1},
		{time.Unix(-1, 0), -1},
		{time.Unix(-60, 0), -1},
		{time.Unix(-61, 0), -2},
	} {
		if got := unixMinute(c.t); got != c.want {
			t.Errorf("unixMinute(%v) = %d, want %d", c.t.Unix(), got, c.want)
		}
	}
}
