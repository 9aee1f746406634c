package kds_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kdsgo/kds"
)

// series returns the metric named name with dimensions d, failing the test
// if the snapshot lacks it.
func series(t *testing.T, snap kds.MetricsSnapshot, name string, d kds.MetricDimensions) kds.MetricSeries {
	t.Helper()
	s, ok := snap.Find(name, d)
	if !ok {
		t.Fatalf("no series %s %+v", name, d)
	}
	return s
}

// wantStats fails the test unless got equals want.
func wantStats(t *testing.T, what string, got, want kds.Statistics) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %+v, want %+v", what, got, want)
	}
}

// stats is a shorthand for a Statistics value.
func stats(count int64, sum, lo, hi float64) kds.Statistics {
	return kds.Statistics{SampleCount: count, Sum: sum, Minimum: lo, Maximum: hi}
}

func TestMetricsPutCalls(t *testing.T) {
	// One record per second per shard: the second PutRecord in the same
	// instant is throttled, and so are all but one entry of a PutRecords.
	svc, clock := newService(t, kds.WithThroughputLimits(kds.ThroughputLimits{WriteRecordsPerSecond: 1}))
	createStream(t, svc, "s", 1)
	stream := kds.MetricDimensions{StreamName: "s"}

	put(t, svc, "s", "k", "12345") // 1 + 5 bytes
	if _, err := svc.PutRecord(ctx, kds.PutRecordInput{StreamName: "s", PartitionKey: "k", Data: []byte("x")}); err == nil {
		t.Fatal("second PutRecord in the same second was not throttled")
	}
	clock.Advance(time.Minute)
	out, err := svc.PutRecords(ctx, kds.PutRecordsInput{StreamName: "s", Records: []kds.PutRecordsRequestEntry{
		{PartitionKey: "a", Data: []byte("123")},
		{PartitionKey: "b", Data: []byte("456")},
		{PartitionKey: "c", Data: []byte("789")},
	}})
	if err != nil || out.FailedRecordCount != 2 {
		t.Fatalf("PutRecords: %v, %d failed, want 2", err, out.FailedRecordCount)
	}

	snap := svc.Metrics()
	if !snap.Time.Equal(clock.Now()) {
		t.Errorf("snapshot time %v, want %v", snap.Time, clock.Now())
	}
	// Totals over both minutes.
	for _, c := range []struct {
		name string
		want kds.Statistics
	}{
		{"IncomingBytes", stats(2, 10, 4, 6)},
		{"IncomingRecords", stats(2, 2, 1, 1)},
		{"PutRecord.Bytes", stats(1, 6, 6, 6)},
		{"PutRecord.Success", stats(2, 1, 0, 1)},
		{"PutRecord.Latency", stats(1, 0, 0, 0)}, // the first call of the minute is timed; no time passes on a ManualClock
		{"PutRecords.Bytes", stats(1, 4, 4, 4)},
		{"PutRecords.Success", stats(1, 1, 1, 1)},
		{"PutRecords.TotalRecords", stats(1, 3, 3, 3)},
		{"PutRecords.SuccessfulRecords", stats(1, 1, 1, 1)},
		{"PutRecords.FailedRecords", stats(1, 0, 0, 0)},
		{"PutRecords.ThrottledRecords", stats(1, 2, 2, 2)},
		{"WriteProvisionedThroughputExceeded", stats(3, 3, 0, 2)},
	} {
		wantStats(t, c.name+" total", series(t, snap, c.name, stream).Total, c.want)
	}
	// Per minute: the PutRecord calls in the first, the PutRecords in the
	// second.
	incoming := series(t, snap, "IncomingBytes", stream)
	if len(incoming.Datapoints) != 2 {
		t.Fatalf("IncomingBytes has %d datapoints, want 2: %+v", len(incoming.Datapoints), incoming.Datapoints)
	}
	wantStats(t, "IncomingBytes, first minute", incoming.Minute(testStart), stats(1, 6, 6, 6))
	wantStats(t, "IncomingBytes, second minute", incoming.Minute(testStart.Add(time.Minute)), stats(1, 4, 4, 4))
	if got, want := incoming.Datapoints[0].Timestamp, testStart.Truncate(time.Minute); !got.Equal(want) {
		t.Errorf("first datapoint at %v, want the start of its minute %v", got, want)
	}
	wpte := series(t, snap, "WriteProvisionedThroughputExceeded", stream)
	wantStats(t, "WriteProvisionedThroughputExceeded, first minute", wpte.Minute(testStart), stats(2, 1, 0, 1))
	if got := series(t, snap, "PutRecord.Success", stream).Total.Average(); got != 0.5 {
		t.Errorf("PutRecord.Success average %v, want 0.5", got)
	}
}

