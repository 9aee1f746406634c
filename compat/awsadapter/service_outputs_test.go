package awsadapter_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/kdsgo/kds"
)

// readShard reads a shard from the iterator in to its end, or to the
// first empty page of an open shard, and returns the pages with their
// iterators blanked (they are opaque and differ per call) and arrival
// times in UTC.
func readShard(t *testing.T, c client, in kds.GetShardIteratorInput, limit int) []kds.GetRecordsOutput {
	t.Helper()
	ctx := context.Background()
	it, err := c.GetShardIterator(ctx, in)
	if err != nil {
		t.Fatalf("GetShardIterator: %v", err)
	}
	var pages []kds.GetRecordsOutput
	next := it.ShardIterator
	for next != "" {
		out, err := c.GetRecords(ctx, kds.GetRecordsInput{ShardIterator: next, Limit: limit})
		if err != nil {
			t.Fatalf("GetRecords: %v", err)
		}
		next = out.NextShardIterator
		if next != "" {
			out.NextShardIterator = "…"
		}
		for i := range out.Records {
			out.Records[i].ApproximateArrivalTimestamp = out.Records[i].ApproximateArrivalTimestamp.UTC()
		}
		pages = append(pages, out)
		if len(out.Records) == 0 && len(out.ChildShards) == 0 {
			break
		}
	}
	return pages
}

// The adapter's outputs equal the Service's for the same calls: shards
// with their lineage and ranges, records with their sequence numbers,
// data and arrival times, MillisBehindLatest and ChildShards.
func TestOutputsMatchTheService(t *testing.T) {
	start := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	clock := kds.NewManualClock(start)
	svc, err := kds.NewService(kds.WithClock(clock), kds.WithThroughputLimits(kds.NoLimits))
	if err != nil {
		t.Fatal(err)
	}
	createStream(t, svc, "s", 2)
	remote := adapterFor(t, svc)
	ctx := context.Background()
	var first kds.PutRecordsOutput
	for i := range 3 {
		clock.Advance(1234 * time.Millisecond)
		var recs []kds.PutRecordsRequestEntry
		for j := range 40 {
			recs = append(recs, kds.PutRecordsRequestEntry{Data: fmt.Appendf(nil, "%d-%d", i, j), PartitionKey: fmt.Sprint("k", j)})
		}
		out, err := svc.PutRecords(ctx, kds.PutRecordsInput{StreamName: "s", Records: recs})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = out
		}
	}
	splitInHalf(t, svc, "shardId-000000000000")
	clock.Advance(time.Second)
	if _, err := svc.PutRecords(ctx, kds.PutRecordsInput{StreamName: "s", Records: []kds.PutRecordsRequestEntry{
		{Data: []byte("low"), PartitionKey: "x", ExplicitHashKey: "1"},
		{Data: []byte{}, PartitionKey: "y", ExplicitHashKey: "170141183460469231731687303715884105720"},
	}}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(2500 * time.Millisecond)

	shard0 := kds.GetShardIteratorInput{StreamName: "s", ShardId: "shardId-000000000000"}
	with := func(in kds.GetShardIteratorInput, f func(*kds.GetShardIteratorInput)) kds.GetShardIteratorInput {
		f(&in)
		return in
	}
	tests := []struct {
		name string
		call func(client) any
	}{
		{"ListShards", func(c client) any {
			out, err := c.ListShards(ctx, kds.ListShardsInput{StreamName: "s"})
			return []any{out, err}
		}},
		{"ListShards paged", func(c client) any {
			out, err := c.ListShards(ctx, kds.ListShardsInput{StreamName: "s", MaxResults: 2})
			if err != nil {
				return err
			}
			next, err := c.ListShards(ctx, kds.ListShardsInput{NextToken: out.NextToken})
			out.NextToken = "…"
			return []any{out, next, err}
		}},
		{"ListShards after a shard", func(c client) any {
			out, err := c.ListShards(ctx, kds.ListShardsInput{StreamName: "s", ExclusiveStartShardId: "shardId-000000000001"})
			return []any{out, err}
		}},
		{"ListShards at latest", func(c client) any {
			out, err := c.ListShards(ctx, kds.ListShardsInput{StreamName: "s", ShardFilter: kds.ShardFilter{Type: kds.ShardFilterAtLatest}})
			return []any{out, err}
		}},
		{"ListShards from a time", func(c client) any {
			out, err := c.ListShards(ctx, kds.ListShardsInput{StreamName: "s",
				ShardFilter: kds.ShardFilter{Type: kds.ShardFilterFromTimestamp, Timestamp: start.Add(2 * time.Second)}})
			return []any{out, err}
		}},
		{"GetRecords of a closed shard to its end", func(c client) any {
			return readShard(t, c, with(shard0, func(in *kds.GetShardIteratorInput) { in.ShardIteratorType = kds.ShardIteratorTypeTrimHorizon }), 7)
		}},
		{"GetRecords after a sequence number", func(c client) any {
			return readShard(t, c, with(shard0, func(in *kds.GetShardIteratorInput) {
				in.ShardIteratorType = kds.ShardIteratorTypeAfterSequenceNumber
				in.StartingSequenceNumber = first.Records[0].SequenceNumber.String()
				in.ShardId = first.Records[0].ShardId
			}), 0)
		}},
		{"GetRecords at a time", func(c client) any {
			return readShard(t, c, with(shard0, func(in *kds.GetShardIteratorInput) {
				in.ShardIteratorType = kds.ShardIteratorTypeAtTimestamp
				in.Timestamp = start.Add(2 * time.Second)
			}), 0)
		}},
		{"GetRecords of the children", func(c client) any {
			var pages [][]kds.GetRecordsOutput
			for _, id := range []string{"shardId-000000000002", "shardId-000000000003", "shardId-000000000001"} {
				pages = append(pages, readShard(t, c, kds.GetShardIteratorInput{StreamName: "s", ShardId: id, ShardIteratorType: kds.ShardIteratorTypeTrimHorizon}, 0))
			}
			return pages
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			local, wire := tt.call(svc), tt.call(remote)
			if !reflect.DeepEqual(wire, local) {
				t.Errorf("through the adapter:\n%+v\nthe Service:\n%+v", wire, local)
			}
		})
	}
}
