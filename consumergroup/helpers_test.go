package consumergroup

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kdsgo/kds"
)

// Shared fixtures. Tests that involve time run inside a testing/synctest
// bubble, where kds.RealClock reads the bubble's virtual clock: a
// time.Sleep there advances virtual time at once, as soon as every
// goroutine of the bubble is blocked.

const (
	testGroup    = "app"
	testStream   = "events"
	testLease    = 10 * time.Second
	renewEvery   = testLease / 3
	testIdleRead = 200 * time.Millisecond
)

// newTestService returns a Service on the real (inside a bubble, virtual)
// clock, without throughput limits or status delays, with a stream of
// the given shard count.
func newTestService(t *testing.T, shards int) *kds.Service {
	t.Helper()
	svc, err := kds.NewService(kds.WithThroughputLimits(kds.NoLimits), kds.WithStatusDelay(0))
	if err != nil {
		t.Fatalf("NewService: %v", err)
	}
	if _, err := svc.CreateStream(context.Background(), kds.CreateStreamInput{StreamName: testStream, ShardCount: shards}); err != nil {
		t.Fatalf("CreateStream: %v", err)
	}
	return svc
}

// putKeyed puts count records for each key, data "key/counter" with
// counters continuing from next[key], one PutRecord at a time so that each
// key's records are stored in order.
func putKeyed(t *testing.T, svc *kds.Service, keys []string, count int, next map[string]int) {
	t.Helper()
	for range count {
		for _, k := range keys {
			next[k]++
			data := k + "/" + strconv.Itoa(next[k])
			if _, err := svc.PutRecord(context.Background(), kds.PutRecordInput{StreamName: testStream, PartitionKey: k, Data: []byte(data)}); err != nil {
				t.Fatalf("PutRecord: %v", err)
			}
		}
	}
}

// testKeys returns n partition keys.
func testKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "key-" + strconv.Itoa(i)
	}
	return keys
}

// event is one call a recording Processor received.
type event struct {
	worker, shard, call string
	records             []kds.Record
	checkpointErr       error
	cp                  *Checkpointer
}

// recorder keeps every call the Processors of a test receive, in order.
type recorder struct {
	mu     sync.Mutex
	events []event
	// skipShardEnd makes Processors return from ShardEnded without
	// checkpointing.
	skipShardEnd bool
	// checkpointBatches makes Processors checkpoint after every batch.
	checkpointBatches bool
}

// factory returns a Config.NewProcessor for worker.
func (r *recorder) factory(worker string) func(string) Processor {
	return func(shard string) Processor { return &recProcessor{r: r, worker: worker, shard: shard} }
}