func TestMetricsEveryStreamLevelName(t *testing.T) {
	// Every stream-level metric of KINESIS.md §12 is there before any
	// traffic, under its CloudWatch name and unit, with no samples.
	svc, _ := newService(t)
	createStream(t, svc, "s", 2)
	want := map[string]kds.MetricUnit{
		"IncomingBytes": kds.UnitBytes, "IncomingRecords": kds.UnitCount,
		"PutRecord.Bytes": kds.UnitBytes, "PutRecord.Latency": kds.UnitMilliseconds, "PutRecord.Success": kds.UnitCount,
		"PutRecords.Bytes": kds.UnitBytes, "PutRecords.Latency": kds.UnitMilliseconds, "PutRecords.Success": kds.UnitCount,
		"PutRecords.TotalRecords": kds.UnitCount, "PutRecords.SuccessfulRecords": kds.UnitCount,
		"PutRecords.FailedRecords": kds.UnitCount, "PutRecords.ThrottledRecords": kds.UnitCount,
		"GetRecords.Bytes": kds.UnitBytes, "GetRecords.Records": kds.UnitCount, "GetRecords.Latency": kds.UnitMilliseconds,
		"GetRecords.Success": kds.UnitCount, "GetRecords.IteratorAgeMilliseconds": kds.UnitMilliseconds,
		"ReadProvisionedThroughputExceeded": kds.UnitCount, "WriteProvisionedThroughputExceeded": kds.UnitCount,
	}
	snap := svc.Metrics()
	if len(snap.Series) != len(want) {
		t.Errorf("%d series, want %d", len(snap.Series), len(want))
	}
	for _, s := range snap.Series {
		unit, ok := want[s.MetricName]
		switch {
		case !ok:
			t.Errorf("unexpected series %s", s.MetricName)
		case s.Unit != unit:
			t.Errorf("%s unit %s, want %s", s.MetricName, s.Unit, unit)
		case s.Dimensions != kds.MetricDimensions{StreamName: "s"}:
			t.Errorf("%s dimensions %+v", s.MetricName, s.Dimensions)
		case s.Total != kds.Statistics{} || len(s.Datapoints) != 0:
			t.Errorf("%s has samples before any call: %+v", s.MetricName, s)
		}
	}
}

func TestMetricsGetRecords(t *testing.T) {
	svc, clock := newService(t, kds.WithThroughputLimits(kds.ThroughputLimits{ReadCallsPerSecond: 1}))
	createStream(t, svc, "s", 1)
	put(t, svc, "s", "k", "aaaa")
	clock.Advance(3 * time.Second)
	put(t, svc, "s", "k", "bb")
	clock.Advance(2 * time.Second)

	it := trimHorizon(t, svc, "s", "shardId-000000000000")
	out, err := svc.GetRecords(ctx, kds.GetRecordsInput{ShardIterator: it, Limit: 1})
	if err != nil || len(out.Records) != 1 {
		t.Fatalf("GetRecords: %v, %d records", err, len(out.Records))
	}
	// A second call in the same second is over the one call per second.
	if _, err := svc.GetRecords(ctx, kds.GetRecordsInput{ShardIterator: out.NextShardIterator}); err == nil {
		t.Fatal("second GetRecords in the same second was not throttled")
	}
	clock.Advance(time.Second)
	if _, err := svc.GetRecords(ctx, kds.GetRecordsInput{ShardIterator: out.NextShardIterator}); err != nil {
		t.Fatal(err)
	}

	snap := svc.Metrics()
	stream := kds.MetricDimensions{StreamName: "s"}
	wantStats(t, "GetRecords.Records", series(t, snap, "GetRecords.Records", stream).Total, stats(2, 2, 1, 1))
	wantStats(t, "GetRecords.Bytes", series(t, snap, "GetRecords.Bytes", stream).Total, stats(2, 8, 3, 5))
	wantStats(t, "GetRecords.Success", series(t, snap, "GetRecords.Success", stream).Total, stats(3, 2, 0, 1))
	wantStats(t, "ReadProvisionedThroughputExceeded", series(t, snap, "ReadProvisionedThroughputExceeded", stream).Total, stats(3, 1, 0, 1))
	// The first record was 5 s old when read, the second 3 s.
	wantStats(t, "GetRecords.IteratorAgeMilliseconds", series(t, snap, "GetRecords.IteratorAgeMilliseconds", stream).Total, stats(2, 8000, 3000, 5000))
	if _, ok := snap.Find("OutgoingBytes", kds.MetricDimensions{StreamName: "s", ShardId: "shardId-000000000000"}); ok {
		t.Error("shard-level metrics without enhanced monitoring")
	}
}

