package delivery

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kdsgo/kds"
)

// TestReshardingDeliversParentsFirst splits a shard and then merges two,
// while records of 20 keys keep coming, and checks that every record is
// delivered once, each key's records in order, and that no record of a
// child shard is delivered before the last record of its parents.
func TestReshardingDeliversParentsFirst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, 2, func(c *Config) { c.RecordDelimiter = "" })
		h.start()
		shardOf := map[string]string{} // data → shard
		next := map[string]int{}
		step := func(seconds int) {
			for range seconds {
				for k := range 20 {
					key := "key-" + strconv.Itoa(k)
					next[key]++
					data := fmt.Sprintf("%s/%d", key, next[key])
					out, err := h.svc.PutRecord(context.Background(), kds.PutRecordInput{StreamName: testStream, PartitionKey: key, Data: []byte(data)})
					if err != nil {
						t.Fatal(err)
					}
					shardOf[data] = out.ShardId
				}
				h.advance(time.Second)
			}
		}
		step(10)
		split(t, h.svc, "shardId-000000000000") // children 2 and 3
		step(10)
		merge(t, h.svc, "shardId-000000000003", "shardId-000000000001") // child 4
		step(10)
		h.advance(5 * time.Minute)

		batches := h.dest.data()
		seen := map[string]int{}
		last := map[string]int{} // key → last counter delivered
		firstBatch, lastBatch := map[string]int{}, map[string]int{}
		for i, b := range batches {
			for _, d := range b {
				seen[d]++
				key, n, _ := strings.Cut(d, "/")
				c, _ := strconv.Atoi(n)
				if c != last[key]+1 {
					t.Errorf("%s delivered after %s/%d", d, key, last[key])
				}
				last[key] = c
				sh := shardOf[d]
				if _, ok := firstBatch[sh]; !ok {
					firstBatch[sh] = i
				}
				lastBatch[sh] = i
			}
		}
		for d := range shardOf {
			if seen[d] != 1 {
				t.Errorf("%s delivered %d times", d, seen[d])
			}
		}
		parents := map[string][]string{
			"shardId-000000000002": {"shardId-000000000000"},
			"shardId-000000000003": {"shardId-000000000000"},
			"shardId-000000000004": {"shardId-000000000003", "shardId-000000000001"},
		}
		for child, ps := range parents {
			if _, ok := firstBatch[child]; !ok {
				t.Errorf("nothing of %s delivered", child)
				continue
			}
			for _, p := range ps {
				if lastBatch[p] >= firstBatch[child] {
					t.Errorf("batch %d holds a record of %s, batch %d one of its child %s", lastBatch[p], p, firstBatch[child], child)
				}
			}
		}
		cps := h.checkpoints()
		for _, s := range []string{"shardId-000000000000", "shardId-000000000001", "shardId-000000000003"} {
			if cps[s] != "SHARD_END" {
				t.Errorf("%s checkpoint %s, want SHARD_END", s, cps[s])
			}
		}
		if len(cps) != 5 {
			t.Errorf("leases %v, want 5", cps)
		}
	})
}

// split splits an open shard at the middle of its hash key range.
func split(t *testing.T, svc *kds.Service, shard string) {
	t.Helper()
	out, err := svc.ListShards(context.Background(), kds.ListShardsInput{StreamName: testStream})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(out.Shards, func(s kds.Shard) bool { return s.ShardId == shard })
	if i < 0 {
		t.Fatalf("no shard %s", shard)
	}
	lo, _ := new(big.Int).SetString(out.Shards[i].HashKeyRange.StartingHashKey.String(), 10)
	hi, _ := new(big.Int).SetString(out.Shards[i].HashKeyRange.EndingHashKey.String(), 10)
	mid := new(big.Int).Rsh(new(big.Int).Add(lo, hi), 1)
	if _, err := svc.SplitShard(context.Background(), kds.SplitShardInput{StreamName: testStream, ShardToSplit: shard, NewStartingHashKey: mid.String()}); err != nil {
		t.Fatal(err)
	}
}

func merge(t *testing.T, svc *kds.Service, a, b string) {
	t.Helper()
	if _, err := svc.MergeShards(context.Background(), kds.MergeShardsInput{StreamName: testStream, ShardToMerge: a, AdjacentShardToMerge: b}); err != nil {
		t.Fatal(err)
	}
}
