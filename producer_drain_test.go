package kds

import (
	"context"
	"testing"
	"testing/synctest"
)

// TestDrainedQueueKeepsNoMemory: after a split, the parent's queue drains;
// a child that never sends keeps it in its list of queues to wait for, so
// the drained queue must have let go of its arena blocks, its last call's
// buffers and the queues it waited for itself.
func TestDrainedQueueKeepsNoMemory(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		svc, err := NewService()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateStream(ctx, CreateStreamInput{StreamName: "s", ShardCount: 1}); err != nil {
			t.Fatal(err)
		}
		p, err := NewProducer(ProducerConfig{StreamName: "s", Client: svc})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close(ctx)
		if _, err := p.Put(ctx, "k", make([]byte, 1000), WithExplicitHashKey("0")); err != nil {
			t.Fatal(err)
		}
		parent, ok := p.routes.Load().byID("shardId-000000000000")
		if !ok {
			t.Fatal("no queue for the stream's shard")
		}
		if _, err := svc.SplitShard(ctx, SplitShardInput{StreamName: "s", ShardToSplit: parent.id, NewStartingHashKey: "170141183460469231731687303715884105728"}); err != nil {
			t.Fatal(err)
		}
		// Only the lower child gets records; the first one is misrouted
		// and makes the producer learn the new shards.
		for range 3 {
			if _, err := p.Put(ctx, "k", []byte("x"), WithExplicitHashKey("0")); err != nil {
				t.Fatal(err)
			}
		}
		<-parent.drained
		parent.mu.Lock()
		defer parent.mu.Unlock()
		if parent.arena != nil || parent.arenaFull != nil || parent.pending != nil || parent.after != nil || parent.batch.entries != nil || parent.batch.buf != nil {
			t.Errorf("drained queue still holds: arena %d B, %d full blocks, pending cap %d, %d queues to wait for, call buffers %d entries / %d B",
				cap(parent.arena), len(parent.arenaFull), cap(parent.pending), len(parent.after), cap(parent.batch.entries), cap(parent.batch.buf))
		}
	})
}
