package trigger

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

var errBad = errors.New("bad record")

// failOn returns a respond function failing every batch holding a record
// with data bad.
func failOn(bad string) func(int, KinesisEvent) (KinesisEventResponse, error) {
	return func(_ int, ev KinesisEvent) (KinesisEventResponse, error) {
		if contains(ev, bad) {
			return KinesisEventResponse{}, errBad
		}
		return KinesisEventResponse{}, nil
	}
}

// TestMaximumRetryAttempts checks that a failing batch blocks its shard
// for 1+MaximumRetryAttempts invocations, then goes to the on-failure
// destination with Lambda's metadata, and the shard moves on.
func TestMaximumRetryAttempts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, 1)
		seqs := e.putN("k", 5)
		r := &recorder{clock: e.clock, respond: failOn("k/3")}
		dest := &MemoryDestination{}
		cfg := e.config(r.handle)
		cfg.MaximumRetryAttempts = Int(2)
		cfg.DestinationConfig.OnFailure = dest
		e.start(cfg)
		e.advance(time.Second)
		after := e.put("k", "k/6") // read now, blocked behind the failing batch
		e.advanceUntil(time.Second, time.Minute, func() bool { return len(dest.Records()) > 0 })

		calls := r.invocations()
		var at []time.Duration
		for _, c := range calls[:3] {
			if !slices.Equal(c.data(), []string{"k/1", "k/2", "k/3", "k/4", "k/5"}) {
				t.Errorf("invocation %v: records %v", c.at.Sub(t0), c.data())
			}
			at = append(at, c.at.Sub(t0))
		}
		if want := []time.Duration{0, time.Second, 3 * time.Second}; !slices.Equal(at, want) {
			t.Errorf("invoked at %v, want %v (retries after 1 s, then 2 s)", at, want)
		}
		if len(calls) < 4 || !slices.Equal(calls[3].data(), []string{"k/6"}) {
			t.Fatalf("%d invocations; want 3 of the failing batch, then k/6", len(calls))
		}
		got := dest.Records()
		if len(got) != 1 {
			t.Fatalf("on-failure records: %+v", got)
		}
		f := got[0]
		want := OnFailureRecord{
			RequestContext: RequestContext{
				RequestID:              f.RequestContext.RequestID,
				FunctionArn:            "arn:aws:lambda:us-east-1:000000000000:function:fn",
				Condition:              RetryAttemptsExhausted,
				ApproximateInvokeCount: 3,
			},
			ResponseContext: ResponseContext{StatusCode: 200, ExecutedVersion: "$LATEST", FunctionError: "Unhandled"},
			Version:         "1.0",
			Timestamp:       ISOMillis{t0.Add(3 * time.Second)},
			KinesisBatchInfo: KinesisBatchInfo{
				ShardID:                         shardID(0),
				StartSequenceNumber:             seqs[0],
				EndSequenceNumber:               seqs[4],
				ApproximateArrivalOfFirstRecord: ISOMillis{t0},
				ApproximateArrivalOfLastRecord:  ISOMillis{t0},
				BatchSize:                       5,
				StreamArn:                       e.arn,
			},
		}
		if !sameJSON(t, f, want) {
			t.Errorf("on-failure record:\n got %+v\nwant %+v", f, want)
		}
		if len(f.RequestContext.RequestID) != 36 {
			t.Errorf("request ID %q is not a UUID", f.RequestContext.RequestID)
		}
		if got := e.checkpoint(shardID(0)); got != after {
			t.Errorf("checkpoint %s, want %s (the discarded batch counts as done)", got, after)
		}
	})
}

// TestMaximumRetryAttemptsZero checks that 0 retries discards a batch at
// its first failure, and that without a destination the shard moves on
// silently.
func TestMaximumRetryAttemptsZero(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, 1)
		e.putN("k", 2)
		r := &recorder{clock: e.clock, respond: failOn("k/1")}
		cfg := e.config(r.handle)
		cfg.BatchSize, cfg.MaximumRetryAttempts = 1, Int(0)
		e.start(cfg)
		calls := r.invocations()
		if len(calls) != 2 || calls[0].data()[0] != "k/1" || calls[1].data()[0] != "k/2" {
			t.Errorf("invocations: %+v", calls)
		}
	})
}

