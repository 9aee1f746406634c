package kds_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/kdsgo/kds"
)

// The metrics benchmarks put into a one-shard stream with shard-level
// metrics off (the stream-level ones are always recorded) and with every
// one on, which adds the shard's counters to each call. Compared with
// BenchmarkPutRecords and BenchmarkPutRecord of a commit before metrics,
// they show what recording costs the put path.

// metricsBenchResetEvery bounds what a benchmark stores: after this many
// calls it starts over with a fresh Service, outside the timer.
const metricsBenchResetEvery = 1_000_000

// newMetricsBenchService returns a Service without throughput limits and
// its stream "bench" of one shard, with every shard-level metric on if
// enhanced.
func newMetricsBenchService(b *testing.B, enhanced bool) *kds.Service {
	b.Helper()
	svc, err := kds.NewService(kds.WithThroughputLimits(kds.NoLimits))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: "bench", ShardCount: 1}); err != nil {
		b.Fatal(err)
	}
	if enhanced {
		if _, err := svc.EnableEnhancedMonitoring(ctx, kds.EnableEnhancedMonitoringInput{StreamName: "bench", ShardLevelMetrics: []string{"ALL"}}); err != nil {
			b.Fatal(err)
		}
	}
	return svc
}

// benchMetricsPuts runs put, which makes one call that stores records
// records, with shard-level metrics off and on, and reports records/s.
func benchMetricsPuts(b *testing.B, records, callsPerReset int, put func(*kds.Service) error) {
	for _, enhanced := range []bool{false, true} {
		b.Run(fmt.Sprintf("shard-metrics=%v", map[bool]string{false: "off", true: "all"}[enhanced]), func(b *testing.B) {
			svc := newMetricsBenchService(b, enhanced)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if i++; i%callsPerReset == 0 {
					b.StopTimer()
					svc.Close()
					svc = newMetricsBenchService(b, enhanced)
					b.StartTimer()
				}
				if err := put(svc); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			svc.Close()
			b.ReportMetric(float64(b.N*records)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkMetricsPutRecords measures PutRecords of 500 x 100-byte
// records with distinct partition keys.
func BenchmarkMetricsPutRecords(b *testing.B) {
	entries := make([]kds.PutRecordsRequestEntry, kds.MaxPutRecordsEntries)
	for i := range entries {
		entries[i] = kds.PutRecordsRequestEntry{PartitionKey: fmt.Sprintf("partition-key-%d", i), Data: make([]byte, 100)}
	}
	in := kds.PutRecordsInput{StreamName: "bench", Records: entries}
	benchMetricsPuts(b, len(entries), metricsBenchResetEvery/len(entries), func(svc *kds.Service) error {
		_, err := svc.PutRecords(context.Background(), in)
		return err
	})
}

// BenchmarkMetricsPutRecord measures PutRecord of one 100-byte record.
func BenchmarkMetricsPutRecord(b *testing.B) {
	in := kds.PutRecordInput{StreamName: "bench", PartitionKey: "partition-key-1", Data: make([]byte, 100)}
	benchMetricsPuts(b, 1, metricsBenchResetEvery, func(svc *kds.Service) error {
		_, err := svc.PutRecord(context.Background(), in)
		return err
	})
}
