// Package metricstest drives a kds Service through traffic whose metrics
// are known in advance, for the tests and benchmarks of the metric
// exporters.
package metricstest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/kdsgo/kds"
)

// Start is where the scenarios' clocks start: 10 seconds into a minute.
var Start = time.Date(2025, time.March, 1, 12, 0, 10, 0, time.UTC)

// Names used by [Traffic].
const (
	Stream   = "orders"
	Idle     = "idle" // a stream of 2 shards that sees no traffic
	Shard    = "shardId-000000000000"
	Consumer = "auditor"
)

// Traffic is a Service on a ManualClock that [Traffic.Run] and
// [Traffic.RunShard] put and read through with Kinesis's limits, and what
// the CloudWatch metrics of that traffic must say.
type Traffic struct {
	Svc   *kds.Service
	Clock *kds.ManualClock

	// Stream-level, for Stream.
	IncomingBytes, IncomingRecords                      int64
	PutRecordCalls, PutRecordStored                     int64
	PutRecordsCalls, PutRecordsThrottled                int64
	GetRecordsCalls, GetRecordsRecords, GetRecordsBytes int64
	ReadThrottled                                       int64
	// WriteThrottled counts the records throttled by PutRecord and
	// PutRecords together.
	WriteThrottled int64
	// IteratorAge is the largest iterator age of a GetRecords call: the
	// age of the last record it returned, or how far behind it was.
	IteratorAge time.Duration

	// Shard-level, for Shard, from RunShard.
	ShardIncomingBytes, ShardIncomingRecords int64
}

// Timed returns how many of n calls of one operation in one minute the
// core times for its Latency metrics: the first and every 16th after it.
func Timed(n int64) int64 { return (n + 15) / 16 }

// New returns a Service with the streams Stream (1 shard) and Idle (2
// shards) and the consumer Consumer of Stream, on a ManualClock at Start.
func New(t testing.TB) *Traffic {
	t.Helper()
	clock := kds.NewManualClock(Start)
	svc, err := kds.NewService(kds.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	ctx := context.Background()
	for name, shards := range map[string]int{Stream: 1, Idle: 2} {
		if _, err := svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: name, ShardCount: shards}); err != nil {
			t.Fatal(err)
		}
	}
	s, _ := svc.Stream(Stream)
	if _, err := svc.RegisterStreamConsumer(ctx, kds.RegisterStreamConsumerInput{StreamARN: s.ARN(), ConsumerName: Consumer}); err != nil {
		t.Fatal(err)
	}
	return &Traffic{Svc: svc, Clock: clock}
}

