package consumergroup

import (
	"context"
	"math/big"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kdsgo/kds"
)

// splitInHalf splits an open shard at the middle of its hash key range.
func splitInHalf(t *testing.T, svc *kds.Service, shard string) {
	t.Helper()
	out, err := svc.ListShards(context.Background(), kds.ListShardsInput{StreamName: testStream})
	if err != nil {
		t.Fatalf("ListShards: %v", err)
	}
	i := slices.IndexFunc(out.Shards, func(s kds.Shard) bool { return s.ShardId == shard })
	if i < 0 {
		t.Fatalf("no shard %s", shard)
	}
	lo, _ := new(big.Int).SetString(out.Shards[i].HashKeyRange.StartingHashKey.String(), 10)
	hi, _ := new(big.Int).SetString(out.Shards[i].HashKeyRange.EndingHashKey.String(), 10)
	mid := new(big.Int).Rsh(new(big.Int).Add(lo, hi), 1)
	if _, err := svc.SplitShard(context.Background(), kds.SplitShardInput{StreamName: testStream, ShardToSplit: shard, NewStartingHashKey: mid.String()}); err != nil {
		t.Fatalf("SplitShard(%s): %v", shard, err)
	}
}

func merge(t *testing.T, svc *kds.Service, a, b string) {
	t.Helper()
	if _, err := svc.MergeShards(context.Background(), kds.MergeShardsInput{StreamName: testStream, ShardToMerge: a, AdjacentShardToMerge: b}); err != nil {
		t.Fatalf("MergeShards(%s, %s): %v", a, b, err)
	}
}

// TestChildrenWaitForParents splits and then merges shards while two
// workers consume, and checks that no record of a child shard was
// delivered before every record of its parents.
func TestChildrenWaitForParents(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc := newTestService(t, 2)
		rec := &recorder{checkpointBatches: true}
		store := NewMemStore()
		r := newRunner(t, svc, store, rec)
		// Syncing shards often creates the children's leases early, and
		// small reads make the parents lag far behind their children's
		// records, so the gate is what holds the children back.
		for _, id := range []string{"a", "b"} {
			cfg := r.config(id)
			cfg.ShardSyncInterval = time.Second
			cfg.MaxRecords = 5
			r.start(cfg)
		}
		keys, next := testKeys(40), map[string]int{}
		step := func(n int) {
			for range n {
				putKeyed(t, svc, keys, 2, next)
				time.Sleep(300 * time.Millisecond)
			}
		}
		step(10)
		splitInHalf(t, svc, "shardId-000000000000") // children 2 [low half] and 3 [high half]
		step(10)
		merge(t, svc, "shardId-000000000003", "shardId-000000000001") // child 4
		step(10)
		waitDelivered(t, rec, next)

		parents := map[string][]string{
			"shardId-000000000002": {"shardId-000000000000"},
			"shardId-000000000003": {"shardId-000000000000"},
			"shardId-000000000004": {"shardId-000000000003", "shardId-000000000001"},
		}
		leases, err := store.ListLeases(context.Background(), testGroup)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range leases {
			if want := parents[l.Key]; !slices.Equal(l.ParentShardIDs, want) {
				t.Errorf("lease %s has parents %v, want %v", l.Key, l.ParentShardIDs, want)
			}
			if wantEnd := l.Key != "shardId-000000000002" && l.Key != "shardId-000000000004"; wantEnd != l.finished() {
				t.Errorf("lease %s has checkpoint %s", l.Key, l.Checkpoint)
			}
		}

		// Index of each record's first delivery, by shard.
		type recKey struct {
			shard string
			seq   kds.SequenceNumber
		}
		first := map[recKey]int{}
		firstOf, lastOf := map[string]int{}, map[string]int{}
		for i, e := range rec.snapshot() {
			for _, record := range e.records {
				k := recKey{e.shard, record.SequenceNumber}
				if _, ok := first[k]; ok {
					continue
				}
				first[k] = i
				if _, ok := firstOf[e.shard]; !ok {
					firstOf[e.shard] = i
				}
				lastOf[e.shard] = i
			}
		}
		for child, ps := range parents {
			if _, ok := firstOf[child]; !ok {
				t.Errorf("no record of %s delivered", child)
			}
			for _, p := range ps {
				if lastOf[p] >= firstOf[child] {
					t.Errorf("a record of %s was first delivered (event %d) after the first of its child %s (event %d)", p, lastOf[p], child, firstOf[child])
				}
			}
		}
		checkDelivered(t, rec, next)
	})
}

func TestShardEndedWithoutCheckpointHoldsChildrenBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc := newTestService(t, 1)
		rec := &recorder{checkpointBatches: true, skipShardEnd: true}
		store := NewMemStore()
		r := newRunner(t, svc, store, rec)
		cfg := r.config("a")
		cfg.ShardSyncInterval = time.Second
		r.start(cfg)
		keys, next := testKeys(10), map[string]int{}
		putKeyed(t, svc, keys, 3, next)
		time.Sleep(time.Second)
		splitInHalf(t, svc, "shardId-000000000000")
		putKeyed(t, svc, keys, 3, next)
		time.Sleep(5 * testLease)
		synctest.Wait()
		for _, d := range rec.deliveries(t) {
			if d.shard != "shardId-000000000000" {
				t.Fatalf("a record of child %s was delivered though its parent never checkpointed SHARD_END", d.shard)
			}
		}
		if got := owners(t, store)["shardId-000000000000"]; got != "a" {
			t.Errorf("parent lease owner = %q, want a to keep it", got)
		}
		if err := r.stop("a"); err != nil {
			t.Fatalf("Run: %v", err)
		}
		if got := owners(t, store)["shardId-000000000000"]; got != "" {
			t.Errorf("after shutdown the parent lease owner = %q, want it released", got)
		}
		if calls := rec.calls(); slices.Contains(calls, "a shardId-000000000000 ShutdownRequested") {
			t.Errorf("ShutdownRequested after ShardEnded: %v", calls)
		}
	})
}

// TestLatestGroupReadsChildrenOfClosedShards starts a new group at LATEST
// on a stream resharded before it: the closed parent is finished at once,
// so the children are read from the worker's start and every record put
// after it is delivered.
func TestLatestGroupReadsChildrenOfClosedShards(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc := newTestService(t, 1)
		splitInHalf(t, svc, "shardId-000000000000")
		rec := &recorder{checkpointBatches: true}
		r := newRunner(t, svc, NewMemStore(), rec)
		cfg := r.config("a")
		cfg.InitialPosition = Latest()
		r.start(cfg)
		synctest.Wait() // the worker has synced and taken its first leases
		next := map[string]int{}
		putKeyed(t, svc, testKeys(10), 2, next) // put after the worker started
		time.Sleep(time.Minute)
		synctest.Wait()
		if got := len(rec.deliveries(t)); got != 20 {
			t.Errorf("delivered %d of the 20 records put after the LATEST group started", got)
		}
	})
}
