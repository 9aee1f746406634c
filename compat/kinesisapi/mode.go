package kinesisapi

import (
	"context"

	"github.com/kdsgo/kds"
)

// updateStreamModeInput addresses the stream by StreamARN only, as Kinesis
// does.
type updateStreamModeInput struct {
	StreamARN         string             `json:"StreamARN"`
	StreamModeDetails *streamModeDetails `json:"StreamModeDetails,omitempty"`
}

func updateStreamMode(ctx context.Context, svc *kds.Service, in updateStreamModeInput) (any, error) {
	if in.StreamModeDetails == nil {
		var v violations
		v.missing("streamModeDetails")
		return nil, v.err()
	}
	_, err := svc.UpdateStreamMode(ctx, kds.UpdateStreamModeInput{
		StreamARN:         in.StreamARN,
		StreamModeDetails: kds.StreamModeDetails{StreamMode: in.StreamModeDetails.StreamMode},
	})
	return nil, err
}
