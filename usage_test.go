package kds_test

import (
	"math"
	"testing"
	"time"

	"github.com/kdsgo/kds"
)

// Tests of Stream.Usage, the meter behind the cost model (KINESIS.md §8).

const kib = 1 << 10

// usageOf returns the usage of stream name.
func usageOf(t *testing.T, svc *kds.Service, name string) kds.Usage {
	t.Helper()
	return capStream(t, svc, name).Usage()
}

// wantHours fails the test unless got is want (to within rounding).
func wantHours(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9*max(1, math.Abs(want)) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

// sized is a record of exactly size key plus data bytes.
func sized(size int) kds.PutRecordsRequestEntry {
	return kds.PutRecordsRequestEntry{PartitionKey: "k", Data: make([]byte, size-1)}
}

func TestUsagePutUnits(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "u", 1)
	steps := []struct {
		size   int
		units  int64 // PUT payload units: 25 KiB each, rounded up
		billed int64 // on-demand ingest bytes: 1 KiB each, rounded up
	}{
		{1, 1, 1024},
		{30 * kib, 2, 30 * kib},
		{25 * kib, 1, 25 * kib},
		{25*kib + 1, 2, 26 * kib},
		{1000, 1, 1024},
		{1025, 1, 2048},
		{mib, 41, mib},
		{50 * kib, 2, 50 * kib},
	}
	var want kds.Usage
	for _, st := range steps {
		putRecords(t, svc, "u", []kds.PutRecordsRequestEntry{sized(st.size)})
		want.Records++
		want.Bytes += int64(st.size)
		want.PutPayloadUnits += st.units
		want.BilledIngestBytes += st.billed
		u := usageOf(t, svc, "u")
		if u.Records != want.Records || u.Bytes != want.Bytes || u.PutPayloadUnits != want.PutPayloadUnits || u.BilledIngestBytes != want.BilledIngestBytes {
			t.Fatalf("after a %d-byte record: Records %d Bytes %d PutPayloadUnits %d BilledIngestBytes %d; want %d %d %d %d",
				st.size, u.Records, u.Bytes, u.PutPayloadUnits, u.BilledIngestBytes,
				want.Records, want.Bytes, want.PutPayloadUnits, want.BilledIngestBytes)
		}
	}
	// PutRecord and PutRecords count alike; a batch counts every record.
	put(t, svc, "u", "k", string(make([]byte, 30*kib-1)))
	putRecords(t, svc, "u", []kds.PutRecordsRequestEntry{sized(1), sized(30 * kib), sized(2)})
	u := usageOf(t, svc, "u")
	if u.Records != want.Records+4 || u.PutPayloadUnits != want.PutPayloadUnits+2+1+2+1 || u.BilledIngestBytes != want.BilledIngestBytes+30*kib+1024+30*kib+1024 {
		t.Fatalf("after PutRecord and a batch: %+v", u)
	}
	if u.RetrievedBytes != 0 || u.ThrottledRecords != 0 || u.ThrottledReads != 0 {
		t.Fatalf("nothing was read or throttled: %+v", u)
	}
}

func TestUsageReadsAndThrottling(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "u", 1)
	putRecords(t, svc, "u", []kds.PutRecordsRequestEntry{sized(1), sized(3000), sized(10)})
	it := trimHorizon(t, svc, "u", shard0)
	if got := getRecords(t, svc, it, 2); len(got.Records) != 2 {
		t.Fatalf("read %d records, want 2", len(got.Records))
	}
	u := usageOf(t, svc, "u")
	if u.RetrievedBytes != 3001 || u.BilledRetrievedBytes != 1024+3072 {
		t.Fatalf("after reading 1 + 3000 bytes: RetrievedBytes %d BilledRetrievedBytes %d, want 3001 and %d", u.RetrievedBytes, u.BilledRetrievedBytes, 1024+3072)
	}
	getRecords(t, svc, getRecords(t, svc, it, 0).NextShardIterator, 0) // all 3, then none
	if n := replayCount(t, svc, "u"); n != 3 {
		t.Fatalf("Replay yields %d records", n)
	}
	u = usageOf(t, svc, "u")
	if want := int64(3001 + 3011 + 3011); u.RetrievedBytes != want {
		t.Fatalf("RetrievedBytes = %d, want %d (GetRecords and Replay both count)", u.RetrievedBytes, want)
	}

	capStream(t, svc, "u").SetThroughputLimits(kds.ThroughputLimits{WriteRecordsPerSecond: 2, ReadCallsPerSecond: 1})
	out := putRecords(t, svc, "u", []kds.PutRecordsRequestEntry{sized(5), sized(5), sized(5), sized(5)})
	_, err := svc.PutRecord(ctx, kds.PutRecordInput{StreamName: "u", PartitionKey: "k", Data: []byte("x")})
	if out.FailedRecordCount != 2 || err == nil {
		t.Fatalf("FailedRecordCount %d, PutRecord %v; want 2 and a throttling error", out.FailedRecordCount, err)
	}
	for range 3 {
		svc.GetRecords(ctx, kds.GetRecordsInput{ShardIterator: it})
	}
	u2 := usageOf(t, svc, "u")
	if u2.ThrottledRecords != 3 || u2.ThrottledReads != 2 {
		t.Fatalf("ThrottledRecords %d ThrottledReads %d, want 3 and 2", u2.ThrottledRecords, u2.ThrottledReads)
	}
	if u2.Records != u.Records+2 || u2.Bytes != u.Bytes+10 || u2.PutPayloadUnits != u.PutPayloadUnits+2 {
		t.Fatalf("throttled records were counted as put: before %+v after %+v", u, u2)
	}
	if want := u.RetrievedBytes + 3011 + 2*5; u2.RetrievedBytes != want {
		t.Fatalf("RetrievedBytes %d, want %d: only the admitted call reads", u2.RetrievedBytes, want)
	}
}

