package delivery

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/kdsgo/kds/consumergroup"
)

// DeliveryStream reads a Kinesis stream and delivers its records to a
// [Destination], as a Firehose delivery stream with a Kinesis stream
// source does. Make one with New and start it with Run.
type DeliveryStream struct {
	cfg     *settings
	worker  *consumergroup.Worker
	running atomic.Bool
	stats   counters

	mu    sync.Mutex
	open  map[string]*buffer // by partition
	queue []*buffer          // sealed, waiting for delivery
	room  chan struct{}      // closed and replaced when the queue shrinks

	wake    chan struct{} // wakes the delivery loop
	stopped chan struct{} // closed when Run's context ends
}

// New returns a DeliveryStream for cfg, or every reason cfg is invalid.
func New(cfg Config) (*DeliveryStream, error) {
	s, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	d := &DeliveryStream{
		cfg:     s,
		open:    map[string]*buffer{},
		room:    make(chan struct{}),
		wake:    make(chan struct{}, 1),
		stopped: make(chan struct{}),
	}
	d.worker, err = consumergroup.NewWorker(consumergroup.Config{
		ApplicationName: s.DeliveryStreamName,
		StreamName:      s.StreamName,
		Client:          s.Client,
		Store:           s.Store,
		NewProcessor:    d.newProcessor,
		InitialPosition: s.initial,
		Clock:           s.Clock,
	})
	if err != nil {
		return nil, err
	}
	for _, dest := range []Destination{s.Destination, s.ErrorOutput} {
		if c, ok := dest.(ClockedDestination); ok {
			c.SetDefaultClock(s.Clock)
		}
	}
	return d, nil
}

// Run reads the stream and delivers its records until ctx ends. It runs
// a consumer group worker (group DeliveryStreamName in Config.Store)
// whose Processors feed the buffers, and delivers the buffers from one
// goroutine.
//
// When ctx ends Run stops at once, as a crash would as far as records go:
// buffered records are not delivered, a delivery in progress is given up
// (its ctx ends), and the leases are released with their checkpoints
// covering exactly the records already delivered, so the next run reads
// the rest again. Run returns nil then, or the consumer group's error
// (such as a missing stream). It may be called only once.
func (d *DeliveryStream) Run(ctx context.Context) error {
	if !d.running.CompareAndSwap(false, true) {
		return errors.New("delivery: DeliveryStream.Run called more than once")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	loopDone := make(chan struct{})
	go func() {
		defer close(loopDone)
		d.deliverLoop(ctx)
	}()
	go func() {
		<-ctx.Done()
		close(d.stopped)
	}()
	err := d.worker.Run(ctx)
	cancel()
	<-loopDone
	return err
}

// report passes err to Config.OnError.
func (d *DeliveryStream) report(err error) {
	if d.cfg.OnError != nil {
		d.cfg.OnError(err)
	}
}