// TestInfiniteRetries checks the default: a failing batch is retried,
// blocking its shard, for as long as it fails.
func TestInfiniteRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, 1)
		e.putN("k", 2)
		healed := false
		r := &recorder{clock: e.clock}
		r.respond = func(n int, ev KinesisEvent) (KinesisEventResponse, error) {
			if !healed {
				return KinesisEventResponse{}, errBad
			}
			return KinesisEventResponse{}, nil
		}
		cfg := e.config(r.handle)
		cfg.BatchSize = 1
		e.start(cfg)
		for range 360 {
			e.advance(10 * time.Second)
		}
		calls := r.invocations()
		if len(calls) < 60 {
			t.Errorf("%d invocations in an hour, want a retry at least every minute", len(calls))
		}
		for _, c := range calls {
			if c.data()[0] != "k/1" {
				t.Fatalf("k/2 was invoked while k/1 failed")
			}
		}
		r.mu.Lock()
		healed = true
		r.mu.Unlock()
		e.advance(time.Minute)
		calls = r.invocations()
		if last := calls[len(calls)-1]; last.data()[0] != "k/2" {
			t.Errorf("after k/1 succeeded, the last invocation had %v", last.data())
		}
	})
}

// TestBisect checks that BisectBatchOnFunctionError converges on the one
// bad record: the good records are each processed once, the bad one is
// invoked alone 1+MaximumRetryAttempts times and discarded.
func TestBisect(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, 1)
		seqs := e.putN("k", 8)
		r := &recorder{clock: e.clock, respond: failOn("k/6")}
		dest := &MemoryDestination{}
		cfg := e.config(r.handle)
		cfg.BisectBatchOnFunctionError = true
		cfg.MaximumRetryAttempts = Int(2)
		cfg.DestinationConfig.OnFailure = dest
		e.start(cfg)
		e.advanceUntil(time.Second, time.Minute, func() bool { return len(dest.Records()) > 0 })
		e.settle()

		var got []string
		for _, c := range r.invocations() {
			got = append(got, strings.Join(c.data(), ","))
		}
		want := []string{
			"k/1,k/2,k/3,k/4,k/5,k/6,k/7,k/8", // fails: split
			"k/1,k/2,k/3,k/4",                 // succeeds
			"k/5,k/6,k/7,k/8",                 // fails: split
			"k/5,k/6",                         // fails: split
			"k/5",                             // succeeds
			"k/6", "k/6", "k/6",               // fails, and its two retries
			"k/7,k/8", // succeeds
		}
		if !slices.Equal(got, want) {
			t.Errorf("invocations:\n got %q\nwant %q", got, want)
		}
		f := dest.Records()
		if len(f) != 1 {
			t.Fatalf("on-failure records: %+v", f)
		}
		info := f[0].KinesisBatchInfo
		if info.BatchSize != 1 || info.StartSequenceNumber != seqs[5] || info.EndSequenceNumber != seqs[5] ||
			f[0].RequestContext.Condition != RetryAttemptsExhausted || f[0].RequestContext.ApproximateInvokeCount != 6 {
			t.Errorf("on-failure record %+v, want k/6 alone after 6 invocations", f[0])
		}
		if got := e.checkpoint(shardID(0)); got != seqs[7] {
			t.Errorf("checkpoint %s, want %s", got, seqs[7])
		}
	})
}

// TestMaximumRecordAge checks that records older than
// MaximumRecordAgeInSeconds are discarded instead of invoked, reported as
// RecordAgeExceeded.
func TestMaximumRecordAge(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, 1)
		seqs := e.putN("old", 2)
		r := &recorder{clock: e.clock, respond: failOn("old/1")}
		dest := &MemoryDestination{}
		cfg := e.config(r.handle)
		cfg.MaximumRecordAgeInSeconds = 60
		cfg.DestinationConfig.OnFailure = dest
		e.start(cfg)
		e.advanceUntil(time.Second, time.Minute, func() bool { return e.clock.Now().Sub(t0) >= 50*time.Second })
		e.put("new", "new/1")
		e.advanceUntil(time.Second, 2*time.Minute, func() bool { return len(dest.Records()) > 0 })
		e.settle()

		calls := r.invocations()
		for _, c := range calls {
			for _, rec := range c.event.Records {
				if age := c.at.Sub(rec.Kinesis.ApproximateArrivalTimestamp.Time); age > time.Minute {
					t.Errorf("%s invoked at the age of %v", rec.Kinesis.Data, age)
				}
			}
		}
		if last := calls[len(calls)-1]; !slices.Equal(last.data(), []string{"new/1"}) {
			t.Errorf("last invocation %v, want new/1 alone", last.data())
		}
		f := dest.Records()
		if len(f) != 1 {
			t.Fatalf("on-failure records %+v", f)
		}
		rc, info := f[0].RequestContext, f[0].KinesisBatchInfo
		if rc.Condition != RecordAgeExceeded || info.BatchSize != 2 || info.StartSequenceNumber != seqs[0] || info.EndSequenceNumber != seqs[1] ||
			rc.ApproximateInvokeCount != len(calls)-1 || f[0].ResponseContext.FunctionError != "Unhandled" {
			t.Errorf("on-failure record %+v after %d invocations of old/1-2", f[0], len(calls)-1)
		}
		if !f[0].Timestamp.After(t0.Add(time.Minute)) || f[0].Timestamp.After(t0.Add(2*time.Minute)) {
			t.Errorf("discarded at %v, want soon after the records turned 60 s old", f[0].Timestamp.Sub(t0))
		}
	})
}

