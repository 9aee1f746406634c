package consumergroup

import (
	"slices"
	"testing"
	"testing/synctest"
	"time"

)

func TestWorkerProcessesEveryRecordInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc := newTestService(t, 4)
		rec := &recorder{checkpointBatches: true}
		store := NewMemStore()
		r := newRunner(t, svc, store, rec)
		next := map[string]int{}
		keys := testKeys(20)
		putKeyed(t, svc, keys, 5, next)
		w := r.start(r.config("w1"))
		time.Sleep(time.Second)
		putKeyed(t, svc, keys, 5, next)
		time.Sleep(time.Second)
		synctest.Wait()
		if got, want := w.ShardIDs(), []string{"shardId-000000000000", "shardId-000000000001", "shardId-000000000002", "shardId-000000000003"}; !slices.Equal(got, want) {
			t.Fatalf("ShardIDs() = %v, want %v", got, want)
		}
		if dups := checkDelivered(t, rec, next); dups != 0 {
			t.Errorf("%d duplicate deliveries with one worker", dups)
		}
		for _, e := range rec.snapshot() {
			if e.checkpointErr != nil {
				t.Errorf("%s %s: checkpoint: %v", e.shard, e.call, e.checkpointErr)
			}
		}
	})
}
