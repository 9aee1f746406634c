package delivery

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/consumergroup"
)

// Shared fixtures. Tests of a running delivery stream run inside a
// testing/synctest bubble with everything on one ManualClock: the test
// moves the clock with advance, which then waits (synctest.Wait) until
// every goroutine of the bubble — the consumer group, the Processors, the
// delivery loop — has reacted and blocked again. So "not delivered yet"
// after an advance means the stream decided not to deliver, not that it
// had no time to.

var epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const (
	testStream   = "events"
	testDelivery = "orders"
)

// harness is a kds Service with one stream, a checkpoint store, and a
// delivery stream over them that can be stopped and started again.
type harness struct {
	t     *testing.T
	clock *kds.ManualClock
	svc   *kds.Service
	store consumergroup.CheckpointStore
	dest  *recorder
	cfg   Config

	ds     *DeliveryStream
	cancel context.CancelFunc
	done   chan error
}

// newHarness returns a harness whose stream has the given shards and
// whose delivery stream (not started) reads from TRIM_HORIZON into a
// recorder, which is also the error output; edit changes the Config.
func newHarness(t *testing.T, shards int, edit func(*Config)) *harness {
	t.Helper()
	clock := kds.NewManualClock(epoch)
	svc, err := kds.NewService(kds.WithClock(clock), kds.WithThroughputLimits(kds.NoLimits), kds.WithStatusDelay(0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateStream(context.Background(), kds.CreateStreamInput{StreamName: testStream, ShardCount: shards}); err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, clock: clock, svc: svc, store: consumergroup.NewMemStore(), dest: &recorder{}}
	trim := consumergroup.TrimHorizon()
	h.cfg = Config{
		DeliveryStreamName: testDelivery,
		StreamName:         testStream,
		Client:             svc,
		Store:              h.store,
		InitialPosition:    &trim,
		BufferingHints:     BufferingHints{SizeInMBs: Int(1), IntervalInSeconds: Int(60)},
		Destination:        h.dest,
		Clock:              clock,
		OnError:            func(err error) { t.Logf("OnError: %v", err) },
	}
	if edit != nil {
		edit(&h.cfg)
	}
	t.Cleanup(func() {
		if h.cancel != nil {
			h.stop()
		}
	})
	return h
}

// start makes a delivery stream from h.cfg and runs it until stop, and
// lets it take its leases and make its first reads.
func (h *harness) start() {
	h.t.Helper()
	ds, err := New(h.cfg)
	if err != nil {
		h.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.ds, h.cancel, h.done = ds, cancel, make(chan error, 1)
	go func() { h.done <- ds.Run(ctx) }()
	synctest.Wait()
}

// stop ends Run, as a crash would for the buffers, and waits for it.
func (h *harness) stop() {
	h.t.Helper()
	h.cancel()
	h.cancel = nil
	if err := <-h.done; err != nil {
		h.t.Errorf("Run: %v", err)
	}
}

// advance moves the clock a second at a time, letting everything settle
// after each step: a ManualClock fires every timer a long Advance passes
// at the end time, which would make a read due at one second and a
// delivery due at the next happen at the same instant.
func (h *harness) advance(d time.Duration) {
	for d > 0 {
		step := min(d, time.Second)
		h.clock.Advance(step)
		synctest.Wait()
		d -= step
	}
}

// put writes one record and returns its sequence number.
func (h *harness) put(key, data string) string {
	h.t.Helper()
	out, err := h.svc.PutRecord(context.Background(), kds.PutRecordInput{StreamName: testStream, PartitionKey: key, Data: []byte(data)})
	if err != nil {
		h.t.Fatal(err)
	}
	return out.SequenceNumber.String()
}

// read lets the shard consumers make their next GetRecords calls (they
// pause a second between calls).
func (h *harness) read() { h.advance(time.Second) }

// checkpoints returns shard ID → checkpoint of the delivery stream's
// leases.
func (h *harness) checkpoints() map[string]string {
	h.t.Helper()
	leases, err := h.store.ListLeases(context.Background(), testDelivery)
	if err != nil {
		h.t.Fatal(err)
	}
	out := map[string]string{}
	for _, l := range leases {
		out[l.Key] = l.Checkpoint.String()
	}
	return out
}

// recorder is a Destination that keeps every batch delivered to it. fail,
// if set, decides the result of each call before it is recorded.
type recorder struct {
	mu      sync.Mutex
	batches []Batch
	calls   int
	fail    func(call int, b *Batch) error
}

func (r *recorder) Deliver(ctx context.Context, b *Batch) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.fail != nil {
		if err := r.fail(r.calls, b); err != nil {
			return err
		}
	}
	recs := make([][]byte, len(b.Records))
	for i, rec := range b.Records {
		recs[i] = slices.Clone(rec)
	}
	r.batches = append(r.batches, Batch{Key: b.Key, Records: recs})
	return nil
}

// snapshot returns the batches so far.
func (r *recorder) snapshot() []Batch {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.batches)
}

// data returns the records of the data batches (not error output) as
// strings, one slice per batch.
func (r *recorder) data() [][]string {
	var out [][]string
	for _, b := range r.snapshot() {
		if isErrorKey(b.Key) {
			continue
		}
		var recs []string
		for _, rec := range b.Records {
			recs = append(recs, string(rec))
		}
		out = append(out, recs)
	}
	return out
}

// errors returns the error records written under error output type
// errType.
func (r *recorder) errors(t *testing.T, errType string) []ErrorRecord {
	t.Helper()
	var out []ErrorRecord
	for _, b := range r.snapshot() {
		if !strings.Contains(b.Key, errType+"/") {
			continue
		}
		for _, line := range b.Records {
			var e ErrorRecord
			if err := json.Unmarshal(line, &e); err != nil {
				t.Fatalf("error output line %q: %v", line, err)
			}
			out = append(out, e)
		}
	}
	return out
}

func isErrorKey(key string) bool {
	for _, t := range []string{ErrorOutputProcessingFailed, ErrorOutputPartitioningFailed, ErrorOutputHTTPEndpointFailed} {
		if strings.Contains(key, t+"/") {
			return true
		}
	}
	return false
}

// flat returns every record of batches, in order.
func flat(batches [][]string) []string {
	var out []string
	for _, b := range batches {
		out = append(out, b...)
	}
	return out
}

// numbered returns n strings prefix0, prefix1, ...
func numbered(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return out
}
