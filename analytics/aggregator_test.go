package analytics

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/kdsgo/kds"
)

// number reads a record's data as a decimal number.
func number(r kds.Record) (float64, error) {
	return strconv.ParseFloat(string(r.Data), 64)
}

// numbered returns a record of key a at t with data v.
func numbered(v string, t time.Time) kds.Record {
	r := rec("a", t)
	r.Data = []byte(v)
	return r
}

// runAgg adds records with the given values at t0+10s (tumbling) and at
// two sessions bridged by the last one (session), and returns the single
// result.
func runAgg[A, R any](t *testing.T, agg Aggregator[A, R], windowing Windowing, times []string, values []string) []string {
	t.Helper()
	w, c := newWindows(t, agg, windowing, kds.NewManualClock(t0), WithOutOfOrderness(time.Hour))
	for i, v := range values {
		w.Add(context.Background(), numbered(v, at(times[i])))
	}
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(c.errs) > 0 {
		t.Fatalf("errors: %v", c.errs)
	}
	return c.lines()
}

func TestAggregators(t *testing.T) {
	values := []string{"3", "-1.5", "10", "2"}
	tumbling := []string{"1s", "2s", "3s", "4s"}
	// Two sessions, [0s, 10s) and [30s, 40s), joined by the last record.
	session := []string{"0s", "35s", "30s", "15s"}
	for _, tc := range []struct {
		name         string
		run          func(Windowing, []string) []string
		tumble, sess string
	}{
		{"Count", func(w Windowing, ts []string) []string { return runAgg(t, Count(), w, ts, values) }, "4", "4"},
		{"Sum", func(w Windowing, ts []string) []string { return runAgg(t, Sum(number), w, ts, values) }, "13.5", "13.5"},
		{"Min", func(w Windowing, ts []string) []string { return runAgg(t, Min(number), w, ts, values) }, "-1.5", "-1.5"},
		{"Max", func(w Windowing, ts []string) []string { return runAgg(t, Max(number), w, ts, values) }, "10", "10"},
		{"Avg", func(w Windowing, ts []string) []string { return runAgg(t, Avg(number), w, ts, values) }, "3.375", "3.375"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, want := tc.run(Tumbling(time.Minute), tumbling), []string{"a 0s-1m0s " + tc.tumble}; !slices.Equal(got, want) {
				t.Errorf("tumbling: %v, want %v", got, want)
			}
			if got, want := tc.run(Session(15*time.Second), session), []string{"a 0s-50s " + tc.sess}; !slices.Equal(got, want) {
				t.Errorf("session: %v, want %v", got, want)
			}
		})
	}
}

// TestValueErrors: a value that cannot be read leaves the aggregate as it
// was.
func TestValueErrors(t *testing.T) {
	errBad := errors.New("bad")
	bad := func(kds.Record) (float64, error) { return 0, errBad }
	for name, agg := range map[string]Aggregator[float64, float64]{"Sum": Sum(bad), "Min": Min(bad), "Max": Max(bad)} {
		acc := agg.Zero()
		if got, err := agg.Add(acc, rec("a", t0)); !errors.Is(err, errBad) || got != acc {
			t.Errorf("%s: Add = %v, %v", name, got, err)
		}
	}
	if m, err := Avg(bad).Add(Mean{Sum: 1, Count: 1}, rec("a", t0)); !errors.Is(err, errBad) || m != (Mean{Sum: 1, Count: 1}) {
		t.Errorf("Avg: Add = %v, %v", m, err)
	}
}

// TestTumblingMatchesGroupBy: for random in-order input, the tumbling
// window counts equal a group-by of the records on key and window start.
func TestTumblingMatchesGroupBy(t *testing.T) {
	for seed := range uint64(50) {
		rnd := rand.New(rand.NewPCG(seed, 9))
		size := time.Duration(1+rnd.IntN(120)) * time.Second
		keys := 1 + rnd.IntN(6)
		clock := kds.NewManualClock(t0)
		opts := []Option{WithIdleTimeout(time.Duration(rnd.IntN(3)) * time.Minute)}
		w, c := newWindows(t, Count(), Tumbling(size), clock, opts...)
		want := map[string]int64{}
		now := t0.Add(-time.Duration(rnd.IntN(1000)) * time.Second)
		for range rnd.IntN(500) {
			now = now.Add(time.Duration(rnd.IntN(20_000)) * time.Millisecond)
			clock.Set(now)
			k := "k" + strconv.Itoa(rnd.IntN(keys))
			w.Add(context.Background(), rec(k, now))
			start := time.Unix(0, now.UnixNano()-floorMod(now.UnixNano(), int64(size))).UTC()
			want[k+" "+start.Format(time.RFC3339)]++
			if rnd.IntN(10) == 0 {
				w.Tick(context.Background())
			}
		}
		if err := w.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, o := range c.outs {
			if o.Update || !o.Window.End.Equal(o.Window.Start.Add(size)) {
				t.Fatalf("seed %d: unexpected result %+v", seed, o)
			}
			k := o.Key + " " + o.Window.Start.Format(time.RFC3339)
			if _, dup := got[k]; dup {
				t.Fatalf("seed %d: two results for %s", seed, k)
			}
			got[k] = o.Result
		}
		if len(got) != len(want) {
			t.Fatalf("seed %d: %d results, want %d", seed, len(got), len(want))
		}
		for k, n := range want {
			if got[k] != n {
				t.Fatalf("seed %d: %s counted %d, want %d", seed, k, got[k], n)
			}
		}
		if s := w.Stats(); s.Late != 0 || s.Open != 0 {
			t.Fatalf("seed %d: Stats %+v", seed, s)
		}
	}
}
