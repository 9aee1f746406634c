package kds_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kdsgo/kds"
)

// Tests of the per-shard throughput limits (KINESIS.md §6.1): token
// buckets fed the ManualClock, so every boundary is exact.

const pte = "ProvisionedThroughputExceededException"

// throttleMsg is Kinesis's message for a throttled put or read.
func throttleMsg(shard, stream string) string {
	return "Rate exceeded for shard " + shard + " in stream " + stream + " under account " + testAccount + "."
}

// capService returns a Service on a ManualClock whose streams have
// Kinesis's limits, with a one-shard stream "s".
func capService(t *testing.T) (*kds.Service, *kds.ManualClock) {
	t.Helper()
	svc, clock := newService(t, kds.WithThroughputLimits(kds.KinesisLimits()))
	createStream(t, svc, "s", 1)
	return svc, clock
}

// capStream returns the *Stream of a stream name.
func capStream(t *testing.T, svc *kds.Service, name string) *kds.Stream {
	t.Helper()
	s, ok := svc.Stream(name)
	if !ok {
		t.Fatalf("Stream(%q) not found", name)
	}
	return s
}

// capRecord is a PutRecords entry of exactly size key plus data bytes,
// with key "k" and data filled with fill.
func capRecord(size int, fill byte) kds.PutRecordsRequestEntry {
	return kds.PutRecordsRequestEntry{PartitionKey: "k", Data: []byte(strings.Repeat(string(fill), size-1))}
}

// capRecords returns n entries of size bytes each, routed by hashKey if
// it is not empty.
func capRecords(n, size int, hashKey string) []kds.PutRecordsRequestEntry {
	out := make([]kds.PutRecordsRequestEntry, n)
	for i := range out {
		out[i] = capRecord(size, 'x')
		out[i].ExplicitHashKey = hashKey
	}
	return out
}

// putRecords calls PutRecords, failing the test on a call error.
func putRecords(t *testing.T, svc *kds.Service, stream string, recs []kds.PutRecordsRequestEntry) kds.PutRecordsOutput {
	t.Helper()
	out, err := svc.PutRecords(ctx, kds.PutRecordsInput{StreamName: stream, Records: recs})
	if err != nil {
		t.Fatalf("PutRecords(%d records): %v", len(recs), err)
	}
	return out
}

// wantOutcome checks a PutRecords result against want, one bool per
// entry (true: stored in shard wantShard[i]; false: throttled in it).
func wantOutcome(t *testing.T, out kds.PutRecordsOutput, stream string, want []bool, wantShard []string) {
	t.Helper()
	if len(out.Records) != len(want) {
		t.Fatalf("got %d result entries, want %d", len(out.Records), len(want))
	}
	failed := 0
	for i, r := range out.Records {
		if want[i] {
			if r.ErrorCode != "" || r.ErrorMessage != "" || r.ShardId != wantShard[i] || r.SequenceNumber.IsZero() {
				t.Fatalf("entry %d = %+v, want stored in %s", i, r, wantShard[i])
			}
			continue
		}
		failed++
		if r.ErrorCode != pte || r.ErrorMessage != throttleMsg(wantShard[i], stream) {
			t.Fatalf("entry %d = %q %q, want %s %q", i, r.ErrorCode, r.ErrorMessage, pte, throttleMsg(wantShard[i], stream))
		}
		if r.ShardId != "" || !r.SequenceNumber.IsZero() {
			t.Fatalf("throttled entry %d has ShardId %q SequenceNumber %q", i, r.ShardId, r.SequenceNumber)
		}
	}
	if out.FailedRecordCount != failed {
		t.Fatalf("FailedRecordCount = %d, want %d", out.FailedRecordCount, failed)
	}
}

// same returns n copies of v.
func same[T any](n int, v T) []T { return slices.Repeat([]T{v}, n) }

// firstN returns n bools, the first ok of them true.
func firstN(n, ok int) []bool { return append(same(ok, true), same(n-ok, false)...) }

const shard0, shard1 = "shardId-000000000000", "shardId-000000000001"

