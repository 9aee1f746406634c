package analytics

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/kdsgo/kds"
)

func TestTumblingCountsPerKeyPerMinute(t *testing.T) {
	clock := kds.NewManualClock(t0)
	w, c := newWindows(t, Count(), Tumbling(time.Minute), clock)
	play(t, w, c, clock, []step{
		{Key: "a", At: "10s"},
		{Key: "b", At: "20s"},
		{Key: "a", At: "59s"},
		{Key: "a", At: "1m", Want: []string{"a 0s-1m0s 2", "b 0s-1m0s 1"}},
		{Key: "a", At: "1m"},
		{Key: "b", At: "1m30s"},
		{Key: "c", At: "3m5s", Want: []string{"a 1m0s-2m0s 2", "b 1m0s-2m0s 1"}},
	})
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, want := c.lines(), []string{"c 3m0s-4m0s 1"}; !slices.Equal(got, want) {
		t.Fatalf("Close emitted %v, want %v", got, want)
	}
	if s := w.Stats(); s != (Stats{Records: 7, Results: 5}) {
		t.Errorf("Stats = %+v", s)
	}
}

func TestSlidingWindowsOverlap(t *testing.T) {
	clock := kds.NewManualClock(t0)
	w, c := newWindows(t, Count(), Sliding(time.Minute, 30*time.Second), clock)
	play(t, w, c, clock, []step{
		{Key: "a", At: "10s"},
		{Key: "a", At: "40s", Want: []string{"a -30s-30s 1"}},
		{Key: "a", At: "1m10s", Want: []string{"a 0s-1m0s 2"}},
		{Key: "a", At: "3m", Want: []string{"a 30s-1m30s 2", "a 1m0s-2m0s 1"}},
	})
}

