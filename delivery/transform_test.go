package delivery

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// byPrefix is a transform that decides by the data's prefix: "ok:" is
// kept upper-cased, "drop:" dropped, "fail:" failed, "skip:" left out of
// the output (a missing record ID), "twice:" returned twice.
func byPrefix(ctx context.Context, in TransformInput) (TransformOutput, error) {
	var out TransformOutput
	for _, r := range in.Records {
		res := TransformResult{RecordID: r.RecordID}
		kind, rest, _ := strings.Cut(string(r.Data), ":")
		switch kind {
		case "ok":
			res.Result, res.Data = Ok, []byte(strings.ToUpper(rest))
		case "drop":
			res.Result = Dropped
		case "fail":
			res.Result = ProcessingFailed
		case "skip":
			continue
		case "twice":
			res.Result, res.Data = Ok, []byte(rest)
			out.Records = append(out.Records, res)
		}
		out.Records = append(out.Records, res)
	}
	return out, nil
}

// TestTransformResults runs a stream with a transform and checks what is
// delivered, what goes to the error output, and that the checkpoint
// covers every record, dropped and failed ones included.
func TestTransformResults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, 1, func(c *Config) {
			c.Transform = byPrefix
			c.RecordDelimiter = "\n"
		})
		h.start()
		var last string
		for _, d := range []string{"ok:a", "drop:b", "fail:c", "ok:d", "skip:e", "twice:f", "ok:g"} {
			last = h.put("k", d)
		}
		h.read()
		h.advance(time.Minute)

		if got, want := flat(h.dest.data()), []string{"A\n", "D\n", "G\n"}; !slices.Equal(got, want) {
			t.Errorf("delivered %q, want %q", got, want)
		}
		failed := h.dest.errors(t, ErrorOutputProcessingFailed)
		codes := map[string]string{}
		for _, e := range failed {
			codes[string(e.RawData)] = e.ErrorCode
			if e.AttemptsMade != 1 || e.ArrivalTimestamp != epoch.UnixMilli() || e.AttemptEndingTimestamp != epoch.Add(time.Second).UnixMilli() || !strings.HasSuffix(e.DataID, ".0") {
				t.Errorf("error record %+v", e)
			}
		}
		want := map[string]string{"fail:c": "Lambda.ProcessingFailedStatus", "skip:e": "Lambda.MissingRecordId", "twice:f": "Lambda.DuplicatedRecordId"}
		if len(codes) != len(want) || codes["fail:c"] != want["fail:c"] || codes["skip:e"] != want["skip:e"] || codes["twice:f"] != want["twice:f"] {
			t.Errorf("error output = %v, want %v", codes, want)
		}
		for _, b := range h.dest.snapshot() {
			if isErrorKey(b.Key) && !strings.HasPrefix(b.Key, "processing-failed/2026/03/01/12/orders-1-") {
				t.Errorf("error object key %q", b.Key)
			}
		}
		if s := h.ds.Stats(); s.DroppedRecords != 1 || s.ErrorOutputRecords != 3 || s.DeliveredRecords != 3 {
			t.Errorf("Stats = %+v", s)
		}
		if cp := h.checkpoints()["shardId-000000000000"]; cp != last {
			t.Errorf("checkpoint = %q, want the last record's %q", cp, last)
		}
	})
}

// TestTransformDroppedOnlyCheckpoints: a batch the transform drops
// entirely is checkpointed at once, with nothing delivered.
func TestTransformDroppedOnlyCheckpoints(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, 1, func(c *Config) { c.Transform = byPrefix })
		h.start()
		h.put("k", "drop:a")
		h.put("k", "drop:b")
		before := h.checkpoints()["shardId-000000000000"]
		h.read()
		after := h.checkpoints()["shardId-000000000000"]
		if after == before || after == "TRIM_HORIZON" {
			t.Errorf("checkpoint %q → %q, want it past the dropped records", before, after)
		}
		if got := h.dest.snapshot(); len(got) != 0 {
			t.Errorf("delivered %d batches of dropped records", len(got))
		}
	})
}

// TestTransformOutputRules checks how one call's output is matched to its
// input.
func TestTransformOutputRules(t *testing.T) {
	index := map[string]int{"a": 0, "b": 1, "c": 2}
	tests := []struct {
		name string
		out  []TransformResult
		want []string // result or error code per record
	}{
		{"all ok", []TransformResult{{RecordID: "c", Result: Ok, Data: []byte{}}, {RecordID: "a", Result: Ok, Data: []byte("x")}, {RecordID: "b", Result: Dropped}},
			[]string{"Ok", "Dropped", "Ok"}},
		{"missing", []TransformResult{{RecordID: "a", Result: Ok, Data: []byte("x")}},
			[]string{"Ok", "Lambda.MissingRecordId", "Lambda.MissingRecordId"}},
		{"duplicated", []TransformResult{{RecordID: "a", Result: Ok, Data: []byte("x")}, {RecordID: "a", Result: Ok, Data: []byte("y")}, {RecordID: "b", Result: Dropped}, {RecordID: "c", Result: ProcessingFailed}},
			[]string{"Lambda.DuplicatedRecordId", "Dropped", "Lambda.ProcessingFailedStatus"}},
		{"extra ID fails the call", []TransformResult{{RecordID: "a", Result: Ok, Data: []byte("x")}, {RecordID: "b", Result: Ok, Data: []byte("x")}, {RecordID: "c", Result: Ok, Data: []byte("x")}, {RecordID: "zzz", Result: Ok, Data: []byte("x")}},
			[]string{"Lambda.JsonProcessingException", "Lambda.JsonProcessingException", "Lambda.JsonProcessingException"}},
		{"unknown result, Ok without data", []TransformResult{{RecordID: "a", Result: "OK"}, {RecordID: "b", Result: Ok}, {RecordID: "c", Result: Dropped}},
			[]string{"Lambda.JsonProcessingException", "Lambda.JsonProcessingException", "Dropped"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := checkTransformOutput(TransformOutput{Records: tt.out}, index, 1)
			for i, o := range got {
				desc := string(o.result)
				if o.result == ProcessingFailed {
					desc = o.code
				}
				if desc != tt.want[i] {
					t.Errorf("record %d: %s, want %s", i, desc, tt.want[i])
				}
			}
		})
	}
}

