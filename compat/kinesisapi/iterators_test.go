package kinesisapi_test

import (
	"context"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/kdsgo/kds"
)

// iterator returns a shard iterator of stream's shard.
func iterator(t *testing.T, c *kinesis.Client, stream, shard string, in kinesis.GetShardIteratorInput) string {
	t.Helper()
	in.StreamName, in.ShardId = aws.String(stream), aws.String(shard)
	out, err := c.GetShardIterator(context.Background(), &in)
	if err != nil {
		t.Fatal(err)
	}
	return *out.ShardIterator
}

// readAll reads a shard from an iterator of type typ until it has no
// more records for now, or reaches the end of the closed shard.
func readAll(t *testing.T, c *kinesis.Client, stream, shard string, typ types.ShardIteratorType) []types.Record {
	t.Helper()
	recs, _ := drain(t, c, iterator(t, c, stream, shard, kinesis.GetShardIteratorInput{ShardIteratorType: typ}), 0)
	return recs
}

// drain calls GetRecords from it, with limit if not 0, until a call
// returns no records or no next iterator, and returns the records and the
// last output.
func drain(t *testing.T, c *kinesis.Client, it string, limit int32) ([]types.Record, *kinesis.GetRecordsOutput) {
	t.Helper()
	var recs []types.Record
	for {
		in := &kinesis.GetRecordsInput{ShardIterator: aws.String(it)}
		if limit != 0 {
			in.Limit = aws.Int32(limit)
		}
		out, err := c.GetRecords(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, out.Records...)
		if len(out.Records) == 0 || out.NextShardIterator == nil {
			return recs, out
		}
		it = *out.NextShardIterator
	}
}

func TestIteratorTypes(t *testing.T) {
	clock := kds.NewManualClock(testEpoch)
	c, _, _ := newTestServer(t, kds.WithClock(clock), kds.WithThroughputLimits(kds.NoLimits))
	createStream(t, c, "s", 1)
	ctx := context.Background()
	var seqs []string
	var times []time.Time
	for i := range 5 {
		clock.Advance(time.Second)
		out, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte{byte(i)}})
		if err != nil {
			t.Fatal(err)
		}
		seqs, times = append(seqs, *out.SequenceNumber), append(times, clock.Now())
	}
	const shard = "shardId-000000000000"
	tests := []struct {
		name string
		in   kinesis.GetShardIteratorInput
		want []byte
	}{
		{"TRIM_HORIZON", kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeTrimHorizon}, []byte{0, 1, 2, 3, 4}},
		{"LATEST", kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeLatest}, nil},
		{"AT_SEQUENCE_NUMBER", kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: aws.String(seqs[2])}, []byte{2, 3, 4}},
		{"AFTER_SEQUENCE_NUMBER", kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAfterSequenceNumber, StartingSequenceNumber: aws.String(seqs[2])}, []byte{3, 4}},
		{"AT_TIMESTAMP", kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAtTimestamp, Timestamp: aws.Time(times[1])}, []byte{1, 2, 3, 4}},
		{"AT_TIMESTAMP between records", kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAtTimestamp, Timestamp: aws.Time(times[3].Add(-time.Millisecond))}, []byte{3, 4}},
		{"AT_TIMESTAMP before the stream", kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAtTimestamp, Timestamp: aws.Time(testEpoch.Add(-time.Hour))}, []byte{0, 1, 2, 3, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, _ := drain(t, c, iterator(t, c, "s", shard, tt.in), 0)
			var got []byte
			for _, r := range recs {
				got = append(got, r.Data...)
			}
			if string(got) != string(tt.want) {
				t.Errorf("read %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("LATEST then put", func(t *testing.T) {
		it := iterator(t, c, "s", shard, kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeLatest})
		if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte{9}}); err != nil {
			t.Fatal(err)
		}
		recs, _ := drain(t, c, it, 0)
		if len(recs) != 1 || recs[0].Data[0] != 9 {
			t.Errorf("read %v, want the record put after LATEST", recs)
		}
	})

	errTests := []struct {
		name string
		in   kinesis.GetShardIteratorInput
		msg  string
	}{
		{"TRIM_HORIZON with a sequence number", kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeTrimHorizon, StartingSequenceNumber: aws.String(seqs[0])},
			"Request specified TRIM_HORIZON and also a StartingSequenceNumber."},
		{"AT_SEQUENCE_NUMBER without one", kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber},
			"Request specified AT_SEQUENCE_NUMBER and no StartingSequenceNumber."},
		{"AT_TIMESTAMP without one", kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAtTimestamp},
			"Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter."},
		{"AT_TIMESTAMP in the future", kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAtTimestamp, Timestamp: aws.Time(clock.Now().Add(time.Hour))},
			"The timestampInMillis parameter cannot be greater than the currentTimestampInMillis."},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.StreamName, in.ShardId = aws.String("s"), aws.String(shard)
			_, err := c.GetShardIterator(ctx, &in)
			e := wantAPIError[*types.InvalidArgumentException](t, err)
			if !strings.Contains(e.ErrorMessage(), tt.msg) {
				t.Errorf("message = %q, want it to contain %q", e.ErrorMessage(), tt.msg)
			}
		})
	}
	_, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-000000000007"), ShardIteratorType: types.ShardIteratorTypeLatest})
	wantAPIError[*types.ResourceNotFoundException](t, err)
}

