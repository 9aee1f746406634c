package kinesisapi

import (
	"context"

	"github.com/kdsgo/kds"
)

type addTagsToStreamInput struct {
	streamRef
	Tags map[string]string `json:"Tags"`
}

func addTagsToStream(ctx context.Context, svc *kds.Service, in addTagsToStreamInput) (any, error) {
	_, err := svc.AddTagsToStream(ctx, kds.AddTagsToStreamInput{StreamName: in.StreamName, StreamARN: in.StreamARN, Tags: in.Tags})
	return nil, err
}

type removeTagsFromStreamInput struct {
	streamRef
	TagKeys []string `json:"TagKeys"`
}

func removeTagsFromStream(ctx context.Context, svc *kds.Service, in removeTagsFromStreamInput) (any, error) {
	_, err := svc.RemoveTagsFromStream(ctx, kds.RemoveTagsFromStreamInput{StreamName: in.StreamName, StreamARN: in.StreamARN, TagKeys: in.TagKeys})
	return nil, err
}

type listTagsForStreamInput struct {
	streamRef
	ExclusiveStartTagKey string   `json:"ExclusiveStartTagKey,omitempty"`
	Limit                *integer `json:"Limit,omitempty"`
}

type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type listTagsForStreamOutput struct {
	Tags        []tag `json:"Tags"`
	HasMoreTags bool  `json:"HasMoreTags"`
}

func listTagsForStream(ctx context.Context, svc *kds.Service, in listTagsForStreamInput) (any, error) {
	var v violations
	v.atLeast(in.Limit, "limit", 1)
	if err := v.err(); err != nil {
		return nil, err
	}
	out, err := svc.ListTagsForStream(ctx, kds.ListTagsForStreamInput{
		StreamName:           in.StreamName,
		StreamARN:            in.StreamARN,
		ExclusiveStartTagKey: in.ExclusiveStartTagKey,
		Limit:                intOrZero(in.Limit),
	})
	if err != nil {
		return nil, err
	}
	return listTagsForStreamOutput{Tags: toTags(out.Tags), HasMoreTags: out.HasMoreTags}, nil
}

func toTags(in []kds.Tag) []tag {
	out := make([]tag, len(in))
	for i, t := range in {
		out[i] = tag{Key: t.Key, Value: t.Value}
	}
	return out
}

// The tagging operations by ARN name a stream or a consumer by
// ResourceARN. StreamId, which Kinesis reserves and ignores, is not read.

type tagResourceInput struct {
	ResourceARN string            `json:"ResourceARN"`
	Tags        map[string]string `json:"Tags"`
}

func tagResource(ctx context.Context, svc *kds.Service, in tagResourceInput) (any, error) {
	_, err := svc.TagResource(ctx, kds.TagResourceInput{ResourceARN: in.ResourceARN, Tags: in.Tags})
	return nil, err
}

type untagResourceInput struct {
	ResourceARN string   `json:"ResourceARN"`
	TagKeys     []string `json:"TagKeys"`
}

func untagResource(ctx context.Context, svc *kds.Service, in untagResourceInput) (any, error) {
	_, err := svc.UntagResource(ctx, kds.UntagResourceInput{ResourceARN: in.ResourceARN, TagKeys: in.TagKeys})
	return nil, err
}

type listTagsForResourceInput struct {
	ResourceARN string `json:"ResourceARN"`
}

type listTagsForResourceOutput struct {
	Tags []tag `json:"Tags"`
}

func listTagsForResource(ctx context.Context, svc *kds.Service, in listTagsForResourceInput) (any, error) {
	out, err := svc.ListTagsForResource(ctx, kds.ListTagsForResourceInput{ResourceARN: in.ResourceARN})
	if err != nil {
		return nil, err
	}
	return listTagsForResourceOutput{Tags: toTags(out.Tags)}, nil
}
