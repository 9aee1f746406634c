package consumergroup

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kdsgo/kds"
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

// shardOf returns the shard holding each key's records.
func shardOf(r *recorder) map[string]string {
	out := map[string]string{}
	for _, e := range r.snapshot() {
		for _, rec := range e.records {
			out[rec.PartitionKey] = e.shard
		}
	}
	return out
}

func TestExpiredLeaseIsTakenOver(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc := newTestService(t, 2)
		rec := &recorder{checkpointBatches: true}
		mem := NewMemStore()
		dying := &failingStore{CheckpointStore: mem}
		r := newRunner(t, svc, mem, rec)
		cfgA := r.config("a")
		cfgA.Store = dying
		r.start(cfgA)
		time.Sleep(time.Second)
		r.start(r.config("b")) // steals one of a's two leases
		keys, next := testKeys(20), map[string]int{}
		for range 5 {
			putKeyed(t, svc, keys, 1, next)
			time.Sleep(time.Second)
		}
		synctest.Wait()
		if got := leaseCounts(t, mem); got["a"] != 1 || got["b"] != 1 {
			t.Fatalf("before the failure, leases per owner = %v, want a:1 b:1", got)
		}
		var aShard string
		for shard, owner := range owners(t, mem) {
			if owner == "a" {
				aShard = shard
			}
		}

		// a stops renewing: its store fails, as if its process had died.
		failedAt := time.Now()
		dying.fail()
		earliest := failedAt.Add(testLease - renewEvery)
		latest := failedAt.Add(testLease + 2*renewEvery)
		var takenAt time.Time
		for time.Now().Before(latest.Add(time.Second)) {
			putKeyed(t, svc, keys, 1, next)
			time.Sleep(250 * time.Millisecond)
			synctest.Wait()
			if takenAt.IsZero() && owners(t, mem)[aShard] == "b" {
				takenAt = time.Now()
			}
		}
		switch {
		case takenAt.IsZero():
			t.Fatalf("b never took %s after a stopped renewing", aShard)
		case takenAt.Before(earliest):
			t.Errorf("b took %s %v after a failed, before the lease could have expired (%v)", aShard, takenAt.Sub(failedAt), earliest.Sub(failedAt))
		case takenAt.After(latest):
			t.Errorf("b took %s only %v after a failed, want at most %v", aShard, takenAt.Sub(failedAt), latest.Sub(failedAt))
		}
		if !slices.Contains(rec.calls(), "a "+aShard+" LeaseLost") {
			t.Errorf("a's Processor of %s got no LeaseLost; calls: %v", aShard, rec.calls())
		}

		// b resumed just after a's last stored checkpoint.
		var lastCheckpoint, firstByB kds.SequenceNumber
		for _, e := range rec.snapshot() {
			if e.shard != aShard || e.call != "ProcessRecords" {
				continue
			}
			switch {
			case e.worker == "a" && e.checkpointErr == nil:
				lastCheckpoint = e.records[len(e.records)-1].SequenceNumber
			case e.worker == "b" && firstByB.IsZero():
				firstByB = e.records[0].SequenceNumber
			}
		}
		all := shardRecords(t, svc, aShard)
		i := slices.IndexFunc(all, func(rec kds.Record) bool { return rec.SequenceNumber == lastCheckpoint })
		if i < 0 || i+1 >= len(all) || all[i+1].SequenceNumber != firstByB {
			t.Errorf("b's first record on %s is %s, want the one after a's last checkpoint %s", aShard, firstByB, lastCheckpoint)
		}
		dups := checkDelivered(t, rec, next)
		t.Logf("b took over after %v; %d duplicate deliveries", takenAt.Sub(failedAt), dups)
	})
}

// shardRecords reads every record of a shard.
func shardRecords(t *testing.T, svc *kds.Service, shard string) []kds.Record {
	t.Helper()
	ctx := context.Background()
	it, err := svc.GetShardIterator(ctx, kds.GetShardIteratorInput{StreamName: testStream, ShardId: shard, ShardIteratorType: kds.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatalf("GetShardIterator: %v", err)
	}
	var out []kds.Record
	for iter := it.ShardIterator; iter != ""; {
		page, err := svc.GetRecords(ctx, kds.GetRecordsInput{ShardIterator: iter})
		if err != nil {
			t.Fatalf("GetRecords: %v", err)
		}
		out = append(out, page.Records...)
		if len(page.Records) == 0 {
			break
		}
		iter = page.NextShardIterator
	}
	return out
}

func TestThreeWorkersShareShardsFairly(t *testing.T) {
	for _, shards := range []int{2, 7, 16} {
		t.Run(strconv.Itoa(shards)+" shards", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				svc := newTestService(t, shards)
				rec := &recorder{checkpointBatches: true}
				store := NewMemStore()
				r := newRunner(t, svc, store, rec)
				workers := []*Worker{r.start(r.config("w1")), r.start(r.config("w2")), r.start(r.config("w3"))}
				keys, next := testKeys(50), map[string]int{}
				for range 30 { // 30 renewal rounds
					putKeyed(t, svc, keys, 1, next)
					time.Sleep(renewEvery)
				}
				time.Sleep(time.Second)
				synctest.Wait()
				counts := leaseCounts(t, store)
				if counts[""] != 0 {
					t.Errorf("%d leases unowned", counts[""])
				}
				lo, hi := shards, 0
				for _, w := range workers {
					lo, hi = min(lo, counts[w.ID()]), max(hi, counts[w.ID()])
				}
				if hi-lo > 1 || hi != (shards+2)/3 {
					t.Errorf("leases per worker = %v, want a fair share (%d or %d each)", counts, shards/3, (shards+2)/3)
				}
				own := owners(t, store)
				for _, w := range workers {
					for _, id := range w.ShardIDs() {
						if own[id] != w.ID() {
							t.Errorf("%s says it holds %s, the store says %q does", w.ID(), id, own[id])
						}
					}
				}
				checkDelivered(t, rec, next)
			})
		})
	}
}

