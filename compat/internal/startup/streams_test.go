package startup

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/kdsgo/kds"
)

// More streams than may be CREATING at once, with a create delay on the
// real clock: CreateStreams must create them in batches and wait.
func TestCreateStreamsInBatches(t *testing.T) {
	svc, err := kds.NewService(kds.WithStatusDelays(kds.StatusDelays{Create: time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	var streams []Stream
	for i := range kds.MaxStreamsCreating + 2 {
		streams = append(streams, Stream{Name: fmt.Sprint("s", i), Shards: i + 1})
	}
	if err := CreateStreams(context.Background(), svc, streams); err != nil {
		t.Fatal(err)
	}
	for _, s := range streams {
		out, err := svc.DescribeStreamSummary(context.Background(), kds.DescribeStreamSummaryInput{StreamName: s.Name})
		if err != nil {
			t.Fatal(err)
		}
		if d := out.StreamDescriptionSummary; d.StreamStatus != kds.StreamStatusActive || d.OpenShardCount != s.Shards {
			t.Errorf("%s is %s with %d shards, want ACTIVE with %d", s.Name, d.StreamStatus, d.OpenShardCount, s.Shards)
		}
	}
}

func TestCreateStreamsStopsWithContext(t *testing.T) {
	svc, err := kds.NewService(kds.WithStatusDelays(kds.StatusDelays{Create: time.Hour}))
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = CreateStreams(ctx, svc, []Stream{{Name: "s", Shards: 1}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("CreateStreams with an ended context: %v, want context.Canceled", err)
	}
}
