package load

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// activeTimeout bounds the wait for a new stream to become ACTIVE.
const activeTimeout = 30 * time.Second

// WaitActive polls DescribeStreamSummary until the stream is ACTIVE, for
// at most 30 seconds.
func WaitActive(ctx context.Context, c *kinesis.Client, name string) error {
	deadline := time.Now().Add(activeTimeout)
	for {
		out, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		if err != nil {
			return fmt.Errorf("describe stream %s: %w", name, err)
		}
		status := out.StreamDescriptionSummary.StreamStatus
		if status == types.StreamStatusActive {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("stream %s still %s after %v", name, status, activeTimeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// RandomHex returns 2n random hexadecimal digits.
func RandomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