func TestRecordLimitPerSecond(t *testing.T) {
	svc, clock := capService(t)
	steps := []struct {
		name    string
		advance time.Duration
		n, ok   int // records put, how many of them (the first) are stored
	}{
		{"400 of 1000", 0, 400, 400},
		{"800 of 1000", 0, 400, 400},
		{"1,001st in the same call", 0, 300, 200},
		{"1,001st in the next call", 0, 1, 0},
		{"100 ms refills 100", 100 * time.Millisecond, 150, 100},
		{"empty again", 0, 3, 0},
		{"a second refills all", time.Second, 500, 500},
		{"1000 again", 0, 500, 500},
		{"1,001st after the refill", 0, 1, 0},
		{"no more than 1000 after a long idle", time.Hour, 500, 500},
		{"", 0, 500, 500},
		{"", 0, 500, 0},
	}
	var want []string // data of the stored records, in order
	n := 0
	for _, st := range steps {
		clock.Advance(st.advance)
		recs := make([]kds.PutRecordsRequestEntry, st.n)
		for i := range recs {
			// Key plus data is exactly 10 bytes.
			recs[i] = kds.PutRecordsRequestEntry{PartitionKey: "k", Data: fmt.Appendf(nil, "%09d", n)}
			if i < st.ok {
				want = append(want, string(recs[i].Data))
			}
			n++
		}
		out := putRecords(t, svc, "s", recs)
		t.Run(st.name, func(t *testing.T) {
			wantOutcome(t, out, "s", firstN(st.n, st.ok), same(st.n, shard0))
		})
	}
	got := readAll(t, svc, trimHorizon(t, svc, "s", shard0))
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("the shard holds %d records, want the %d stored ones and none of the throttled", len(got), len(want))
	}
}

func TestByteLimitPerSecond(t *testing.T) {
	svc, clock := capService(t)
	const kib = 1 << 10
	longKey := strings.Repeat("p", 256)
	type rec struct {
		key  string
		data int
	}
	steps := []struct {
		name    string
		advance time.Duration
		recs    []rec
		want    []bool
	}{
		{"ten 100 KiB records fit", 0, same(10, rec{"k", 100*kib - 1}), same(10, true)},
		{"the 11th does not", 0, []rec{{"k", 100*kib - 1}}, []bool{false}},
		// 24 KiB are left: the key's bytes count.
		{"24 KiB of data plus a key", 0, []rec{{"k", 24 * kib}}, []bool{false}},
		{"24 KiB with a 256-byte key", 0, []rec{{longKey, 24*kib - 256}}, []bool{true}},
		{"exactly 1 MiB is used", 0, []rec{{"k", 0}}, []bool{false}},
		{"half a second refills 512 KiB", 500 * time.Millisecond, []rec{{"k", 512*kib - 1}, {"k", 0}}, []bool{true, false}},
		{"per record: a big one fails, small ones after it pass", time.Second,
			[]rec{{"k", kib - 1}, {"k", mib - 1}, {"k", kib - 1}, {"k", 100*kib - 1}, {"k", mib - 1}}, []bool{true, false, true, true, false}},
	}
	for _, st := range steps {
		clock.Advance(st.advance)
		recs := make([]kds.PutRecordsRequestEntry, len(st.recs))
		for i, r := range st.recs {
			recs[i] = kds.PutRecordsRequestEntry{PartitionKey: r.key, Data: make([]byte, r.data)}
		}
		out := putRecords(t, svc, "s", recs)
		t.Run(st.name, func(t *testing.T) { wantOutcome(t, out, "s", st.want, same(len(st.want), shard0)) })
	}
}

func TestPutRecordThrottled(t *testing.T) {
	svc, clock := capService(t)
	putRecords(t, svc, "s", capRecords(500, 10, ""))
	putRecords(t, svc, "s", capRecords(500, 10, ""))
	_, err := svc.PutRecord(ctx, kds.PutRecordInput{StreamName: "s", PartitionKey: "k", Data: []byte("x")})
	wantErr(t, err, kds.ErrProvisionedThroughputExceeded, throttleMsg(shard0, "s")) // a *kds.Error, Code pte
	if !errors.Is(err, kds.ErrProvisionedThroughputExceeded) || !kds.IsRetriable(err) {
		t.Fatalf("errors.Is = %v, IsRetriable = %v; want both true", errors.Is(err, kds.ErrProvisionedThroughputExceeded), kds.IsRetriable(err))
	}
	if _, err := capStream(t, svc, "s").Put(ctx, "k", []byte("x")); !errors.Is(err, kds.ErrProvisionedThroughputExceeded) {
		t.Fatalf("Stream.Put over the limit: %v, want %s", err, pte)
	}
	if n := replayCount(t, svc, "s"); n != 1000 {
		t.Fatalf("the shard holds %d records, want 1000", n)
	}
	clock.Advance(time.Millisecond)
	put(t, svc, "s", "k", "x") // one record's worth refilled
	_, err = svc.PutRecord(ctx, kds.PutRecordInput{StreamName: "s", PartitionKey: "k", Data: []byte("x")})
	wantErr(t, err, kds.ErrProvisionedThroughputExceeded, throttleMsg(shard0, "s"))
}

