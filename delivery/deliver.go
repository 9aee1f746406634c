package delivery

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kdsgo/kds/internal/backoff"
)

// retryBackoff paces the attempts of a batch whose Deliver returned a
// plain error: 1 s doubling up to 2 min.
var retryBackoff = backoff.Exponential{Min: time.Second, Max: 2 * time.Minute}

// deliverLoop delivers buffers, one at a time, until ctx ends.
func (d *DeliveryStream) deliverLoop(ctx context.Context) {
	for {
		b := d.next(ctx)
		if b == nil {
			return
		}
		if b.errorType != "" {
			d.writeErrors(ctx, b)
		} else {
			d.deliver(ctx, b)
		}
	}
}

// deliver hands a buffer to the Destination; records it gives up go to
// the error output.
func (d *DeliveryStream) deliver(ctx context.Context, b *buffer) {
	err := d.attempt(ctx, d.cfg.Destination, d.batch(b, d.cfg.prefix), true)
	var failed *DeliveryFailedError
	switch {
	case err == nil:
		d.stats.deliveredRecords.Add(int64(len(b.recs)))
		d.stats.deliveredBytes.Add(int64(b.bytes))
		d.stats.deliveredBatches.Add(1)
		d.done(ctx, b)
	case errors.As(err, &failed):
		now := d.cfg.Clock.Now()
		errType := failed.ErrorOutputType
		if checkPartitionValue(errType) != nil {
			errType = "delivery-failed"
		}
		eb := newBuffer("", nil, errType, now)
		for _, r := range b.recs {
			r.data = r.errorLine(r.data, failed.ErrorCode, failed.ErrorMessage, failed.AttemptsMade, now)
			eb.push(r)
		}
		d.writeErrors(ctx, eb)
	}
	// Otherwise ctx has ended: the records stay undelivered.
}

// writeErrors writes a buffer of error lines to the error output.
func (d *DeliveryStream) writeErrors(ctx context.Context, b *buffer) {
	if d.attempt(ctx, d.cfg.ErrorOutput, d.batch(b, d.cfg.errorPrefix), false) != nil {
		return // ctx has ended
	}
	d.stats.errorOutput.Add(int64(len(b.recs)))
	d.done(ctx, b)
}

// batch returns b as a Batch whose key starts with prefix p evaluated for
// b: its oldest record's arrival time, its partition, its error output
// type.
func (d *DeliveryStream) batch(b *buffer, p *prefix) *Batch {
	batch := &Batch{
		Key:     p.eval(b.oldest, b.vals, b.errorType) + objectName(d.cfg.DeliveryStreamName, d.cfg.DeliveryStreamVersion, b.oldest),
		Records: make([][]byte, len(b.recs)),
	}
	for i, r := range b.recs {
		batch.Records[i] = r.data
	}
	return batch
}

// attempt calls dest.Deliver until it succeeds or, if mayGiveUp, gives
// the batch up (a DeliveryFailedError, returned as is), backing off on
// the Clock after other errors. The error output may not give up: its
// failures are retried like any other. attempt returns ctx's error if
// ctx ends first.
func (d *DeliveryStream) attempt(ctx context.Context, dest Destination, batch *Batch, mayGiveUp bool) error {
	for retry := 1; ; retry++ {
		err := dest.Deliver(ctx, batch)
		var failed *DeliveryFailedError
		if err == nil || mayGiveUp && errors.As(err, &failed) {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		wait := retryBackoff.Delay(retry)
		d.report(fmt.Errorf("delivery: %d records to %s, retrying in %v: %w", len(batch.Records), batch.Key, wait, err))
		select {
		case <-d.cfg.Clock.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// done marks a delivered buffer's records done, shard by shard, which
// moves the shards' checkpoints.
func (d *DeliveryStream) done(ctx context.Context, b *buffer) {
	byShard := map[*shard][]int64{}
	var order []*shard
	for _, r := range b.recs {
		if byShard[r.shard] == nil {
			order = append(order, r.shard)
		}
		byShard[r.shard] = append(byShard[r.shard], r.idx)
	}
	for _, sh := range order {
		d.checkpointed(sh.complete(ctx, byShard[sh]))
	}
}