func TestJoiningWorkerStealsOneLeasePerRound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc := newTestService(t, 12)
		rec := &recorder{checkpointBatches: true}
		store := NewMemStore()
		r := newRunner(t, svc, store, rec)
		r.start(r.config("a"))
		r.start(r.config("b"))
		keys, next := testKeys(50), map[string]int{}
		for range 15 {
			putKeyed(t, svc, keys, 1, next)
			time.Sleep(renewEvery)
		}
		synctest.Wait()
		if got := leaseCounts(t, store); got["a"] != 6 || got["b"] != 6 {
			t.Fatalf("before c joins, leases per owner = %v, want a:6 b:6", got)
		}
		callsBefore := len(rec.calls())
		c := r.start(r.config("c"))
		var history []int
		for round := range 8 {
			synctest.Wait() // c's round has run
			n := len(c.ShardIDs())
			history = append(history, n)
			if n > round+1 {
				t.Errorf("after %d rounds c holds %d leases; it may steal only one per round", round+1, n)
			}
			if got := leaseCounts(t, store); got[""] != 0 {
				t.Errorf("round %d: %d leases unowned while stealing", round, got[""])
			}
			putKeyed(t, svc, keys, 1, next)
			time.Sleep(renewEvery)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if got := leaseCounts(t, store); got["a"] != 4 || got["b"] != 4 || got["c"] != 4 {
			t.Errorf("after c joined, leases per owner = %v, want 4 each (c's count by round: %v)", got, history)
		}
		lost := 0
		for _, call := range rec.calls()[callsBefore:] {
			if strings.HasSuffix(call, " LeaseLost") {
				lost++
			}
		}
		if lost != 4 {
			t.Errorf("%d LeaseLost calls, want 4 (one per stolen lease)", lost)
		}
		checkDelivered(t, rec, next)
	})
}

// blockingProcessor blocks in its first ProcessRecords (ignoring ctx)
// until release is closed, and counts how many of its kind are inside
// ProcessRecords at once per shard.
type blockingProcessor struct {
	inflight *atomic.Int32
	maxSeen  *atomic.Int32
	release  chan struct{}
	once     *sync.Once
	inits    *atomic.Int32
}

func (p *blockingProcessor) Initialize(ctx context.Context, in InitializeInput) { p.inits.Add(1) }
func (p *blockingProcessor) ProcessRecords(ctx context.Context, in ProcessRecordsInput) {
	n := p.inflight.Add(1)
	for {
		m := p.maxSeen.Load()
		if n <= m || p.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	first := false
	p.once.Do(func() { first = true })
	if first {
		<-p.release // a slow batch, e.g. a downstream write
	}
	p.inflight.Add(-1)
}
func (p *blockingProcessor) LeaseLost(ctx context.Context, in LeaseLostInput)   {}
func (p *blockingProcessor) ShardEnded(ctx context.Context, in ShardEndedInput) {}
func (p *blockingProcessor) ShutdownRequested(ctx context.Context, in ShutdownRequestedInput) {
}

// TestLostLeaseNotRetakenWhileProcessorRuns: a store outage longer than
// LeaseDuration makes the worker drop its lease locally (the store still
// names it owner). Once the store is back, the worker must not take the
// lease again while the first Processor is still inside ProcessRecords.
func TestLostLeaseNotRetakenWhileProcessorRuns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc := newTestService(t, 1)
		store := &failingStore{CheckpointStore: NewMemStore()}
		var inflight, maxSeen, inits atomic.Int32
		release := make(chan struct{})
		once := &sync.Once{}
		cfg := Config{
			ApplicationName: testGroup, StreamName: testStream, WorkerID: "a",
			Client: svc, Store: store, LeaseDuration: testLease, IdleTimeBetweenReads: testIdleRead,
			NewProcessor: func(string) Processor {
				return &blockingProcessor{&inflight, &maxSeen, release, once, &inits}
			},
		}
		w, err := NewWorker(cfg)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- w.Run(ctx) }()
		putKeyed(t, svc, testKeys(5), 2, map[string]int{})
		time.Sleep(time.Second)
		synctest.Wait()
		if inflight.Load() != 1 {
			t.Fatalf("first batch not in flight: %d", inflight.Load())
		}
		store.fail()
		time.Sleep(testLease + renewEvery) // the worker gives up the lease locally
		synctest.Wait()
		store.mu.Lock()
		store.down = false // the store comes back
		store.mu.Unlock()
		putKeyed(t, svc, testKeys(5), 1, map[string]int{"key-0": 2, "key-1": 2, "key-2": 2, "key-3": 2, "key-4": 2})
		time.Sleep(2 * renewEvery)
		synctest.Wait()
		if maxSeen.Load() > 1 {
			t.Errorf("two Processors of worker a ran ProcessRecords on the same shard at once (%d Initialize calls)", inits.Load())
		}
		close(release)
		cancel()
		<-done
	})
}