func TestMetricsShardLevelFollowEnhancedMonitoring(t *testing.T) {
	svc, clock := newService(t)
	createStream(t, svc, "s", 2)
	shard0 := kds.MetricDimensions{StreamName: "s", ShardId: "shardId-000000000000"}
	shard1 := kds.MetricDimensions{StreamName: "s", ShardId: "shardId-000000000001"}

	putHK(t, svc, "s", "0", "before") // not recorded per shard: monitoring is off
	if _, err := svc.EnableEnhancedMonitoring(ctx, kds.EnableEnhancedMonitoringInput{StreamName: "s", ShardLevelMetrics: []string{"IncomingBytes", "OutgoingRecords", "IteratorAgeMilliseconds"}}); err != nil {
		t.Fatal(err)
	}
	// Turned on, the shards' metrics are listed before any sample.
	for _, shard := range []kds.MetricDimensions{shard0, shard1} {
		if got := series(t, svc.Metrics(), "IncomingBytes", shard).Total; got != (kds.Statistics{}) {
			t.Errorf("%s IncomingBytes before any put: %+v", shard.ShardId, got)
		}
	}
	out, err := svc.PutRecords(ctx, kds.PutRecordsInput{StreamName: "s", Records: []kds.PutRecordsRequestEntry{
		{PartitionKey: "k", ExplicitHashKey: "0", Data: []byte("12")},
		{PartitionKey: "k", ExplicitHashKey: "1", Data: []byte("345")},
		{PartitionKey: "k", ExplicitHashKey: maxHashKey, Data: []byte("6789")},
	}})
	if err != nil || out.FailedRecordCount != 0 {
		t.Fatalf("PutRecords: %v %+v", err, out)
	}
	clock.Advance(2 * time.Second)
	if got := readAll(t, svc, trimHorizon(t, svc, "s", shard0.ShardId)); len(got) != 3 {
		t.Fatalf("read %d records from shard 0, want 3", len(got))
	}

	snap := svc.Metrics()
	// One PutRecords call: one sample per shard it touched.
	wantStats(t, "shard 0 IncomingBytes", series(t, snap, "IncomingBytes", shard0).Total, stats(1, 7, 7, 7))
	wantStats(t, "shard 1 IncomingBytes", series(t, snap, "IncomingBytes", shard1).Total, stats(1, 5, 5, 5))
	// readAll's last call finds nothing: two GetRecords samples.
	wantStats(t, "shard 0 OutgoingRecords", series(t, snap, "OutgoingRecords", shard0).Total, stats(2, 3, 0, 3))
	wantStats(t, "shard 0 IteratorAgeMilliseconds", series(t, snap, "IteratorAgeMilliseconds", shard0).Total, stats(2, 2000, 0, 2000))
	for _, off := range []string{"IncomingRecords", "OutgoingBytes", "WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded"} {
		if _, ok := snap.Find(off, shard0); ok {
			t.Errorf("shard-level %s published while off", off)
		}
	}

	// Turned off, the shard keeps what it recorded and records no more.
	if _, err := svc.DisableEnhancedMonitoring(ctx, kds.DisableEnhancedMonitoringInput{StreamName: "s", ShardLevelMetrics: []string{"ALL"}}); err != nil {
		t.Fatal(err)
	}
	putHK(t, svc, "s", "0", "after")
	snap = svc.Metrics()
	wantStats(t, "shard 0 IncomingBytes after disabling", series(t, snap, "IncomingBytes", shard0).Total, stats(1, 7, 7, 7))
	wantStats(t, "stream IncomingBytes", series(t, snap, "IncomingBytes", kds.MetricDimensions{StreamName: "s"}).Total, stats(3, 7+12+6, 6, 12))
}

