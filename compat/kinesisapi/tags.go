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
	ExclusiveStartTagKey string `json:"ExclusiveStartTagKey,omitempty"`
	Limit                *int   `json:"Limit,omitempty"`
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
	tags := make([]tag, len(out.Tags))
	for i, t := range out.Tags {
		tags[i] = tag{Key: t.Key, Value: t.Value}
	}
	return listTagsForStreamOutput{Tags: tags, HasMoreTags: out.HasMoreTags}, nil
}