func TestUsageShardHours(t *testing.T) {
	svc, clock := newService(t)
	t0 := clock.Now()
	createStream(t, svc, "u", 2)
	type hours struct{ stream, shard, extended float64 }
	steps := []struct {
		advance time.Duration
		action  func()
		want    hours
	}{
		{0, nil, hours{0, 0, 0}},
		{10 * time.Hour, nil, hours{10, 20, 0}},
		{0, func() {
			if _, err := svc.SplitShard(ctx, kds.SplitShardInput{StreamName: "u", ShardToSplit: shard0, NewStartingHashKey: "1000"}); err != nil {
				t.Fatal(err)
			}
		}, hours{10, 20, 0}},
		{time.Hour, nil, hours{11, 23, 0}},
		{0, func() { setRetention(t, svc, "u", 48) }, hours{11, 23, 0}},
		{2 * time.Hour, nil, hours{13, 29, 6}},
		{30 * time.Minute, nil, hours{13.5, 30.5, 7.5}},
		{0, func() { setRetention(t, svc, "u", 24) }, hours{13.5, 30.5, 7.5}},
		{time.Hour, nil, hours{14.5, 33.5, 7.5}},
	}
	for i, st := range steps {
		clock.Advance(st.advance)
		if st.action != nil {
			st.action()
		}
		u := usageOf(t, svc, "u")
		if !u.From.Equal(t0) || !u.To.Equal(clock.Now()) {
			t.Fatalf("step %d: usage covers %v to %v, want %v to %v", i, u.From, u.To, t0, clock.Now())
		}
		wantHours(t, "StreamHours", u.StreamHours, st.want.stream)
		wantHours(t, "ShardHours", u.ShardHours, st.want.shard)
		wantHours(t, "ExtendedRetentionShardHours", u.ExtendedRetentionShardHours, st.want.extended)
	}
	// Usage is a pure read: asking twice at one instant changes nothing.
	if a, b := usageOf(t, svc, "u"), usageOf(t, svc, "u"); a != b {
		t.Fatalf("two Usage calls at one instant differ: %+v %+v", a, b)
	}
}

func TestUsageRetentionGBHours(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "u", 1)
	const gb = 1e9
	steps := []struct {
		retention int // hours, when the record is put
		size      int
		ext, long float64 // GB-hours added
	}{
		{24, 1_000_000, 0, 0},
		{48, 1_000_000, 1e6 / gb * 24, 0},
		{168, 500_000, 5e5 / gb * (168 - 24), 0},
		{8760, 1_000_000, 1e6 / gb * (168 - 24), 1e6 / gb * (8760 - 168)},
		{200, 1_000_000, 1e6 / gb * (168 - 24), 1e6 / gb * (200 - 168)},
	}
	var ext, long float64
	for _, st := range steps {
		setRetention(t, svc, "u", st.retention)
		putRecords(t, svc, "u", []kds.PutRecordsRequestEntry{sized(st.size)})
		ext += st.ext
		long += st.long
		u := usageOf(t, svc, "u")
		wantHours(t, "ExtendedRetentionGBHours", u.ExtendedRetentionGBHours, ext)
		wantHours(t, "LongTermRetentionGBHours", u.LongTermRetentionGBHours, long)
	}
	// A record put at 8760 hours alone: bytes/1e9 * 144 and * 8592.
	svc2, _ := newService(t)
	createStream(t, svc2, "y", 1)
	setRetention(t, svc2, "y", 8760)
	put(t, svc2, "y", "k", string(make([]byte, 12344)))
	u := usageOf(t, svc2, "y")
	wantHours(t, "ExtendedRetentionGBHours", u.ExtendedRetentionGBHours, 12345/gb*144)
	wantHours(t, "LongTermRetentionGBHours", u.LongTermRetentionGBHours, 12345/gb*8592)
}