func TestGetRecordsPaging(t *testing.T) {
	clock := kds.NewManualClock(testEpoch)
	c, _, _ := newTestServer(t, kds.WithClock(clock), kds.WithThroughputLimits(kds.NoLimits))
	arn := createStream(t, c, "s", 1)
	ctx := context.Background()
	var entries []types.PutRecordsRequestEntry
	for i := range 25 {
		entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: []byte(fmt.Sprint(i))})
	}
	if _, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: entries}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(3 * time.Second)
	it := iterator(t, c, "s", "shardId-000000000000", kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	var got []string
	for page := 0; ; page++ {
		out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(it), Limit: aws.Int32(10), StreamARN: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		if want := min(10, 25-len(got)); len(out.Records) != want {
			t.Fatalf("page %d has %d records, want %d", page, len(out.Records), want)
		}
		if len(out.Records) == 0 {
			if *out.MillisBehindLatest != 0 || out.NextShardIterator == nil || out.ChildShards != nil {
				t.Errorf("caught up: MillisBehindLatest %d, next %v, children %v", *out.MillisBehindLatest, out.NextShardIterator, out.ChildShards)
			}
			break
		}
		for _, r := range out.Records {
			got = append(got, string(r.Data))
		}
		wantBehind := int64(3000)
		if len(got) == 25 {
			wantBehind = 0
		}
		if *out.MillisBehindLatest != wantBehind {
			t.Errorf("page %d: MillisBehindLatest = %d, want %d", page, *out.MillisBehindLatest, wantBehind)
		}
		it = *out.NextShardIterator
	}
	for i, d := range got {
		if d != fmt.Sprint(i) {
			t.Fatalf("record %d = %q", i, d)
		}
	}
	_, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(it), StreamARN: aws.String(arn + "x")})
	wantAPIError[*types.InvalidArgumentException](t, err)
}

func TestGetRecordsAcrossReshards(t *testing.T) {
	c, svc, _ := newTestServer(t, kds.WithThroughputLimits(kds.NoLimits))
	createStream(t, c, "s", 2)
	ctx := context.Background()
	put := func(key string) {
		t.Helper()
		if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String(key), Data: []byte(key)}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 10 {
		put(fmt.Sprint("before-", i))
	}
	split := new(big.Int).Lsh(big.NewInt(1), 126).String() // the middle of shard 0's range
	if _, err := svc.SplitShard(ctx, kds.SplitShardInput{StreamName: "s", ShardToSplit: "shardId-000000000000", NewStartingHashKey: split}); err != nil {
		t.Fatal(err)
	}
	recs, last := drain(t, c, iterator(t, c, "s", "shardId-000000000000", kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeTrimHorizon}), 0)
	if last.NextShardIterator != nil {
		t.Fatalf("NextShardIterator = %v at the end of a closed shard", *last.NextShardIterator)
	}
	if len(last.Records) != 0 || len(recs) == 0 {
		t.Fatalf("read %d records, last page %d", len(recs), len(last.Records))
	}
	want := []types.ChildShard{
		{ShardId: aws.String("shardId-000000000002"), ParentShards: []string{"shardId-000000000000"}},
		{ShardId: aws.String("shardId-000000000003"), ParentShards: []string{"shardId-000000000000"}},
	}
	checkChildren(t, last.ChildShards, want)
	if *last.ChildShards[1].HashKeyRange.StartingHashKey != split {
		t.Errorf("second child starts at %s, want %s", *last.ChildShards[1].HashKeyRange.StartingHashKey, split)
	}

	// Merge the second child with shard 1: both close into shard 4.
	if _, err := svc.MergeShards(ctx, kds.MergeShardsInput{StreamName: "s", ShardToMerge: "shardId-000000000003", AdjacentShardToMerge: "shardId-000000000001"}); err != nil {
		t.Fatal(err)
	}
	for _, shard := range []string{"shardId-000000000001", "shardId-000000000003"} {
		_, last := drain(t, c, iterator(t, c, "s", shard, kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeTrimHorizon}), 0)
		if last.NextShardIterator != nil {
			t.Fatalf("%s: NextShardIterator at the end of a closed shard", shard)
		}
		checkChildren(t, last.ChildShards, []types.ChildShard{
			{ShardId: aws.String("shardId-000000000004"), ParentShards: []string{"shardId-000000000003", "shardId-000000000001"}},
		})
	}
	put("after")
	total := 0
	for _, shard := range []string{"shardId-000000000002", "shardId-000000000004"} {
		total += len(readAll(t, c, "s", shard, types.ShardIteratorTypeTrimHorizon))
	}
	if total != 1 {
		t.Errorf("the open shards hold %d records, want 1", total)
	}
}

