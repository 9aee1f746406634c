package trigger

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// counter is a windowed handler: it adds each batch's record count to
// state["count"], and fails the invocations listed in failAt (by call
// number).
func counter(failAt ...int) func(int, KinesisEvent) (KinesisEventResponse, error) {
	return func(n int, ev KinesisEvent) (KinesisEventResponse, error) {
		if slices.Contains(failAt, n) {
			return KinesisEventResponse{}, errBad
		}
		count, _ := strconv.Atoi(ev.State["count"])
		ev.State["count"] = strconv.Itoa(count + len(ev.Records))
		return KinesisEventResponse{State: ev.State}, nil
	}
}

// describe sums an invocation up: window start (seconds after t0),
// records, state, flags.
func describe(c invocation) string {
	w := c.event.TimeWindow
	if w == nil {
		return "no window"
	}
	s := "w" + strconv.Itoa(int(w.Window.Start.Sub(t0)/time.Second)) + " [" + strings.Join(c.data(), ",") + "] count=" + w.State["count"]
	if w.IsFinalInvokeForWindow {
		s += " final"
	}
	if w.IsWindowTerminatedEarly {
		s += " early"
	}
	return s
}

func describeAll(r *recorder) []string {
	var out []string
	for _, c := range r.invocations() {
		out = append(out, describe(c))
	}
	return out
}

// TestTumblingWindow checks a window's state across invocations (kept by
// a failed one), the final invocation when a later record comes, the
// checkpoint only after it, and the final invocation of an idle window
// two minutes after its end.
func TestTumblingWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, 1)
		e.advance(5 * time.Second)
		e.putN("a", 3)
		r := &recorder{clock: e.clock, respond: counter(1)}
		cfg := e.config(r.handle)
		cfg.TumblingWindowInSeconds = 60
		e.start(cfg)

		e.advance(10 * time.Second)
		seqs := []string{e.put("a", "a/4"), e.put("a", "a/5")}
		e.advanceUntil(time.Second, time.Minute, func() bool { return len(r.invocations()) == 3 })
		if cp := e.checkpoint(shardID(0)); cp != "TRIM_HORIZON" {
			t.Errorf("checkpoint %s before the window closed", cp)
		}
		for e.clock.Now().Before(t0.Add(65 * time.Second)) {
			e.advance(time.Second)
		}
		if got := len(r.invocations()); got != 3 {
			t.Errorf("%d invocations before a later record came, want 3", got)
		}
		e.put("b", "b/1")
		e.advanceUntil(time.Second, time.Minute, func() bool { return len(r.invocations()) == 5 })
		want := []string{
			"w0 [a/1,a/2,a/3] count=",
			"w0 [a/4,a/5] count=3", // fails
			"w0 [a/4,a/5] count=3", // the retry gets the same state
			"w0 [] count=5 final",
			"w60 [b/1] count=",
		}
		if got := describeAll(r); !slices.Equal(got, want) {
			t.Errorf("invocations\n got %q\nwant %q", got, want)
		}
		calls := r.invocations()
		if w := calls[3].event.TimeWindow; !w.Window.End.Equal(t0.Add(time.Minute)) || w.ShardID != shardID(0) || w.EventSourceARN != e.arn || calls[3].event.Records == nil {
			t.Errorf("final invocation %+v, records %#v", w, calls[3].event.Records)
		}
		if cp := e.checkpoint(shardID(0)); cp != seqs[1] {
			t.Errorf("checkpoint %s after the final invocation, want %s", cp, seqs[1])
		}

		// Window 60-120 gets no more records: closed two minutes after
		// its end.
		for e.clock.Now().Before(t0.Add(239 * time.Second)) {
			e.advance(time.Second)
		}
		if got := len(r.invocations()); got != 5 {
			t.Fatalf("idle window closed before two minutes had passed: %q", describeAll(r)[5:])
		}
		e.advance(time.Second)
		got := describeAll(r)
		if len(got) != 6 || got[5] != "w60 [] count=1 final" {
			t.Errorf("idle window: invocations %q", got[5:])
		}
	})
}

