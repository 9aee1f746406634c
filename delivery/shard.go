package delivery

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/consumergroup"
)

// shard tracks the records one Processor (one shard lease) has read: a
// record is done once it is in a delivered object, in a written error
// output object, or dropped by the transform. The shard's checkpoint
// moves past a record only when it and every record before it are done,
// so a restart re-reads exactly the records that are not yet safe.
type shard struct {
	id string

	mu      sync.Mutex
	cp      *consumergroup.Checkpointer
	pending []pendingRecord // read and not checkpointed, oldest first
	base    int64           // index of pending[0] among the records read
	changed chan struct{}   // closed and replaced when pending shrinks
}

// pendingRecord is a record's position and whether it is done.
type pendingRecord struct {
	pos  kds.Record // only SequenceNumber and SubSequenceNumber are set
	done bool
}

func newShard(id string) *shard {
	return &shard{id: id, changed: make(chan struct{})}
}

// read registers a batch the shard's Processor got, with the batch's
// Checkpointer, and returns the index of its first record.
func (s *shard) read(recs []kds.Record, cp *consumergroup.Checkpointer) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cp = cp
	first := s.base + int64(len(s.pending))
	for _, r := range recs {
		s.pending = append(s.pending, pendingRecord{pos: kds.Record{SequenceNumber: r.SequenceNumber, SubSequenceNumber: r.SubSequenceNumber}})
	}
	return first
}

// complete marks the records at the given indexes done and, if that
// lets the checkpoint move, checkpoints at the last record of the done
// run at the front. It returns the Checkpointer's error.
func (s *shard) complete(ctx context.Context, idx []int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, i := range idx {
		s.pending[i-s.base].done = true
	}
	n := 0
	for n < len(s.pending) && s.pending[n].done {
		n++
	}
	if n == 0 {
		return nil
	}
	last := s.pending[n-1].pos
	s.pending = s.pending[n:]
	s.base += int64(n)
	close(s.changed)
	s.changed = make(chan struct{})
	// The records are stored: record that even if the stream is stopping.
	return s.cp.CheckpointAt(context.WithoutCancel(ctx), last)
}

// waitDone waits until every record read is done, or stop is closed; it
// reports whether they are all done.
func (s *shard) waitDone(stop <-chan struct{}) bool {
	for {
		s.mu.Lock()
		empty, changed := len(s.pending) == 0, s.changed
		s.mu.Unlock()
		if empty {
			return true
		}
		select {
		case <-changed:
		case <-stop:
			return false
		}
	}
}

// checkpointed reports a checkpoint failure other than a lost lease
// (whose records the next owner reads again).
func (d *DeliveryStream) checkpointed(err error) {
	if err != nil && !errors.Is(err, consumergroup.ErrLeaseLost) {
		d.report(fmt.Errorf("delivery: checkpoint: %w", err))
	}
}
