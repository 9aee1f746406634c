package kds_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kdsgo/kds"
)

// follower collects what a Go-native reader yields, from its own
// goroutine, so a test can look at it between clock moves.
type follower struct {
	mu   sync.Mutex
	data []string
	errs []error
}

func (f *follower) follow(seq func(func(kds.Record, error) bool)) {
	for rec, err := range seq {
		f.mu.Lock()
		if err != nil {
			f.errs = append(f.errs, err)
		} else {
			f.data = append(f.data, string(rec.Data))
		}
		f.mu.Unlock()
	}
}

// check waits until every goroutine of the bubble is blocked, then
// compares how many records the follower has against want.
func (f *follower) check(t *testing.T, when string, want int) {
	t.Helper()
	synctest.Wait()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.data) != want || len(f.errs) != 0 {
		t.Errorf("%s: follower has %d records and errors %v, want %d records and no error", when, len(f.data), f.errs, want)
	}
}

// limitedStream returns a one-shard stream on a ManualClock with the
// given limits, holding records of the given data.
func limitedStream(t *testing.T, limits kds.ThroughputLimits, data ...string) (*kds.Service, *kds.Stream, *kds.ManualClock) {
	svc, clock := newService(t, kds.WithThroughputLimits(limits))
	createStream(t, svc, "s", 1)
	for _, d := range data {
		put(t, svc, "s", "k", d)
	}
	s, _ := svc.Stream("s")
	return svc, s, clock
}

func TestRecordsWaitForReadBytes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		kib := strings.Repeat("x", 1023) // 1 KiB with the key "k"
		_, s, clock := limitedStream(t, kds.ThroughputLimits{ReadBytesPerSecond: 1024}, kib, kib, kib)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		f := &follower{}
		go f.follow(s.Records(ctx, kds.TrimHorizon()))
		// One read takes all three: 3 KiB, more than the whole 1 KiB
		// bucket, so as on Kinesis the shard serves no read until all
		// of it is paid for at 1 KiB/s, 3 s later.
		f.check(t, "first read", 3)
		if _, err := s.Put(ctx, "k", []byte("late")); err != nil {
			t.Fatal(err)
		}
		f.check(t, "in debt", 3)
		clock.Advance(2900 * time.Millisecond)
		f.check(t, "after 2.9 s", 3)
		clock.Advance(200 * time.Millisecond)
		f.check(t, "after 3.1 s", 4)
	})
}

func TestRecordsWaitForReadCalls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, s, clock := limitedStream(t, kds.ThroughputLimits{ReadCallsPerSecond: 1}, "a")
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		f := &follower{}
		go f.follow(s.Records(ctx, kds.TrimHorizon()))
		f.check(t, "first call", 1)
		if _, err := s.Put(ctx, "k", []byte("b")); err != nil {
			t.Fatal(err)
		}
		f.check(t, "right after the first call", 1)
		clock.Advance(999 * time.Millisecond)
		f.check(t, "999 ms after the first call", 1)
		clock.Advance(time.Millisecond)
		f.check(t, "1 s after the first call", 2)
	})
}

func TestReplayWaitsForReadBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// One call per second and at most 10,000 records per call: a
		// replay of 25,000 records takes three calls, 1 s apart.
		svc, s, clock := limitedStream(t, kds.ThroughputLimits{ReadCallsPerSecond: 1})
		for range 50 {
			batch := make([]kds.PutRecordsRequestEntry, 500)
			for i := range batch {
				batch[i] = kds.PutRecordsRequestEntry{PartitionKey: "k", Data: []byte("x")}
			}
			if _, err := svc.PutRecords(context.Background(), kds.PutRecordsInput{StreamName: "s", Records: batch}); err != nil {
				t.Fatal(err)
			}
		}
		f := &follower{}
		done := make(chan struct{})
		go func() { f.follow(s.Replay(context.Background(), kds.TrimHorizon())); close(done) }()
		f.check(t, "first call", 10000)
		clock.Advance(time.Second)
		f.check(t, "second call", 20000)
		clock.Advance(time.Second)
		f.check(t, "third call", 25000)
		select {
		case <-done:
		default:
			t.Fatal("Replay did not end after the last stored record")
		}
	})
}

func TestIgnoreReadLimits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		kib := strings.Repeat("x", 1023)
		svc, s, _ := limitedStream(t, kds.ThroughputLimits{ReadBytesPerSecond: 1024, ReadCallsPerSecond: 1}, kib, kib, kib)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		f := &follower{}
		go f.follow(s.Records(ctx, kds.TrimHorizon(), kds.IgnoreReadLimits()))
		f.check(t, "first read", 3)
		for range 3 {
			if _, err := s.Put(ctx, "k", []byte(kib)); err != nil {
				t.Fatal(err)
			}
		}
		f.check(t, "after three more puts", 6)
		// The unlimited reader spent none of the shard's budget: a
		// GetRecords call still gets through.
		getRecords(t, svc, trimHorizon(t, svc, "s", "0"), 1)
	})
}
