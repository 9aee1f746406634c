package consumergroup

import (
	"context"
	"errors"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kdsgo/kds"
)

func TestGracefulShutdownCheckpointsAndReleases(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc := newTestService(t, 3)
		rec := &recorder{} // checkpoints only in ShutdownRequested
		store := NewMemStore()
		r := newRunner(t, svc, store, rec)
		r.start(r.config("a"))
		keys, next := testKeys(30), map[string]int{}
		putKeyed(t, svc, keys, 4, next)
		time.Sleep(time.Second)
		synctest.Wait()
		if err := r.stop("a"); err != nil {
			t.Fatalf("Run after shutdown: %v", err)
		}
		leases, err := store.ListLeases(context.Background(), testGroup)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range leases {
			if l.Owner != "" {
				t.Errorf("lease %s still owned by %q after shutdown", l.Key, l.Owner)
			}
			all := shardRecords(t, svc, l.Key)
			if want := checkpointAt(posOf(all[len(all)-1])); l.Checkpoint != want {
				t.Errorf("lease %s checkpoint = %s, want the shard's last record %s", l.Key, l.Checkpoint, want)
			}
		}
		var shutdowns []string
		for _, e := range rec.snapshot() {
			if e.call == "ShutdownRequested" {
				shutdowns = append(shutdowns, e.shard)
				if e.checkpointErr != nil {
					t.Errorf("%s: checkpoint in ShutdownRequested: %v", e.shard, e.checkpointErr)
				}
			}
		}
		slices.Sort(shutdowns)
		if want := []string{"shardId-000000000000", "shardId-000000000001", "shardId-000000000002"}; !slices.Equal(shutdowns, want) {
			t.Errorf("ShutdownRequested for %v, want %v", shutdowns, want)
		}

		// A new worker takes the released leases at once, without waiting
		// for them to expire, and resumes after the final checkpoints.
		b := r.start(r.config("b"))
		synctest.Wait()
		if got := len(b.ShardIDs()); got != 3 {
			t.Errorf("b took %d leases at once, want 3", got)
		}
		putKeyed(t, svc, keys, 2, next)
		time.Sleep(time.Second)
		if dups := checkDelivered(t, rec, next); dups != 0 {
			t.Errorf("%d records delivered again after a graceful hand-over", dups)
		}
	})
}

func TestCheckpointAfterLeaseLostFails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc := newTestService(t, 1)
		rec := &recorder{checkpointBatches: true}
		store := NewMemStore()
		r := newRunner(t, svc, store, rec)
		r.start(r.config("a"))
		putKeyed(t, svc, testKeys(3), 2, map[string]int{})
		time.Sleep(time.Second)
		synctest.Wait()
		var cp *Checkpointer
		for _, e := range rec.snapshot() {
			if e.cp != nil {
				cp = e.cp
			}
		}
		if cp == nil {
			t.Fatal("no records delivered")
		}
		if err := cp.Checkpoint(context.Background()); err != nil {
			t.Fatalf("Checkpoint while holding the lease: %v", err)
		}

		// Another worker takes the lease behind a's back.
		leases, err := store.ListLeases(context.Background(), testGroup)
		if err != nil {
			t.Fatal(err)
		}
		stolen := leases[0]
		stolen.Owner = "thief"
		if _, err := store.UpdateLease(context.Background(), testGroup, stolen); err != nil {
			t.Fatalf("UpdateLease: %v", err)
		}
		if err := cp.Checkpoint(context.Background()); !errors.Is(err, ErrLeaseLost) {
			t.Fatalf("Checkpoint after the lease was taken: %v, want ErrLeaseLost", err)
		}
		if owner := owners(t, store)[stolen.Key]; owner != "thief" {
			t.Errorf("the failed checkpoint changed the owner to %q", owner)
		}
		time.Sleep(renewEvery)
		synctest.Wait()
		if !slices.Contains(rec.calls(), "a shardId-000000000000 LeaseLost") {
			t.Errorf("no LeaseLost call; calls: %v", rec.calls())
		}
	})
}

