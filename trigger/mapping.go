package trigger

import (
	"context"
	"time"

	"github.com/kdsgo/kds/consumergroup"
)

// pollInterval is the pause between two GetRecords calls on a shard:
// Lambda polls each shard of a stream about once a second.
const pollInterval = time.Second

// Mapping is an event source mapping: it reads a Kinesis stream and
// invokes a [Handler] with batches of its records, as Lambda does for a
// function mapped to a stream. It runs as a member of a consumer group
// (see package consumergroup), so several processes sharing a
// CheckpointStore share the shards of the stream.
type Mapping struct {
	s      settings
	worker *consumergroup.Worker
}

// New returns a Mapping for cfg, or every reason cfg is invalid.
func New(cfg Config) (*Mapping, error) {
	s, err := cfg.settle()
	if err != nil {
		return nil, err
	}
	m := &Mapping{s: s}
	m.worker, err = consumergroup.NewWorker(consumergroup.Config{
		ApplicationName:      s.FunctionName + "." + s.stream,
		StreamName:           s.stream,
		WorkerID:             s.WorkerID,
		Client:               s.Client,
		Store:                s.Store,
		NewProcessor:         m.newShard,
		InitialPosition:      s.initialPosition(),
		IdleTimeBetweenReads: pollInterval,
		Clock:                s.Clock,
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// Run reads the stream and invokes the handler until ctx ends, then stops
// invoking, lets the invocations under way finish, and releases its
// shards; see [consumergroup.Worker.Run] for what it returns. Run may be
// called only once.
func (m *Mapping) Run(ctx context.Context) error {
	return m.worker.Run(ctx)
}

// initialPosition is StartingPosition as a consumer group's.
func (s settings) initialPosition() consumergroup.InitialPosition {
	switch s.StartingPosition {
	case Latest:
		return consumergroup.Latest()
	case AtTimestamp:
		return consumergroup.AtTimestamp(s.StartingPositionTimestamp)
	}
	return consumergroup.TrimHorizon()
}