func TestMetricsShardLevelThrottles(t *testing.T) {
	svc, _ := newService(t, kds.WithThroughputLimits(kds.ThroughputLimits{WriteRecordsPerSecond: 1, ReadCallsPerSecond: 1}))
	createStream(t, svc, "s", 1)
	if _, err := svc.EnableEnhancedMonitoring(ctx, kds.EnableEnhancedMonitoringInput{StreamName: "s", ShardLevelMetrics: []string{"ALL"}}); err != nil {
		t.Fatal(err)
	}
	put(t, svc, "s", "k", "x")
	if _, err := svc.PutRecord(ctx, kds.PutRecordInput{StreamName: "s", PartitionKey: "k", Data: []byte("y")}); err == nil {
		t.Fatal("not throttled")
	}
	it := trimHorizon(t, svc, "s", "shardId-000000000000")
	getRecords(t, svc, it, 0)
	if _, err := svc.GetRecords(ctx, kds.GetRecordsInput{ShardIterator: it}); err == nil {
		t.Fatal("read not throttled")
	}
	snap := svc.Metrics()
	shard := kds.MetricDimensions{StreamName: "s", ShardId: "shardId-000000000000"}
	wantStats(t, "WriteProvisionedThroughputExceeded", series(t, snap, "WriteProvisionedThroughputExceeded", shard).Total, stats(2, 1, 0, 1))
	wantStats(t, "ReadProvisionedThroughputExceeded", series(t, snap, "ReadProvisionedThroughputExceeded", shard).Total, stats(2, 1, 0, 1))
	// Incoming* count the puts that stored something.
	wantStats(t, "IncomingRecords", series(t, snap, "IncomingRecords", shard).Total, stats(1, 1, 1, 1))
}

func TestMetricsConsumer(t *testing.T) {
	svc, clock := newService(t)
	createStream(t, svc, "s", 1)
	reg, err := svc.RegisterStreamConsumer(ctx, kds.RegisterStreamConsumerInput{StreamARN: streamARN("s"), ConsumerName: "c"})
	if err != nil {
		t.Fatal(err)
	}
	arn := reg.Consumer.ConsumerARN
	t.Cleanup(func() {
		if _, err := svc.DeregisterStreamConsumer(ctx, kds.DeregisterStreamConsumerInput{ConsumerARN: arn}); err != nil {
			t.Error(err)
		}
	})
	put(t, svc, "s", "k", "abc")
	clock.Advance(4 * time.Second)
	sub, err := svc.SubscribeToShard(ctx, kds.SubscribeToShardInput{ConsumerARN: arn, ShardId: "shardId-000000000000", StartingPosition: kds.StartingPosition{Type: kds.ShardIteratorTypeTrimHorizon}})
	if err != nil {
		t.Fatal(err)
	}
	// Too soon: refused, counted as a rate-exceeded subscribe.
	if _, err := svc.SubscribeToShard(ctx, kds.SubscribeToShardInput{ConsumerARN: arn, ShardId: "shardId-000000000000", StartingPosition: kds.StartingPosition{Type: kds.ShardIteratorTypeLatest}}); err == nil {
		t.Fatal("resubscribe at once was not refused")
	}
	for ev, err := range sub.EventStream {
		if err != nil {
			t.Fatal(err)
		}
		if len(ev.Records) != 1 {
			t.Fatalf("first event has %d records", len(ev.Records))
		}
		break
	}
	snap := svc.Metrics()
	c := kds.MetricDimensions{StreamName: "s", ConsumerName: "c"}
	wantStats(t, "SubscribeToShard.Success", series(t, snap, "SubscribeToShard.Success", c).Total, stats(2, 1, 0, 1))
	wantStats(t, "SubscribeToShard.RateExceeded", series(t, snap, "SubscribeToShard.RateExceeded", c).Total, stats(2, 1, 0, 1))
	wantStats(t, "SubscribeToShardEvent.Records", series(t, snap, "SubscribeToShardEvent.Records", c).Total, stats(1, 1, 1, 1))
	wantStats(t, "SubscribeToShardEvent.Bytes", series(t, snap, "SubscribeToShardEvent.Bytes", c).Total, stats(1, 4, 4, 4))
	wantStats(t, "SubscribeToShardEvent.Success", series(t, snap, "SubscribeToShardEvent.Success", c).Total, stats(1, 1, 1, 1))
	// After the event the consumer is caught up.
	wantStats(t, "SubscribeToShardEvent.MillisBehindLatest", series(t, snap, "SubscribeToShardEvent.MillisBehindLatest", c).Total, stats(1, 0, 0, 0))
}

