package kinesisapi

import (
	"context"

	"github.com/kdsgo/kds"
)

// streamRef is how a request names its stream: StreamName, StreamARN or
// both. Input shapes embed it. StreamId, which Kinesis reserves and
// ignores, is not read at all.
type streamRef struct {
	StreamName string `json:"StreamName,omitempty"`
	StreamARN  string `json:"StreamARN,omitempty"`
}

type streamModeDetails struct {
	StreamMode kds.StreamMode `json:"StreamMode"`
}

type createStreamInput struct {
	StreamName         string             `json:"StreamName"`
	ShardCount         *integer           `json:"ShardCount,omitempty"`
	StreamModeDetails  *streamModeDetails `json:"StreamModeDetails,omitempty"`
	Tags               map[string]string  `json:"Tags,omitempty"`
	MaxRecordSizeInKiB *integer           `json:"MaxRecordSizeInKiB,omitempty"`
}

func createStream(ctx context.Context, svc *kds.Service, in createStreamInput) (any, error) {
	var v violations
	v.atLeast(in.ShardCount, "shardCount", 1)
	if in.StreamModeDetails != nil && in.StreamModeDetails.StreamMode == "" {
		v.missing("streamModeDetails.streamMode")
	}
	v.atLeast(in.MaxRecordSizeInKiB, "maxRecordSizeInKiB", kds.MinMaxRecordSizeInKiB)
	if err := v.err(); err != nil {
		return nil, err
	}
	k := kds.CreateStreamInput{
		StreamName:         in.StreamName,
		ShardCount:         intOrZero(in.ShardCount),
		Tags:               in.Tags,
		MaxRecordSizeInKiB: intOrZero(in.MaxRecordSizeInKiB),
	}
	if in.StreamModeDetails != nil {
		k.StreamModeDetails.StreamMode = in.StreamModeDetails.StreamMode
	}
	_, err := svc.CreateStream(ctx, k)
	return nil, err
}

type deleteStreamInput struct {
	streamRef
	EnforceConsumerDeletion bool `json:"EnforceConsumerDeletion"`
}

func deleteStream(ctx context.Context, svc *kds.Service, in deleteStreamInput) (any, error) {
	_, err := svc.DeleteStream(ctx, kds.DeleteStreamInput{
		StreamName:              in.StreamName,
		StreamARN:               in.StreamARN,
		EnforceConsumerDeletion: in.EnforceConsumerDeletion,
	})
	return nil, err
}

type enhancedMetrics struct {
	ShardLevelMetrics []string `json:"ShardLevelMetrics"`
}

// streamHeader holds the members StreamDescription and
// StreamDescriptionSummary share.
type streamHeader struct {
	StreamName              string             `json:"StreamName"`
	StreamARN               string             `json:"StreamARN"`
	StreamStatus            kds.StreamStatus   `json:"StreamStatus"`
	StreamModeDetails       streamModeDetails  `json:"StreamModeDetails"`
	RetentionPeriodHours    int                `json:"RetentionPeriodHours"`
	StreamCreationTimestamp *timestamp         `json:"StreamCreationTimestamp,omitempty"`
	EnhancedMonitoring      []enhancedMetrics  `json:"EnhancedMonitoring"`
	EncryptionType          kds.EncryptionType `json:"EncryptionType,omitempty"`
	KeyId                   string             `json:"KeyId,omitempty"`
}

type streamDescription struct {
	streamHeader
	Shards        []shard `json:"Shards"`
	HasMoreShards bool    `json:"HasMoreShards"`
}

type describeStreamInput struct {
	streamRef
	Limit                 *integer `json:"Limit,omitempty"`
	ExclusiveStartShardId string   `json:"ExclusiveStartShardId,omitempty"`
}

type describeStreamOutput struct {
	StreamDescription streamDescription `json:"StreamDescription"`
}

func describeStream(ctx context.Context, svc *kds.Service, in describeStreamInput) (any, error) {
	var v violations
	v.atLeast(in.Limit, "limit", 1)
	if err := v.err(); err != nil {
		return nil, err
	}
	out, err := svc.DescribeStream(ctx, kds.DescribeStreamInput{
		StreamName:            in.StreamName,
		StreamARN:             in.StreamARN,
		Limit:                 intOrZero(in.Limit),
		ExclusiveStartShardId: in.ExclusiveStartShardId,
	})
	if err != nil {
		return nil, err
	}
	d := out.StreamDescription
	return describeStreamOutput{streamDescription{
		streamHeader: streamHeader{
			StreamName:              d.StreamName,
			StreamARN:               d.StreamARN,
			StreamStatus:            d.StreamStatus,
			StreamModeDetails:       streamModeDetails{d.StreamModeDetails.StreamMode},
			RetentionPeriodHours:    d.RetentionPeriodHours,
			StreamCreationTimestamp: ts(d.StreamCreationTimestamp),
			EnhancedMonitoring:      toEnhancedMetrics(d.EnhancedMonitoring),
			EncryptionType:          d.EncryptionType,
			KeyId:                   d.KeyId,
		},
		Shards:        toShards(d.Shards),
		HasMoreShards: d.HasMoreShards,
	}}, nil
}