func (r *recorder) add(e event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

// snapshot returns the events so far.
func (r *recorder) snapshot() []event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

// calls returns "worker shard call" for every event other than
// ProcessRecords.
func (r *recorder) calls() []string {
	var out []string
	for _, e := range r.snapshot() {
		if e.call != "ProcessRecords" {
			out = append(out, e.worker+" "+e.shard+" "+e.call)
		}
	}
	return out
}

// recProcessor is a Processor that reports to a recorder.
type recProcessor struct {
	r             *recorder
	worker, shard string
}

func (p *recProcessor) Initialize(ctx context.Context, in InitializeInput) {
	p.r.add(event{worker: p.worker, shard: p.shard, call: "Initialize"})
}

func (p *recProcessor) ProcessRecords(ctx context.Context, in ProcessRecordsInput) {
	e := event{worker: p.worker, shard: p.shard, call: "ProcessRecords", records: in.Records, cp: in.Checkpointer}
	if p.r.checkpointBatches {
		e.checkpointErr = in.Checkpointer.Checkpoint(ctx)
	}
	p.r.add(e)
}

func (p *recProcessor) LeaseLost(ctx context.Context, in LeaseLostInput) {
	p.r.add(event{worker: p.worker, shard: p.shard, call: "LeaseLost"})
}

func (p *recProcessor) ShardEnded(ctx context.Context, in ShardEndedInput) {
	e := event{worker: p.worker, shard: p.shard, call: "ShardEnded"}
	if !p.r.skipShardEnd {
		e.checkpointErr = in.Checkpointer.Checkpoint(ctx)
	}
	p.r.add(e)
}

func (p *recProcessor) ShutdownRequested(ctx context.Context, in ShutdownRequestedInput) {
	p.r.add(event{worker: p.worker, shard: p.shard, call: "ShutdownRequested", checkpointErr: in.Checkpointer.Checkpoint(ctx)})
}

// delivery is one record as a Processor received it.
type delivery struct {
	worker, shard, key string
	counter            int
}

// deliveries returns every record delivered, in delivery order.
func (r *recorder) deliveries(t *testing.T) []delivery {
	t.Helper()
	var out []delivery
	for _, e := range r.snapshot() {
		for _, rec := range e.records {
			k, c, ok := strings.Cut(string(rec.Data), "/")
			n, err := strconv.Atoi(c)
			if !ok || err != nil || k != rec.PartitionKey {
				t.Fatalf("record data %q with key %q is not key/counter", rec.Data, rec.PartitionKey)
			}
			out = append(out, delivery{worker: e.worker, shard: e.shard, key: k, counter: n})
		}
	}
	return out
}

// checkDelivered fails the test unless every record of next (key →
// highest counter put) was delivered at least once, and each key's first
// deliveries came in counter order. It returns the number of duplicate
// deliveries.
func checkDelivered(t *testing.T, r *recorder, next map[string]int) int {
	t.Helper()
	firsts := map[string]int{} // key → highest counter delivered first so far
	seen := map[string]map[int]bool{}
	dups := 0
	for _, d := range r.deliveries(t) {
		if seen[d.key] == nil {
			seen[d.key] = map[int]bool{}
		}
		if seen[d.key][d.counter] {
			dups++
			continue
		}
		seen[d.key][d.counter] = true
		if d.counter != firsts[d.key]+1 {
			t.Errorf("key %s: first delivery of counter %d came after counter %d (worker %s, shard %s)", d.key, d.counter, firsts[d.key], d.worker, d.shard)
		}
		firsts[d.key] = d.counter
	}
	for k, n := range next {
		if firsts[k] != n {
			t.Errorf("key %s: delivered counters 1..%d in order, want 1..%d", k, firsts[k], n)
		}
	}
	return dups
}

// runner starts workers and stops them at the end of the test.
type runner struct {
	t       *testing.T
	svc     *kds.Service
	store   CheckpointStore
	rec     *recorder
	mu      sync.Mutex
	workers map[string]*runningWorker
}

type runningWorker struct {
	w      *Worker
	cancel context.CancelFunc
	done   chan error
}

func newRunner(t *testing.T, svc *kds.Service, store CheckpointStore, rec *recorder) *runner {
	r := &runner{t: t, svc: svc, store: store, rec: rec, workers: map[string]*runningWorker{}}
	t.Cleanup(r.stopAll)
	return r
}

// config returns the test Config of worker id.
func (r *runner) config(id string) Config {
	return Config{
		ApplicationName:      testGroup,
		StreamName:           testStream,
		WorkerID:             id,
		Client:               r.svc,
		Store:                r.store,
		NewProcessor:         r.rec.factory(id),
		LeaseDuration:        testLease,
		ShardSyncInterval:    time.Minute,
		IdleTimeBetweenReads: testIdleRead,
	}
}

// start runs a worker with cfg.
func (r *runner) start(cfg Config) *Worker {
	r.t.Helper()
	w, err := NewWorker(cfg)
	if err != nil {
		r.t.Fatalf("NewWorker: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	rw := &runningWorker{w: w, cancel: cancel, done: make(chan error, 1)}
	go func() { rw.done <- w.Run(ctx) }()
	r.mu.Lock()
	r.workers[cfg.WorkerID] = rw
	r.mu.Unlock()
	return w
}

// stop shuts worker id down gracefully and returns Run's result.
func (r *runner) stop(id string) error {
	r.mu.Lock()
	rw, ok := r.workers[id]
	delete(r.workers, id)
	r.mu.Unlock()
	if !ok {
		return fmt.Errorf("no worker %s", id)
	}
	rw.cancel()
	return <-rw.done
}

func (r *runner) stopAll() {
	r.mu.Lock()
	ids := slices.Sorted(func(yield func(string) bool) {
		for id := range r.workers {
			if !yield(id) {
				return
			}
		}
	})
	r.mu.Unlock()
	for _, id := range ids {
		if err := r.stop(id); err != nil && !errors.Is(err, errStoreDown) {
			r.t.Errorf("worker %s: Run: %v", id, err)
		}
	}
}

// owners returns shard ID → owner of the group's leases.
func owners(t *testing.T, store CheckpointStore) map[string]string {
	t.Helper()
	leases, err := store.ListLeases(context.Background(), testGroup)
	if err != nil {
		t.Fatalf("ListLeases: %v", err)
	}
	out := map[string]string{}
	for _, l := range leases {
		out[l.Key] = l.Owner
	}
	return out
}

// leaseCounts returns how many leases each owner holds ("" = nobody).
func leaseCounts(t *testing.T, store CheckpointStore) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, o := range owners(t, store) {
		out[o]++
	}
	return out
}

// errStoreDown is what a failingStore returns once failed.
var errStoreDown = errors.New("store down")

// failingStore passes calls to a CheckpointStore until fail is called,
// and fails them all after that: a worker that can no longer reach the
// store, as if its process had died.
type failingStore struct {
	CheckpointStore
	mu   sync.Mutex
	down bool
}

func (s *failingStore) fail() {
	s.mu.Lock()
	s.down = true
	s.mu.Unlock()
}

func (s *failingStore) err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return errStoreDown
	}
	return nil
}

func (s *failingStore) ListLeases(ctx context.Context, group string) ([]Lease, error) {
	if err := s.err(); err != nil {
		return nil, err
	}
	return s.CheckpointStore.ListLeases(ctx, group)
}

func (s *failingStore) CreateLease(ctx context.Context, group string, l Lease) error {
	if err := s.err(); err != nil {
		return err
	}
	return s.CheckpointStore.CreateLease(ctx, group, l)
}

func (s *failingStore) UpdateLease(ctx context.Context, group string, l Lease) (Lease, error) {
	if err := s.err(); err != nil {
		return Lease{}, err
	}
	return s.CheckpointStore.UpdateLease(ctx, group, l)
}

// waitDelivered lets virtual time pass until every record of next has
// been delivered, for up to an hour.
func waitDelivered(t *testing.T, r *recorder, next map[string]int) {
	t.Helper()
	want := 0
	for _, n := range next {
		want += n
	}
	deadline := time.Now().Add(time.Hour)
	for time.Now().Before(deadline) {
		synctest.Wait()
		got := map[delivery]bool{}
		for _, d := range r.deliveries(t) {
			d.worker, d.shard = "", ""
			got[d] = true
		}
		if len(got) == want {
			return
		}
		time.Sleep(time.Second)
	}
	t.Errorf("not every record was delivered within an hour")
}