func TestShardLimitsAreIndependent(t *testing.T) {
	svc, _ := newService(t, kds.WithThroughputLimits(kds.KinesisLimits()))
	createStream(t, svc, "two", 2)
	for range 2 {
		wantOutcome(t, putRecords(t, svc, "two", capRecords(500, 10, "0")), "two", same(500, true), same(500, shard0))
	}
	mixed := append(capRecords(2, 10, "0"), capRecords(2, 10, maxHashKey)...)
	out := putRecords(t, svc, "two", []kds.PutRecordsRequestEntry{mixed[0], mixed[2], mixed[1], mixed[3]})
	wantOutcome(t, out, "two", []bool{false, true, false, true}, []string{shard0, shard1, shard0, shard1})
	// Shard 1 has 998 records' worth left.
	wantOutcome(t, putRecords(t, svc, "two", capRecords(500, 10, maxHashKey)), "two", same(500, true), same(500, shard1))
	out = putRecords(t, svc, "two", capRecords(499, 10, maxHashKey))
	wantOutcome(t, out, "two", firstN(499, 498), same(499, shard1))
}

func TestSplitChildrenHaveFreshBuckets(t *testing.T) {
	svc, _ := capService(t)
	putRecords(t, svc, "s", capRecords(500, 10, ""))
	putRecords(t, svc, "s", capRecords(500, 10, ""))
	if _, err := svc.SplitShard(ctx, kds.SplitShardInput{StreamName: "s", ShardToSplit: shard0, NewStartingHashKey: "170141183460469231731687303715884105728"}); err != nil {
		t.Fatalf("SplitShard: %v", err)
	}
	for _, hk := range []string{"0", maxHashKey} {
		out := putRecords(t, svc, "s", capRecords(500, 10, hk))
		out2 := putRecords(t, svc, "s", capRecords(500, 10, hk))
		out3 := putRecords(t, svc, "s", capRecords(1, 10, hk))
		if out.FailedRecordCount+out2.FailedRecordCount != 0 || out3.FailedRecordCount != 1 {
			t.Fatalf("child of hash key %s: failed %d, %d, %d; want 0, 0, 1", hk, out.FailedRecordCount, out2.FailedRecordCount, out3.FailedRecordCount)
		}
	}
}

// largeRecordStream returns a Service with a limited one-shard stream
// "big" that accepts records of up to 4 MiB.
func largeRecordStream(t *testing.T) (*kds.Service, *kds.ManualClock) {
	t.Helper()
	svc, clock := newService(t, kds.WithThroughputLimits(kds.KinesisLimits()))
	createStream(t, svc, "big", 1)
	if _, err := svc.UpdateMaxRecordSize(ctx, kds.UpdateMaxRecordSizeInput{StreamARN: streamARN("big"), MaxRecordSizeInKiB: 4096}); err != nil {
		t.Fatalf("UpdateMaxRecordSize: %v", err)
	}
	return svc, clock
}

func TestLargeRecordBorrowsBurst(t *testing.T) {
	svc, _ := largeRecordStream(t)
	out := putRecords(t, svc, "big", []kds.PutRecordsRequestEntry{capRecord(3*mib, 'b')})
	wantOutcome(t, out, "big", []bool{true}, []string{shard0})
	var got []kds.Record
	for r, err := range capStream(t, svc, "big").Replay(ctx, kds.TrimHorizon()) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	if len(got) != 1 || len(got[0].Data) != 3*mib-1 {
		t.Fatalf("the 3 MiB record was not stored whole")
	}
}

func TestLargeRecordDebtIsRepaid(t *testing.T) {
	svc, clock := largeRecordStream(t)
	out := putRecords(t, svc, "big", []kds.PutRecordsRequestEntry{capRecord(3*mib, 'b')})
	wantOutcome(t, out, "big", []bool{true}, []string{shard0})
	out = putRecords(t, svc, "big", []kds.PutRecordsRequestEntry{capRecord(mib, 'm')})
	if out.FailedRecordCount != 1 {
		t.Fatalf("a 1 MiB record right after a 3 MiB one on a fresh shard: FailedRecordCount = %d, want 1 (the large record borrowed the burst)", out.FailedRecordCount)
	}
	steps := []struct {
		advance time.Duration
		ok      bool
	}{
		{time.Second, false},
		{time.Second, false},
		{900 * time.Millisecond, false}, // 2.9 s: 0.9 MiB refilled
		{100 * time.Millisecond, true},  // 3 s: the 2 MiB borrowed and 1 MiB repaid
		{0, false},
	}
	for i, st := range steps {
		clock.Advance(st.advance)
		out := putRecords(t, svc, "big", []kds.PutRecordsRequestEntry{capRecord(mib, 'm')})
		if got := out.FailedRecordCount == 0; got != st.ok {
			t.Fatalf("step %d: 1 MiB record stored = %v, want %v", i, got, st.ok)
		}
	}
}

