package kinesisapi

import (
	"context"

	"github.com/kdsgo/kds"
)

// retentionInput is the input shape of both Increase- and
// DecreaseStreamRetentionPeriod.
type retentionInput struct {
	streamRef
	RetentionPeriodHours *int `json:"RetentionPeriodHours,omitempty"`
}

// decodeRetention reads and checks a retention change request.
func decodeRetention(req *request) (retentionInput, error) {
	var in retentionInput
	if err := req.decode(&in); err != nil {
		return in, err
	}
	var v violations
	v.atLeast(in.RetentionPeriodHours, "retentionPeriodHours", 1)
	return in, v.err()
}

func increaseStreamRetentionPeriod(ctx context.Context, svc *kds.Service, req *request) (any, error) {
	in, err := decodeRetention(req)
	if err != nil {
		return nil, err
	}
	_, err = svc.IncreaseStreamRetentionPeriod(ctx, kds.IncreaseStreamRetentionPeriodInput{
		StreamName:           in.StreamName,
		StreamARN:            in.StreamARN,
		RetentionPeriodHours: intOrZero(in.RetentionPeriodHours),
	})
	return nil, err
}

func decreaseStreamRetentionPeriod(ctx context.Context, svc *kds.Service, req *request) (any, error) {
	in, err := decodeRetention(req)
	if err != nil {
		return nil, err
	}
	_, err = svc.DecreaseStreamRetentionPeriod(ctx, kds.DecreaseStreamRetentionPeriodInput{
		StreamName:           in.StreamName,
		StreamARN:            in.StreamARN,
		RetentionPeriodHours: intOrZero(in.RetentionPeriodHours),
	})
	return nil, err
}
