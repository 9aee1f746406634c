package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/kdsgo/kds/compat/internal/load"
)

// activeTimeout bounds the wait for a new stream to become ACTIVE.
const activeTimeout = 30 * time.Second

// ensureStream creates the stream unless it exists, then waits until it
// is ACTIVE.
func ensureStream(ctx context.Context, c *kinesis.Client, name string, shards int) error {
	_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(int32(shards))})
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return fmt.Errorf("create stream %s: %w", name, err)
	}
	return load.WaitActive(ctx, c, name, activeTimeout)
}

// deleteStream deletes the stream so that repeated runs do not pile up
// shards against the server's shard limit. A failure is only reported.
func deleteStream(ctx context.Context, c *kinesis.Client, name string) {
	_, err := c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String(name)})
	if err != nil {
		fmt.Fprintf(os.Stderr, "kdsload: warning: delete stream %s: %v\n", name, err)
	}
}
