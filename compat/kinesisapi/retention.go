package kinesisapi

import (
	"context"

	"github.com/kdsgo/kds"
)

// retentionInput is the input shape of both Increase- and
// DecreaseStreamRetentionPeriod.
type retentionInput struct {
	streamRef
	RetentionPeriodHours *integer `json:"RetentionPeriodHours,omitempty"`
}

// check returns the violations only the wire can see.
func (in retentionInput) check() error {
	var v violations
	v.atLeast(in.RetentionPeriodHours, "retentionPeriodHours", 1)
	return v.err()
}

func increaseStreamRetentionPeriod(ctx context.Context, svc *kds.Service, in retentionInput) (any, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	_, err := svc.IncreaseStreamRetentionPeriod(ctx, kds.IncreaseStreamRetentionPeriodInput{
		StreamName:           in.StreamName,
		StreamARN:            in.StreamARN,
		RetentionPeriodHours: intOrZero(in.RetentionPeriodHours),
	})
	return nil, err
}

func decreaseStreamRetentionPeriod(ctx context.Context, svc *kds.Service, in retentionInput) (any, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	_, err := svc.DecreaseStreamRetentionPeriod(ctx, kds.DecreaseStreamRetentionPeriodInput{
		StreamName:           in.StreamName,
		StreamARN:            in.StreamARN,
		RetentionPeriodHours: intOrZero(in.RetentionPeriodHours),
	})
	return nil, err
}
