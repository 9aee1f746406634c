// Command consumergroup runs a KCL-like consumer group of three workers
// over a stream that is being written to and resharded, and crashes one
// of the workers midway.
//
// A producer writes records for 100 partition keys; each record's data is
// "key/counter", the counter going up by one per key. During the run the
// program splits a shard, stops worker-3 abruptly, and merges two shards.
// The other workers take over worker-3's shards once its leases expire.
// At the end it checks that every record was processed at least once and
// that, for each key, the first deliveries of its counters came in
// increasing order (duplicates are allowed: delivery is at least once),
// and exits with status 1 if not.
//
// The abrupt stop: worker-3's Store and Client are wrappers that start
// failing every call at the moment of the "crash". From then on it cannot
// renew, checkpoint or release its leases, nor read records — exactly
// what the rest of the group sees of a process that died. Its leases'
// counters stop moving, the other workers observe that for LeaseDuration
// and take the leases, resuming at worker-3's last checkpoints; records it
// had processed after those are delivered again (the duplicates counted
// at the end).
//
// The program runs on the real clock with short intervals (leases of
// 600 ms, reads every 20 ms) so that it shows real concurrency and ends in
// a few seconds; the package's tests and benchmark cover the same
// machinery deterministically on virtual clocks. -short shortens the run
// for CI.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"math/big"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/consumergroup"
)

const (
	stream = "telemetry"
	group  = "dashboard"
	keys   = 100
)

func main() {
	short := flag.Bool("short", false, "write for 1.5 s instead of 3 s (for CI)")
	flag.Parse()
	writeFor := 3 * time.Second
	if *short {
		writeFor = 1500 * time.Millisecond
	}
	ok, err := run(writeFor)
	if err != nil {
		log.Fatal(err)
	}
	if !ok {
		os.Exit(1)
	}
}

// ledger checks deliveries as they happen: per key, the next counter
// expected to be delivered for the first time.
type ledger struct {
	mu         sync.Mutex
	next       map[string]int // key → next counter not yet delivered
	delivered  int
	duplicates int
	violations []string
	byWorker   map[string]int
}

func (l *ledger) record(worker string, recs []kds.Record) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range recs {
		key, c, _ := strings.Cut(string(r.Data), "/")
		n, _ := strconv.Atoi(c)
		l.delivered++
		l.byWorker[worker]++
		switch want := l.next[key]; {
		case n < want:
			l.duplicates++
		case n == want:
			l.next[key]++
		default:
			l.violations = append(l.violations, fmt.Sprintf("%s: counter %d delivered first before %d (by %s)", key, n, want, worker))
			l.next[key] = n + 1
		}
	}
}

// processor is the Processor of one shard: it records the records and
// checkpoints after each batch.
type processor struct {
	worker string
	l      *ledger
}

func (p *processor) Initialize(ctx context.Context, in consumergroup.InitializeInput) {}

func (p *processor) ProcessRecords(ctx context.Context, in consumergroup.ProcessRecordsInput) {
	p.l.record(p.worker, in.Records)
	in.Checkpointer.Checkpoint(ctx) // fails with ErrLeaseLost once the lease is taken
}

func (p *processor) LeaseLost(ctx context.Context, in consumergroup.LeaseLostInput) {}

func (p *processor) ShardEnded(ctx context.Context, in consumergroup.ShardEndedInput) {
	in.Checkpointer.Checkpoint(ctx) // SHARD_END: the children may start
}

func (p *processor) ShutdownRequested(ctx context.Context, in consumergroup.ShutdownRequestedInput) {
	in.Checkpointer.Checkpoint(ctx)
}

// errCrashed is what a crashed worker's Store and Client return.
var errCrashed = errors.New("worker crashed")

// crash is a switch shared by a crashed worker's wrappers.
type crash struct{ down atomic.Bool }

func (c *crash) err() error {
	if c.down.Load() {
		return errCrashed
	}
	return nil
}

// crashStore is a Store that fails once its crash switch is on.
type crashStore struct {
	consumergroup.CheckpointStore
	c *crash
}

func (s crashStore) ListLeases(ctx context.Context, g string) ([]consumergroup.Lease, error) {
	if err := s.c.err(); err != nil {
		return nil, err
	}
	return s.CheckpointStore.ListLeases(ctx, g)
}

func (s crashStore) CreateLease(ctx context.Context, g string, l consumergroup.Lease) error {
	if err := s.c.err(); err != nil {
		return err
	}
	return s.CheckpointStore.CreateLease(ctx, g, l)
}

func (s crashStore) UpdateLease(ctx context.Context, g string, l consumergroup.Lease) (consumergroup.Lease, error) {
	if err := s.c.err(); err != nil {
		return consumergroup.Lease{}, err
	}
	return s.CheckpointStore.UpdateLease(ctx, g, l)
}

// crashClient is a Client that fails once its crash switch is on.
type crashClient struct {
	consumergroup.Client
	c *crash
}

func (cl crashClient) ListShards(ctx context.Context, in kds.ListShardsInput) (kds.ListShardsOutput, error) {
	if err := cl.c.err(); err != nil {
		return kds.ListShardsOutput{}, err
	}
	return cl.Client.ListShards(ctx, in)
}

