package kinesisapi

import (
	"context"

	"github.com/kdsgo/kds"
)

// The resource policy operations name a stream or a consumer by
// ResourceARN. StreamId, which Kinesis reserves and ignores, is not read.

type putResourcePolicyInput struct {
	ResourceARN string `json:"ResourceARN"`
	Policy      string `json:"Policy"`
}

func putResourcePolicy(ctx context.Context, svc *kds.Service, in putResourcePolicyInput) (any, error) {
	_, err := svc.PutResourcePolicy(ctx, kds.PutResourcePolicyInput{ResourceARN: in.ResourceARN, Policy: in.Policy})
	return nil, err
}

type resourcePolicyInput struct {
	ResourceARN string `json:"ResourceARN"`
}

type getResourcePolicyOutput struct {
	Policy string `json:"Policy"`
}

func getResourcePolicy(ctx context.Context, svc *kds.Service, in resourcePolicyInput) (any, error) {
	out, err := svc.GetResourcePolicy(ctx, kds.GetResourcePolicyInput{ResourceARN: in.ResourceARN})
	if err != nil {
		return nil, err
	}
	return getResourcePolicyOutput{Policy: out.Policy}, nil
}

func deleteResourcePolicy(ctx context.Context, svc *kds.Service, in resourcePolicyInput) (any, error) {
	_, err := svc.DeleteResourcePolicy(ctx, kds.DeleteResourcePolicyInput{ResourceARN: in.ResourceARN})
	return nil, err
}
