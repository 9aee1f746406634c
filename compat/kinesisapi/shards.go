package kinesisapi

import (
	"context"

	"github.com/kdsgo/kds"
)

// hashKeyRange carries hash keys as decimal strings, as Kinesis does.
type hashKeyRange struct {
	StartingHashKey string `json:"StartingHashKey"`
	EndingHashKey   string `json:"EndingHashKey"`
}

func toHashKeyRange(r kds.HashKeyRange) hashKeyRange {
	return hashKeyRange{StartingHashKey: r.StartingHashKey.String(), EndingHashKey: r.EndingHashKey.String()}
}

// sequenceNumberRange omits EndingSequenceNumber while the shard is open.
type sequenceNumberRange struct {
	StartingSequenceNumber string `json:"StartingSequenceNumber"`
	EndingSequenceNumber   string `json:"EndingSequenceNumber,omitempty"`
}

// shard is a Shard as DescribeStream and ListShards report it; a shard
// without parents omits ParentShardId and AdjacentParentShardId.
type shard struct {
	ShardId               string              `json:"ShardId"`
	ParentShardId         string              `json:"ParentShardId,omitempty"`
	AdjacentParentShardId string              `json:"AdjacentParentShardId,omitempty"`
	HashKeyRange          hashKeyRange        `json:"HashKeyRange"`
	SequenceNumberRange   sequenceNumberRange `json:"SequenceNumberRange"`
}

// toShards converts shard descriptions; it never returns nil, so an empty
// list is written as [].
func toShards(shards []kds.Shard) []shard {
	out := make([]shard, len(shards))
	for i, s := range shards {
		out[i] = shard{
			ShardId:               s.ShardId,
			ParentShardId:         s.ParentShardId,
			AdjacentParentShardId: s.AdjacentParentShardId,
			HashKeyRange:          toHashKeyRange(s.HashKeyRange),
			SequenceNumberRange: sequenceNumberRange{
				StartingSequenceNumber: s.SequenceNumberRange.StartingSequenceNumber.String(),
				EndingSequenceNumber:   s.SequenceNumberRange.EndingSequenceNumber.String(),
			},
		}
	}
	return out
}

type shardFilter struct {
	Type      kds.ShardFilterType `json:"Type"`
	ShardId   string              `json:"ShardId,omitempty"`
	Timestamp *timestamp          `json:"Timestamp,omitempty"`
}

type listShardsInput struct {
	streamRef
	NextToken               string       `json:"NextToken,omitempty"`
	ExclusiveStartShardId   string       `json:"ExclusiveStartShardId,omitempty"`
	MaxResults              *integer     `json:"MaxResults,omitempty"`
	StreamCreationTimestamp *timestamp   `json:"StreamCreationTimestamp,omitempty"`
	ShardFilter             *shardFilter `json:"ShardFilter,omitempty"`
}

type listShardsOutput struct {
	Shards    []shard `json:"Shards"`
	NextToken string  `json:"NextToken,omitempty"`
}

func listShards(ctx context.Context, svc *kds.Service, in listShardsInput) (any, error) {
	var v violations
	v.atLeast(in.MaxResults, "maxResults", 1)
	if in.ShardFilter != nil && in.ShardFilter.Type == "" {
		v.missing("shardFilter.type")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	k := kds.ListShardsInput{
		StreamName:              in.StreamName,
		StreamARN:               in.StreamARN,
		NextToken:               in.NextToken,
		ExclusiveStartShardId:   in.ExclusiveStartShardId,
		MaxResults:              intOrZero(in.MaxResults),
		StreamCreationTimestamp: in.StreamCreationTimestamp.time(),
	}
	if f := in.ShardFilter; f != nil {
		k.ShardFilter = kds.ShardFilter{Type: f.Type, ShardId: f.ShardId, Timestamp: f.Timestamp.time()}
	}
	out, err := svc.ListShards(ctx, k)
	if err != nil {
		return nil, err
	}
	return listShardsOutput{Shards: toShards(out.Shards), NextToken: out.NextToken}, nil
}