func TestSessionWindows(t *testing.T) {
	for _, tc := range []struct {
		name string
		at   []string
		want []string
	}{
		{"apart", []string{"0s", "5s", "22s"}, []string{"a 0s-15s 2", "a 22s-32s 1"}},
		{"bridged", []string{"0s", "5s", "22s", "12s"}, []string{"a 0s-32s 4"}},
		{"gap apart touch", []string{"0s", "10s"}, []string{"a 0s-20s 2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := kds.NewManualClock(t0)
			// A bound wide enough that nothing fires before Close.
			w, c := newWindows(t, Count(), Session(10*time.Second), clock, WithOutOfOrderness(time.Minute))
			for _, s := range tc.at {
				w.Add(context.Background(), rec("a", at(s)))
			}
			if err := w.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := c.lines(); !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestSessionMergeOfFiredSessions bridges two sessions that have fired,
// within the allowed lateness: the merged session is an update.
func TestSessionMergeOfFiredSessions(t *testing.T) {
	clock := kds.NewManualClock(t0)
	w, c := newWindows(t, Count(), Session(10*time.Second), clock, WithAllowedLateness(time.Minute))
	play(t, w, c, clock, []step{
		{Key: "a", At: "0s"},
		{Key: "a", At: "18s", Want: []string{"a 0s-10s 1"}},
		{Key: "b", At: "40s", Want: []string{"a 18s-28s 1"}},
		{Key: "a", At: "9s", Want: []string{"a 0s-28s 3 update"}},
		{Key: "b", At: "1m28s", Want: []string{"b 40s-50s 1"}}, // a's session is dropped at 1m28s
		{Key: "a", At: "10s"}, // [10s, 20s) would be dropped at 1m20s: too late
	})
	if s := w.Stats(); s.Late != 1 || s.Updates != 1 {
		t.Errorf("Stats = %+v, want 1 late record and 1 update", s)
	}
}

func TestOutOfOrderWithinBound(t *testing.T) {
	clock := kds.NewManualClock(t0)
	w, c := newWindows(t, Count(), Tumbling(time.Minute), clock, WithOutOfOrderness(10*time.Second))
	play(t, w, c, clock, []step{
		{Key: "a", At: "55s"},
		{Key: "a", At: "1m5s"}, // W = 55s
		{Key: "a", At: "50s"},  // behind the latest, within the bound
		{Key: "a", At: "1m9s"}, // W = 59s
		{Key: "a", At: "56s"},  // behind W, but its window is open: counted
		{Key: "a", At: "1m10s", Want: []string{"a 0s-1m0s 3"}},
	})
	if s := w.Stats(); s.Late != 0 {
		t.Errorf("Stats = %+v, want no late records", s)
	}
}

func TestLateness(t *testing.T) {
	clock := kds.NewManualClock(t0)
	w, c := newWindows(t, Count(), Tumbling(time.Minute), clock, WithAllowedLateness(30*time.Second))
	play(t, w, c, clock, []step{
		{Key: "a", At: "10s"},
		{Key: "a", At: "1m5s", Want: []string{"a 0s-1m0s 1"}},
		{Key: "a", At: "20s", Want: []string{"a 0s-1m0s 2 update"}}, // within lateness
		{Key: "b", At: "30s", Want: []string{"b 0s-1m0s 1"}},        // no state yet: fires at once
		{Key: "a", At: "1m29s"},                                     // W = 1m29s: still kept
		{Key: "a", At: "59s", Want: []string{"a 0s-1m0s 3 update"}}, // the last moment
		{Key: "a", At: "1m30s"},                                     // W = 1m30s: dropped
		{Key: "a", At: "40s"},                                       // too late
		{Key: "a", At: "2m", Want: []string{"a 1m0s-2m0s 3"}},
	})
	if len(c.late) != 1 || !c.late[0].ApproximateArrivalTimestamp.Equal(at("40s")) {
		t.Errorf("late records %v, want the one at 40s", c.late)
	}
	if s := w.Stats(); s.Late != 1 || s.Updates != 2 || s.Results != 5 {
		t.Errorf("Stats = %+v", s)
	}
}

func TestTooLateWithoutLateness(t *testing.T) {
	clock := kds.NewManualClock(t0)
	w, c := newWindows(t, Count(), Tumbling(time.Minute), clock)
	play(t, w, c, clock, []step{
		{Key: "a", At: "10s"},
		{Key: "a", At: "1m", Want: []string{"a 0s-1m0s 1"}},
		{Key: "a", At: "59s"},
	})
	if len(c.late) != 1 || w.Stats().Late != 1 {
		t.Errorf("late %v, stats %+v: want the record at 59s", c.late, w.Stats())
	}
}

// TestSlidingPartlyLate adds a record late for one of its sliding windows
// only: it counts in the other and is not late.
func TestSlidingPartlyLate(t *testing.T) {
	clock := kds.NewManualClock(t0)
	w, c := newWindows(t, Count(), Sliding(time.Minute, 30*time.Second), clock)
	play(t, w, c, clock, []step{
		{Key: "a", At: "50s", Want: nil},
		{Key: "a", At: "1m", Want: []string{"a 0s-1m0s 1"}}, // [-30s, 30s) had no record
		{Key: "a", At: "40s"},                               // [0s, 1m) dropped; [30s, 1m30s) open
		{Key: "a", At: "2m", Want: []string{"a 30s-1m30s 3", "a 1m0s-2m0s 1"}},
	})
	if len(c.late) != 0 {
		t.Errorf("late %v, want none", c.late)
	}
}

func TestIdleTimeout(t *testing.T) {
	for _, tc := range []struct {
		name string
		idle time.Duration
		want []step
	}{
		{"closes windows", 10 * time.Second, []step{
			{Tick: true, At: "39s"},                                 // idle 9s: not yet
			{Tick: true, At: "40s"},                                 // W = 30s + 10s
			{Tick: true, At: "59s"},                                 // W = 59s
			{Tick: true, At: "1m", Want: []string{"a 0s-1m0s 2"}},   // W = 1m
			{Key: "a", At: "1m50s"},                                 // active again: W stays 1m
			{Tick: true, At: "1m59s"},                               // idle 9s
			{Tick: true, At: "2m", Want: []string{"a 1m0s-2m0s 1"}}, // W = 1m50s + 10s
		}},
		{"off", 0, []step{
			{Tick: true, At: "10m"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := kds.NewManualClock(t0)
			w, c := newWindows(t, Count(), Tumbling(time.Minute), clock, WithIdleTimeout(tc.idle))
			play(t, w, c, clock, append([]step{{Key: "a", At: "10s"}, {Key: "a", At: "30s"}}, tc.want...))
		})
	}
}

// TestIdleTimeoutWithBound: an idle input's watermark follows the clock
// less the bound.
func TestIdleTimeoutWithBound(t *testing.T) {
	clock := kds.NewManualClock(t0)
	w, c := newWindows(t, Count(), Tumbling(time.Minute), clock, WithIdleTimeout(10*time.Second), WithOutOfOrderness(5*time.Second))
	play(t, w, c, clock, []step{
		{Key: "a", At: "30s"},
		{Tick: true, At: "1m4s"},
		{Tick: true, At: "1m5s", Want: []string{"a 0s-1m0s 1"}},
	})
}

func TestRecordErrors(t *testing.T) {
	errBad := errors.New("no time")
	clock := kds.NewManualClock(t0)
	w, c := newWindows(t, Sum(func(r kds.Record) (float64, error) {
		if string(r.Data) == "x" {
			return 0, errBad
		}
		return 1, nil
	}), Sliding(time.Minute, 30*time.Second), clock, WithEventTime(func(r kds.Record) (time.Time, error) {
		switch string(r.Data) {
		case "no time":
			return time.Time{}, errBad
		case "ancient":
			return time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC), nil
		}
		return r.ApproximateArrivalTimestamp, nil
	}))
	ctx := context.Background()
	for _, data := range []string{"ok", "x", "no time", "ancient", "ok"} {
		r := rec("k", at("10s"))
		r.Data = []byte(data)
		w.Add(ctx, r)
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := c.lines(), []string{"k -30s-30s 2", "k 0s-1m0s 2"}; !slices.Equal(got, want) {
		t.Errorf("results %v, want %v", got, want)
	}
	if len(c.errs) != 3 {
		t.Fatalf("errors %v, want 3", c.errs)
	}
	for i, data := range []string{"x", "no time", "ancient"} {
		var re *RecordError
		if !errors.As(c.errs[i], &re) || string(re.Record.Data) != data {
			t.Errorf("error %d = %v, want a RecordError for %q", i, c.errs[i], data)
		}
	}
	if !errors.Is(c.errs[0], errBad) {
		t.Errorf("error %v does not wrap the cause", c.errs[0])
	}
	if s := w.Stats(); s.Failed != 3 || s.Records != 5 {
		t.Errorf("Stats = %+v", s)
	}
}

func TestWatermark(t *testing.T) {
	clock := kds.NewManualClock(t0)
	w, _ := newWindows(t, Count(), Tumbling(time.Minute), clock, WithOutOfOrderness(time.Second))
	if _, ok := w.Watermark(); ok {
		t.Fatal("a watermark before any record")
	}
	ctx := context.Background()
	w.Add(ctx, rec("a", at("10s")))
	w.Add(ctx, rec("a", at("5s")))
	if got, ok := w.Watermark(); !ok || !got.Equal(at("9s")) {
		t.Fatalf("Watermark = %v, %v; want 9s", got, ok)
	}
}