func TestMetricsWindowKeepsRecentMinutesAndAllTimeTotals(t *testing.T) {
	svc, clock := newService(t, kds.WithMetricsWindow(2*time.Minute))
	createStream(t, svc, "s", 1)
	for i := range 5 {
		put(t, svc, "s", "k", strings.Repeat("x", i+1))
		clock.Advance(time.Minute)
	}
	in := series(t, svc.Metrics(), "IncomingBytes", kds.MetricDimensions{StreamName: "s"})
	wantStats(t, "total", in.Total, stats(5, 2+3+4+5+6, 2, 6))
	if len(in.Datapoints) != 2 {
		t.Fatalf("%d datapoints in a 2-minute window: %+v", len(in.Datapoints), in.Datapoints)
	}
	for i, d := range in.Datapoints {
		if want := testStart.Truncate(time.Minute).Add(time.Duration(3+i) * time.Minute); !d.Timestamp.Equal(want) {
			t.Errorf("datapoint %d at %v, want %v", i, d.Timestamp, want)
		}
	}
	wantStats(t, "newest minute", in.Minute(clock.Now().Add(-time.Minute)), stats(1, 6, 6, 6))
	if got := in.Minute(testStart); got != (kds.Statistics{}) {
		t.Errorf("minute outside the window: %+v", got)
	}
}

func TestMetricsWindowOption(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Minute, 32 * 24 * time.Hour} {
		if _, err := kds.NewService(kds.WithMetricsWindow(d)); err == nil {
			t.Errorf("WithMetricsWindow(%v) accepted", d)
		}
	}
	if _, err := kds.NewService(kds.WithMetricsWindow(90 * time.Second)); err != nil {
		t.Errorf("WithMetricsWindow(90s): %v", err)
	}
}

func TestMetricsSampleOlderThanItsSlotCountsInTotalsOnly(t *testing.T) {
	svc, clock := newService(t, kds.WithMetricsWindow(time.Minute))
	createStream(t, svc, "s", 1)
	clock.Advance(time.Hour)
	put(t, svc, "s", "k", "new")
	clock.Set(testStart.Add(time.Minute)) // the slot now holds a later minute
	put(t, svc, "s", "k", "old")
	in := series(t, svc.Metrics(), "IncomingBytes", kds.MetricDimensions{StreamName: "s"})
	wantStats(t, "total", in.Total, stats(2, 8, 4, 4))
	if len(in.Datapoints) != 1 || !in.Datapoints[0].Timestamp.Equal(testStart.Add(time.Hour).Truncate(time.Minute)) {
		t.Errorf("datapoints %+v, want only the newer minute", in.Datapoints)
	}
}

