package kds

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// recordingHook records the calls it sees and refuses those of refuse.
type recordingHook struct {
	refuse string
	seen   []string // "op resources... -> ok|error"
}

func (h *recordingHook) before(_ context.Context, c *callInfo) error {
	if c.op == h.refuse {
		return newError(codeAccessDenied, "refused")
	}
	return nil
}

func (h *recordingHook) observesData() bool { return true }

func (h *recordingHook) after(_ context.Context, c *callInfo, out any, err error) {
	entry := c.op + " " + c.caller.Principal
	for _, r := range c.resources {
		entry += " " + r
	}
	switch {
	case err != nil:
		entry += " -> error"
	case out != nil:
		entry += " -> ok"
	}
	h.seen = append(h.seen, entry)
}

// TestHooksSeeEveryCall checks the seam that access control and the
// audit trail use: each call passes once through every hook, with its
// caller and the resources it names, and a refusal keeps the operation
// from running.
func TestHooksSeeEveryCall(t *testing.T) {
	h := &recordingHook{refuse: "DeleteStream"}
	svc, err := NewService(WithClock(NewManualClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))))
	if err != nil {
		t.Fatal(err)
	}
	svc.cfg.hooks, svc.cfg.dataHooked = []callHook{h}, true
	ctx := WithCaller(context.Background(), Caller{Principal: "arn:aws:iam::000000000000:user/alice"})
	arn := "arn:aws:kinesis:us-east-1:000000000000:stream/s"
	if _, err := svc.CreateStream(ctx, CreateStreamInput{StreamName: "s", ShardCount: 1}); err != nil {
		t.Fatal(err)
	}
	svc.clock.(*ManualClock).Advance(svc.cfg.delays.Create)
	put, err := svc.PutRecord(context.Background(), PutRecordInput{StreamARN: arn, PartitionKey: "k", Data: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	it, err := svc.GetShardIterator(ctx, GetShardIteratorInput{StreamName: "s", ShardId: put.ShardId, ShardIteratorType: ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.GetRecords(ctx, GetRecordsInput{ShardIterator: it.ShardIterator}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.DeleteStream(ctx, DeleteStreamInput{StreamName: "s"}); !errors.Is(err, ErrAccessDenied) {
		t.Fatalf("refused DeleteStream: %v", err)
	}
	if _, err := svc.ListStreams(ctx, ListStreamsInput{}); err != nil {
		t.Fatal(err)
	}
	if _, ok := svc.Stream("s"); !ok {
		t.Error("the refused DeleteStream ran")
	}
	want := []string{
		"CreateStream arn:aws:iam::000000000000:user/alice " + arn + " -> ok",
		"PutRecord  " + arn + " -> ok",
		"GetShardIterator arn:aws:iam::000000000000:user/alice " + arn + " -> ok",
		"GetRecords arn:aws:iam::000000000000:user/alice " + arn + " -> ok",
		"DeleteStream arn:aws:iam::000000000000:user/alice " + arn + " -> error",
		"ListStreams arn:aws:iam::000000000000:user/alice -> ok",
	}
	if !slices.Equal(h.seen, want) {
		t.Errorf("hooks saw\n%q\nwant\n%q", h.seen, want)
	}
}

// TestHooksWithoutDataSkipDataCalls: when no hook observes data-plane
// calls, they run directly, and the hooks see only the others.
func TestHooksWithoutDataSkipDataCalls(t *testing.T) {
	h := &managementHook{}
	svc, err := NewService(WithClock(NewManualClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))), optionFunc(func(c *config) { c.hooks = append(c.hooks, h) }))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := svc.CreateStream(ctx, CreateStreamInput{StreamName: "s", ShardCount: 1}); err != nil {
		t.Fatal(err)
	}
	svc.clock.(*ManualClock).Advance(svc.cfg.delays.Create)
	if _, err := svc.PutRecord(ctx, PutRecordInput{StreamName: "s", PartitionKey: "k", Data: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.DescribeStreamSummary(ctx, DescribeStreamSummaryInput{StreamName: "s"}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"CreateStream  arn:aws:kinesis:us-east-1:000000000000:stream/s -> ok", "DescribeStreamSummary  arn:aws:kinesis:us-east-1:000000000000:stream/s -> ok"}; !slices.Equal(h.seen, want) {
		t.Errorf("hooks saw %q, want %q", h.seen, want)
	}
}

// managementHook is a recordingHook that does not observe data calls.
type managementHook struct{ recordingHook }

func (*managementHook) observesData() bool { return false }
