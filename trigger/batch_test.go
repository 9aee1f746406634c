package trigger

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// TestEventFromStream checks the fields of the records a handler gets.
func TestEventFromStream(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, 1)
		e.advance(1500 * time.Millisecond) // an arrival time with milliseconds
		seq := e.put("truck-7", "fix 1")
		r := &recorder{clock: e.clock, respond: func(n int, ev KinesisEvent) (KinesisEventResponse, error) {
			ev.Records[0].Kinesis.Data[0] = 'X' // the handler's own copy
			return KinesisEventResponse{}, nil
		}}
		e.start(e.config(r.handle))
		calls := r.invocations()
		if len(calls) != 1 || len(calls[0].event.Records) != 1 {
			t.Fatalf("invocations: %+v", calls)
		}
		got := calls[0].event
		if got.TimeWindow != nil {
			t.Errorf("TimeWindow set without a tumbling window: %+v", got.TimeWindow)
		}
		rec := got.Records[0]
		want := KinesisEventRecord{
			Kinesis: KinesisRecord{
				KinesisSchemaVersion:        "1.0",
				PartitionKey:                "truck-7",
				SequenceNumber:              seq,
				Data:                        []byte("Xix 1"),
				ApproximateArrivalTimestamp: rec.Kinesis.ApproximateArrivalTimestamp,
			},
			EventSource:       "aws:kinesis",
			EventVersion:      "1.0",
			EventID:           shardID(0) + ":" + seq,
			EventName:         "aws:kinesis:record",
			InvokeIdentityArn: "arn:aws:iam::000000000000:role/fn-role",
			AwsRegion:         "us-east-1",
			EventSourceARN:    "arn:aws:kinesis:us-east-1:000000000000:stream/events",
		}
		if !rec.Kinesis.ApproximateArrivalTimestamp.Equal(t0.Add(1500 * time.Millisecond)) {
			t.Errorf("arrival %v, want %v", rec.Kinesis.ApproximateArrivalTimestamp, t0.Add(1500*time.Millisecond))
		}
		if !reflect.DeepEqual(rec, want) {
			t.Errorf("record:\n got %+v\nwant %+v", rec, want)
		}
		// The stream's copy is untouched.
		out, err := e.svc.GetRecords(t.Context(), getRecordsInput(t, e, shardID(0)))
		if err != nil || string(out.Records[0].Data) != "fix 1" {
			t.Errorf("stream holds %q, %v", out.Records[0].Data, err)
		}
	})
}

// TestBatchSize checks that batches hold at most BatchSize records, in
// order, and that the shard's checkpoint ends at the last one.
func TestBatchSize(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, 1)
		seqs := e.putN("k", 250)
		r := &recorder{clock: e.clock}
		e.start(e.config(r.handle))
		if got := r.sizes(); !slices.Equal(got, []int{100, 100, 50}) {
			t.Errorf("batch sizes %v, want [100 100 50]", got)
		}
		var data []string
		for _, c := range r.invocations() {
			data = append(data, c.data()...)
		}
		for i, d := range data {
			if d != "k/"+strconv.Itoa(i+1) {
				t.Fatalf("record %d is %s", i, d)
			}
		}
		if got := e.checkpoint(shardID(0)); got != seqs[249] {
			t.Errorf("checkpoint %s, want %s", got, seqs[249])
		}

		// A smaller BatchSize in a mapping of its own.
		r2 := &recorder{clock: e.clock}
		cfg := e.config(r2.handle)
		cfg.FunctionName, cfg.BatchSize = "fn2", 7
		e.start(cfg)
		if got := r2.sizes(); len(got) != 36 || got[0] != 7 || got[35] != 5 {
			t.Errorf("BatchSize 7: batch sizes %v", got)
		}
	})
}

// TestPayloadLimit checks that a batch stops before its JSON passes
// 6 MB, and that a record too big for any batch is invoked alone.
func TestPayloadLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, 1)
		big := strings.Repeat("x", 1000000) // 1.33 MB in base64: four fit
		for i := range 10 {
			e.put("k", strconv.Itoa(i)+big)
		}
		r := &recorder{clock: e.clock}
		e.start(e.config(r.handle))
		if got := r.sizes(); !slices.Equal(got, []int{4, 4, 2}) {
			t.Errorf("batch sizes %v, want [4 4 2]", got)
		}
	})
}