// Run puts more records into Stream at one instant than its shard takes
// in a second, so that some are throttled, by PutRecord and PutRecords
// calls; 1.5 s later reads them with GetRecords calls until one is
// throttled.
func (tr *Traffic) Run(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	tr.putRecord(t, "k", "hello")
	entries := make([]kds.PutRecordsRequestEntry, kds.MaxPutRecordsEntries)
	for i := range entries {
		entries[i] = kds.PutRecordsRequestEntry{PartitionKey: fmt.Sprint(i), Data: []byte("123456789")}
	}
	for range 3 {
		out, err := tr.Svc.PutRecords(ctx, kds.PutRecordsInput{StreamName: Stream, Records: entries})
		if err != nil {
			t.Fatal(err)
		}
		tr.PutRecordsCalls++
		for i, r := range out.Records {
			if r.ErrorCode != "" {
				tr.PutRecordsThrottled++
				tr.WriteThrottled++
				continue
			}
			tr.IncomingRecords++
			tr.IncomingBytes += int64(len(entries[i].PartitionKey) + len(entries[i].Data))
		}
	}
	if tr.PutRecordsThrottled == 0 {
		t.Fatal("no record was throttled: the scenario needs some")
	}
	tr.putRecord(t, "k", "throttled")

	tr.Clock.Advance(1500 * time.Millisecond)
	it, err := tr.Svc.GetShardIterator(ctx, kds.GetShardIteratorInput{StreamName: Stream, ShardId: Shard, ShardIteratorType: kds.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		out, err := tr.Svc.GetRecords(ctx, kds.GetRecordsInput{ShardIterator: it.ShardIterator})
		if errors.Is(err, kds.ErrProvisionedThroughputExceeded) {
			tr.ReadThrottled++
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		tr.GetRecordsCalls++
		tr.GetRecordsRecords += int64(len(out.Records))
		age := time.Duration(out.MillisBehindLatest) * time.Millisecond
		for _, r := range out.Records {
			tr.GetRecordsBytes += int64(len(r.PartitionKey) + len(r.Data))
			age = tr.Clock.Now().Sub(r.ApproximateArrivalTimestamp)
		}
		tr.IteratorAge = max(tr.IteratorAge, age)
		it.ShardIterator = out.NextShardIterator
	}
	t.Fatal("no GetRecords call was throttled")
}

// putRecord puts one record into Stream and counts it, stored or
// throttled.
func (tr *Traffic) putRecord(t testing.TB, key, data string) {
	t.Helper()
	_, err := tr.Svc.PutRecord(context.Background(), kds.PutRecordInput{StreamName: Stream, PartitionKey: key, Data: []byte(data)})
	tr.PutRecordCalls++
	switch {
	case errors.Is(err, kds.ErrProvisionedThroughputExceeded):
		tr.WriteThrottled++
	case err != nil:
		t.Fatal(err)
	default:
		tr.PutRecordStored++
		tr.IncomingRecords++
		tr.IncomingBytes += int64(len(key) + len(data))
	}
}

// RunShard turns on every shard-level metric of Stream, lets a minute
// pass (so the shard takes writes again) and puts one record.
func (tr *Traffic) RunShard(t testing.TB) {
	t.Helper()
	_, err := tr.Svc.EnableEnhancedMonitoring(context.Background(), kds.EnableEnhancedMonitoringInput{StreamName: Stream, ShardLevelMetrics: []string{"ALL"}})
	if err != nil {
		t.Fatal(err)
	}
	tr.Clock.Advance(time.Minute)
	before := tr.IncomingBytes
	tr.putRecord(t, "key", "shard-level")
	if tr.IncomingBytes == before {
		t.Fatal("the shard-level put was throttled")
	}
	tr.ShardIncomingBytes += tr.IncomingBytes - before
	tr.ShardIncomingRecords++
}

// Busy returns a Service, on a real clock without limits, of streams
// streams of shards shards each, every shard-level metric on and a
// record put into and read from each shard: the load a scrape of a
// mid-sized deployment sees.
func Busy(b testing.TB, streams, shards int) *kds.Service {
	b.Helper()
	svc, err := kds.NewService(kds.WithThroughputLimits(kds.NoLimits))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { svc.Close() })
	ctx := context.Background()
	for i := range streams {
		name := fmt.Sprintf("stream-%d", i)
		if _, err := svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: name, ShardCount: shards}); err != nil {
			b.Fatal(err)
		}
		if _, err := svc.EnableEnhancedMonitoring(ctx, kds.EnableEnhancedMonitoringInput{StreamName: name, ShardLevelMetrics: []string{"ALL"}}); err != nil {
			b.Fatal(err)
		}
		out, err := svc.ListShards(ctx, kds.ListShardsInput{StreamName: name})
		if err != nil {
			b.Fatal(err)
		}
		for _, sh := range out.Shards {
			if _, err := svc.PutRecord(ctx, kds.PutRecordInput{StreamName: name, PartitionKey: "k", ExplicitHashKey: sh.HashKeyRange.StartingHashKey.String(), Data: []byte("v")}); err != nil {
				b.Fatal(err)
			}
			it, err := svc.GetShardIterator(ctx, kds.GetShardIteratorInput{StreamName: name, ShardId: sh.ShardId, ShardIteratorType: kds.ShardIteratorTypeTrimHorizon})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := svc.GetRecords(ctx, kds.GetRecordsInput{ShardIterator: it.ShardIterator}); err != nil {
				b.Fatal(err)
			}
		}
	}
	return svc
}
