package analytics

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kdsgo/kds"
)

// TestToStream writes the results to another stream through a Producer
// and reads them back. It runs in a synctest bubble, where the
// Producer's buffering time passes on its own.
func TestToStream(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		out, err := kds.NewStream("results", kds.WithShards(2))
		if err != nil {
			t.Fatal(err)
		}
		p, err := kds.NewProducer(kds.ProducerConfig{StreamName: "results", Client: out.Service()})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close(ctx)
		var errs []error
		w, err := New(Count(), Tumbling(time.Minute), ToStream[int64](p),
			WithAllowedLateness(time.Minute), WithErrorHandler(func(err error) { errs = append(errs, err) }))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range []kds.Record{rec("a", at("10s")), rec("b", at("20s")), rec("a", at("1m5s")), rec("a", at("30s")), rec("", at("40s"))} {
			w.Add(ctx, r)
		}
		if err := w.Close(ctx); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), `emit key ""`) {
			t.Errorf("errors %v, want one for the empty key", errs)
		}

		var got []string
		rctx, cancel := context.WithCancel(ctx)
		defer cancel()
		for r, err := range out.Records(rctx, kds.TrimHorizon()) {
			if err != nil {
				t.Fatal(err)
			}
			var o Output[int64]
			if err := json.Unmarshal(r.Data, &o); err != nil {
				t.Fatalf("%s: %v", r.Data, err)
			}
			if o.Key != r.PartitionKey {
				t.Errorf("result of %q put with partition key %q", o.Key, r.PartitionKey)
			}
			got = append(got, outLine(o))
			if len(got) == 4 {
				break
			}
		}
		slices.Sort(got)
		want := []string{"a 0s-1m0s 1", "a 0s-1m0s 2 update", "a 1m0s-2m0s 1", "b 0s-1m0s 1"}
		if !slices.Equal(got, want) {
			t.Errorf("read back %v, want %v", got, want)
		}
		var raw map[string]any
		r, _ := json.Marshal(Output[int64]{Window: Window{Start: t0, End: t0.Add(time.Minute)}, Key: "k", Result: 3})
		_ = json.Unmarshal(r, &raw)
		if w := raw["window"].(map[string]any); w["start"] != "2024-01-01T12:00:00Z" || raw["result"] != 3.0 || raw["update"] != false {
			t.Errorf("JSON %s", r)
		}
	})
}

// TestToStreamFlushReportsFailures: a put that fails after it was
// accepted surfaces in Flush, and is put again until it is stored.
func TestToStreamFlushReportsFailures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		out, err := kds.NewStream("results")
		if err != nil {
			t.Fatal(err)
		}
		p, err := kds.NewProducer(kds.ProducerConfig{StreamName: "results", Client: out.Service(), RecordTTL: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close(ctx)
		if _, err := out.Service().DeleteStream(ctx, kds.DeleteStreamInput{StreamName: "results"}); err != nil {
			t.Fatal(err)
		}
		s := ToStream[int64](p)
		if err := s.Emit(ctx, Output[int64]{Key: "a"}); err != nil {
			t.Fatalf("Emit: %v", err)
		}
		err = s.Flush(ctx)
		if err == nil || !strings.Contains(err.Error(), "put result") {
			t.Fatalf("Flush: %v, want the put's failure", err)
		}
		// The result is kept and put again by every Flush until it is
		// stored, so the checkpoints wait for it.
		if err := s.Flush(ctx); err == nil || !strings.Contains(err.Error(), "put result") {
			t.Fatalf("second Flush: %v, want the failure again", err)
		}
		if _, err := out.Service().CreateStream(ctx, kds.CreateStreamInput{StreamName: "results", ShardCount: 1}); err != nil {
			t.Fatal(err)
		}
		if err := s.Flush(ctx); err != nil {
			t.Fatalf("Flush once the stream is back: %v", err)
		}
		back, _ := out.Service().Stream("results")
		var stored []string
		for r, err := range back.Replay(ctx, kds.TrimHorizon()) {
			if err != nil {
				t.Fatal(err)
			}
			stored = append(stored, r.PartitionKey)
		}
		if len(stored) != 1 || stored[0] != "a" {
			t.Errorf("stored results with keys %q, want the one of a", stored)
		}
		if err := s.Flush(ctx); err != nil {
			t.Errorf("Flush with nothing left: %v", err)
		}
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_ = s.Emit(ctx, Output[int64]{Key: "b"})
		if err := s.Flush(cctx); !errors.Is(err, context.Canceled) {
			t.Errorf("Flush with an ended context: %v", err)
		}
	})
}

// gatedClient holds every PutRecords call until gate is closed.
type gatedClient struct {
	kds.ProducerClient
	gate chan struct{}
}

func (c gatedClient) PutRecords(ctx context.Context, in kds.PutRecordsInput) (kds.PutRecordsOutput, error) {
	<-c.gate
	return c.ProducerClient.PutRecords(ctx, in)
}

// TestToStreamKeepsKeyOrderAfterARefusal: a result the producer refuses
// (its buffer is full) holds back the later results until a Flush has put
// it, so a key's results are stored in the order they were emitted.
func TestToStreamKeepsKeyOrderAfterARefusal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		out, err := kds.NewStream("results")
		if err != nil {
			t.Fatal(err)
		}
		// The first result stays in the producer's only buffer slot until
		// the gate opens, so the second is refused.
		client := gatedClient{ProducerClient: out.Service(), gate: make(chan struct{})}
		p, err := kds.NewProducer(kds.ProducerConfig{StreamName: "results", Client: client, MaxBufferedRecords: 1, FailIfFull: true})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close(ctx)
		s := ToStream[int64](p)
		for i := range int64(3) {
			err := s.Emit(ctx, Output[int64]{Key: "a", Result: i})
			if i == 1 && !errors.Is(err, kds.ErrBufferFull) {
				t.Fatalf("Emit %d: %v, want a full buffer", i, err)
			}
		}
		close(client.gate)
		for range 3 { // until the producer has room for each in turn
			if err := s.Flush(ctx); err == nil {
				break
			}
		}
		if err := s.Flush(ctx); err != nil {
			t.Fatalf("Flush: %v", err)
		}
		var got []int64
		for r, err := range out.Replay(ctx, kds.TrimHorizon()) {
			if err != nil {
				t.Fatal(err)
			}
			var o Output[int64]
			if err := json.Unmarshal(r.Data, &o); err != nil {
				t.Fatal(err)
			}
			got = append(got, o.Result)
		}
		if !slices.Equal(got, []int64{0, 1, 2}) {
			t.Errorf("results stored in the order %v, want 0 1 2", got)
		}
	})
}