type streamDescriptionSummary struct {
	streamHeader
	OpenShardCount     int `json:"OpenShardCount"`
	ConsumerCount      int `json:"ConsumerCount"`
	MaxRecordSizeInKiB int `json:"MaxRecordSizeInKiB,omitempty"`
}

type describeStreamSummaryOutput struct {
	StreamDescriptionSummary streamDescriptionSummary `json:"StreamDescriptionSummary"`
}

func describeStreamSummary(ctx context.Context, svc *kds.Service, in streamRef) (any, error) {
	out, err := svc.DescribeStreamSummary(ctx, kds.DescribeStreamSummaryInput{StreamName: in.StreamName, StreamARN: in.StreamARN})
	if err != nil {
		return nil, err
	}
	s := out.StreamDescriptionSummary
	return describeStreamSummaryOutput{streamDescriptionSummary{
		streamHeader: streamHeader{
			StreamName:              s.StreamName,
			StreamARN:               s.StreamARN,
			StreamStatus:            s.StreamStatus,
			StreamModeDetails:       streamModeDetails{s.StreamModeDetails.StreamMode},
			RetentionPeriodHours:    s.RetentionPeriodHours,
			StreamCreationTimestamp: ts(s.StreamCreationTimestamp),
			EnhancedMonitoring:      toEnhancedMetrics(s.EnhancedMonitoring),
			EncryptionType:          s.EncryptionType,
			KeyId:                   s.KeyId,
		},
		OpenShardCount:     s.OpenShardCount,
		ConsumerCount:      s.ConsumerCount,
		MaxRecordSizeInKiB: s.MaxRecordSizeInKiB,
	}}, nil
}

func toEnhancedMetrics(ms []kds.EnhancedMetrics) []enhancedMetrics {
	out := make([]enhancedMetrics, len(ms))
	for i, m := range ms {
		out[i].ShardLevelMetrics = make([]string, len(m.ShardLevelMetrics))
		copy(out[i].ShardLevelMetrics, m.ShardLevelMetrics)
	}
	return out
}

type listStreamsInput struct {
	Limit                    *integer `json:"Limit,omitempty"`
	ExclusiveStartStreamName string   `json:"ExclusiveStartStreamName,omitempty"`
	NextToken                string   `json:"NextToken,omitempty"`
}

type streamSummary struct {
	StreamName              string            `json:"StreamName"`
	StreamARN               string            `json:"StreamARN"`
	StreamStatus            kds.StreamStatus  `json:"StreamStatus"`
	StreamModeDetails       streamModeDetails `json:"StreamModeDetails"`
	StreamCreationTimestamp *timestamp        `json:"StreamCreationTimestamp,omitempty"`
}

type listStreamsOutput struct {
	StreamNames     []string        `json:"StreamNames"`
	HasMoreStreams  bool            `json:"HasMoreStreams"`
	NextToken       string          `json:"NextToken,omitempty"`
	StreamSummaries []streamSummary `json:"StreamSummaries"`
}

func listStreams(ctx context.Context, svc *kds.Service, in listStreamsInput) (any, error) {
	var v violations
	v.atLeast(in.Limit, "limit", 1)
	if err := v.err(); err != nil {
		return nil, err
	}
	out, err := svc.ListStreams(ctx, kds.ListStreamsInput{
		Limit:                    intOrZero(in.Limit),
		ExclusiveStartStreamName: in.ExclusiveStartStreamName,
		NextToken:                in.NextToken,
	})
	if err != nil {
		return nil, err
	}
	summaries := make([]streamSummary, len(out.StreamSummaries))
	for i, s := range out.StreamSummaries {
		summaries[i] = streamSummary{
			StreamName:              s.StreamName,
			StreamARN:               s.StreamARN,
			StreamStatus:            s.StreamStatus,
			StreamModeDetails:       streamModeDetails{s.StreamModeDetails.StreamMode},
			StreamCreationTimestamp: ts(s.StreamCreationTimestamp),
		}
	}
	names := out.StreamNames
	if names == nil {
		names = []string{}
	}
	return listStreamsOutput{StreamNames: names, HasMoreStreams: out.HasMoreStreams, NextToken: out.NextToken, StreamSummaries: summaries}, nil
}