// TestTransformErrorsAreRetried: a failing function is called 4 times,
// then its records fail with Lambda.FunctionError; a panic counts as a
// failure; a function that recovers on a retry delivers normally.
func TestTransformErrorsAreRetried(t *testing.T) {
	for _, tt := range []struct {
		name      string
		failFirst int32 // calls that fail before the function works
		panics    bool
		wantCalls int32
		wantCode  string
	}{
		{"always failing", 100, false, 4, "Lambda.FunctionError"},
		{"always panicking", 100, true, 4, "Lambda.FunctionError"},
		{"failing thrice", 3, false, 4, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var calls atomic.Int32
				var ids []string
				h := newHarness(t, 1, func(c *Config) {
					c.Transform = func(ctx context.Context, in TransformInput) (TransformOutput, error) {
						ids = append(ids, in.InvocationID)
						if calls.Add(1) <= tt.failFirst {
							if tt.panics {
								panic("boom")
							}
							return TransformOutput{}, errors.New("boom")
						}
						return byPrefix(ctx, in)
					}
				})
				h.start()
				h.put("k", "ok:a")
				h.read()
				h.advance(time.Minute)
				if got := calls.Load(); got != tt.wantCalls {
					t.Errorf("%d calls, want %d", got, tt.wantCalls)
				}
				if len(slices.Compact(slices.Sorted(slices.Values(ids)))) != len(ids) {
					t.Errorf("invocation IDs repeat: %v", ids)
				}
				failed := h.dest.errors(t, ErrorOutputProcessingFailed)
				if tt.wantCode == "" {
					if len(failed) != 0 || !slices.Equal(flat(h.dest.data()), []string{"A"}) {
						t.Errorf("errors %v, delivered %v; want A delivered", failed, h.dest.data())
					}
					return
				}
				if len(failed) != 1 || failed[0].ErrorCode != tt.wantCode || failed[0].AttemptsMade != 4 || !bytes.Equal(failed[0].RawData, []byte("ok:a")) {
					t.Errorf("error output %+v, want one %s after 4 attempts", failed, tt.wantCode)
				}
			})
		})
	}
}

// TestTransformBufferSize: calls are cut at TransformBufferSizeInMBs
// (default 1 MiB), and at the buffer size if smaller.
func TestTransformBufferSize(t *testing.T) {
	tests := []struct {
		name      string
		sizeInMBs float64 // TransformBufferSizeInMBs
		bufferMBs int     // BufferingHints.SizeInMBs
		recordKiB int
		want      []int // records per call, of 4
	}{
		{"default 1 MiB", 0, 10, 300, []int{3, 1}},
		{"3 MiB", 3, 10, 900, []int{3, 1}},
		{"0.2 MiB", 0.2, 10, 100, []int{2, 2}},
		{"record above the limit goes alone", 0.2, 10, 300, []int{1, 1, 1, 1}},
		{"buffer smaller than the call", 3, 1, 400, []int{2, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var calls []int
				h := newHarness(t, 1, func(c *Config) {
					c.BufferingHints = BufferingHints{SizeInMBs: Int(tt.bufferMBs), IntervalInSeconds: Int(60)}
					c.TransformBufferSizeInMBs = tt.sizeInMBs
					c.Transform = func(ctx context.Context, in TransformInput) (TransformOutput, error) {
						calls = append(calls, len(in.Records))
						return byPrefix(ctx, in)
					}
				})
				h.start()
				for range 4 {
					h.put("key-1", "ok:"+strings.Repeat("x", tt.recordKiB<<10-3))
				}
				h.read()
				if !slices.Equal(calls, tt.want) {
					t.Errorf("calls with %v records, want %v", calls, tt.want)
				}
			})
		})
	}
}

// TestTransformInput: the function sees Firehose's fields for each record.
func TestTransformInput(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var inputs []TransformInput
		h := newHarness(t, 1, func(c *Config) {
			c.Transform = func(ctx context.Context, in TransformInput) (TransformOutput, error) {
				inputs = append(inputs, in)
				return byPrefix(ctx, in)
			}
		})
		h.start()
		h.put("key-1", "ok:a")
		h.read()
		if len(inputs) != 1 || len(inputs[0].Records) != 1 {
			t.Fatalf("%d calls, want one of one record", len(inputs))
		}
		in := inputs[0]
		r := in.Records[0]
		m := r.KinesisRecordMetadata
		if in.DeliveryStreamName != testDelivery || in.SourceKinesisStreamName != testStream || in.InvocationID == "" {
			t.Errorf("input %q %q %q", in.DeliveryStreamName, in.SourceKinesisStreamName, in.InvocationID)
		}
		if m.ShardID != "shardId-000000000000" || m.PartitionKey != "key-1" || m.SequenceNumber == "" || r.RecordID != m.SequenceNumber+".0" || !r.ApproximateArrivalTimestamp.Equal(epoch) || !m.ApproximateArrivalTimestamp.Equal(epoch) {
			t.Errorf("record %s: metadata %+v, arrival %v", r.RecordID, m, r.ApproximateArrivalTimestamp)
		}
	})
}
