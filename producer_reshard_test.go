package kds_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kdsgo/kds"
)

// readLikeKCL reads every shard of stream "s" with GetRecords and
// deaggregates as the KCL does: an aggregate holding a user record
// outside its shard's hash range is dropped whole. It returns the user
// records with, for each key, its shards' records in shard order (a
// parent's ID sorts before its children's), and how many aggregates it
// dropped.
func readLikeKCL(t *testing.T, svc *kds.Service) (recs []stored, dropped int) {
	t.Helper()
	ctx := context.Background()
	shards, err := svc.ListShards(ctx, kds.ListShardsInput{StreamName: "s"})
	if err != nil {
		t.Fatal(err)
	}
	for _, sh := range shards.Shards {
		it, err := svc.GetShardIterator(ctx, kds.GetShardIteratorInput{StreamName: "s", ShardId: sh.ShardId, ShardIteratorType: kds.ShardIteratorTypeTrimHorizon})
		if err != nil {
			t.Fatal(err)
		}
		for next := it.ShardIterator; next != ""; {
			out, err := svc.GetRecords(ctx, kds.GetRecordsInput{ShardIterator: next})
			if err != nil {
				t.Fatal(err)
			}
			for _, rec := range out.Records {
				users, ok := kds.Deaggregate(rec.Data)
				if !ok {
					recs = append(recs, stored{key: rec.PartitionKey, data: string(rec.Data), seq: rec.SequenceNumber})
					continue
				}
				inRange := true
				for _, u := range users {
					h := kds.PartitionKeyHash(u.PartitionKey)
					inRange = inRange && sh.HashKeyRange.Contains(h)
				}
				if !inRange {
					dropped++
					continue
				}
				for i, u := range users {
					recs = append(recs, stored{key: u.PartitionKey, data: string(u.Data), seq: rec.SequenceNumber, sub: int64(i)})
				}
			}
			if len(out.Records) == 0 && out.MillisBehindLatest == 0 {
				break
			}
			next = out.NextShardIterator
		}
	}
	return recs, dropped
}

// TestProducerAcrossResharding splits a shard and then merges two while
// a Producer puts, and checks that every record is stored once, in put
// order per key, as a KCL consumer reads the stream. Without aggregation
// the stream itself holds each record once. With aggregation, an
// aggregate built for the split shard before the producer learned of the
// split may land in a child that does not cover all its user records;
// the KCL drops it and the producer puts its records again, so the
// stream holds exactly the misrouted aggregates on top.
func TestProducerAcrossResharding(t *testing.T) {
	for _, agg := range []bool{true, false} {
		t.Run("aggregation="+strconv.FormatBool(agg), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := context.Background()
				svc := newBubbleService(t, 2, kds.NoLimits)
				p := newProducer(t, kds.ProducerConfig{Client: svc, DisableAggregation: !agg, CollectionMaxCount: 50})
				l := newLedger()
				reshard := map[int]func() error{
					100: func() error {
						_, err := svc.SplitShard(ctx, kds.SplitShardInput{StreamName: "s", ShardToSplit: "shardId-000000000000", NewStartingHashKey: "85070591730234615865843651857942052864"})
						return err
					},
					200: func() error {
						_, err := svc.MergeShards(ctx, kds.MergeShardsInput{StreamName: "s", ShardToMerge: "shardId-000000000003", AdjacentShardToMerge: "shardId-000000000001"})
						return err
					},
				}
				id := 0
				for step := range 300 {
					if f, ok := reshard[step]; ok {
						if err := f(); err != nil {
							t.Fatal(err)
						}
					}
					for range 20 {
						l.put(t, p, "key-"+strconv.Itoa(id%41), fmt.Sprintf("r%06d", id))
						id++
					}
					time.Sleep(3 * time.Millisecond)
				}
				if err := p.Close(ctx); err != nil {
					t.Fatal(err)
				}
				kcl, dropped := readLikeKCL(t, svc)
				l.checkExactlyOnce(t, kcl)
				m := p.Metrics()
				if int64(dropped) != m.Misrouted || (!agg && dropped != 0) {
					t.Errorf("a KCL reader dropped %d aggregates, the producer put %d again", dropped, m.Misrouted)
				}
				if !agg {
					l.checkExactlyOnce(t, replay(t, svc))
				}
				if m.ShardMapRefreshes < 3 {
					t.Errorf("%d shard map refreshes, want one per reshard and the first", m.ShardMapRefreshes)
				}
				t.Logf("%d records, %d refreshes, %d misrouted aggregates put again", id, m.ShardMapRefreshes, m.Misrouted)
			})
		})
	}
}
