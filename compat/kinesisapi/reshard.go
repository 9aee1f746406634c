package kinesisapi

import (
	"context"

	"github.com/kdsgo/kds"
)

type splitShardInput struct {
	streamRef
	ShardToSplit       string `json:"ShardToSplit"`
	NewStartingHashKey string `json:"NewStartingHashKey"`
}

func splitShard(ctx context.Context, svc *kds.Service, in splitShardInput) (any, error) {
	_, err := svc.SplitShard(ctx, kds.SplitShardInput{
		StreamName:         in.StreamName,
		StreamARN:          in.StreamARN,
		ShardToSplit:       in.ShardToSplit,
		NewStartingHashKey: in.NewStartingHashKey,
	})
	return nil, err
}

type mergeShardsInput struct {
	streamRef
	ShardToMerge         string `json:"ShardToMerge"`
	AdjacentShardToMerge string `json:"AdjacentShardToMerge"`
}

func mergeShards(ctx context.Context, svc *kds.Service, in mergeShardsInput) (any, error) {
	_, err := svc.MergeShards(ctx, kds.MergeShardsInput{
		StreamName:           in.StreamName,
		StreamARN:            in.StreamARN,
		ShardToMerge:         in.ShardToMerge,
		AdjacentShardToMerge: in.AdjacentShardToMerge,
	})
	return nil, err
}

type updateShardCountInput struct {
	streamRef
	TargetShardCount *integer        `json:"TargetShardCount,omitempty"`
	ScalingType      kds.ScalingType `json:"ScalingType"`
}

type updateShardCountOutput struct {
	StreamName        string `json:"StreamName"`
	StreamARN         string `json:"StreamARN"`
	CurrentShardCount int    `json:"CurrentShardCount"`
	TargetShardCount  int    `json:"TargetShardCount"`
}

func updateShardCount(ctx context.Context, svc *kds.Service, in updateShardCountInput) (any, error) {
	var v violations
	v.atLeast(in.TargetShardCount, "targetShardCount", 1)
	if err := v.err(); err != nil {
		return nil, err
	}
	out, err := svc.UpdateShardCount(ctx, kds.UpdateShardCountInput{
		StreamName:       in.StreamName,
		StreamARN:        in.StreamARN,
		TargetShardCount: intOrZero(in.TargetShardCount),
		ScalingType:      in.ScalingType,
	})
	if err != nil {
		return nil, err
	}
	return updateShardCountOutput{
		StreamName:        out.StreamName,
		StreamARN:         out.StreamARN,
		CurrentShardCount: out.CurrentShardCount,
		TargetShardCount:  out.TargetShardCount,
	}, nil
}
