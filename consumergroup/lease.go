package consumergroup

import "slices"

// Lease is the shared record of who processes one shard and how far it
// has got, as KCL keeps it in its lease table. Every change to a lease is
// conditional on Counter (see [CheckpointStore.UpdateLease]), so two
// workers never both believe they changed it.
type Lease struct {
	// Key is the shard ID.
	Key string `json:"leaseKey"`
	// Owner is the ID of the worker holding the lease; empty when nobody
	// holds it.
	Owner string `json:"leaseOwner,omitempty"`
	// Counter goes up by one with every change: renewal, take, checkpoint
	// or release. A counter that stops moving is how other workers see
	// that the owner has gone.
	Counter int64 `json:"leaseCounter"`
	// Checkpoint is the position processing has reached: a sequence number
	// or one of the sentinels.
	Checkpoint ExtendedSequenceNumber `json:"checkpoint"`
	// ParentShardIDs are the shards this one was split or merged from; it
	// is processed only once all of them have reached SHARD_END.
	ParentShardIDs []string `json:"parentShardIds,omitempty"`
}

// clone returns a copy of l that shares no memory with it.
func (l Lease) clone() Lease {
	l.ParentShardIDs = slices.Clone(l.ParentShardIDs)
	return l
}

// finished reports whether the shard has been processed to its end.
func (l Lease) finished() bool { return l.Checkpoint == CheckpointShardEnd }
