package awsadapter_test

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/consumergroup"
)

// recorder keeps what the Processors of a test receive.
type recorder struct {
	mu         sync.Mutex
	deliveries []delivery
	distinct   map[delivery]bool // by key and counter
	ended      map[string]bool   // shards whose Processor got ShardEnded
	progress   chan struct{}     // signalled after every batch
}

// delivery is one record as a Processor received it.
type delivery struct {
	shard, key string
	counter    int
}

func newRecorder() *recorder {
	return &recorder{distinct: map[delivery]bool{}, ended: map[string]bool{}, progress: make(chan struct{}, 1)}
}

func (r *recorder) add(t *testing.T, shard string, recs []kds.Record) {
	r.mu.Lock()
	for _, rec := range recs {
		k, c, _ := strings.Cut(string(rec.Data), "/")
		n, err := strconv.Atoi(c)
		if err != nil || k != rec.PartitionKey {
			t.Errorf("record %q with key %q is not key/counter", rec.Data, rec.PartitionKey)
			continue
		}
		r.deliveries = append(r.deliveries, delivery{shard: shard, key: k, counter: n})
		r.distinct[delivery{key: k, counter: n}] = true
	}
	r.mu.Unlock()
	select {
	case r.progress <- struct{}{}:
	default:
	}
}

// waitFor waits until n distinct records have been delivered.
func (r *recorder) waitFor(t *testing.T, n int) {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		r.mu.Lock()
		got := len(r.distinct)
		r.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-r.progress:
		case <-timeout:
			t.Fatalf("%d distinct records delivered, want %d", got, n)
		}
	}
}

// recProcessor reports a shard's batches to a recorder and checkpoints
// SHARD_END and at shutdown.
type recProcessor struct {
	r     *recorder
	t     *testing.T
	shard string
}

func (p *recProcessor) Initialize(ctx context.Context, in consumergroup.InitializeInput) {}

func (p *recProcessor) ProcessRecords(ctx context.Context, in consumergroup.ProcessRecordsInput) {
	p.r.add(p.t, p.shard, in.Records)
}

func (p *recProcessor) LeaseLost(ctx context.Context, in consumergroup.LeaseLostInput) {}

func (p *recProcessor) ShardEnded(ctx context.Context, in consumergroup.ShardEndedInput) {
	if err := in.Checkpointer.Checkpoint(ctx); err != nil {
		// A lease stolen for balance meanwhile: its new owner ends the
		// shard again.
		if !errors.Is(err, consumergroup.ErrLeaseLost) {
			p.t.Errorf("%s: SHARD_END checkpoint: %v", p.shard, err)
		}
		return
	}
	p.r.mu.Lock()
	p.r.ended[p.shard] = true
	p.r.mu.Unlock()
}

func (p *recProcessor) ShutdownRequested(ctx context.Context, in consumergroup.ShutdownRequestedInput) {
	_ = in.Checkpointer.Checkpoint(ctx) // a lease lost meanwhile refuses it; delivery is at least once
}

// putKeyed puts count records for each key, in-process, data
// "key/counter" with counters continuing from next[key].
func putKeyed(t *testing.T, svc *kds.Service, keys []string, count int, next map[string]int) {
	t.Helper()
	for range count {
		for _, k := range keys {
			next[k]++
			data := k + "/" + strconv.Itoa(next[k])
			if _, err := svc.PutRecord(context.Background(), kds.PutRecordInput{StreamName: "s", PartitionKey: k, Data: []byte(data)}); err != nil {
				t.Fatalf("PutRecord: %v", err)
			}
		}
	}
}

