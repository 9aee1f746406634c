package kinesisapi

import (
	"context"

	"github.com/kdsgo/kds"
)

type describeLimitsOutput struct {
	ShardLimit               int `json:"ShardLimit"`
	OpenShardCount           int `json:"OpenShardCount"`
	OnDemandStreamCount      int `json:"OnDemandStreamCount"`
	OnDemandStreamCountLimit int `json:"OnDemandStreamCountLimit"`
}

func describeLimits(ctx context.Context, svc *kds.Service, in struct{}) (any, error) {
	out, err := svc.DescribeLimits(ctx, kds.DescribeLimitsInput{})
	if err != nil {
		return nil, err
	}
	return describeLimitsOutput{
		ShardLimit:               out.ShardLimit,
		OpenShardCount:           out.OpenShardCount,
		OnDemandStreamCount:      out.OnDemandStreamCount,
		OnDemandStreamCountLimit: out.OnDemandStreamCountLimit,
	}, nil
}

// updateMaxRecordSizeInput addresses the stream by StreamARN only, as
// Kinesis does.
type updateMaxRecordSizeInput struct {
	StreamARN          string   `json:"StreamARN"`
	MaxRecordSizeInKiB *integer `json:"MaxRecordSizeInKiB,omitempty"`
}

func updateMaxRecordSize(ctx context.Context, svc *kds.Service, in updateMaxRecordSizeInput) (any, error) {
	var v violations
	v.atLeast(in.MaxRecordSizeInKiB, "maxRecordSizeInKiB", kds.MinMaxRecordSizeInKiB)
	if err := v.err(); err != nil {
		return nil, err
	}
	_, err := svc.UpdateMaxRecordSize(ctx, kds.UpdateMaxRecordSizeInput{StreamARN: in.StreamARN, MaxRecordSizeInKiB: intOrZero(in.MaxRecordSizeInKiB)})
	return nil, err
}
