package delivery

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// TestDestinationErrorsAreRetried: a failing Deliver is retried after 1 s,
// then 2 s, on the Clock, and the checkpoint waits for the success.
func TestDestinationErrorsAreRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, 1, func(c *Config) { c.BufferingHints.IntervalInSeconds = Int(0) })
		h.dest.fail = func(call int, b *Batch) error {
			if call <= 2 {
				return errors.New("disk full")
			}
			return nil
		}
		h.start()
		last := h.put("k", "a")
		h.read() // first attempt fails
		if got := h.checkpoints()["shardId-000000000000"]; got != "TRIM_HORIZON" {
			t.Fatalf("checkpoint %s before any delivery", got)
		}
		h.advance(time.Second) // second attempt fails
		h.advance(time.Second)
		if len(h.dest.snapshot()) != 0 {
			t.Fatalf("third attempt made 1 s after the second, want 2 s")
		}
		h.advance(time.Second)
		if got := flat(h.dest.data()); !slices.Equal(got, []string{"a"}) {
			t.Fatalf("delivered %v after three attempts", got)
		}
		if got := h.checkpoints()["shardId-000000000000"]; got != last {
			t.Errorf("checkpoint %s, want %s", got, last)
		}
	})
}

// TestGivenUpBatchGoesToErrorOutput: a DeliveryFailedError sends the
// batch's records, as they were to be delivered, to the error output
// under its error output type, and lets the checkpoint move on.
func TestGivenUpBatchGoesToErrorOutput(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errOut := &recorder{}
		h := newHarness(t, 1, func(c *Config) {
			c.ErrorOutput = errOut
			c.RecordDelimiter = "\n"
			c.Prefix, c.ErrorOutputPrefix = "data/", "failed/!{firehose:error-output-type}/"
		})
		h.dest.fail = func(int, *Batch) error {
			return &DeliveryFailedError{ErrorOutputType: ErrorOutputHTTPEndpointFailed, ErrorCode: "HttpEndpoint.DestinationException", ErrorMessage: "no", AttemptsMade: 7}
		}
		h.start()
		h.put("k", "a")
		last := h.put("k", "b")
		h.read()
		h.advance(time.Minute)
		got := errOut.errors(t, ErrorOutputHTTPEndpointFailed)
		if len(got) != 2 || string(got[0].RawData) != "a\n" || string(got[1].RawData) != "b\n" {
			t.Fatalf("error output %+v", got)
		}
		for _, e := range got {
			if e.ErrorCode != "HttpEndpoint.DestinationException" || e.ErrorMessage != "no" || e.AttemptsMade != 7 || e.AttemptEndingTimestamp != epoch.Add(61*time.Second).UnixMilli() {
				t.Errorf("error record %+v", e)
			}
		}
		if b := errOut.snapshot(); len(b) != 1 || !strings.HasPrefix(b[0].Key, "failed/http-endpoint-failed/orders-1-2026-03-01-12-00-00-") {
			t.Errorf("error objects %v", b)
		}
		if got := h.checkpoints()["shardId-000000000000"]; got != last {
			t.Errorf("checkpoint %s, want %s", got, last)
		}
		if s := h.ds.Stats(); s.DeliveredRecords != 0 || s.ErrorOutputRecords != 2 {
			t.Errorf("Stats = %+v", s)
		}
	})
}

// TestGivenUpBatchWithoutType: a DeliveryFailedError without a usable
// error output type is filed under delivery-failed.
func TestGivenUpBatchWithoutType(t *testing.T) {
	for _, errType := range []string{"", "../up"} {
		synctest.Test(t, func(t *testing.T) {
			errOut := &recorder{}
			h := newHarness(t, 1, func(c *Config) { c.ErrorOutput = errOut })
			h.dest.fail = func(int, *Batch) error { return &DeliveryFailedError{ErrorOutputType: errType} }
			h.start()
			h.put("k", "a")
			h.read()
			h.advance(time.Minute)
			if b := errOut.snapshot(); len(b) != 1 || !strings.HasPrefix(b[0].Key, "delivery-failed/2026/03/01/12/") {
				t.Errorf("type %q: error objects %v", errType, b)
			}
		})
	}
}