func TestMetricsAllThrottledPutRecords(t *testing.T) {
	svc, _ := newService(t, kds.WithThroughputLimits(kds.ThroughputLimits{WriteRecordsPerSecond: 1}))
	createStream(t, svc, "s", 1)
	records := []kds.PutRecordsRequestEntry{{PartitionKey: "a", Data: []byte("1")}, {PartitionKey: "b", Data: []byte("2")}}
	for range 2 { // the second call finds the shard's second spent
		if _, err := svc.PutRecords(ctx, kds.PutRecordsInput{StreamName: "s", Records: records}); err != nil {
			t.Fatal(err)
		}
	}
	snap := svc.Metrics()
	stream := kds.MetricDimensions{StreamName: "s"}
	wantStats(t, "PutRecords.Success", series(t, snap, "PutRecords.Success", stream).Total, stats(2, 1, 0, 1))
	wantStats(t, "PutRecords.SuccessfulRecords", series(t, snap, "PutRecords.SuccessfulRecords", stream).Total, stats(2, 1, 0, 1))
	wantStats(t, "PutRecords.ThrottledRecords", series(t, snap, "PutRecords.ThrottledRecords", stream).Total, stats(2, 3, 1, 2))
	wantStats(t, "PutRecords.Bytes", series(t, snap, "PutRecords.Bytes", stream).Total, stats(1, 2, 2, 2))
	wantStats(t, "IncomingRecords", series(t, snap, "IncomingRecords", stream).Total, stats(1, 1, 1, 1))
	wantStats(t, "WriteProvisionedThroughputExceeded", series(t, snap, "WriteProvisionedThroughputExceeded", stream).Total, stats(2, 3, 1, 2))
}

func TestMetricsShardLevelOneSamplePerCallAndShard(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "s", 2)
	if _, err := svc.EnableEnhancedMonitoring(ctx, kds.EnableEnhancedMonitoringInput{StreamName: "s", ShardLevelMetrics: []string{"ALL"}}); err != nil {
		t.Fatal(err)
	}
	// Records alternate between the shards.
	var records []kds.PutRecordsRequestEntry
	for i := range 6 {
		hk := "0"
		if i%2 == 1 {
			hk = maxHashKey
		}
		records = append(records, kds.PutRecordsRequestEntry{PartitionKey: "k", ExplicitHashKey: hk, Data: []byte("x")})
	}
	if _, err := svc.PutRecords(ctx, kds.PutRecordsInput{StreamName: "s", Records: records}); err != nil {
		t.Fatal(err)
	}
	snap := svc.Metrics()
	for _, id := range []string{"shardId-000000000000", "shardId-000000000001"} {
		d := kds.MetricDimensions{StreamName: "s", ShardId: id}
		wantStats(t, id+" IncomingRecords", series(t, snap, "IncomingRecords", d).Total, stats(1, 3, 3, 3))
		wantStats(t, id+" WriteProvisionedThroughputExceeded", series(t, snap, "WriteProvisionedThroughputExceeded", d).Total, stats(1, 0, 0, 0))
	}
}

func TestMetricsReadWhileWriting(t *testing.T) {
	// Readers racing writers never see a half-added sample: a minimum
	// above the maximum, or below the smallest value put.
	svc, clock := newService(t)
	createStream(t, svc, "s", 1)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if i%20 == 0 {
				clock.Advance(time.Minute) // a fresh minute: its first sample races the reader
			}
			put(t, svc, "s", "k", "12345")
		}
	}()
	for range 300 {
		for _, s := range svc.Metrics().Series {
			for _, d := range append(s.Datapoints, kds.Datapoint{Statistics: s.Total}) {
				if d.SampleCount > 0 && (d.Minimum > d.Maximum || d.Minimum < 0) {
					t.Fatalf("%s: %+v", s.MetricName, d.Statistics)
				}
			}
		}
	}
	close(stop)
	wg.Wait()
}

func TestMetricsBefore1970(t *testing.T) {
	svc, _ := newServiceAt(t, time.Time{})
	createStream(t, svc, "s", 1)
	put(t, svc, "s", "k", "v")
	in := series(t, svc.Metrics(), "IncomingBytes", kds.MetricDimensions{StreamName: "s"})
	wantStats(t, "IncomingBytes", in.Total, stats(1, 2, 2, 2))
	if len(in.Datapoints) != 1 || !in.Datapoints[0].Timestamp.Equal(time.Time{}) {
		t.Errorf("datapoints %+v, want one at the zero time", in.Datapoints)
	}
}