// TestRecordAgeBeforeInvocation checks that records already too old when
// read are discarded without an invocation.
func TestRecordAgeBeforeInvocation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, 1)
		e.putN("k", 3)
		e.advance(61 * time.Second)
		fresh := e.put("k", "k/4")
		r := &recorder{clock: e.clock}
		dest := &MemoryDestination{}
		cfg := e.config(r.handle)
		cfg.MaximumRecordAgeInSeconds = 60
		cfg.DestinationConfig.OnFailure = dest
		e.start(cfg)
		calls := r.invocations()
		if len(calls) != 1 || !slices.Equal(calls[0].data(), []string{"k/4"}) {
			t.Errorf("invocations %+v, want k/4 alone", calls)
		}
		f := dest.Records()
		if len(f) != 1 || f[0].KinesisBatchInfo.BatchSize != 3 || f[0].RequestContext.ApproximateInvokeCount != 0 || f[0].ResponseContext != (ResponseContext{}) {
			t.Errorf("on-failure records %+v, want the three old records, never invoked", f)
		}
		if got := e.checkpoint(shardID(0)); got != fresh {
			t.Errorf("checkpoint %s, want %s", got, fresh)
		}
	})
}

// TestJSONLinesDestination checks the JSON-lines destination's output,
// and that a destination failing blocks the shard until it takes the
// record.
func TestJSONLinesDestination(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, 1)
		e.putN("k", 2)
		r := &recorder{clock: e.clock, respond: failOn("k/1")}
		w := &flakyWriter{fail: 2}
		cfg := e.config(r.handle)
		cfg.BatchSize, cfg.MaximumRetryAttempts = 1, Int(0)
		cfg.DestinationConfig.OnFailure = NewJSONLinesDestination(w)
		e.start(cfg)
		if len(r.invocations()) != 1 {
			t.Fatalf("k/2 was invoked before the on-failure record was taken")
		}
		e.advance(time.Second)
		e.advance(2 * time.Second)
		if calls := r.invocations(); len(calls) != 2 || calls[1].data()[0] != "k/2" {
			t.Fatalf("invocations %+v", calls)
		}
		lines := strings.Split(strings.TrimSuffix(w.buf.String(), "\n"), "\n")
		if len(lines) != 1 {
			t.Fatalf("lines %q", lines)
		}
		var f OnFailureRecord
		if err := json.Unmarshal([]byte(lines[0]), &f); err != nil || f.KinesisBatchInfo.BatchSize != 1 || f.RequestContext.Condition != RetryAttemptsExhausted {
			t.Errorf("line %s: %+v, %v", lines[0], f, err)
		}
	})
}

// flakyWriter fails its first fail writes.
type flakyWriter struct {
	fail int
	buf  bytes.Buffer
}

func (w *flakyWriter) Write(p []byte) (int, error) {
	if w.fail > 0 {
		w.fail--
		return 0, errors.New("disk full")
	}
	return w.buf.Write(p)
}

// sameJSON reports whether a and b marshal alike.
func sameJSON(t *testing.T, a, b any) bool {
	t.Helper()
	ja, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(ja, jb)
}

// TestHandlerPanic checks that a panicking handler fails its batch like
// an error, reported as a function error.
func TestHandlerPanic(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, 1)
		e.putN("k", 1)
		r := &recorder{clock: e.clock, respond: func(int, KinesisEvent) (KinesisEventResponse, error) { panic("boom") }}
		dest := &MemoryDestination{}
		cfg := e.config(r.handle)
		cfg.MaximumRetryAttempts = Int(1)
		cfg.DestinationConfig.OnFailure = dest
		e.start(cfg)
		e.advance(time.Second)
		f := dest.Records()
		if len(r.invocations()) != 2 || len(f) != 1 || f[0].ResponseContext.FunctionError != "Unhandled" || f[0].RequestContext.ApproximateInvokeCount != 2 {
			t.Errorf("%d invocations, on-failure records %+v", len(r.invocations()), f)
		}
	})
}
