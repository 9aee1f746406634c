package testfake

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
)

// Backoff says how long to wait before each retry: capped exponential
// backoff with jitter. The zero value uses the defaults noted on the
// fields.
type Backoff struct {
	// Base is the wait before the first retry, before jitter.
	// Default: 100 ms.
	Base time.Duration
	// Max caps the wait. Default: 5 s.
	Max time.Duration
	// MaxAttempts is how many calls in a row may make no progress before
	// the caller gives up. Default: 10.
	MaxAttempts int
	// Sleep waits for d or until ctx ends. Default: a timer. A test may
	// replace it, for instance to advance a manual clock.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Delay returns the wait before retry number retry (0 for the first):
// Base doubled retry times, capped at Max, of which a random half is
// dropped so that clients throttled together do not retry together.
func (b Backoff) Delay(retry int) time.Duration {
	base, ceiling := b.Base, b.Max
	if base <= 0 {
		base = 100 * time.Millisecond
	}
	if ceiling <= 0 {
		ceiling = 5 * time.Second
	}
	d := ceiling
	if retry < 32 && base<<retry < ceiling && base<<retry > 0 {
		d = base << retry
	}
	return d/2 + rand.N(d/2+1)
}

// maxAttempts returns MaxAttempts or its default.
func (b Backoff) maxAttempts() int {
	if b.MaxAttempts <= 0 {
		return 10
	}
	return b.MaxAttempts
}

// wait sleeps before retry number retry.
func (b Backoff) wait(ctx context.Context, retry int) error {
	d := b.Delay(retry)
	if b.Sleep != nil {
		return b.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// throttled reports whether err says the call may succeed if tried again
// later: the shard or account was over a limit, or the service failed.
func throttled(err error) bool {
	var (
		pte *types.ProvisionedThroughputExceededException
		lee *types.LimitExceededException
		kms *types.KMSThrottlingException
		ife *types.InternalFailureException
	)
	if errors.As(err, &pte) || errors.As(err, &lee) || errors.As(err, &kms) || errors.As(err, &ife) {
		return true
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		return false
	}
	switch api.ErrorCode() {
	case "ThrottlingException", "InternalFailure", "ServiceUnavailable":
		return true
	}
	return false
}

// do calls fn until it succeeds, waiting between calls while it fails for
// throttling, and gives up after MaxAttempts calls.
func (b Backoff) do(ctx context.Context, fn func() error) error {
	for retry := 0; ; retry++ {
		err := fn()
		if err == nil || !throttled(err) || retry+1 >= b.maxAttempts() {
			return err
		}
		if err := b.wait(ctx, retry); err != nil {
			return err
		}
	}
}
