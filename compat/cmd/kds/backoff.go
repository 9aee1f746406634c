package main

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// Bounds of the delay between retries.
const (
	minBackoff = 100 * time.Millisecond
	maxBackoff = 5 * time.Second
)

// backoff spaces out retries: each wait is about twice the last, from
// minBackoff up to maxBackoff, with jitter so that concurrent retries
// spread out. The zero value is ready to use.
type backoff struct{ next time.Duration }

// wait sleeps for the next delay, or until ctx ends.
func (b *backoff) wait(ctx context.Context) error {
	d := max(b.next, minBackoff)
	b.next = min(2*d, maxBackoff)
	return sleep(ctx, d/2+rand.N(d/2+1))
}

// reset starts the delays from minBackoff again, after a success.
func (b *backoff) reset() { b.next = 0 }

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
