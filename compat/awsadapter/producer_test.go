package awsadapter_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kdsgo/kds"
)

// ledger remembers what a test put through a Producer: each key's data in
// put order, and each record's handle.
type ledger struct {
	mu      sync.Mutex
	order   map[string][]string
	handles map[string]*kds.PendingPut // by data
}

func newLedger() *ledger {
	return &ledger{order: map[string][]string{}, handles: map[string]*kds.PendingPut{}}
}

func (l *ledger) put(t *testing.T, p *kds.Producer, key, data string) {
	t.Helper()
	h, err := p.PutAsync(context.Background(), key, []byte(data))
	if err != nil {
		t.Fatalf("PutAsync(%q, %q): %v", key, data, err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.order[key] = append(l.order[key], data)
	l.handles[data] = h
}

// checkExactlyOnce reads stream s of svc back in-process and checks that
// it holds every record the ledger put exactly once, in put order within
// each key, nothing else, and that each record's result names where it is.
func (l *ledger) checkExactlyOnce(t *testing.T, svc *kds.Service) {
	t.Helper()
	st, ok := svc.Stream("s")
	if !ok {
		t.Fatal("no stream s")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	seen := map[string]int{}
	perKey := map[string][]string{}
	n := 0
	for rec, err := range st.Replay(context.Background(), kds.TrimHorizon(), kds.IgnoreReadLimits()) {
		if err != nil {
			t.Fatalf("Replay: %v", err)
		}
		n++
		data := string(rec.Data)
		seen[data]++
		perKey[rec.PartitionKey] = append(perKey[rec.PartitionKey], data)
		h, ok := l.handles[data]
		if !ok {
			t.Errorf("stored record %q was never put", data)
			continue
		}
		if res := h.Result(); res.Err != nil || res.SequenceNumber != rec.SequenceNumber || res.SubSequenceNumber != rec.SubSequenceNumber {
			t.Errorf("record %q: result %+v, stored at %v/%d", data, res, rec.SequenceNumber, rec.SubSequenceNumber)
		}
	}
	for data, c := range seen {
		if c != 1 {
			t.Errorf("record %q stored %d times", data, c)
		}
	}
	for key, want := range l.order {
		if !slices.Equal(perKey[key], want) {
			t.Errorf("key %q: stored %d records, want %d in put order", key, len(perKey[key]), len(want))
		}
	}
	if n != len(l.handles) {
		t.Errorf("stored %d records, put %d", n, len(l.handles))
	}
}

// putAll puts n records, "r<i>", over keys partition keys round robin,
// then flushes and closes p.
func putAll(t *testing.T, p *kds.Producer, l *ledger, n, keys int) {
	t.Helper()
	for i := range n {
		l.put(t, p, fmt.Sprintf("key-%d", i%keys), fmt.Sprintf("r%06d", i))
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := p.Flush(ctx); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	if err := p.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// A Producer whose client is the adapter stores every record once, in
// order per key: Producer → adapter → SDK → kinesisapi → Service.
func TestProducerThroughTheAdapter(t *testing.T) {
	const keys = 500
	for _, tt := range []struct {
		aggregate bool
		records   int
	}{
		{true, 20000},
		// Unaggregated, each call carries a key at most once: far more
		// calls for the same records.
		{false, 4000},
	} {
		aggregate, records := tt.aggregate, tt.records
		t.Run(fmt.Sprintf("aggregation=%v", aggregate), func(t *testing.T) {
			svc, c := serve(t, kds.WithThroughputLimits(kds.NoLimits))
			createStream(t, svc, "s", 4)
			p, err := kds.NewProducer(kds.ProducerConfig{StreamName: "s", Client: c, DisableAggregation: !aggregate})
			if err != nil {
				t.Fatal(err)
			}
			l := newLedger()
			putAll(t, p, l, records, keys)
			l.checkExactlyOnce(t, svc)
			m := p.Metrics()
			t.Logf("%+v", m)
			if m.UserRecordsPut != int64(records) || m.Failures != 0 || m.CallErrors != 0 {
				t.Errorf("metrics %+v: want %d user records put, no failures", m, records)
			}
			if aggregate && m.KinesisRecordsPut >= int64(records)/10 {
				t.Errorf("%d Kinesis records for %d user records: not aggregated", m.KinesisRecordsPut, records)
			}
		})
	}
}

// partialCounter counts the PutRecords calls that stored some records and
// failed others.
type partialCounter struct {
	kds.ProducerClient
	partial atomic.Int64
}

func (c *partialCounter) PutRecords(ctx context.Context, in kds.PutRecordsInput) (kds.PutRecordsOutput, error) {
	out, err := c.ProducerClient.PutRecords(ctx, in)
	if err == nil && out.FailedRecordCount > 0 && out.FailedRecordCount < len(out.Records) {
		c.partial.Add(1)
	}
	return out, err
}

// With Kinesis's limits on a one-shard stream and the Producer's own rate
// limit off, PutRecords calls partly fail with
// ProvisionedThroughputExceededException; the Producer retries those
// records through the adapter and loses or reorders none.
func TestProducerRetriesThrottledRecordsThroughTheAdapter(t *testing.T) {
	svc, c := serve(t, kds.WithThroughputLimits(kds.KinesisLimits()))
	createStream(t, svc, "s", 1)
	pc := &partialCounter{ProducerClient: c}
	p, err := kds.NewProducer(kds.ProducerConfig{StreamName: "s", Client: pc, DisableAggregation: true, RateLimitPercent: -1})
	if err != nil {
		t.Fatal(err)
	}
	l := newLedger()
	putAll(t, p, l, 1500, 500)
	l.checkExactlyOnce(t, svc)
	m := p.Metrics()
	t.Logf("%+v; %d calls partly failed", m, pc.partial.Load())
	if m.Throttles == 0 || m.Retries < m.Throttles || m.Failures != 0 {
		t.Errorf("metrics %+v: want throttled records retried, none failed", m)
	}
	if pc.partial.Load() == 0 {
		t.Error("no PutRecords call failed in part")
	}
}
