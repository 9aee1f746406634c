package kinesisapi

import (
	"context"

	"github.com/kdsgo/kds"
)

type streamModeDetails struct {
	StreamMode kds.StreamMode `json:"StreamMode"`
}

type createStreamInput struct {
	StreamName         string             `json:"StreamName"`
	ShardCount         *int               `json:"ShardCount,omitempty"`
	StreamModeDetails  *streamModeDetails `json:"StreamModeDetails,omitempty"`
	Tags               map[string]string  `json:"Tags,omitempty"`
	MaxRecordSizeInKiB *int               `json:"MaxRecordSizeInKiB,omitempty"`
}

func createStream(ctx context.Context, svc *kds.Service, req *request) (any, error) {
	var in createStreamInput
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	k := kds.CreateStreamInput{StreamName: in.StreamName, Tags: in.Tags}
	if in.ShardCount != nil {
		k.ShardCount = *in.ShardCount
	}
	if in.StreamModeDetails != nil {
		k.StreamModeDetails.StreamMode = in.StreamModeDetails.StreamMode
	}
	if in.MaxRecordSizeInKiB != nil {
		k.MaxRecordSizeInKiB = *in.MaxRecordSizeInKiB
	}
	_, err := svc.CreateStream(ctx, k)
	return nil, err
}

type streamRef struct {
	StreamName string `json:"StreamName,omitempty"`
	StreamARN  string `json:"StreamARN,omitempty"`
}

type enhancedMetrics struct {
	ShardLevelMetrics []string `json:"ShardLevelMetrics"`
}

type streamDescriptionSummary struct {
	StreamName              string             `json:"StreamName"`
	StreamARN               string             `json:"StreamARN"`
	StreamStatus            kds.StreamStatus   `json:"StreamStatus"`
	StreamModeDetails       streamModeDetails  `json:"StreamModeDetails"`
	RetentionPeriodHours    int                `json:"RetentionPeriodHours"`
	StreamCreationTimestamp *timestamp         `json:"StreamCreationTimestamp"`
	EnhancedMonitoring      []enhancedMetrics  `json:"EnhancedMonitoring"`
	EncryptionType          kds.EncryptionType `json:"EncryptionType,omitempty"`
	KeyId                   string             `json:"KeyId,omitempty"`
	OpenShardCount          int                `json:"OpenShardCount"`
	ConsumerCount           int                `json:"ConsumerCount"`
	MaxRecordSizeInKiB      int                `json:"MaxRecordSizeInKiB,omitempty"`
}

type describeStreamSummaryOutput struct {
	StreamDescriptionSummary streamDescriptionSummary `json:"StreamDescriptionSummary"`
}

func describeStreamSummary(ctx context.Context, svc *kds.Service, req *request) (any, error) {
	var in streamRef
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	out, err := svc.DescribeStreamSummary(ctx, kds.DescribeStreamSummaryInput{StreamName: in.StreamName, StreamARN: in.StreamARN})
	if err != nil {
		return nil, err
	}
	s := out.StreamDescriptionSummary
	return describeStreamSummaryOutput{streamDescriptionSummary{
		StreamName:              s.StreamName,
		StreamARN:               s.StreamARN,
		StreamStatus:            s.StreamStatus,
		StreamModeDetails:       streamModeDetails{s.StreamModeDetails.StreamMode},
		RetentionPeriodHours:    s.RetentionPeriodHours,
		StreamCreationTimestamp: ts(s.StreamCreationTimestamp),
		EnhancedMonitoring:      toEnhancedMetrics(s.EnhancedMonitoring),
		EncryptionType:          s.EncryptionType,
		KeyId:                   s.KeyId,
		OpenShardCount:          s.OpenShardCount,
		ConsumerCount:           s.ConsumerCount,
		MaxRecordSizeInKiB:      s.MaxRecordSizeInKiB,
	}}, nil
}

func toEnhancedMetrics(ms []kds.EnhancedMetrics) []enhancedMetrics {
	out := make([]enhancedMetrics, len(ms))
	for i, m := range ms {
		out[i].ShardLevelMetrics = make([]string, len(m.ShardLevelMetrics))
		for j, n := range m.ShardLevelMetrics {
			out[i].ShardLevelMetrics[j] = string(n)
		}
	}
	return out
}