// splitInHalf splits shard of stream s at the middle of its hash range,
// in-process, and returns the children's IDs.
func splitInHalf(t *testing.T, svc *kds.Service, shard string) []string {
	t.Helper()
	out, err := svc.ListShards(context.Background(), kds.ListShardsInput{StreamName: "s"})
	if err != nil {
		t.Fatal(err)
	}
	var mid *big.Int
	for _, s := range out.Shards {
		if s.ShardId == shard {
			lo, _ := new(big.Int).SetString(s.HashKeyRange.StartingHashKey.String(), 10)
			hi, _ := new(big.Int).SetString(s.HashKeyRange.EndingHashKey.String(), 10)
			mid = new(big.Int).Rsh(new(big.Int).Add(lo, hi), 1)
		}
	}
	if mid == nil {
		t.Fatalf("no shard %s", shard)
	}
	if _, err := svc.SplitShard(context.Background(), kds.SplitShardInput{StreamName: "s", ShardToSplit: shard, NewStartingHashKey: mid.String()}); err != nil {
		t.Fatal(err)
	}
	after, err := svc.ListShards(context.Background(), kds.ListShardsInput{StreamName: "s"})
	if err != nil {
		t.Fatal(err)
	}
	var children []string
	for _, s := range after.Shards {
		if s.ParentShardId == shard {
			children = append(children, s.ShardId)
		}
	}
	return children
}

// Two consumer group workers read a stream through the adapter, across a
// SplitShard, and deliver every record at least once, each key's records
// first delivered in order: the parent's before its children's.
func TestConsumerGroupThroughTheAdapter(t *testing.T) {
	svc, c := serve(t, kds.WithThroughputLimits(kds.NoLimits))
	createStream(t, svc, "s", 2)
	keys := make([]string, 20)
	for i := range keys {
		keys[i] = fmt.Sprintf("key-%d", i)
	}
	next := map[string]int{}
	putKeyed(t, svc, keys, 50, next)

	rec := newRecorder()
	store := consumergroup.NewMemStore()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, id := range []string{"w1", "w2"} {
		w, err := consumergroup.NewWorker(consumergroup.Config{
			ApplicationName:      "app",
			StreamName:           "s",
			WorkerID:             id,
			Client:               c,
			Store:                store,
			NewProcessor:         func(shard string) consumergroup.Processor { return &recProcessor{r: rec, t: t, shard: shard} },
			LeaseDuration:        600 * time.Millisecond,
			IdleTimeBetweenReads: 5 * time.Millisecond,
			MaxRecords:           100,
		})
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			if err := w.Run(ctx); err != nil {
				t.Errorf("worker %s: %v", id, err)
			}
		})
	}
	stop := func() { cancel(); wg.Wait() }
	defer stop()

	rec.waitFor(t, len(keys)*50)
	children := splitInHalf(t, svc, "shardId-000000000000")
	putKeyed(t, svc, keys, 50, next)
	rec.waitFor(t, len(keys)*100)
	stop()

	rec.mu.Lock()
	defer rec.mu.Unlock()
	first := map[string]int{} // key → highest counter first delivered so far
	seen := map[delivery]bool{}
	fromChildren := 0
	for _, d := range rec.deliveries {
		if d.shard == children[0] || d.shard == children[1] {
			fromChildren++
		}
		k := delivery{key: d.key, counter: d.counter}
		if seen[k] {
			continue
		}
		seen[k] = true
		if d.counter != first[d.key]+1 {
			t.Errorf("key %s: counter %d first delivered after %d (shard %s)", d.key, d.counter, first[d.key], d.shard)
		}
		first[d.key] = d.counter
	}
	for _, k := range keys {
		if first[k] != next[k] {
			t.Errorf("key %s: delivered 1..%d in order, want 1..%d", k, first[k], next[k])
		}
	}
	if !rec.ended["shardId-000000000000"] || fromChildren == 0 {
		t.Errorf("parent ended %v, %d records from children %v: the group did not follow the split", rec.ended["shardId-000000000000"], fromChildren, children)
	}
	t.Logf("%d deliveries of %d records; %d from the children", len(rec.deliveries), len(seen), fromChildren)
}