func TestCheckpointAtChecksRange(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc := newTestService(t, 1)
		rec := &recorder{}
		store := NewMemStore()
		r := newRunner(t, svc, store, rec)
		// The records are there before the worker starts, so that its
		// first read takes all five in one batch.
		putKeyed(t, svc, testKeys(1), 5, map[string]int{})
		r.start(r.config("a"))
		time.Sleep(time.Second)
		synctest.Wait()
		events := rec.snapshot()
		i := slices.IndexFunc(events, func(e event) bool { return e.cp != nil })
		if i < 0 || len(events[i].records) != 5 {
			t.Fatalf("want one batch of 5 records, got events %v", rec.calls())
		}
		cp, recs := events[i].cp, events[i].records
		ctx := context.Background()
		if err := cp.CheckpointAt(ctx, recs[2]); err != nil {
			t.Fatalf("CheckpointAt(third record): %v", err)
		}
		for name, n := range map[string]kds.Record{
			"zero":          {},
			"before stored": recs[1],
		} {
			if err := cp.CheckpointAt(ctx, n); !errors.Is(err, ErrCheckpointOutOfRange) {
				t.Errorf("CheckpointAt(%s) = %v, want ErrCheckpointOutOfRange", name, err)
			}
		}
		// A record of the same shard not yet delivered.
		out, err := svc.PutRecord(ctx, kds.PutRecordInput{StreamName: testStream, PartitionKey: "key-0", Data: []byte("key-0/6")})
		if err != nil {
			t.Fatal(err)
		}
		if err := cp.CheckpointAt(ctx, kds.Record{SequenceNumber: out.SequenceNumber}); !errors.Is(err, ErrCheckpointOutOfRange) {
			t.Errorf("CheckpointAt(undelivered record) = %v, want ErrCheckpointOutOfRange", err)
		}
		leases, _ := store.ListLeases(ctx, testGroup)
		if want := checkpointAt(posOf(recs[2])); leases[0].Checkpoint != want {
			t.Errorf("stored checkpoint %s, want %s", leases[0].Checkpoint, want)
		}
	})
}

func TestInitialPosition(t *testing.T) {
	for _, tc := range []struct {
		name  string
		pos   func(start time.Time) InitialPosition
		first int // first counter delivered
	}{
		{"TrimHorizon", func(time.Time) InitialPosition { return TrimHorizon() }, 1},
		{"zero value", func(time.Time) InitialPosition { return InitialPosition{} }, 1},
		{"Latest", func(time.Time) InitialPosition { return Latest() }, 4},
		{"AtTimestamp", func(start time.Time) InitialPosition { return AtTimestamp(start.Add(time.Second)) }, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				svc := newTestService(t, 2)
				rec := &recorder{checkpointBatches: true}
				r := newRunner(t, svc, NewMemStore(), rec)
				keys, next := testKeys(10), map[string]int{}
				start := time.Now()
				putKeyed(t, svc, keys, 2, next) // counters 1, 2 at start
				time.Sleep(time.Second)
				putKeyed(t, svc, keys, 1, next) // counter 3 at start+1s
				time.Sleep(time.Second)
				cfg := r.config("a")
				cfg.InitialPosition = tc.pos(start)
				r.start(cfg)
				synctest.Wait()
				putKeyed(t, svc, keys, 2, next) // counters 4, 5 after the worker started
				time.Sleep(time.Second)
				synctest.Wait()
				firsts := map[string]int{}
				for _, d := range rec.deliveries(t) {
					if _, ok := firsts[d.key]; !ok {
						firsts[d.key] = d.counter
					}
				}
				for _, k := range keys {
					if firsts[k] != tc.first {
						t.Errorf("key %s: first counter delivered %d, want %d", k, firsts[k], tc.first)
					}
				}
			})
		})
	}
}

func TestParentsDone(t *testing.T) {
	w := &Worker{listed: map[string]bool{"p-listed": true, "p-end": true, "p-open": true}}
	byKey := map[string]Lease{
		"p-end":  {Key: "p-end", Checkpoint: CheckpointShardEnd},
		"p-open": {Key: "p-open", Checkpoint: checkpointAt(recordPos{})},
	}
	for _, tc := range []struct {
		parents []string
		want    bool
	}{
		{nil, true},
		{[]string{"p-end"}, true},
		{[]string{"p-open"}, false},
		{[]string{"p-end", "p-open"}, false},
		{[]string{"p-listed"}, false}, // listed, lease not created yet
		{[]string{"p-expired"}, true}, // neither leased nor listed: gone
		{[]string{"p-expired", "p-end"}, true},
	} {
		if got := w.parentsDone(Lease{Key: "child", ParentShardIDs: tc.parents}, byKey); got != tc.want {
			t.Errorf("parentsDone(parents %v) = %v, want %v", tc.parents, got, tc.want)
		}
	}
}