// getRecordsErr calls GetRecords without failing the test.
func getRecordsErr(svc *kds.Service, it string) (kds.GetRecordsOutput, error) {
	return svc.GetRecords(ctx, kds.GetRecordsInput{ShardIterator: it})
}

func TestGetRecordsCallLimit(t *testing.T) {
	svc, clock := capService(t)
	put(t, svc, "s", "k", "x")
	it := trimHorizon(t, svc, "s", shard0)
	steps := []struct {
		advance time.Duration
		ok      bool
	}{
		{0, true}, {0, true}, {0, true}, {0, true}, {0, true},
		{0, false}, // the 6th call in one second
		{0, false},
		{200 * time.Millisecond, true}, // one call refilled
		{0, false},
		{time.Second, true}, {0, true}, {0, true}, {0, true}, {0, true},
		{0, false},
	}
	throttled := 0
	for i, st := range steps {
		clock.Advance(st.advance)
		out, err := getRecordsErr(svc, it)
		if st.ok {
			if err != nil || len(out.Records) != 1 {
				t.Fatalf("step %d: GetRecords = %d records, %v; want the record", i, len(out.Records), err)
			}
			continue
		}
		throttled++
		wantErr(t, err, kds.ErrProvisionedThroughputExceeded, throttleMsg(shard0, "s"))
	}
	if u := capStream(t, svc, "s").Usage(); u.ThrottledReads != int64(throttled) {
		t.Fatalf("Usage.ThrottledReads = %d, want %d", u.ThrottledReads, throttled)
	}
}

// tenMiBShard returns a limited stream "s" holding ten records of exactly
// 1 MiB, put with limits off, and an iterator at its start. The shard's
// buckets are full.
func tenMiBShard(t *testing.T) (*kds.Service, *kds.ManualClock, string) {
	t.Helper()
	svc, clock := capService(t)
	s := capStream(t, svc, "s")
	s.SetThroughputLimits(kds.NoLimits)
	for range 10 {
		putRecords(t, svc, "s", []kds.PutRecordsRequestEntry{capRecord(mib, 'd')})
	}
	s.SetThroughputLimits(kds.KinesisLimits())
	it := trimHorizon(t, svc, "s", shard0)
	out, err := getRecordsErr(svc, it)
	if err != nil || len(out.Records) != 10 {
		t.Fatalf("the 10 MiB read: %d records, %v; want 10", len(out.Records), err)
	}
	return svc, clock, out.NextShardIterator
}

func TestLargeReadBlocksShard(t *testing.T) {
	svc, clock, it := tenMiBShard(t)
	steps := []struct {
		at time.Duration // since the 10 MiB read
		ok bool
	}{
		{0, false},
		{time.Second, false},
		{3900 * time.Millisecond, false},
		{5100 * time.Millisecond, true},
	}
	start := clock.Now()
	for _, st := range steps {
		clock.Set(start.Add(st.at))
		_, err := getRecordsErr(svc, it)
		if st.ok && err != nil {
			t.Fatalf("+%v: GetRecords: %v, want success", st.at, err)
		}
		if !st.ok {
			wantErr(t, err, kds.ErrProvisionedThroughputExceeded, throttleMsg(shard0, "s"))
		}
	}
}

func TestLargeReadBlocksShardFiveSeconds(t *testing.T) {
	svc, clock, it := tenMiBShard(t)
	clock.Advance(4900 * time.Millisecond)
	if _, err := getRecordsErr(svc, it); err == nil {
		t.Fatal("GetRecords 4.9 s after a 10 MiB read succeeded; the shard's reads must be refused for 5 s")
	}
	clock.Advance(200 * time.Millisecond)
	if _, err := getRecordsErr(svc, it); err != nil {
		t.Fatalf("+5.1 s: %v", err)
	}
}

