package consumergroup

import (
	"context"

	"github.com/kdsgo/kds"
)

// Processor handles the records of one shard for one lease holder, as a
// KCL ShardRecordProcessor does. A worker creates one per shard lease it
// takes (through [Config.NewProcessor]) and calls it from one goroutine:
// Initialize first, then ProcessRecords any number of times, then exactly
// one of ShardEnded, LeaseLost and ShutdownRequested. Methods of different
// Processors run concurrently.
//
// The worker holds no lock while it runs a Processor, so a method may take
// as long as it needs; but a worker that has not renewed its lease for
// [Config.LeaseDuration] loses it to another worker, which then starts at
// the last checkpoint.
type Processor interface {
	// Initialize is called once before any records, with the checkpoint
	// processing resumes after.
	Initialize(ctx context.Context, in InitializeInput)
	// ProcessRecords handles one batch of records, in shard order. ctx is
	// canceled when the lease is lost or the worker shuts down. A
	// Processor that gives up on a batch part-way because of that must
	// not then call Checkpoint in ShutdownRequested, which marks every
	// delivered record processed; it can checkpoint the last record it
	// finished with CheckpointAt.
	ProcessRecords(ctx context.Context, in ProcessRecordsInput)
	// LeaseLost reports that another worker took the lease (or that this
	// worker could not renew it). Checkpointing is no longer possible.
	LeaseLost(ctx context.Context, in LeaseLostInput)
	// ShardEnded reports that every record of a closed shard has been
	// processed. The Processor must call in.Checkpointer.Checkpoint to
	// record SHARD_END: until it does, the shard's children are not
	// processed by anyone.
	ShardEnded(ctx context.Context, in ShardEndedInput)
	// ShutdownRequested is called when the worker shuts down gracefully
	// (its Run context ended): the last chance to checkpoint before the
	// lease is released.
	ShutdownRequested(ctx context.Context, in ShutdownRequestedInput)
}

// InitializeInput is the input of [Processor.Initialize].
type InitializeInput struct {
	// ShardID is the shard this Processor handles.
	ShardID string
	// ExtendedSequenceNumber is the lease's checkpoint: processing starts
	// just after it (or at the start it names, for a sentinel).
	ExtendedSequenceNumber ExtendedSequenceNumber
}

// ProcessRecordsInput is the input of [Processor.ProcessRecords].
type ProcessRecordsInput struct {
	// Records is the batch, in shard order, never empty. The records share
	// the stream's memory and are read-only.
	Records []kds.Record
	// MillisBehindLatest is how far the batch is behind the tip of the
	// shard, in milliseconds; 0 means caught up.
	MillisBehindLatest int64
	// Checkpointer records progress; Checkpoint marks the whole batch as
	// processed.
	Checkpointer *Checkpointer
}

// LeaseLostInput is the input of [Processor.LeaseLost].
type LeaseLostInput struct{}

// ShardEndedInput is the input of [Processor.ShardEnded].
type ShardEndedInput struct {
	// Checkpointer's Checkpoint marks the shard SHARD_END.
	Checkpointer *Checkpointer
}

// ShutdownRequestedInput is the input of [Processor.ShutdownRequested].
type ShutdownRequestedInput struct {
	// Checkpointer's Checkpoint marks every record delivered so far as
	// processed.
	Checkpointer *Checkpointer
}
