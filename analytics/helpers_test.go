package analytics

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kdsgo/kds"
)

// t0 is the start of every test's clock: a whole hour, so windows of a
// minute start at t0 plus whole minutes.
var t0 = time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)

// at returns t0 plus a duration written as for time.ParseDuration.
func at(d string) time.Time {
	dur, err := time.ParseDuration(d)
	if err != nil {
		panic(err)
	}
	return t0.Add(dur)
}

// rec returns a record of key arriving at t.
func rec(key string, t time.Time) kds.Record {
	return kds.Record{PartitionKey: key, ApproximateArrivalTimestamp: t, Data: []byte(key)}
}

// collector keeps what a Windows emits and hands to its handlers.
type collector[R any] struct {
	mu   sync.Mutex
	outs []Output[R]
	late []kds.Record
	errs []error
}

func (c *collector[R]) sink() Sink[R] {
	return Func(func(o Output[R]) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.outs = append(c.outs, o)
	})
}

// options returns the handler options that feed the collector.
func (c *collector[R]) options() []Option {
	return []Option{
		WithLateHandler(func(r kds.Record) {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.late = append(c.late, r)
		}),
		WithErrorHandler(func(err error) {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.errs = append(c.errs, err)
		}),
	}
}

// lines returns the outputs so far as "key start-end result" lines, times
// as offsets from t0, with " update" for updates, and forgets them.
func (c *collector[R]) lines() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, o := range c.outs {
		out = append(out, outLine(o))
	}
	c.outs = nil
	return out
}

func outLine[R any](o Output[R]) string {
	s := fmt.Sprintf("%s %v-%v %v", o.Key, o.Window.Start.Sub(t0), o.Window.End.Sub(t0), o.Result)
	if o.Update {
		s += " update"
	}
	return s
}

// newWindows returns a Windows feeding a new collector, on clock.
func newWindows[A, R any](t *testing.T, agg Aggregator[A, R], w Windowing, clock *kds.ManualClock, opts ...Option) (*Windows[A, R], *collector[R]) {
	t.Helper()
	c := &collector[R]{}
	opts = append(append(c.options(), WithClock(clock)), opts...)
	win, err := New(agg, w, c.sink(), opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return win, c
}

// step is one action of a windows test: a record of Key at At (the clock
// moved there first), or with Tick set only a clock move to At and a
// Tick; then the outputs Want, in order.
type step struct {
	Key  string
	At   string
	Tick bool
	Want []string
}

// play runs steps against w, checking the outputs after each.
func play[A, R any](t *testing.T, w *Windows[A, R], c *collector[R], clock *kds.ManualClock, steps []step) {
	t.Helper()
	ctx := context.Background()
	for i, s := range steps {
		clock.Set(at(s.At))
		if s.Tick {
			w.Tick(ctx)
		} else {
			w.Add(ctx, rec(s.Key, at(s.At)))
		}
		if got := c.lines(); !slices.Equal(got, s.Want) {
			what := "record " + s.Key + " at " + s.At
			if s.Tick {
				what = "tick at " + s.At
			}
			t.Fatalf("step %d (%s): got\n\t%s\nwant\n\t%s", i, what, strings.Join(got, "\n\t"), strings.Join(s.Want, "\n\t"))
		}
	}
}
