package trigger

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/consumergroup"
)

// Shared fixtures. Behaviour tests run inside a testing/synctest bubble
// on a kds.ManualClock shared by the stream and the mapping: settle waits
// until every goroutine of the bubble is blocked (on the clock, or for
// records), and the test then moves the clock itself.

const testStream = "events"

// t0 is where the clocks start: a whole minute, so tumbling windows start
// there.
var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// env is a stream on a ManualClock with a store for the mapping.
type env struct {
	t     *testing.T
	clock *kds.ManualClock
	svc   *kds.Service
	arn   string
	store *consumergroup.MemStore
}

// newEnv creates a stream of the given shard count.
func newEnv(t *testing.T, shards int) *env {
	t.Helper()
	clock := kds.NewManualClock(t0)
	svc, err := kds.NewService(kds.WithClock(clock), kds.WithThroughputLimits(kds.NoLimits), kds.WithStatusDelay(0))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: testStream, ShardCount: shards}); err != nil {
		t.Fatal(err)
	}
	sum, err := svc.DescribeStreamSummary(ctx, kds.DescribeStreamSummaryInput{StreamName: testStream})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, clock: clock, svc: svc, arn: sum.StreamDescriptionSummary.StreamARN, store: consumergroup.NewMemStore()}
}

// config returns a mapping of the stream to h from TRIM_HORIZON.
func (e *env) config(h Handler) Config {
	return Config{
		EventSourceArn:   e.arn,
		FunctionName:     "fn",
		Handler:          h,
		StartingPosition: TrimHorizon,
		Client:           e.svc,
		Store:            e.store,
		WorkerID:         "worker",
		Clock:            e.clock,
	}
}

// start runs a mapping of cfg and returns the function that stops it
// (ending Run's context) and waits for Run to return nil.
func (e *env) start(cfg Config) (stop func()) {
	e.t.Helper()
	m, err := New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				e.t.Errorf("Run: %v", err)
			}
		})
	}
	e.t.Cleanup(stop)
	synctest.Wait()
	return stop
}

// put puts a record and returns its sequence number.
func (e *env) put(key, data string) string {
	e.t.Helper()
	out, err := e.svc.PutRecord(context.Background(), kds.PutRecordInput{StreamName: testStream, PartitionKey: key, Data: []byte(data)})
	if err != nil {
		e.t.Fatal(err)
	}
	return out.SequenceNumber.String()
}

// putN puts records key/1 … key/n for key.
func (e *env) putN(key string, n int) []string {
	seqs := make([]string, n)
	for i := range seqs {
		seqs[i] = e.put(key, key+"/"+strconv.Itoa(i+1))
	}
	return seqs
}

// advance moves the clock by d and waits for the bubble to settle.
func (e *env) advance(d time.Duration) {
	e.clock.Advance(d)
	synctest.Wait()
}

// advanceUntil moves the clock a step at a time until cond holds, failing
// the test after limit.
func (e *env) advanceUntil(step, limit time.Duration, cond func() bool) {
	e.t.Helper()
	for passed := time.Duration(0); !cond(); passed += step {
		if passed >= limit {
			e.t.Fatalf("still waiting after %v", limit)
		}
		e.advance(step)
	}
}

// checkpoint returns the stored checkpoint of a shard for the mapping of
// function "fn".
func (e *env) checkpoint(shardID string) string {
	e.t.Helper()
	leases, err := e.store.ListLeases(context.Background(), "fn."+testStream)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, l := range leases {
		if l.Key == shardID {
			return l.Checkpoint.String()
		}
	}
	return ""
}

// shardID returns the ID of the i-th shard.
func shardID(i int) string { return "shardId-" + strconv.Itoa(1e12 + i)[1:] }

// invocation is one call a recorder received.
type invocation struct {
	at    time.Time
	event KinesisEvent
}

// data returns the data of the invocation's records.
func (c invocation) data() []string {
	out := make([]string, len(c.event.Records))
	for i, r := range c.event.Records {
		out[i] = string(r.Kinesis.Data)
	}
	return out
}

// recorder is a handler that keeps every invocation and answers with
// respond (success if nil).
type recorder struct {
	clock   kds.Clock
	respond func(n int, ev KinesisEvent) (KinesisEventResponse, error) // n counts calls from 0

	mu    sync.Mutex
	calls []invocation
}

func (r *recorder) handle(ctx context.Context, ev KinesisEvent) (KinesisEventResponse, error) {
	kept := ev // as it came: the handler may change the state
	if ev.TimeWindow != nil {
		w := *ev.TimeWindow
		w.State = maps.Clone(w.State)
		kept.TimeWindow = &w
	}
	r.mu.Lock()
	n := len(r.calls)
	r.calls = append(r.calls, invocation{at: r.clock.Now(), event: kept})
	respond := r.respond
	r.mu.Unlock()
	if respond == nil {
		return KinesisEventResponse{}, nil
	}
	return respond(n, ev)
}

// invocations returns the calls so far.
func (r *recorder) invocations() []invocation {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

// sizes returns the record count of each call.
func (r *recorder) sizes() []int {
	var out []int
	for _, c := range r.invocations() {
		out = append(out, len(c.event.Records))
	}
	return out
}

// contains reports whether ev has a record with this data.
func contains(ev KinesisEvent, data string) bool {
	return slices.ContainsFunc(ev.Records, func(r KinesisEventRecord) bool { return string(r.Kinesis.Data) == data })
}

// getRecordsInput returns a GetRecords input for a shard from its start.
func getRecordsInput(t *testing.T, e *env, shard string) kds.GetRecordsInput {
	t.Helper()
	it, err := e.svc.GetShardIterator(context.Background(), kds.GetShardIteratorInput{StreamName: testStream, ShardId: shard, ShardIteratorType: kds.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	return kds.GetRecordsInput{ShardIterator: it.ShardIterator}
}

// settle waits until every goroutine of the bubble is blocked.
func (e *env) settle() { synctest.Wait() }
