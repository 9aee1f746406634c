package analytics

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/kdsgo/kds"
)

// BenchmarkAdd adds in-order records of 100 keys to one-minute tumbling
// and sliding windows and to sessions, ten records a second.
func BenchmarkAdd(b *testing.B) {
	for _, bc := range []struct {
		name string
		w    Windowing
	}{
		{"tumbling", Tumbling(time.Minute)},
		{"sliding-6", Sliding(time.Minute, 10*time.Second)},
		{"session", Session(30 * time.Second)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			clock := kds.NewManualClock(t0)
			w, err := New(Count(), bc.w, Func(func(Output[int64]) {}), WithClock(clock))
			if err != nil {
				b.Fatal(err)
			}
			recs := make([]kds.Record, 100)
			for i := range recs {
				recs[i] = rec("key-"+strconv.Itoa(i), t0)
			}
			ctx := context.Background()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				r := recs[i%len(recs)]
				r.ApproximateArrivalTimestamp = t0.Add(time.Duration(i) * 100 * time.Millisecond)
				w.Add(ctx, r)
				i++
			}
		})
	}
}