// checkChildren compares child shards by ID and parents.
func checkChildren(t *testing.T, got, want []types.ChildShard) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d child shards, want %d", len(got), len(want))
	}
	for i := range got {
		if *got[i].ShardId != *want[i].ShardId || fmt.Sprint(got[i].ParentShards) != fmt.Sprint(want[i].ParentShards) || got[i].HashKeyRange == nil {
			t.Errorf("child %d = %s %v, want %s %v", i, *got[i].ShardId, got[i].ParentShards, *want[i].ShardId, want[i].ParentShards)
		}
	}
}

func TestIteratorErrors(t *testing.T) {
	clock := kds.NewManualClock(testEpoch)
	c, _, _ := newTestServer(t, kds.WithClock(clock), kds.WithThroughputLimits(kds.NoLimits))
	createStream(t, c, "s", 1)
	ctx := context.Background()
	it := iterator(t, c, "s", "shardId-000000000000", kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	clock.Advance(5*time.Minute + time.Millisecond)
	_, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(it)})
	e := wantAPIError[*types.ExpiredIteratorException](t, err)
	if !strings.HasPrefix(e.ErrorMessage(), "Iterator expired.") {
		t.Errorf("message = %q", e.ErrorMessage())
	}
	_, err = c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String("bm90IGFuIGl0ZXJhdG9y")})
	e2 := wantAPIError[*types.InvalidArgumentException](t, err)
	if e2.ErrorMessage() != "Invalid ShardIterator." {
		t.Errorf("message = %q", e2.ErrorMessage())
	}
	_, err = c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String("x"), Limit: aws.Int32(0)})
	e3 := wantAPIError[*types.ValidationException](t, err)
	if want := "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"; e3.ErrorMessage() != want {
		t.Errorf("message = %q, want %q", e3.ErrorMessage(), want)
	}
}

func TestGetRecordsThrottled(t *testing.T) {
	clock := kds.NewManualClock(testEpoch)
	c, _, _ := newTestServer(t, kds.WithClock(clock), kds.WithThroughputLimits(kds.KinesisLimits()))
	createStream(t, c, "s", 1)
	it := iterator(t, c, "s", "shardId-000000000000", kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	var err error
	for range 10 {
		if _, err = c.GetRecords(context.Background(), &kinesis.GetRecordsInput{ShardIterator: aws.String(it)}); err != nil {
			break
		}
	}
	wantAPIError[*types.ProvisionedThroughputExceededException](t, err)
}

func TestGetRecordsAfterRetentionDecrease(t *testing.T) {
	clock := kds.NewManualClock(testEpoch)
	c, svc, _ := newTestServer(t, kds.WithClock(clock), kds.WithThroughputLimits(kds.NoLimits))
	createStream(t, c, "s", 1)
	ctx := context.Background()
	if _, err := svc.IncreaseStreamRetentionPeriod(ctx, kds.IncreaseStreamRetentionPeriodInput{StreamName: "s", RetentionPeriodHours: 48}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"old", "new"} {
		if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte(d)}); err != nil {
			t.Fatal(err)
		}
		clock.Advance(12 * time.Hour)
	}
	clock.Advance(6 * time.Hour) // "old" is 30 h old, "new" 18 h
	if got := readAll(t, c, "s", "shardId-000000000000", types.ShardIteratorTypeTrimHorizon); len(got) != 2 {
		t.Fatalf("with 48 h retention, read %d records, want 2", len(got))
	}
	it := iterator(t, c, "s", "shardId-000000000000", kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if _, err := svc.DecreaseStreamRetentionPeriod(ctx, kds.DecreaseStreamRetentionPeriodInput{StreamName: "s", RetentionPeriodHours: 24}); err != nil {
		t.Fatal(err)
	}
	for name, recs := range map[string][]types.Record{
		"a new TRIM_HORIZON iterator":          readAll(t, c, "s", "shardId-000000000000", types.ShardIteratorTypeTrimHorizon),
		"an iterator from before the decrease": func() []types.Record { r, _ := drain(t, c, it, 0); return r }(),
	} {
		if len(recs) != 1 || string(recs[0].Data) != "new" {
			t.Errorf("%s read %d records, want only the one within 24 h", name, len(recs))
		}
	}
}
