// Package startup prepares a Service before it is served: it creates the
// streams that `kds serve` and the kdstest fake start with.
package startup

import (
	"context"
	"fmt"
	"time"

	"github.com/kdsgo/kds"
)

// Stream names a stream to create and its shard count.
type Stream struct {
	Name   string
	Shards int
}

// pollInterval is how often CreateStreams looks whether a CREATING stream
// has become ACTIVE on a real clock.
const pollInterval = 5 * time.Millisecond

// CreateStreams creates the streams in svc and returns once all of them
// are ACTIVE. A stream svc already has (from its data directory) is
// kept as it is. It creates at most [kds.MaxStreamsCreating] at a time, as
// the Service allows no more to be CREATING at once. On a
// [kds.ManualClock] a stream that is still CREATING is an error: nothing
// but the caller can move that clock.
func CreateStreams(ctx context.Context, svc *kds.Service, streams []Stream) error {
	for len(streams) > 0 {
		batch := streams[:min(len(streams), kds.MaxStreamsCreating)]
		streams = streams[len(batch):]
		for _, s := range batch {
			if _, exists := svc.Stream(s.Name); exists {
				continue
			}
			if _, err := svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: s.Name, ShardCount: s.Shards}); err != nil {
				return fmt.Errorf("create stream %s: %w", s.Name, err)
			}
		}
		for _, s := range batch {
			if err := waitActive(ctx, svc, s.Name); err != nil {
				return err
			}
		}
	}
	return nil
}

// waitActive polls the stream's status until it is ACTIVE.
func waitActive(ctx context.Context, svc *kds.Service, name string) error {
	_, manual := svc.Clock().(*kds.ManualClock)
	for {
		out, err := svc.DescribeStreamSummary(ctx, kds.DescribeStreamSummaryInput{StreamName: name})
		if err != nil {
			return fmt.Errorf("describe stream %s: %w", name, err)
		}
		status := out.StreamDescriptionSummary.StreamStatus
		if status == kds.StreamStatusActive {
			return nil
		}
		if manual {
			return fmt.Errorf("stream %s is %s on a manual clock; advance the clock past the create delay, or create it after the fake starts", name, status)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for stream %s to become ACTIVE: %w", name, ctx.Err())
		case <-time.After(pollInterval):
		}
	}
}