// TestTumblingWindowFinalRetried checks that a failing final invocation
// is retried, blocking its lane, before the lane goes on.
func TestTumblingWindowFinalRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, 1)
		e.put("a", "a/1")
		r := &recorder{clock: e.clock, respond: counter(1, 2)}
		dest := &MemoryDestination{}
		cfg := e.config(r.handle)
		cfg.TumblingWindowInSeconds, cfg.MaximumRetryAttempts = 60, Int(2)
		cfg.DestinationConfig.OnFailure = dest
		e.start(cfg)
		e.advance(time.Minute)
		e.put("b", "b/1")
		e.advanceUntil(time.Second, time.Minute, func() bool { return len(r.invocations()) == 5 })
		want := []string{"w0 [a/1] count=", "w0 [] count=1 final", "w0 [] count=1 final", "w0 [] count=1 final", "w60 [b/1] count="}
		if got := describeAll(r); !slices.Equal(got, want) {
			t.Errorf("invocations\n got %q\nwant %q", got, want)
		}
		if got := dest.Records(); len(got) != 0 {
			t.Errorf("on-failure records %+v for a final invocation that succeeded", got)
		}
	})
}

// TestTumblingWindowFinalRetryAttempts checks that a final invocation
// failing more than MaximumRetryAttempts times is given up: the window's
// records go to the on-failure destination, are checkpointed, and the
// lane goes on with the next window.
func TestTumblingWindowFinalRetryAttempts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, 1)
		seqs := e.putN("a", 2)
		r := &recorder{clock: e.clock}
		r.respond = func(n int, ev KinesisEvent) (KinesisEventResponse, error) {
			if ev.IsFinalInvokeForWindow && ev.Window.Start.Equal(t0) {
				return KinesisEventResponse{}, errBad
			}
			return counter()(n, ev)
		}
		dest := &MemoryDestination{}
		cfg := e.config(r.handle)
		cfg.TumblingWindowInSeconds, cfg.MaximumRetryAttempts = 60, Int(2)
		cfg.DestinationConfig.OnFailure = dest
		e.start(cfg)
		for e.clock.Now().Before(t0.Add(time.Minute)) {
			e.advance(time.Second)
		}
		after := e.put("b", "b/1")
		e.advanceUntil(time.Second, time.Minute, func() bool { return len(r.invocations()) == 5 })
		calls := r.invocations()
		want := []string{"w0 [a/1,a/2] count=", "w0 [] count=2 final", "w0 [] count=2 final", "w0 [] count=2 final", "w60 [b/1] count="}
		if got := describeAll(r); !slices.Equal(got, want) {
			t.Fatalf("invocations\n got %q\nwant %q", got, want)
		}
		first := calls[1].at
		if d := []time.Duration{calls[2].at.Sub(first), calls[3].at.Sub(first)}; d[0] != time.Second || d[1] != 3*time.Second {
			t.Errorf("final retries %v after the first, want 1s and 3s", d)
		}
		got := dest.Records()
		if len(got) != 1 {
			t.Fatalf("on-failure records: %+v", got)
		}
		f := got[0]
		if rc := f.RequestContext; rc.Condition != RetryAttemptsExhausted || rc.ApproximateInvokeCount != 3 || f.ResponseContext.FunctionError != "Unhandled" {
			t.Errorf("on-failure record %+v", f)
		}
		if b := f.KinesisBatchInfo; b.StartSequenceNumber != seqs[0] || b.EndSequenceNumber != seqs[1] || b.BatchSize != 2 || b.ShardID != shardID(0) {
			t.Errorf("on-failure batch info %+v", b)
		}
		if !f.Timestamp.Equal(calls[3].at) {
			t.Errorf("given up at %v, want at the last final invocation %v", f.Timestamp, calls[3].at)
		}
		e.advanceUntil(time.Second, 3*time.Minute, func() bool { return e.checkpoint(shardID(0)) == after })
	})
}

