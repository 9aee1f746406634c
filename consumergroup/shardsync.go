package consumergroup

import (
	"context"
	"errors"
	"fmt"

	"github.com/kdsgo/kds"
)

// syncShards lists the stream's shards and creates a lease for each shard
// that has none, with its parents. A new lease starts at the configured
// initial position when the group is new (it had no leases) or the shard
// has no parent lease; otherwise at TRIM_HORIZON, so that a child is read
// from its first record once its parents are finished. A new group
// starting at LATEST marks closed shards finished (SHARD_END): there is
// nothing after their latest record, and their children start at once.
func (w *Worker) syncShards(ctx context.Context) error {
	shards, err := w.listShards(ctx)
	if err != nil {
		return err
	}
	leases, err := w.cfg.Store.ListLeases(ctx, w.cfg.ApplicationName)
	if err != nil {
		return err
	}
	fresh := len(leases) == 0
	have := make(map[string]bool, len(leases))
	for _, l := range leases {
		have[l.Key] = true
	}
	listed := make(map[string]bool, len(shards))
	for _, sh := range shards { // in shard ID order: parents first
		listed[sh.ShardId] = true
		if have[sh.ShardId] {
			continue
		}
		l := Lease{Key: sh.ShardId, Checkpoint: w.cfg.InitialPosition.sentinel()}
		parentLeased := false
		for _, p := range []string{sh.ParentShardId, sh.AdjacentParentShardId} {
			if p != "" {
				l.ParentShardIDs = append(l.ParentShardIDs, p)
				parentLeased = parentLeased || have[p]
			}
		}
		switch {
		case parentLeased && !fresh:
			l.Checkpoint = CheckpointTrimHorizon
		case fresh && l.Checkpoint == CheckpointLatest && !sh.SequenceNumberRange.EndingSequenceNumber.IsZero():
			l.Checkpoint = CheckpointShardEnd
		}
		err := w.cfg.Store.CreateLease(ctx, w.cfg.ApplicationName, l)
		if err != nil && !errors.Is(err, ErrLeaseExists) {
			return err
		}
		have[sh.ShardId] = true
	}
	w.listed = listed
	return nil
}

// listShards returns every shard of the stream, following NextToken.
func (w *Worker) listShards(ctx context.Context) ([]kds.Shard, error) {
	var shards []kds.Shard
	in := kds.ListShardsInput{StreamName: w.cfg.StreamName}
	for {
		out, err := w.cfg.Client.ListShards(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("consumergroup: listing the shards of %s: %w", w.cfg.StreamName, err)
		}
		shards = append(shards, out.Shards...)
		if out.NextToken == "" {
			return shards, nil
		}
		in = kds.ListShardsInput{NextToken: out.NextToken}
	}
}