func (cl crashClient) GetShardIterator(ctx context.Context, in kds.GetShardIteratorInput) (kds.GetShardIteratorOutput, error) {
	if err := cl.c.err(); err != nil {
		return kds.GetShardIteratorOutput{}, err
	}
	return cl.Client.GetShardIterator(ctx, in)
}

func (cl crashClient) GetRecords(ctx context.Context, in kds.GetRecordsInput) (kds.GetRecordsOutput, error) {
	if err := cl.c.err(); err != nil {
		return kds.GetRecordsOutput{}, err
	}
	return cl.Client.GetRecords(ctx, in)
}

func run(writeFor time.Duration) (bool, error) {
	ctx := context.Background()
	clock := kds.RealClock{}
	start := clock.Now()
	say := func(format string, args ...any) {
		fmt.Printf("%5.2fs  %s\n", clock.Now().Sub(start).Seconds(), fmt.Sprintf(format, args...))
	}
	svc, err := kds.NewService(kds.WithThroughputLimits(kds.NoLimits))
	if err != nil {
		return false, err
	}
	if _, err := svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: stream, ShardCount: 4}); err != nil {
		return false, err
	}
	store := consumergroup.NewMemStore()
	l := &ledger{next: map[string]int{}, byWorker: map[string]int{}}
	for k := range keys {
		l.next[keyName(k)] = 1
	}

	// The three workers; worker-3 reaches the store and the stream through
	// wrappers that fail once it crashes.
	crash3 := &crash{}
	var workers []*consumergroup.Worker
	var stops []context.CancelFunc
	results := make([]chan error, 3)
	for i := range 3 {
		id := "worker-" + strconv.Itoa(i+1)
		var st consumergroup.CheckpointStore = store
		var cl consumergroup.Client = svc
		if i == 2 {
			st, cl = crashStore{store, crash3}, crashClient{svc, crash3}
		}
		w, err := consumergroup.NewWorker(consumergroup.Config{
			ApplicationName:      group,
			StreamName:           stream,
			WorkerID:             id,
			Client:               cl,
			Store:                st,
			NewProcessor:         func(string) consumergroup.Processor { return &processor{worker: id, l: l} },
			LeaseDuration:        600 * time.Millisecond,
			ShardSyncInterval:    200 * time.Millisecond,
			IdleTimeBetweenReads: 20 * time.Millisecond,
		})
		if err != nil {
			return false, err
		}
		runCtx, stop := context.WithCancel(ctx)
		results[i] = make(chan error, 1)
		go func() { results[i] <- w.Run(runCtx) }()
		workers, stops = append(workers, w), append(stops, stop)
	}
	fmt.Printf("3 workers consume stream %q (4 shards) while %v of writes for %d keys, a split, a crash and a merge happen.\n", stream, writeFor, keys)

	// watch reports when, after the crash, none of worker-3's leases is
	// left.
	var crashedAt time.Time
	takenOver := false
	watch := func() {
		if !crashedAt.IsZero() && !takenOver && !strings.Contains(leaseSummary(ctx, store), "worker-3") {
			takenOver = true
			say("worker-3's leases have all been taken over, %v after the crash: %s",
				clock.Now().Sub(crashedAt).Round(time.Millisecond), leaseSummary(ctx, store))
		}
	}

	// The producer: one PutRecords of 50 records every 5 ms, keys in
	// turn, so each key's records are stored in counter order.
	produced := map[string]int{}
	total := 0
	k := 0
	events := []struct {
		at   time.Duration
		name string
		do   func() error
	}{
		{writeFor / 4, "split", func() error { return split(ctx, svc, say) }},
		{writeFor / 2, "crash", func() error {
			say("leases: %s", leaseSummary(ctx, store))
			crash3.down.Store(true)
			crashedAt = clock.Now()
			say("worker-3 crashes: from now on its store and Kinesis calls fail, so it stops renewing without releasing")
			return nil
		}},
		{writeFor * 2 / 3, "merge", func() error { return merge(ctx, svc, say) }},
	}
	for clock.Now().Sub(start) < writeFor {
		for len(events) > 0 && clock.Now().Sub(start) >= events[0].at {
			if err := events[0].do(); err != nil {
				return false, err
			}
			events = events[1:]
		}
		entries := make([]kds.PutRecordsRequestEntry, 50)
		for i := range entries {
			key := keyName(k % keys)
			k++
			produced[key]++
			entries[i] = kds.PutRecordsRequestEntry{PartitionKey: key, Data: []byte(key + "/" + strconv.Itoa(produced[key]))}
		}
		out, err := svc.PutRecords(ctx, kds.PutRecordsInput{StreamName: stream, Records: entries})
		if err != nil || out.FailedRecordCount > 0 {
			return false, fmt.Errorf("PutRecords: %v (%d failed)", err, out.FailedRecordCount)
		}
		total += len(entries)
		watch()
		<-clock.After(5 * time.Millisecond)
	}
	say("producer done: %d records", total)

	// Wait until every record has been processed (or 10 s have passed),
	// noting when worker-3's leases were all taken over.
	deadline := clock.Now().Add(10 * time.Second)
	for clock.Now().Before(deadline) {
		watch()
		l.mu.Lock()
		firsts := l.delivered - l.duplicates
		l.mu.Unlock()
		if firsts >= total && takenOver {
			break
		}
		<-clock.After(20 * time.Millisecond)
	}
	say("leases: %s", leaseSummary(ctx, store))
	for i, stop := range stops {
		stop()
		err := <-results[i]
		switch {
		case i == 2:
			// Having failed to renew them for LeaseDuration, it had
			// already given its leases up; had it still held one, Run
			// would report that it could not release it.
			say("%s (crashed) stopped: Run returned %v", workers[i].ID(), err)
		case err != nil:
			return false, fmt.Errorf("%s: %w", workers[i].ID(), err)
		default:
			say("%s shut down gracefully, releasing its leases", workers[i].ID())
		}
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	missing := 0
	for key, n := range produced {
		if got := l.next[key] - 1; got < n {
			missing += n - got
		}
	}
	fmt.Printf("\nProduced %d records for %d keys; %d deliveries, %d of them duplicates.\n", total, keys, l.delivered, l.duplicates)
	fmt.Printf("Deliveries per worker: worker-1 %d, worker-2 %d, worker-3 %d.\n", l.byWorker["worker-1"], l.byWorker["worker-2"], l.byWorker["worker-3"])
	ok := missing == 0 && len(l.violations) == 0
	if missing == 0 {
		fmt.Println("Every record was processed at least once.")
	} else {
		fmt.Printf("FAILED: %d records were never processed.\n", missing)
	}
	if len(l.violations) == 0 {
		fmt.Println("Per-key order held: each key's counters were first delivered in increasing order.")
	} else {
		fmt.Printf("FAILED: %d per-key order violations, e.g. %s\n", len(l.violations), l.violations[0])
	}
	return ok, nil
}