func TestMetricsConcurrentPutsAreAllCounted(t *testing.T) {
	// 40 minutes in a window of 60: every minute keeps its datapoint.
	t.Run("window of an hour", func(t *testing.T) { concurrentPutsAreAllCounted(t, time.Hour, 50) })
	// 400 minutes in a window of one: the slot is taken over all the time.
	t.Run("window of a minute", func(t *testing.T) { concurrentPutsAreAllCounted(t, time.Minute, 5) })
}

// concurrentPutsAreAllCounted puts from several goroutines while the
// minutes turn over (one of them moves the clock a minute every
// advanceEvery puts), and finds every put in the totals.
func concurrentPutsAreAllCounted(t *testing.T, window time.Duration, advanceEvery int) {
	svc, clock := newService(t, kds.WithMetricsWindow(window))
	createStream(t, svc, "s", 4)
	const writers, each = 8, 2000
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if i%advanceEvery == 0 && w == 0 {
					clock.Advance(time.Minute) // minutes turn over under load
				}
				if _, err := svc.PutRecord(ctx, kds.PutRecordInput{StreamName: "s", PartitionKey: string(rune('a' + i%26)), Data: []byte("xy")}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	in := series(t, svc.Metrics(), "IncomingRecords", kds.MetricDimensions{StreamName: "s"})
	wantStats(t, "IncomingRecords", in.Total, stats(writers*each, writers*each, 1, 1))
	var sum int64
	for _, d := range in.Datapoints {
		sum += d.SampleCount
	}
	if window == time.Hour && sum != writers*each {
		t.Errorf("datapoints hold %d samples, want %d", sum, writers*each)
	}
}

func TestMetricsGoNativeFacesCount(t *testing.T) {
	clock := kds.NewManualClock(testStart)
	s, err := kds.NewStream("native", kds.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, "k", []byte("hello")); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Second)
	for _, err := range s.Replay(ctx, kds.TrimHorizon()) {
		if err != nil {
			t.Fatal(err)
		}
	}
	snap := s.Metrics()
	d := kds.MetricDimensions{StreamName: "native"}
	wantStats(t, "PutRecord.Bytes", series(t, snap, "PutRecord.Bytes", d).Total, stats(1, 6, 6, 6))
	wantStats(t, "GetRecords.Records", series(t, snap, "GetRecords.Records", d).Total, stats(1, 1, 1, 1))
	wantStats(t, "GetRecords.IteratorAgeMilliseconds", series(t, snap, "GetRecords.IteratorAgeMilliseconds", d).Total, stats(1, 1000, 1000, 1000))
	if got := series(t, snap, "GetRecords.Latency", d).Total.SampleCount; got != 0 {
		t.Errorf("a Go-native read has a latency sample (%d)", got)
	}
}

func TestMetricsLatencyTimesOneCallInSixteen(t *testing.T) {
	svc, clock := newService(t)
	createStream(t, svc, "s", 1)
	for range 33 { // calls 1, 17 and 33 of the minute are timed
		put(t, svc, "s", "k", "v")
	}
	clock.Advance(time.Minute)
	put(t, svc, "s", "k", "v") // the first of the next minute
	lat := series(t, svc.Metrics(), "PutRecord.Latency", kds.MetricDimensions{StreamName: "s"})
	wantStats(t, "PutRecord.Latency", lat.Total, stats(4, 0, 0, 0))
	wantStats(t, "PutRecord.Latency, first minute", lat.Minute(testStart), stats(3, 0, 0, 0))
}

func TestMetricsLatencyOnTheRealClock(t *testing.T) {
	s, err := kds.NewStream("real")
	if err != nil {
		t.Fatal(err)
	}
	for range 40 {
		if _, err := s.Put(ctx, "k", []byte("v")); err != nil {
			t.Fatal(err)
		}
	}
	// 3 samples, or 4 if a minute turned over in between.
	lat := series(t, s.Metrics(), "PutRecord.Latency", kds.MetricDimensions{StreamName: "real"}).Total
	if lat.SampleCount < 3 || lat.SampleCount > 4 || lat.Minimum < 0 || lat.Maximum < lat.Minimum || lat.Maximum > 10_000 {
		t.Errorf("PutRecord.Latency %+v: want 3 or 4 samples between 0 and 10 s", lat)
	}
}
