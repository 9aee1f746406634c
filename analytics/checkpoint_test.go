package analytics

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/consumergroup"
)

func TestTrackerCut(t *testing.T) {
	for _, tc := range []struct {
		name   string
		purged []span
		low    int64
		want   int64 // -1: nothing to checkpoint
	}{
		{"no windows", nil, 10, 9},
		{"before the first live record", nil, 4, 3},
		{"first record live", nil, 0, -1},
		{"purged behind", []span{{0, 2}, {1, 3}}, 6, 5},
		{"purged straddling", []span{{2, 7}}, 6, 1},
		{"purged straddling chain", []span{{4, 7}, {1, 5}}, 6, 0},
		{"purged ending at the cut", []span{{2, 5}}, 6, 5},
		{"purged after the cut", []span{{7, 8}}, 6, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := &tracker{}
			for i := range 10 {
				tr.add(kds.Record{SubSequenceNumber: int64(i)})
			}
			tr.purged = slices.Clone(tc.purged)
			c := tr.cutBefore(tc.low)
			p, ok := tr.take(c)
			if tc.want < 0 {
				if ok {
					t.Fatalf("cut at %d, want none", c)
				}
				return
			}
			if !ok || c != tc.want || p.sub != tc.want {
				t.Fatalf("cut at %d (record %d, %v), want %d", c, p.sub, ok, tc.want)
			}
			if tr.base != c+1 || len(tr.pending) != int(9-c) {
				t.Errorf("after the cut: base %d, %d pending", tr.base, len(tr.pending))
			}
			for _, s := range tr.purged {
				if s.last <= c {
					t.Errorf("kept purged span %v behind the cut", s)
				}
			}
			if _, ok := tr.take(c); ok {
				t.Error("took the same cut twice")
			}
		})
	}
}

// lease returns the stream's only lease.
func lease(t *testing.T, store consumergroup.CheckpointStore) consumergroup.Lease {
	t.Helper()
	ls, err := store.ListLeases(context.Background(), "analytics")
	if err != nil || len(ls) != 1 {
		t.Fatalf("leases %v, %v", ls, err)
	}
	return ls[0]
}

// TestRestart stops Run while a window is open and starts another
// Windows on the same checkpoints: the open window is rebuilt from the
// records read before the restart, the purged one is not emitted again,
// and one that had fired but was within its lateness fires again.
func TestRestart(t *testing.T) {
	for _, tc := range []struct {
		name     string
		lateness time.Duration
		first    []string
		second   []string
	}{
		{"purged window not repeated", 0, []string{"a 0s-1m0s 3"}, []string{"a 1m0s-2m0s 3"}},
		{"fired window within lateness repeated", time.Minute, []string{"a 0s-1m0s 3"}, []string{"a 0s-1m0s 3", "a 1m0s-2m0s 3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				clock := kds.NewManualClock(t0)
				svc := newService(t, clock, 1)
				store := consumergroup.NewMemStore()
				opts := []Option{WithIdleTimeout(5 * time.Second), WithAllowedLateness(tc.lateness)}
				w1, c1 := newWindows(t, Count(), Tumbling(time.Minute), clock, opts...)
				stop := start(t, w1, groupConfig(svc, store))
				var seqs []kds.SequenceNumber
				for _, d := range []string{"10s", "20s", "50s", "1m10s", "1m20s"} {
					clock.Set(at(d))
					out, err := svc.PutRecord(context.Background(), kds.PutRecordInput{StreamName: testStream, PartitionKey: "a", Data: []byte("x")})
					if err != nil {
						t.Fatal(err)
					}
					seqs = append(seqs, out.SequenceNumber)
					pass(clock, time.Second)
				}
				if err := stop(); err != nil {
					t.Fatal(err)
				}
				if got := c1.lines(); !slices.Equal(got, tc.first) {
					t.Fatalf("before the restart: %v, want %v", got, tc.first)
				}
				cp := lease(t, store).Checkpoint
				if tc.lateness == 0 && cp.SequenceNumber != seqs[2].String() {
					t.Errorf("checkpoint %v, want the last record of the purged window %v", cp, seqs[2])
				}
				if tc.lateness > 0 && cp != consumergroup.CheckpointTrimHorizon {
					t.Errorf("checkpoint %v, want none while the first window is kept", cp)
				}

				w2, c2 := newWindows(t, Count(), Tumbling(time.Minute), clock, opts...)
				stop = start(t, w2, groupConfig(svc, store))
				clock.Set(at("1m30s"))
				last, err := svc.PutRecord(context.Background(), kds.PutRecordInput{StreamName: testStream, PartitionKey: "a", Data: []byte("x")})
				if err != nil {
					t.Fatal(err)
				}
				pass(clock, 2*time.Minute+tc.lateness)
				if err := stop(); err != nil {
					t.Fatal(err)
				}
				if got := c2.lines(); !slices.Equal(got, tc.second) {
					t.Fatalf("after the restart: %v, want %v", got, tc.second)
				}
				if cp := lease(t, store).Checkpoint; cp.SequenceNumber != last.SequenceNumber.String() {
					t.Errorf("final checkpoint %v, want the last record %v, every window being purged", cp, last.SequenceNumber)
				}
			})
		})
	}
}