func keyName(k int) string { return fmt.Sprintf("sensor-%03d", k) }

// leaseSummary lists who holds which leases, finished leases apart.
func leaseSummary(ctx context.Context, store consumergroup.CheckpointStore) string {
	leases, err := store.ListLeases(ctx, group)
	if err != nil {
		return err.Error()
	}
	byOwner := map[string][]string{}
	for _, l := range leases {
		owner := l.Owner
		switch {
		case l.Checkpoint == consumergroup.CheckpointShardEnd:
			owner = "finished"
		case owner == "":
			owner = "free"
		}
		n, _ := strconv.Atoi(strings.TrimPrefix(l.Key, "shardId-"))
		byOwner[owner] = append(byOwner[owner], strconv.Itoa(n))
	}
	owners := make([]string, 0, len(byOwner))
	for o := range byOwner {
		owners = append(owners, o)
	}
	sort.Strings(owners)
	var parts []string
	for _, o := range owners {
		parts = append(parts, fmt.Sprintf("%s [%s]", o, strings.Join(byOwner[o], " ")))
	}
	return strings.Join(parts, ", ")
}

// openShards returns the open shards, in hash key order.
func openShards(ctx context.Context, svc *kds.Service) ([]kds.Shard, error) {
	out, err := svc.ListShards(ctx, kds.ListShardsInput{StreamName: stream, ShardFilter: kds.ShardFilter{Type: kds.ShardFilterAtLatest}})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out.Shards, func(a, b kds.Shard) int {
		return a.HashKeyRange.StartingHashKey.Compare(b.HashKeyRange.StartingHashKey)
	})
	return out.Shards, nil
}

// split splits the first open shard at the middle of its hash key range.
func split(ctx context.Context, svc *kds.Service, say func(string, ...any)) error {
	open, err := openShards(ctx, svc)
	if err != nil {
		return err
	}
	sh := open[0]
	lo, _ := new(big.Int).SetString(sh.HashKeyRange.StartingHashKey.String(), 10)
	hi, _ := new(big.Int).SetString(sh.HashKeyRange.EndingHashKey.String(), 10)
	mid := new(big.Int).Rsh(new(big.Int).Add(lo, hi), 1)
	if _, err := svc.SplitShard(ctx, kds.SplitShardInput{StreamName: stream, ShardToSplit: sh.ShardId, NewStartingHashKey: mid.String()}); err != nil {
		return err
	}
	say("split %s in two", sh.ShardId)
	return nil
}

// merge merges the second and third open shards in hash key order: the
// upper child of the split and its neighbour.
func merge(ctx context.Context, svc *kds.Service, say func(string, ...any)) error {
	open, err := openShards(ctx, svc)
	if err != nil {
		return err
	}
	a, b := open[1], open[2]
	if _, err := svc.MergeShards(ctx, kds.MergeShardsInput{StreamName: stream, ShardToMerge: a.ShardId, AdjacentShardToMerge: b.ShardId}); err != nil {
		return err
	}
	say("merged %s and %s", a.ShardId, b.ShardId)
	return nil
}