// TestTumblingWindowFinalRecordAge checks that a failing final invocation
// is given up once every record of the window is older than
// MaximumRecordAgeInSeconds, checked before each retry but not before the
// first attempt.
func TestTumblingWindowFinalRecordAge(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, 1)
		first := e.put("a", "a/1") // arrives at 0 s
		r := &recorder{clock: e.clock}
		r.respond = func(n int, ev KinesisEvent) (KinesisEventResponse, error) {
			if ev.IsFinalInvokeForWindow && ev.Window.Start.Equal(t0) {
				return KinesisEventResponse{}, errBad
			}
			return counter()(n, ev)
		}
		dest := &MemoryDestination{}
		cfg := e.config(r.handle)
		cfg.TumblingWindowInSeconds, cfg.MaximumRecordAgeInSeconds = 60, 60
		cfg.DestinationConfig.OnFailure = dest
		e.start(cfg)
		for e.clock.Now().Before(t0.Add(30 * time.Second)) {
			e.advance(time.Second)
		}
		last := e.put("a", "a/2") // arrives at 30 s: too old after 90 s
		for e.clock.Now().Before(t0.Add(time.Minute)) {
			e.advance(time.Second)
		}
		e.put("b", "b/1") // closes the window at 60 s
		e.advanceUntil(time.Second, 2*time.Minute, func() bool { return len(dest.Records()) > 0 })

		var finals []time.Duration
		for _, c := range r.invocations() {
			if w := c.event.TimeWindow; w.IsFinalInvokeForWindow && w.Window.Start.Equal(t0) {
				finals = append(finals, c.at.Sub(t0))
			}
		}
		// The first attempt at 61 s (a/1 is already 61 s old), retries 1,
		// 2, 4 and 8 s apart; before the next, at 92 s, a/2 is 62 s old.
		if want := []time.Duration{61 * time.Second, 62 * time.Second, 64 * time.Second, 68 * time.Second, 76 * time.Second}; !slices.Equal(finals, want) {
			t.Errorf("final invocations at %v, want %v", finals, want)
		}
		f := dest.Records()[0]
		if f.RequestContext.Condition != RecordAgeExceeded || f.RequestContext.ApproximateInvokeCount != 5 ||
			f.KinesisBatchInfo.StartSequenceNumber != first || f.KinesisBatchInfo.EndSequenceNumber != last || f.KinesisBatchInfo.BatchSize != 2 {
			t.Errorf("on-failure record %+v", f)
		}
		if at := f.Timestamp.Sub(t0); at != 92*time.Second {
			t.Errorf("given up at +%v, want +92s", at)
		}
		e.advanceUntil(time.Second, time.Minute, func() bool {
			got := describeAll(r)
			return got[len(got)-1] == "w60 [b/1] count="
		})
	})
}

// TestTumblingWindowTerminatedEarly checks that a state bigger than 1 MB
// ends the window early: a final invocation flagged so, then the same
// window with an empty state.
func TestTumblingWindowTerminatedEarly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, 1)
		e.putN("a", 2)
		var once sync.Once
		r := &recorder{clock: e.clock}
		r.respond = func(n int, ev KinesisEvent) (KinesisEventResponse, error) {
			resp, err := counter()(n, ev)
			once.Do(func() { resp.State["blob"] = strings.Repeat("x", MaxWindowStateBytes) })
			return resp, err
		}
		cfg := e.config(r.handle)
		cfg.TumblingWindowInSeconds, cfg.BatchSize = 60, 1
		e.start(cfg)
		want := []string{"w0 [a/1] count=", "w0 [] count=1 final early", "w0 [a/2] count="}
		if got := describeAll(r); !slices.Equal(got, want) {
			t.Errorf("invocations\n got %q\nwant %q", got, want)
		}
		if len(r.invocations()[1].event.State["blob"]) != MaxWindowStateBytes {
			t.Error("the early final invocation did not carry the big state")
		}
	})
}

// TestTumblingWindowResponseWithoutState checks that a windowed response
// without a state (nil State) fails the invocation, which is retried with
// the state from before, in a batch as in the final invocation; an empty
// state is a state.
func TestTumblingWindowResponseWithoutState(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, 1)
		e.putN("a", 2)
		r := &recorder{clock: e.clock}
		r.respond = func(n int, ev KinesisEvent) (KinesisEventResponse, error) {
			switch n {
			case 1, 3:
				return KinesisEventResponse{}, nil // no state
			case 4:
				return KinesisEventResponse{State: map[string]string{}}, nil
			}
			return counter()(n, ev)
		}
		cfg := e.config(r.handle)
		cfg.TumblingWindowInSeconds, cfg.BatchSize = 60, 1
		e.start(cfg)
		e.advanceUntil(time.Second, time.Minute, func() bool { return len(r.invocations()) == 3 })
		for e.clock.Now().Before(t0.Add(time.Minute)) {
			e.advance(time.Second)
		}
		e.put("b", "b/1")
		e.advanceUntil(time.Second, time.Minute, func() bool { return len(r.invocations()) == 6 })
		want := []string{
			"w0 [a/1] count=",
			"w0 [a/2] count=1", // no state: failed
			"w0 [a/2] count=1", // retried with the state from before
			"w0 [] count=2 final",
			"w0 [] count=2 final", // retried; its empty state is a state
			"w60 [b/1] count=",
		}
		if got := describeAll(r); !slices.Equal(got, want) {
			t.Errorf("invocations\n got %q\nwant %q", got, want)
		}
		if at := r.invocations()[2].at.Sub(t0); at != time.Second {
			t.Errorf("retry at +%v, want +1s (a function error's backoff)", at)
		}
	})
}