// TestPayloadLimitCountsEnvelope checks that the event around the
// records (its braces, the commas between records) counts toward 6 MB.
func TestPayloadLimitCountsEnvelope(t *testing.T) {
	if b, _ := json.Marshal(KinesisEvent{Records: []KinesisEventRecord{}}); len(b) != emptyEventBytes {
		t.Fatalf("an empty event is %s, %d bytes; emptyEventBytes says %d", b, len(b), emptyEventBytes)
	}
	for _, tt := range []struct {
		total int // of the two records' JSON
		want  int // records in the first batch
	}{
		{MaxPayloadBytes - emptyEventBytes - 1, 2}, // with the comma: exactly 6 MB
		{MaxPayloadBytes - emptyEventBytes, 1},
	} {
		s := &settings{Config: Config{BatchSize: 10}}
		p := &shard{s: s, ctx: context.Background()}
		l := &lane{p: p, queue: []*pending{{size: tt.total / 2}, {size: tt.total - tt.total/2}}}
		w, _, ok := l.planLocked(t0)
		if !ok || len(w.batch) != tt.want {
			t.Errorf("records of %d bytes in all: first batch of %d, want %d", tt.total, len(w.batch), tt.want)
		}
	}
}

// TestPayloadLimitCountsState checks that a tumbling window's state
// counts toward 6 MB: no invocation's JSON passes it.
func TestPayloadLimitCountsState(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, 1)
		e.put("k", "first")
		var (
			mu    sync.Mutex
			sizes []int
		)
		r := &recorder{clock: e.clock}
		r.respond = func(n int, ev KinesisEvent) (KinesisEventResponse, error) {
			b, err := json.Marshal(ev)
			if err != nil {
				return KinesisEventResponse{}, err
			}
			mu.Lock()
			sizes = append(sizes, len(b))
			mu.Unlock()
			if n == 0 {
				return KinesisEventResponse{State: map[string]string{"blob": strings.Repeat("s", 1000000)}}, nil
			}
			return KinesisEventResponse{State: ev.State}, nil
		}
		cfg := e.config(r.handle)
		cfg.TumblingWindowInSeconds = 60
		e.start(cfg)
		big := strings.Repeat("x", 1000000) // 1.33 MB in base64: four fit alone, three with the state
		for i := range 5 {
			e.put("k", strconv.Itoa(i)+big)
		}
		e.advance(time.Second)
		if got := r.sizes(); !slices.Equal(got, []int{1, 3, 2}) {
			t.Errorf("batch sizes %v, want [1 3 2]", got)
		}
		mu.Lock()
		defer mu.Unlock()
		for i, n := range sizes {
			if n > MaxPayloadBytes {
				t.Errorf("invocation %d: %d bytes of JSON, more than %d", i, n, MaxPayloadBytes)
			}
		}
	})
}

// TestBatchingWindow checks that a batch short of BatchSize waits for
// MaximumBatchingWindowInSeconds after its first record was read, and
// that a full one does not.
func TestBatchingWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, 1)
		e.putN("a", 3)
		r := &recorder{clock: e.clock}
		cfg := e.config(r.handle)
		cfg.BatchSize, cfg.MaximumBatchingWindowInSeconds = 10, 5
		e.start(cfg) // reads the three records at t0, then polls every second
		e.advance(2 * time.Second)
		e.putN("b", 2)
		e.advance(time.Second) // a poll reads them, within the window
		e.advance(1999 * time.Millisecond)
		if got := r.sizes(); len(got) != 0 {
			t.Fatalf("invoked before the window passed: %v", got)
		}
		e.advance(time.Millisecond)
		calls := r.invocations()
		if len(calls) != 1 || !calls[0].at.Equal(t0.Add(5*time.Second)) || !slices.Equal(calls[0].data(), []string{"a/1", "a/2", "a/3", "b/1", "b/2"}) {
			t.Fatalf("invocations %+v, want a/1-3 and b/1-2 at t0+5s", calls)
		}

		// Ten records fill a batch: invoked when read, without waiting.
		e.putN("c", 12)
		e.advance(time.Second) // the next poll
		calls = r.invocations()
		if len(calls) != 2 || !calls[1].at.Equal(t0.Add(6*time.Second)) || len(calls[1].event.Records) != 10 {
			t.Fatalf("a full batch: invocations %+v", calls[1:])
		}
		// The two left wait for their own window.
		e.advance(4 * time.Second)
		if len(r.invocations()) != 2 {
			t.Fatal("the rest was invoked before its window passed")
		}
		e.advance(time.Second)
		calls = r.invocations()
		if len(calls) != 3 || !calls[2].at.Equal(t0.Add(11*time.Second)) || !slices.Equal(calls[2].data(), []string{"c/11", "c/12"}) {
			t.Fatalf("the rest: invocations %+v", calls[2:])
		}
	})
}
