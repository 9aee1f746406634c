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
	h        *heldLease
	shardEnd bool // given to ShardEnded: Checkpoint records SHARD_END
}

// Checkpoint marks every record delivered so far as processed: in
// ProcessRecords the last record of the batch, in ShutdownRequested the
// last record delivered, and in ShardEnded (with the Checkpointer given
// there; one kept from a batch still marks that batch) the end of the shard
// (SHARD_END), which lets its children start. It returns [ErrLeaseLost]
// if the lease was taken, or the store's error.
func (c *Checkpointer) Checkpoint(ctx context.Context) error {
	h := c.h
	return h.update(ctx, func(l *Lease) error {
		switch {
		case c.shardEnd && h.ended:
			l.Checkpoint = CheckpointShardEnd
		case !h.last.seq.IsZero():
			l.Checkpoint = checkpointAt(h.last)
		}
		return nil
	})
}

// CheckpointAt marks the records up to and including rec as processed;
// for a user record of a KPL aggregate, the aggregate's user records up to
// it. rec must have been delivered to this Processor and not come before
// the stored checkpoint; otherwise it returns [ErrCheckpointOutOfRange]. It
// returns [ErrLeaseLost] if the lease was taken, or the store's error.
func (c *Checkpointer) CheckpointAt(ctx context.Context, rec kds.Record) error {
	h := c.h
	p := posOf(rec)
	return h.update(ctx, func(l *Lease) error {
		cur, isSeq := l.Checkpoint.position()
		if p.seq.IsZero() || h.last.seq.IsZero() || p.compare(h.last) > 0 || isSeq && p.compare(cur) < 0 {
			return fmt.Errorf("%w: %s/%d, shard %s: delivered up to %s/%d, checkpoint %s", ErrCheckpointOutOfRange, p.seq, p.sub, h.key, h.last.seq, h.last.sub, l.Checkpoint)
		}
		l.Checkpoint = checkpointAt(p)
		return nil
	})
}
