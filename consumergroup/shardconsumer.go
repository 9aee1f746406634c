package consumergroup

import (
	"context"
	"errors"
	"time"

	"github.com/kdsgo/kds"
)

// Backoff of a shard consumer after a failed call: it doubles from
// minBackoff up to maxBackoff and resets after a success.
const (
	minBackoff = 100 * time.Millisecond
	maxBackoff = 5 * time.Second
)

// consume runs the Processor of one held lease until the shard ends, the
// lease is lost or the worker shuts down (ctx ends), and then gives the
// Processor its last call and settles the lease.
func (w *Worker) consume(ctx context.Context, h *heldLease) {
	defer w.consumers.Done()
	defer w.drop(h)
	p := w.cfg.NewProcessor(h.key)
	cp := &Checkpointer{h: h}
	start := h.checkpoint()
	p.Initialize(ctx, InitializeInput{ShardID: h.key, ExtendedSequenceNumber: start})
	children, ended := w.read(ctx, h, p, cp, start)
	final := context.WithoutCancel(ctx)
	switch {
	case ended:
		h.reachedEnd()
		p.ShardEnded(final, ShardEndedInput{Checkpointer: &Checkpointer{h: h, shardEnd: true}})
		if h.checkpoint() == CheckpointShardEnd {
			w.createChildLeases(final, children)
			w.recordRelease(h.release(final))
			return
		}
		// The Processor did not mark the shard finished: keep the lease,
		// so that nobody starts the children, until it is lost or the
		// worker shuts down.
		<-ctx.Done()
		if !errors.Is(context.Cause(ctx), errLeaseLost) {
			w.recordRelease(h.release(final))
		}
	case errors.Is(context.Cause(ctx), errLeaseLost):
		p.LeaseLost(final, LeaseLostInput{})
	default:
		p.ShutdownRequested(final, ShutdownRequestedInput{Checkpointer: cp})
		w.recordRelease(h.release(final))
	}
}

// read delivers the shard's records to p from just after start until ctx
// ends or the shard does; ended reports the latter, with the shard's
// children.
func (w *Worker) read(ctx context.Context, h *heldLease, p Processor, cp *Checkpointer, start ExtendedSequenceNumber) (children []kds.ChildShard, ended bool) {
	var (
		iterator string
		last     kds.SequenceNumber // last Kinesis record delivered
		backoff  time.Duration
	)
	// A checkpoint inside a KPL aggregate resumes at the aggregate: skip
	// what the checkpoint covers.
	skip, resumed := start.position()
	// retry waits before the next attempt after a failed call.
	retry := func() {
		backoff = min(max(2*backoff, minBackoff), maxBackoff)
		w.wait(ctx, backoff)
	}
	for ctx.Err() == nil {
		if iterator == "" {
			out, err := w.cfg.Client.GetShardIterator(ctx, w.iteratorInput(h.key, start, last))
			switch {
			case errors.Is(err, kds.ErrResourceNotFound):
				return nil, true // the shard has left the retention window
			case err != nil:
				retry()
				continue
			}
			iterator = out.ShardIterator
		}
		out, err := w.cfg.Client.GetRecords(ctx, kds.GetRecordsInput{ShardIterator: iterator, Limit: w.cfg.MaxRecords})
		switch {
		case errors.Is(err, kds.ErrResourceNotFound):
			return nil, true
		case errors.Is(err, kds.ErrExpiredIterator):
			iterator = ""
			continue
		case err != nil:
			if !kds.IsRetriable(err) {
				iterator = ""
			}
			retry()
			continue
		}
		backoff = 0
		records := make([]kds.Record, 0, len(out.Records)) // the Processor may keep it
		for _, rec := range out.Records {
			records = kds.AppendUserRecords(records, rec)
		}
		if resumed && len(out.Records) > 0 {
			for len(records) > 0 && skip.covers(records[0]) {
				records = records[1:]
			}
			resumed = false
		}
		if n := len(out.Records); n > 0 {
			last = out.Records[n-1].SequenceNumber
		}
		if ctx.Err() != nil {
			break // shutting down or lost: deliver nothing more
		}
		if n := len(records); n > 0 {
			h.delivered(posOf(records[n-1]))
			p.ProcessRecords(ctx, ProcessRecordsInput{Records: records, MillisBehindLatest: out.MillisBehindLatest, Checkpointer: cp})
		}
		if out.NextShardIterator == "" {
			return out.ChildShards, true
		}
		iterator = out.NextShardIterator
		w.wait(ctx, w.cfg.IdleTimeBetweenReads)
	}
	return nil, false
}

// iteratorInput asks for an iterator just after last, or, if nothing has
// been read yet, at the position checkpoint denotes: at its record, which
// the caller skips as far as the checkpoint covers it (all of a plain
// record, some user records of an aggregate).
func (w *Worker) iteratorInput(shardID string, checkpoint ExtendedSequenceNumber, last kds.SequenceNumber) kds.GetShardIteratorInput {
	in := kds.GetShardIteratorInput{StreamName: w.cfg.StreamName, ShardId: shardID}
	cp, atCheckpoint := checkpoint.position()
	switch {
	case !last.IsZero():
		in.ShardIteratorType = kds.ShardIteratorTypeAfterSequenceNumber
		in.StartingSequenceNumber = last.String()
	case atCheckpoint:
		in.ShardIteratorType = kds.ShardIteratorTypeAtSequenceNumber
		in.StartingSequenceNumber = cp.seq.String()
	case checkpoint == CheckpointLatest:
		in.ShardIteratorType = kds.ShardIteratorTypeLatest
	case checkpoint == CheckpointAtTimestamp:
		in.ShardIteratorType = kds.ShardIteratorTypeAtTimestamp
		in.Timestamp = w.cfg.InitialPosition.at
	default:
		in.ShardIteratorType = kds.ShardIteratorTypeTrimHorizon
	}
	return in
}

// createChildLeases creates the leases of a finished shard's children, so
// they can start without waiting for the next shard sync. Failures are
// left to that sync.
func (w *Worker) createChildLeases(ctx context.Context, children []kds.ChildShard) {
	for _, c := range children {
		l := Lease{Key: c.ShardId, Checkpoint: CheckpointTrimHorizon, ParentShardIDs: c.ParentShards}
		_ = w.cfg.Store.CreateLease(ctx, w.cfg.ApplicationName, l)
	}
}

// wait waits d on the clock and reports whether ctx is still live.
func (w *Worker) wait(ctx context.Context, d time.Duration) bool {
	select {
	case <-w.cfg.Clock.After(d):
		return true
	case <-ctx.Done():
		return false
	}
}
