package main

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	exponential "github.com/kdsgo/kds/internal/backoff"
)

// Bounds of the delay between retries.
const (
	minBackoff = 100 * time.Millisecond
	maxBackoff = 5 * time.Second
)

// backoff spaces out retries: each wait is about twice the last, from
// minBackoff up to maxBackoff, spread by half either way so that
// concurrent retries do not line up. The zero value is ready to use.
type backoff struct{ retries int }

// pacing is the delays' shape.
var pacing = exponential.Exponential{Min: minBackoff, Max: maxBackoff, Jitter: 0.5}

// wait sleeps for the next delay, or until ctx ends.
func (b *backoff) wait(ctx context.Context) error {
	b.retries++
	return sleep(ctx, pacing.Delay(b.retries))
}

// reset starts the delays from minBackoff again, after a success.
func (b *backoff) reset() { b.retries = 0 }

// sleep waits for d or until ctx ends, and returns ctx's error then.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// transient reports whether err is one the SDK would retry: throttling
// (ProvisionedThroughputExceededException, LimitExceededException, ...),
// a 5xx answer or a broken connection.
func transient(err error) bool {
	return retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary ||
		retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err) == aws.TrueTernary
}
