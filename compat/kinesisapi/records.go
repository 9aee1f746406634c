package kinesisapi

import (
	"context"

	"github.com/kdsgo/kds"
)

type putRecordInput struct {
	StreamName                string `json:"StreamName"`
	StreamARN                 string `json:"StreamARN"`
	Data                      blob   `json:"Data"`
	PartitionKey              string `json:"PartitionKey"`
	ExplicitHashKey           string `json:"ExplicitHashKey"`
	SequenceNumberForOrdering string `json:"SequenceNumberForOrdering"`
}

type putRecordOutput struct {
	ShardId        string             `json:"ShardId"`
	SequenceNumber string             `json:"SequenceNumber"`
	EncryptionType kds.EncryptionType `json:"EncryptionType,omitempty"`
}

func putRecord(ctx context.Context, svc *kds.Service, req *request) (any, error) {
	var in putRecordInput
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	out, err := svc.PutRecord(ctx, kds.PutRecordInput{
		StreamName:                in.StreamName,
		StreamARN:                 in.StreamARN,
		Data:                      in.Data,
		PartitionKey:              in.PartitionKey,
		ExplicitHashKey:           in.ExplicitHashKey,
		SequenceNumberForOrdering: in.SequenceNumberForOrdering,
	})
	if err != nil {
		return nil, err
	}
	return putRecordOutput{ShardId: out.ShardId, SequenceNumber: out.SequenceNumber.String(), EncryptionType: out.EncryptionType}, nil
}
