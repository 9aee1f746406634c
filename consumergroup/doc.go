// Package consumergroup shares the shards of a Kinesis stream among the
// workers of a consumer group, as the Kinesis Client Library (KCL) does:
// leases over shards, checkpoints in a pluggable store, balancing across
// workers, parent-before-child ordering across resharding, and graceful
// shutdown.
//
// # Model
//
// Each shard has a [Lease] in a [CheckpointStore] ([MemStore] in memory,
// [FileStore] on disk): its owner, a counter and a checkpoint. Every
// change is conditional on the counter and bumps it, so a worker that
// renews, takes or checkpoints a lease someone else changed fails instead
// of overwriting them.
//
// A [Worker] (one per process or goroutine, all with the same
// ApplicationName) runs [Worker.Run], which
//   - lists the stream's shards every ShardSyncInterval and creates the
//     missing leases, recording each shard's parents;
//   - renews its leases every LeaseDuration/3;
//   - in the same rounds, takes its fair share: ceil(leases / workers),
//     the workers being the owners of live leases plus itself. It takes
//     unowned and expired leases first; a lease is expired when its
//     counter has not moved for LeaseDuration as this worker observed it.
//     With none free, it steals one lease per round from the most loaded
//     worker;
//   - runs a shard consumer per lease: GetShardIterator just after the
//     checkpoint, then GetRecords in a loop, pausing IdleTimeBetweenReads
//     after each call, backing off on throttling and re-creating expired
//     iterators, handing each batch to the shard's [Processor].
//
// # Resharding
//
// A shard's lease is processed only once the leases of all its parents
// are at SHARD_END, so records of one partition key are processed in
// order across splits and merges. A parent with no lease that the stream
// no longer lists (its records have expired) counts as finished. The
// Processor of a finished shard must call Checkpoint in ShardEnded to
// record SHARD_END; if it does not, the worker keeps the lease without
// processing it and the children are never started.
//
// The initial position ([TrimHorizon], [Latest], [AtTimestamp]) applies
// to every shard listed when the group is created (the store has no
// leases for it yet), and later to shards without a parent lease; a new
// group at Latest marks the closed shards it finds finished, so their
// children are read from the start. Shards
// that appear later as children of leased shards start at TRIM_HORIZON.
// Two workers creating a group at the same moment may both create leases;
// the store keeps the first of each.
//
// # Delivery
//
// Delivery is at least once. When a lease changes hands — a worker stops
// renewing and its lease expires, or a lease is stolen for balance — the
// new owner starts just after the last checkpoint, so the records the old
// owner processed after that checkpoint are processed again. A stolen
// lease's old owner may also go on processing for up to LeaseDuration/3,
// until its next renewal fails; its checkpoints fail with [ErrLeaseLost].
// When Run's context ends the worker shuts down gracefully: each Processor
// gets ShutdownRequested to checkpoint, then the leases are released
// (owner cleared) so that other workers take them at once.
//
// # KPL aggregation
//
// Records written in KPL's aggregated format reach Processors as the user
// records they contain ([kds.AppendUserRecords]), as KCL delivers them. A
// checkpoint at a user record ([Checkpointer.CheckpointAt]) keeps its
// sub-sequence number, and the next owner resumes with the aggregate's
// next user record. Unlike KCL, an aggregate whose user records hash
// outside the shard's range is delivered, not dropped.
//
// # Not implemented
//
// Enhanced fan-out (the shard consumers poll with GetRecords), deletion of
// finished leases, multi-stream mode, KCL 3's utilisation-based balancing,
// and a store shared between processes.
//
// Time is read only through the configured [kds.Clock], so a group runs
// on a [kds.ManualClock] or inside a testing/synctest bubble.
package consumergroup
