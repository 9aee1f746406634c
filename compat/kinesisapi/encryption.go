package kinesisapi

import (
	"context"

	"github.com/kdsgo/kds"
)

// streamEncryptionInput is the input shape of both Start- and
// StopStreamEncryption.
type streamEncryptionInput struct {
	streamRef
	EncryptionType kds.EncryptionType `json:"EncryptionType,omitempty"`
	KeyId          string             `json:"KeyId,omitempty"`
}

func startStreamEncryption(ctx context.Context, svc *kds.Service, in streamEncryptionInput) (any, error) {
	_, err := svc.StartStreamEncryption(ctx, kds.StartStreamEncryptionInput{
		StreamName:     in.StreamName,
		StreamARN:      in.StreamARN,
		EncryptionType: in.EncryptionType,
		KeyId:          in.KeyId,
	})
	return nil, err
}

func stopStreamEncryption(ctx context.Context, svc *kds.Service, in streamEncryptionInput) (any, error) {
	_, err := svc.StopStreamEncryption(ctx, kds.StopStreamEncryptionInput{
		StreamName:     in.StreamName,
		StreamARN:      in.StreamARN,
		EncryptionType: in.EncryptionType,
		KeyId:          in.KeyId,
	})
	return nil, err
}