// failingSink emits nowhere and fails every Flush.
type failingSink struct{}

func (failingSink) Emit(context.Context, Output[int64]) error { return nil }
func (failingSink) Flush(context.Context) error               { return errors.New("sink down") }

// TestNoCheckpointWithoutFlush: results that the sink cannot store hold
// the checkpoints back.
func TestNoCheckpointWithoutFlush(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := kds.NewManualClock(t0)
		svc := newService(t, clock, 1)
		store := consumergroup.NewMemStore()
		var errs []error
		w, err := New(Count(), Tumbling(time.Minute), Sink[int64](failingSink{}), WithClock(clock), WithIdleTimeout(time.Second),
			WithErrorHandler(func(err error) { errs = append(errs, err) }))
		if err != nil {
			t.Fatal(err)
		}
		stop := start(t, w, groupConfig(svc, store))
		put(t, svc, "a")
		pass(clock, 2*time.Minute)
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		if s := w.Stats(); s.Results != 1 || s.Open != 0 {
			t.Fatalf("Stats %+v, want the window fired and purged", s)
		}
		if cp := lease(t, store).Checkpoint; cp != consumergroup.CheckpointTrimHorizon {
			t.Errorf("checkpoint %v, want none", cp)
		}
		if len(errs) == 0 || !strings.Contains(errs[0].Error(), "flush before a checkpoint: sink down") {
			t.Errorf("errors %v", errs)
		}
	})
}

// downSink emits nowhere and fails every Flush while down is set.
type downSink struct{ down *atomic.Bool }

func (downSink) Emit(context.Context, Output[int64]) error { return nil }
func (s downSink) Flush(context.Context) error {
	if s.down.Load() {
		return errors.New("sink down")
	}
	return nil
}

// TestShardEndWaitsForTheSink: a shard's end is checkpointed, letting its
// children start, only once the sink has stored what the shard's records
// contributed to.
func TestShardEndWaitsForTheSink(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := kds.NewManualClock(t0)
		svc := newService(t, clock, 1)
		store := consumergroup.NewMemStore()
		var down atomic.Bool
		down.Store(true)
		w, err := New(Count(), Tumbling(time.Minute), Sink[int64](downSink{&down}), WithClock(clock), WithIdleTimeout(time.Second),
			WithErrorHandler(func(error) {}))
		if err != nil {
			t.Fatal(err)
		}
		start(t, w, groupConfig(svc, store))
		put(t, svc, "a")
		splitInHalf(t, svc, "shardId-000000000000")
		pass(clock, 10*time.Second)
		parent := func() consumergroup.Lease {
			ls, err := store.ListLeases(context.Background(), "analytics")
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(ls, func(l consumergroup.Lease) bool { return l.Key == "shardId-000000000000" })
			if i < 0 {
				t.Fatalf("no lease of the parent in %v", ls)
			}
			return ls[i]
		}
		if cp := parent().Checkpoint; cp == consumergroup.CheckpointShardEnd {
			t.Fatal("SHARD_END checkpointed while the sink was down")
		}
		down.Store(false)
		pass(clock, 3*time.Second)
		if cp := parent().Checkpoint; cp != consumergroup.CheckpointShardEnd {
			t.Errorf("parent's checkpoint %v once the sink is back, want SHARD_END", cp)
		}
	})
}