func TestSetThroughputLimits(t *testing.T) {
	svc, clock := capService(t)
	s := capStream(t, svc, "s")
	if got := s.ThroughputLimits(); got != kds.KinesisLimits() {
		t.Fatalf("ThroughputLimits() = %+v, want KinesisLimits", got)
	}
	putRecords(t, svc, "s", capRecords(500, 10, ""))
	putRecords(t, svc, "s", capRecords(500, 10, ""))
	wantOutcome(t, putRecords(t, svc, "s", capRecords(1, 10, "")), "s", []bool{false}, []string{shard0})

	s.SetThroughputLimits(kds.NoLimits)
	if got := s.ThroughputLimits(); got != kds.NoLimits {
		t.Fatalf("ThroughputLimits() = %+v, want NoLimits", got)
	}
	for range 10 {
		if out := putRecords(t, svc, "s", capRecords(500, 2000, "")); out.FailedRecordCount != 0 {
			t.Fatalf("without limits %d records failed", out.FailedRecordCount)
		}
	}
	it := trimHorizon(t, svc, "s", shard0)
	for i := range 20 {
		if _, err := getRecordsErr(svc, it); err != nil {
			t.Fatalf("GetRecords call %d without limits: %v", i, err)
		}
	}

	custom := kds.ThroughputLimits{WriteRecordsPerSecond: 10, ReadCallsPerSecond: 2}
	s.SetThroughputLimits(custom)
	if got := s.ThroughputLimits(); got != custom {
		t.Fatalf("ThroughputLimits() = %+v, want %+v", got, custom)
	}
	// Ten records of 512 KiB each: bytes are unlimited now.
	wantOutcome(t, putRecords(t, svc, "s", capRecords(11, mib/2, "")), "s", firstN(11, 10), same(11, shard0))
	clock.Advance(100 * time.Millisecond)
	wantOutcome(t, putRecords(t, svc, "s", capRecords(2, 10, "")), "s", []bool{true, false}, same(2, shard0))
	for i, ok := range []bool{true, true, false} {
		if _, err := getRecordsErr(svc, it); (err == nil) != ok {
			t.Fatalf("GetRecords call %d under 2 calls/s: %v", i, err)
		}
	}
}

