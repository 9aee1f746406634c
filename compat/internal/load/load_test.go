package load_test

import (
	"testing"
	"time"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/compat/internal/load"
	"github.com/kdsgo/kds/compat/kdstest"
	"golang.org/x/time/rate"
)

func TestPercentile(t *testing.T) {
	ms := func(n ...int) []time.Duration {
		d := make([]time.Duration, len(n))
		for i, v := range n {
			d[i] = time.Duration(v) * time.Millisecond
		}
		return d
	}
	tests := []struct {
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{nil, 50, 0},
		{ms(7), 1, 7 * time.Millisecond},
		{ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{ms(1, 2, 3, 4), 51, 3 * time.Millisecond},
		{ms(1, 2, 3, 4), 100, 4 * time.Millisecond},
		{ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 90, 9 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := load.Percentile(tt.sorted, tt.p); got != tt.want {
			t.Errorf("Percentile(%v, %g) = %v, want %v", tt.sorted, tt.p, got, tt.want)
		}
	}
}

func TestPutterCountsAndTimesCalls(t *testing.T) {
	f := kdstest.New(t, kdstest.WithServiceOptions(kds.WithThroughputLimits(kds.NoLimits)), kdstest.WithStream("s", 2))
	var lat load.Latencies
	p := &load.Putter{Client: f.Client(), Stream: "s", Data: []byte("0123456789"), Latencies: &lat}
	p.Run(t.Context(), 2, 50, time.Now().Add(100*time.Millisecond), nil)
	calls, records := p.Counts.Calls.Load(), p.Counts.Records.Load()
	if calls == 0 || records != 50*calls || p.Counts.FailedCalls.Load() != 0 {
		t.Fatalf("%d calls, %d records, %d failed calls (first: %v); want some calls of 50 records each, none failed",
			calls, records, p.Counts.FailedCalls.Load(), p.Counts.FirstError())
	}
	if got := len(lat.Sorted()); got != int(calls) {
		t.Errorf("%d latencies for %d calls", got, calls)
	}
	var stored int
	for _, err := range mustStream(t, f, "s").Replay(t.Context(), kds.TrimHorizon()) {
		if err != nil {
			t.Fatal(err)
		}
		stored++
	}
	if stored != int(records) {
		t.Errorf("the stream holds %d records, the putter counted %d", stored, records)
	}
}

func TestPutterKeepsToTheRate(t *testing.T) {
	f := kdstest.New(t, kdstest.WithServiceOptions(kds.WithThroughputLimits(kds.NoLimits)), kdstest.WithStream("s", 1))
	p := &load.Putter{Client: f.Client(), Stream: "s", Data: []byte("x")}
	// 100 records/s with a burst of one batch: the limiter hands out at
	// most the burst plus 100 tokens a second (one batch more allows for
	// rounding). Without it, 4 workers put thousands.
	lim := rate.NewLimiter(100, 10)
	elapsed := p.Run(t.Context(), 4, 10, time.Now().Add(300*time.Millisecond), lim)
	limit := 10 + int64(100*elapsed.Seconds()) + 10
	if got := p.Counts.Records.Load(); got == 0 || got > limit {
		t.Errorf("put %d records in %v at 100/s, want between 1 and %d", got, elapsed, limit)
	}
}

func mustStream(t *testing.T, f *kdstest.Fake, name string) *kds.Stream {
	t.Helper()
	s, ok := f.Service().Stream(name)
	if !ok {
		t.Fatalf("no stream %s", name)
	}
	return s
}
