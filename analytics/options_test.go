package analytics

import (
	"strings"
	"testing"
	"time"

	"github.com/kdsgo/kds"
)

func TestNewValidates(t *testing.T) {
	sink := Func(func(Output[int64]) {})
	noMerge := Count()
	noMerge.Merge = nil
	noZero := Count()
	noZero.Zero = nil
	year := MaxDuration
	for _, tc := range []struct {
		name string
		agg  Aggregator[int64, int64]
		win  Windowing
		sink Sink[int64]
		opts []Option
		want string // "" for valid; else a part of the error
	}{
		{"tumbling", Count(), Tumbling(time.Minute), sink, nil, ""},
		{"tumbling max", Count(), Tumbling(year), sink, nil, ""},
		{"tumbling zero", Count(), Tumbling(0), sink, nil, "tumbling window size 0s"},
		{"tumbling negative", Count(), Tumbling(-time.Second), sink, nil, "tumbling window size -1s"},
		{"tumbling too long", Count(), Tumbling(year + 1), sink, nil, "at most 8760h0m0s"},
		{"sliding", Count(), Sliding(time.Minute, time.Second), sink, nil, ""},
		{"sliding equal", Count(), Sliding(time.Minute, time.Minute), sink, nil, ""},
		{"sliding most windows", Count(), Sliding(time.Second, time.Millisecond), sink, nil, ""},
		{"sliding too many windows", Count(), Sliding(time.Second, time.Second/1001), sink, nil, "in 1002 windows"},
		{"sliding slide above size", Count(), Sliding(time.Second, time.Minute), sink, nil, "larger than its size"},
		{"sliding zero slide", Count(), Sliding(time.Second, 0), sink, nil, "sliding window slide 0s"},
		{"session", Count(), Session(time.Minute), sink, nil, ""},
		{"session zero", Count(), Session(0), sink, nil, "session gap 0s"},
		{"session without Merge", noMerge, Session(time.Minute), sink, nil, "need the aggregator's Merge"},
		{"tumbling without Merge", noMerge, Tumbling(time.Minute), sink, nil, ""},
		{"no Zero", noZero, Tumbling(time.Minute), sink, nil, "needs Zero, Add and Result"},
		{"no windowing", Count(), Windowing{}, sink, nil, "no windowing"},
		{"no sink", Count(), Tumbling(time.Minute), nil, nil, "no sink"},
		{"nil option", Count(), Tumbling(time.Minute), sink, []Option{nil}, "nil Option"},
		{"durations", Count(), Tumbling(time.Minute), sink, []Option{WithOutOfOrderness(year), WithAllowedLateness(0), WithIdleTimeout(time.Second), WithTickInterval(time.Millisecond)}, ""},
		{"negative bound", Count(), Tumbling(time.Minute), sink, []Option{WithOutOfOrderness(-1)}, "out-of-orderness -1ns"},
		{"long lateness", Count(), Tumbling(time.Minute), sink, []Option{WithAllowedLateness(year + 1)}, "allowed lateness"},
		{"negative idle", Count(), Tumbling(time.Minute), sink, []Option{WithIdleTimeout(-time.Second)}, "idle timeout -1s"},
		{"zero tick", Count(), Tumbling(time.Minute), sink, []Option{WithTickInterval(0)}, "tick interval 0s: must be more than 0"},
		{"nil functions", Count(), Tumbling(time.Minute), sink, []Option{WithKey(nil), WithEventTime(nil), WithClock(nil), WithErrorHandler(nil), WithLateHandler(nil)}, "WithKey(nil)\nanalytics: WithEventTime(nil)\nanalytics: WithClock(nil)\nanalytics: WithErrorHandler(nil)\nanalytics: WithLateHandler(nil)"},
		{"every problem", noMerge, Session(-1), nil, []Option{WithIdleTimeout(-1)}, "idle timeout -1ns: must be at least 0 and at most 8760h0m0s\nanalytics: session gap -1ns: must be more than 0 and at most 8760h0m0s\nanalytics: session windows need the aggregator's Merge\nanalytics: no sink"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, err := New(tc.agg, tc.win, tc.sink, tc.opts...)
			if tc.want == "" {
				if err != nil || w == nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New: %v, want an error with %q", err, tc.want)
			}
		})
	}
}

func TestWindowingString(t *testing.T) {
	for w, want := range map[Windowing]string{
		Tumbling(time.Minute):                "Tumbling(1m0s)",
		Sliding(time.Minute, 10*time.Second): "Sliding(1m0s, 10s)",
		Session(time.Second):                 "Session(1s)",
		{}:                                   "Windowing(invalid)",
	} {
		if got := w.String(); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
}

// TestWithKeyAndEventTime groups by a key read from the data and windows
// by a time read from it.
func TestWithKeyAndEventTime(t *testing.T) {
	clock := kds.NewManualClock(t0)
	w, c := newWindows(t, Count(), Tumbling(time.Minute), clock,
		WithKey(func(r kds.Record) string { return strings.ToUpper(string(r.Data[:1])) }),
		WithEventTime(func(r kds.Record) (time.Time, error) { return time.Parse(time.RFC3339, string(r.Data[2:])) }))
	for _, d := range []string{"a 2024-01-01T12:05:10Z", "A 2024-01-01T12:05:50Z", "b 2024-01-01T12:07:00Z"} {
		w.Add(t.Context(), kds.Record{PartitionKey: "ignored", Data: []byte(d), ApproximateArrivalTimestamp: t0})
	}
	if got, want := c.lines(), []string{"A 5m0s-6m0s 2"}; strings.Join(got, ";") != strings.Join(want, ";") {
		t.Fatalf("got %v, want %v", got, want)
	}
}