func TestDefaultLimits(t *testing.T) {
	clock := kds.NewManualClock(testStart)
	svc, err := kds.NewService(kds.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	createStream(t, svc, "s", 1)
	if got := capStream(t, svc, "s").ThroughputLimits(); got != kds.KinesisLimits() {
		t.Fatalf("NewService stream limits = %+v, want KinesisLimits", got)
	}
	putRecords(t, svc, "s", capRecords(500, 10, ""))
	putRecords(t, svc, "s", capRecords(500, 10, ""))
	wantOutcome(t, putRecords(t, svc, "s", capRecords(1, 10, "")), "s", []bool{false}, []string{shard0})

	free, err := kds.NewStream("free", kds.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	if got := free.ThroughputLimits(); got != kds.NoLimits {
		t.Fatalf("NewStream limits = %+v, want NoLimits", got)
	}
	for range 6 {
		if out := putRecords(t, free.Service(), "free", capRecords(500, 10, "")); out.FailedRecordCount != 0 {
			t.Fatalf("NewStream stream throttled %d records", out.FailedRecordCount)
		}
	}
	limited, err := kds.NewStream("lim", kds.WithClock(clock), kds.WithThroughputLimits(kds.KinesisLimits()))
	if err != nil {
		t.Fatal(err)
	}
	putRecords(t, limited.Service(), "lim", capRecords(500, 10, ""))
	putRecords(t, limited.Service(), "lim", capRecords(500, 10, ""))
	if _, err := limited.Put(ctx, "k", []byte("x")); !errors.Is(err, kds.ErrProvisionedThroughputExceeded) {
		t.Fatalf("NewStream with KinesisLimits, 1,001st record: %v", err)
	}
}

func TestLimitsWindow(t *testing.T) {
	l := kds.KinesisLimits()
	l.Window = 10 * time.Second
	svc, clock := newService(t, kds.WithThroughputLimits(l))
	createStream(t, svc, "s", 1)
	put(t, svc, "s", "k", "x")
	steps := []struct {
		advance time.Duration
		records int // stored before the first refusal
		calls   int // GetRecords calls admitted before the first refusal
	}{
		{0, 10_000 - 1, 50},     // ten seconds' worth at once
		{time.Second, 1000, 5},  // refilled at the per-second rate
		{time.Hour, 10_000, 50}, // and never above ten seconds' worth
	}
	for i, st := range steps {
		clock.Advance(st.advance)
		it := trimHorizon(t, svc, "s", shard0)
		stored := 0
		for {
			out := putRecords(t, svc, "s", capRecords(500, 10, ""))
			stored += 500 - out.FailedRecordCount
			if out.FailedRecordCount > 0 {
				break
			}
		}
		calls := 0
		for ; calls <= 100; calls++ {
			if _, err := getRecordsErr(svc, it); err != nil {
				wantErr(t, err, kds.ErrProvisionedThroughputExceeded, throttleMsg(shard0, "s"))
				break
			}
		}
		if stored != st.records || calls != st.calls {
			t.Fatalf("step %d: %d records and %d reads admitted, want %d and %d", i, stored, calls, st.records, st.calls)
		}
	}
}

func TestFractionalRates(t *testing.T) {
	svc, clock := newService(t, kds.WithThroughputLimits(kds.ThroughputLimits{WriteRecordsPerSecond: 0.5, ReadCallsPerSecond: 0.25}))
	createStream(t, svc, "s", 1)
	it := trimHorizon(t, svc, "s", shard0)
	steps := []struct {
		advance   time.Duration
		put, read bool
	}{
		{0, true, true}, // a bucket holds at least one
		{0, false, false},
		{time.Second, false, false},
		{time.Second, true, false},    // a record every 2 s
		{2 * time.Second, true, true}, // a read every 4 s
		{0, false, false},
	}
	for i, st := range steps {
		clock.Advance(st.advance)
		_, err := svc.PutRecord(ctx, kds.PutRecordInput{StreamName: "s", PartitionKey: "k", Data: []byte("x")})
		_, rerr := getRecordsErr(svc, it)
		if (err == nil) != st.put || (rerr == nil) != st.read {
			t.Fatalf("step %d: put %v, read %v; want success %v, %v", i, err, rerr, st.put, st.read)
		}
	}
}

func TestNegativeLimitsRejected(t *testing.T) {
	for _, l := range []kds.ThroughputLimits{
		{WriteBytesPerSecond: -1},
		{WriteRecordsPerSecond: -1},
		{ReadBytesPerSecond: -1},
		{ReadCallsPerSecond: -5, WriteBytesPerSecond: 1},
		{WriteRecordsPerSecond: 1000, Window: -time.Second},
	} {
		if svc, err := kds.NewService(kds.WithThroughputLimits(l)); err == nil || svc != nil || !strings.Contains(err.Error(), "WithThroughputLimits") {
			t.Errorf("NewService(WithThroughputLimits(%+v)) = %v, %v; want an error naming WithThroughputLimits", l, svc, err)
		}
		if _, err := kds.NewStream("s", kds.WithThroughputLimits(l)); err == nil {
			t.Errorf("NewStream(WithThroughputLimits(%+v)) succeeded", l)
		}
	}
}

func TestConcurrentPutsShareOneBucket(t *testing.T) {
	svc, _ := capService(t)
	const workers, calls, batch = 8, 5, 100
	var wg sync.WaitGroup
	var accepted atomic.Int64
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok := 0
			for range calls {
				if w%4 == 3 { // some use PutRecord
					for range batch {
						if _, err := svc.PutRecord(ctx, kds.PutRecordInput{StreamName: "s", PartitionKey: "k", Data: []byte("123456789")}); err == nil {
							ok++
						} else if !errors.Is(err, kds.ErrProvisionedThroughputExceeded) {
							t.Errorf("PutRecord: %v", err)
						}
					}
					continue
				}
				out, err := svc.PutRecords(ctx, kds.PutRecordsInput{StreamName: "s", Records: capRecords(batch, 10, "")})
				if err != nil {
					t.Errorf("PutRecords: %v", err)
					return
				}
				ok += batch - out.FailedRecordCount
			}
			accepted.Add(int64(ok))
		}()
	}
	wg.Wait()
	if n := accepted.Load(); n != 1000 {
		t.Fatalf("accepted %d records at one instant, want exactly 1000", n)
	}
	if n := replayCount(t, svc, "s"); n != 1000 {
		t.Fatalf("the shard holds %d records, want 1000", n)
	}
	if u := capStream(t, svc, "s").Usage(); u.Records != 1000 || u.ThrottledRecords != workers*calls*batch-1000 {
		t.Fatalf("Usage Records %d ThrottledRecords %d, want 1000 and %d", u.Records, u.ThrottledRecords, workers*calls*batch-1000)
	}
}
