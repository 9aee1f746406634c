package analytics

import (
	"context"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/consumergroup"
)

const testStream = "events"

// newService returns a Service on clock with a stream of the given shard
// count, without throughput limits.
func newService(t *testing.T, clock kds.Clock, shards int) *kds.Service {
	t.Helper()
	svc, err := kds.NewService(kds.WithClock(clock), kds.WithThroughputLimits(kds.NoLimits), kds.WithStatusDelay(0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateStream(context.Background(), kds.CreateStreamInput{StreamName: testStream, ShardCount: shards}); err != nil {
		t.Fatal(err)
	}
	return svc
}

// groupConfig is the consumer group Run is given.
func groupConfig(svc *kds.Service, store consumergroup.CheckpointStore) consumergroup.Config {
	return consumergroup.Config{
		ApplicationName:      "analytics",
		StreamName:           testStream,
		Client:               svc,
		Store:                store,
		IdleTimeBetweenReads: 200 * time.Millisecond,
		ShardSyncInterval:    time.Second,
	}
}

// start runs w over the stream and returns a function that stops it and
// returns Run's error.
func start[A, R any](t *testing.T, w *Windows[A, R], cfg consumergroup.Config) func() error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx, cfg) }()
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		return <-done
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

// pass moves clock forward by d in steps of 100 ms, letting every
// goroutine of the bubble run to a stop after each.
func pass(clock *kds.ManualClock, d time.Duration) {
	for ; d > 0; d -= 100 * time.Millisecond {
		clock.Advance(100 * time.Millisecond)
		synctest.Wait()
	}
}

// put puts one record and returns its arrival time.
func put(t *testing.T, svc *kds.Service, key string) time.Time {
	t.Helper()
	if _, err := svc.PutRecord(context.Background(), kds.PutRecordInput{StreamName: testStream, PartitionKey: key, Data: []byte(key)}); err != nil {
		t.Fatal(err)
	}
	return svc.Clock().Now().Truncate(time.Millisecond)
}

// minuteOf returns "key start-end" of the minute holding at.
func minuteOf(key string, at time.Time) string {
	start := at.Truncate(time.Minute)
	return fmt.Sprintf("%s %v-%v", key, start.Sub(t0), start.Add(time.Minute).Sub(t0))
}

// counts returns the outputs as "key start-end" → result, failing on a
// key and window emitted twice.
func counts(t *testing.T, c *collector[int64]) map[string]int64 {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	got := map[string]int64{}
	for _, o := range c.outs {
		k := fmt.Sprintf("%s %v-%v", o.Key, o.Window.Start.Sub(t0), o.Window.End.Sub(t0))
		if _, dup := got[k]; dup || o.Update {
			t.Errorf("%s emitted again: %+v", k, o)
		}
		got[k] = o.Result
	}
	return got
}

// splitInHalf splits an open shard at the middle of its hash key range.
func splitInHalf(t *testing.T, svc *kds.Service, shard string) {
	t.Helper()
	out, err := svc.ListShards(context.Background(), kds.ListShardsInput{StreamName: testStream})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(out.Shards, func(s kds.Shard) bool { return s.ShardId == shard })
	lo, _ := new(big.Int).SetString(out.Shards[i].HashKeyRange.StartingHashKey.String(), 10)
	hi, _ := new(big.Int).SetString(out.Shards[i].HashKeyRange.EndingHashKey.String(), 10)
	mid := new(big.Int).Rsh(new(big.Int).Add(lo, hi), 1)
	if _, err := svc.SplitShard(context.Background(), kds.SplitShardInput{StreamName: testStream, ShardToSplit: shard, NewStartingHashKey: mid.String()}); err != nil {
		t.Fatal(err)
	}
}

// TestRunAcrossResharding counts records per key and minute while the
// stream is split and merged, and checks the counts against the records
// put: none late, none missing, none twice. The reader starts after a
// backlog of three minutes and a split, reading a few records per call,
// so its shards are read at different paces and a child's records are
// read long after other shards' later ones.
func TestRunAcrossResharding(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := kds.NewManualClock(t0)
		svc := newService(t, clock, 2)
		w, c := newWindows(t, Count(), Tumbling(time.Minute), clock, WithIdleTimeout(5*time.Second), WithOutOfOrderness(time.Second))
		cfg := groupConfig(svc, consumergroup.NewMemStore())
		cfg.MaxRecords = 7
		want := map[string]int64{}
		keys := make([]string, 12)
		for i := range keys {
			keys[i] = "truck-" + strconv.Itoa(i)
		}
		burst := func(n int) {
			for i := range n {
				for j, k := range keys {
					if (i+j)%3 == 0 {
						want[minuteOf(k, put(t, svc, k))]++
					}
				}
				pass(clock, 700*time.Millisecond)
			}
		}
		burst(150)
		splitInHalf(t, svc, "shardId-000000000000") // children 2 and 3
		burst(100)
		stop := start(t, w, cfg)
		burst(60)
		if _, err := svc.MergeShards(context.Background(), kds.MergeShardsInput{StreamName: testStream, ShardToMerge: "shardId-000000000003", AdjacentShardToMerge: "shardId-000000000001"}); err != nil {
			t.Fatal(err)
		}
		burst(60)
		pass(clock, 2*time.Minute) // idle: the last minutes fire
		if err := stop(); err != nil {
			t.Fatalf("Run: %v", err)
		}
		got := counts(t, c)
		if !maps.Equal(got, want) {
			t.Errorf("counts differ from the records put:\ngot  %v\nwant %v", got, want)
		}
		if s := w.Stats(); s.Late != 0 || s.Failed != 0 || s.Open != 0 {
			t.Errorf("Stats = %+v", s)
		}
		if len(c.errs) > 0 {
			t.Errorf("errors: %v", c.errs)
		}
	})
}
