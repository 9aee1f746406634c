package consumergroup

import (
	"context"
	"errors"
	"fmt"

	"github.com/kdsgo/kds"
)

// Errors of a [Checkpointer].
var (
	// ErrLeaseLost is returned when the lease has been taken by another
	// worker (or released by this one): the checkpoint is not stored, and
	// the records since the last stored checkpoint will be processed again
	// by the next owner.
	ErrLeaseLost = errors.New("consumergroup: lease lost")
	// ErrCheckpointOutOfRange is returned by CheckpointAt for a sequence
	// number after the last record delivered or before the stored
	// checkpoint.
	ErrCheckpointOutOfRange = errors.New("consumergroup: checkpoint out of range")
)

// Checkpointer records in the lease how far a [Processor] has got, so that
// after a failover or restart processing resumes just after it. Records
// delivered after the last checkpoint are delivered again to the next
// owner of the lease (at-least-once delivery): checkpoint as often as
// duplicates are costly. A Checkpointer is safe for concurrent use, and
// may be kept and used after the call that provided it returns.
type Checkpointer struct {
	h *heldLease
}

// Checkpoint marks every record delivered so far as processed: in
// ProcessRecords the last record of the batch, in ShutdownRequested the
// last record delivered, and in ShardEnded the end of the shard
// (SHARD_END), which lets its children start. It returns [ErrLeaseLost]
// if the lease was taken, or the store's error.
func (c *Checkpointer) Checkpoint(ctx context.Context) error {
	h := c.h
	return h.update(ctx, func(l *Lease) error {
		switch {
		case h.ended:
			l.Checkpoint = CheckpointShardEnd
		case !h.last.IsZero():
			l.Checkpoint = checkpointAt(h.last)
		}
		return nil
	})
}

// CheckpointAt marks the records up to and including n as processed. n
// must be a record delivered to this Processor, not older than the stored
// checkpoint; otherwise it returns [ErrCheckpointOutOfRange]. It returns
// [ErrLeaseLost] if the lease was taken, or the store's error.
func (c *Checkpointer) CheckpointAt(ctx context.Context, n kds.SequenceNumber) error {
	h := c.h
	return h.update(ctx, func(l *Lease) error {
		cur, isSeq := l.Checkpoint.sequence()
		if n.IsZero() || h.last.IsZero() || n.Compare(h.last) > 0 || isSeq && n.Compare(cur) < 0 {
			return fmt.Errorf("%w: %s, shard %s: delivered up to %s, checkpoint %s", ErrCheckpointOutOfRange, n, h.key, h.last, l.Checkpoint)
		}
		l.Checkpoint = checkpointAt(n)
		return nil
	})
}
