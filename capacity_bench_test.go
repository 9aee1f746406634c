package kds

import (
	"context"
	"testing"
)

// BenchmarkPutRecordsLimits measures what checking throughput limits
// costs on the put path: BenchmarkPutRecords (500 x 100-byte records into
// one shard) with limits off, and with limits on but so high that nothing
// is ever throttled.
func BenchmarkPutRecordsLimits(b *testing.B) {
	huge := ThroughputLimits{
		WriteBytesPerSecond:   1 << 40,
		WriteRecordsPerSecond: 1 << 40,
		ReadBytesPerSecond:    1 << 40,
		ReadCallsPerSecond:    1 << 40,
	}
	// Grow the heap to its steady size first, so that whichever arm runs
	// first does not pay for it.
	fillBenchStream(b, benchResetEvery, false)
	for _, bc := range []struct {
		name   string
		limits ThroughputLimits
	}{
		{"limits=off", NoLimits},
		{"limits=on", huge},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			batch := benchBatch()
			in := PutRecordsInput{StreamName: "bench", Records: batch}
			newStream := func() *Stream {
				s := newBenchStream(b, 1)
				s.SetThroughputLimits(bc.limits)
				return s
			}
			s := newStream()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if i++; i%benchResetEvery == 0 {
					b.StopTimer()
					s = newStream()
					b.StartTimer()
				}
				out, err := s.svc.PutRecords(ctx, in)
				if err != nil {
					b.Fatal(err)
				}
				if out.FailedRecordCount != 0 {
					b.Fatalf("%d records throttled; the benchmark must measure checking, not throttling", out.FailedRecordCount)
				}
			}
			b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "records/s")
		})
	}
}
