package kds

import (
	"context"
	"errors"
	"testing"
	"time"
)

// odService returns a Service on a ManualClock with Kinesis's per-shard
// limits, and an on-demand stream "s" in it.
func odService(t *testing.T) (*Service, *ManualClock, *Stream) {
	t.Helper()
	clock := NewManualClock(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	svc, err := NewService(WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.CreateStream(context.Background(), CreateStreamInput{StreamName: "s", StreamModeDetails: StreamModeDetails{StreamMode: StreamModeOnDemand}})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := svc.Stream("s")
	return svc, clock, s
}

// odPut puts n records of size bytes with distinct keys in one second of
// the clock, 500 at a time, and returns how many were throttled.
func odPut(t *testing.T, svc *Service, n, size int) int {
	t.Helper()
	failed := 0
	for n > 0 {
		batch := make([]PutRecordsRequestEntry, min(n, MaxPutRecordsEntries))
		for i := range batch {
			batch[i] = PutRecordsRequestEntry{PartitionKey: itoa(n - i), Data: make([]byte, size)}
		}
		out, err := svc.PutRecords(context.Background(), PutRecordsInput{StreamName: "s", Records: batch})
		if err != nil {
			t.Fatal(err)
		}
		failed += out.FailedRecordCount
		n -= len(batch)
	}
	return failed
}

func TestOnDemandStartsAtInitialCapacity(t *testing.T) {
	svc, clock, s := odService(t)
	if got := s.openShardCount(); got != OnDemandInitialShards {
		t.Fatalf("open shards = %d, want %d", got, OnDemandInitialShards)
	}
	// Light traffic for an hour never scales it down below the initial
	// capacity.
	for range 60 {
		odPut(t, svc, 10, 100)
		clock.Advance(time.Minute)
	}
	odPut(t, svc, 1, 100)
	if got := s.openShardCount(); got != OnDemandInitialShards {
		t.Fatalf("open shards after light traffic = %d, want %d", got, OnDemandInitialShards)
	}
}

func TestOnDemandScalesToDoubleThePeak(t *testing.T) {
	svc, clock, s := odService(t)
	// 60 seconds of 6,000 records/s of 100 B: 4 shards take 4,000/s, so
	// some records are throttled while the stream is still small.
	throttled := 0
	for range 60 {
		throttled += odPut(t, svc, 6000, 100)
		clock.Advance(time.Second)
	}
	if throttled == 0 {
		t.Fatal("no record was throttled while traffic exceeded the initial capacity")
	}
	// The minute is over: the next put scales the stream for double the
	// peak the last minute actually carried (4,000/s), so 8 shards.
	odPut(t, svc, 1, 100)
	if got := s.openShardCount(); got != 8 {
		t.Fatalf("open shards after the first busy minute = %d, want 8", got)
	}
	// At 6,000/s the next minute fits.
	throttled = 0
	for range 60 {
		throttled += odPut(t, svc, 6000, 100)
		clock.Advance(time.Second)
	}
	if throttled != 0 {
		t.Fatalf("%d records throttled after scaling to 8 shards", throttled)
	}
	// That minute carried 360,001 records (with the probe record that
	// ended the first minute): 6,000.02/s, so double is just over 12
	// shards' worth.
	odPut(t, svc, 1, 100)
	if got := s.openShardCount(); got != 13 {
		t.Fatalf("open shards after a 6,000 records/s minute = %d, want 13", got)
	}
	// The peak is remembered for 30 days, then the stream shrinks back.
	clock.Advance(29 * 24 * time.Hour)
	odPut(t, svc, 1, 100)
	clock.Advance(time.Minute)
	odPut(t, svc, 1, 100)
	if got := s.openShardCount(); got != 13 {
		t.Fatalf("open shards after 29 days = %d, want 13", got)
	}
	clock.Advance(2 * 24 * time.Hour)
	odPut(t, svc, 1, 100)
	clock.Advance(time.Minute)
	odPut(t, svc, 1, 100)
	if got := s.openShardCount(); got != OnDemandInitialShards {
		t.Fatalf("open shards after 31 quiet days = %d, want %d", got, OnDemandInitialShards)
	}
	// Every record is still readable through the lineage.
	n := 0
	for _, err := range s.Replay(context.Background(), TrimHorizon()) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n == 0 {
		t.Fatal("nothing readable after scaling")
	}
}

func TestOnDemandRejectsManualResharding(t *testing.T) {
	svc, _, s := odService(t)
	_, err := svc.SplitShard(context.Background(), SplitShardInput{StreamName: "s", ShardToSplit: "0", NewStartingHashKey: "12345"})
	if !errors.Is(err, ErrValidation) {
		t.Fatalf("SplitShard on an on-demand stream: %v, want ValidationException", err)
	}
	_, err = svc.UpdateShardCount(context.Background(), UpdateShardCountInput{StreamName: "s", TargetShardCount: 8, ScalingType: ScalingTypeUniformScaling})
	if !errors.Is(err, ErrValidation) {
		t.Fatalf("UpdateShardCount on an on-demand stream: %v, want ValidationException", err)
	}
	if got := s.openShardCount(); got != OnDemandInitialShards {
		t.Fatalf("open shards = %d after refused reshards", got)
	}
}

func TestUpdateStreamMode(t *testing.T) {
	ctx := context.Background()
	clock := NewManualClock(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	svc, err := NewService(WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateStream(ctx, CreateStreamInput{StreamName: "s", ShardCount: 6}); err != nil {
		t.Fatal(err)
	}
	s, _ := svc.Stream("s")
	mode := func(m StreamMode) error {
		_, err := svc.UpdateStreamMode(ctx, UpdateStreamModeInput{StreamARN: s.ARN(), StreamModeDetails: StreamModeDetails{StreamMode: m}})
		return err
	}
	summary := func() StreamDescriptionSummary {
		out, err := svc.DescribeStreamSummary(ctx, DescribeStreamSummaryInput{StreamName: "s"})
		if err != nil {
			t.Fatal(err)
		}
		return out.StreamDescriptionSummary
	}

	// Validation.
	_, err = svc.UpdateStreamMode(ctx, UpdateStreamModeInput{StreamModeDetails: StreamModeDetails{StreamMode: "FAST"}})
	var e *Error
	if !errors.As(err, &e) || e.Code != codeValidation || e.Message != "2 validation errors detected: Value null at 'streamARN' failed to satisfy constraint: Member must not be null; Value 'FAST' at 'streamModeDetails.streamMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]" {
		t.Fatalf("bad input: %v", err)
	}

	// To on-demand: the 6 shards are kept, and kept for 30 days.
	if err := mode(StreamModeOnDemand); err != nil {
		t.Fatal(err)
	}
	if got := summary(); got.StreamModeDetails.StreamMode != StreamModeOnDemand || got.OpenShardCount != 6 {
		t.Fatalf("after switching to ON_DEMAND: %+v", got)
	}
	s.Put(ctx, "k", []byte("x"))
	clock.Advance(time.Minute)
	s.Put(ctx, "k", []byte("x"))
	if got := s.openShardCount(); got != 6 {
		t.Fatalf("open shards a minute after switching = %d, want 6 (carried over)", got)
	}
	// Back to provisioned: shards kept.
	if err := mode(StreamModeProvisioned); err != nil {
		t.Fatal(err)
	}
	if got := summary(); got.StreamModeDetails.StreamMode != StreamModeProvisioned || got.OpenShardCount != 6 {
		t.Fatalf("after switching back: %+v", got)
	}
	// Switching to the mode it has is a no-op; a third switch within 24 h
	// is refused; a day later it is allowed.
	if err := mode(StreamModeProvisioned); err != nil {
		t.Fatalf("same mode: %v", err)
	}
	if err := mode(StreamModeOnDemand); !errors.Is(err, ErrLimitExceeded) {
		t.Fatalf("third switch in 24 h: %v, want LimitExceededException", err)
	}
	clock.Advance(24 * time.Hour)
	if err := mode(StreamModeOnDemand); err != nil {
		t.Fatalf("switch after 24 h: %v", err)
	}
}

func TestUpdateStreamModeOnDemandQuota(t *testing.T) {
	ctx := context.Background()
	svc, err := NewService(WithClock(NewManualClock(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))), WithOnDemandStreamLimit(1))
	if err != nil {
		t.Fatal(err)
	}
	svc.CreateStream(ctx, CreateStreamInput{StreamName: "a", StreamModeDetails: StreamModeDetails{StreamMode: StreamModeOnDemand}})
	svc.CreateStream(ctx, CreateStreamInput{StreamName: "b", ShardCount: 1})
	b, _ := svc.Stream("b")
	_, err = svc.UpdateStreamMode(ctx, UpdateStreamModeInput{StreamARN: b.ARN(), StreamModeDetails: StreamModeDetails{StreamMode: StreamModeOnDemand}})
	if !errors.Is(err, ErrLimitExceeded) {
		t.Fatalf("second on-demand stream: %v, want LimitExceededException", err)
	}
	limits, _ := svc.DescribeLimits(ctx, DescribeLimitsInput{})
	if limits.OnDemandStreamCount != 1 || limits.OnDemandStreamCountLimit != 1 {
		t.Fatalf("DescribeLimits = %+v", limits)
	}
}
