package delivery

import (
	"context"
	"slices"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/consumergroup"
)

// processor is the consumergroup Processor of one shard lease: it feeds
// the shard's records to the delivery stream's buffers.
type processor struct {
	d  *DeliveryStream
	sh *shard
}

// newProcessor is the consumer group's Config.NewProcessor.
func (d *DeliveryStream) newProcessor(shardID string) consumergroup.Processor {
	return &processor{d: d, sh: newShard(shardID)}
}

// Initialize has nothing to do: the worker starts the shard just after
// its checkpoint.
func (p *processor) Initialize(ctx context.Context, in consumergroup.InitializeInput) {}

// ProcessRecords transforms a batch, partitions it, and adds it to the
// buffers in one step, so that every record of the batch is in a buffer
// before the delivery loop next looks at them. Failed records are queued
// for the error output; dropped ones are done at once.
func (p *processor) ProcessRecords(ctx context.Context, in consumergroup.ProcessRecordsInput) {
	d := p.d
	first := p.sh.read(in.Records, in.Checkpointer)
	d.stats.read(in.Records)
	if !d.waitForRoom(ctx) {
		return // shutting down or lost: the records are read again later
	}
	outcomes, err := p.outcomes(ctx, in.Records)
	if err != nil {
		return
	}
	type kept struct {
		key  string
		vals map[string]string
		rec  bufRecord
	}
	var (
		now     = d.cfg.Clock.Now()
		ok      []kept
		failed  = map[string]*buffer{}
		dropped []int64
	)
	fail := func(errorType string, r bufRecord, src kds.Record, code, message string, attempts int) {
		b := failed[errorType]
		if b == nil {
			b = newBuffer("", nil, errorType, now)
			failed[errorType] = b
		}
		r.data = r.errorLine(src.Data, code, message, attempts, now)
		b.push(r)
	}
	for i, rec := range in.Records {
		o := outcomes[i]
		r := bufRecord{shard: p.sh, idx: first + int64(i), seq: rec.SequenceNumber.String(), sub: rec.SubSequenceNumber, arrival: rec.ApproximateArrivalTimestamp}
		switch o.result {
		case Dropped:
			dropped = append(dropped, r.idx)
		case ProcessingFailed:
			fail(ErrorOutputProcessingFailed, r, rec, o.code, o.message, o.attempts)
		default:
			key, vals, err := d.partition(rec, o)
			if err != nil {
				fail(ErrorOutputPartitioningFailed, r, rec, "DynamicPartitioning.MetadataExtractionFailed", err.Error(), 1)
				continue
			}
			r.data = o.data
			if d.cfg.RecordDelimiter != "" {
				r.data = append(slices.Clip(r.data), d.cfg.RecordDelimiter...)
			}
			ok = append(ok, kept{key, vals, r})
		}
	}
	d.mu.Lock()
	for _, k := range ok {
		d.addLocked(k.key, k.vals, k.rec, now)
	}
	for _, t := range []string{ErrorOutputProcessingFailed, ErrorOutputPartitioningFailed} {
		if b := failed[t]; b != nil {
			d.enqueueLocked(b)
		}
	}
	d.mu.Unlock()
	d.stats.dropped.Add(int64(len(dropped)))
	if len(dropped) > 0 {
		d.checkpointed(p.sh.complete(ctx, dropped))
	}
}

// outcomes returns the transform's outcome for each record, or Ok with
// the record's own data when there is no transform.
func (p *processor) outcomes(ctx context.Context, recs []kds.Record) ([]outcome, error) {
	if p.d.cfg.Transform != nil {
		return p.d.transform(ctx, p.sh.id, recs)
	}
	out := make([]outcome, len(recs))
	for i, r := range recs {
		out[i] = outcome{result: Ok, data: r.Data}
	}
	return out, nil
}

// LeaseLost has nothing to do: the shard's buffered records are still
// delivered, their checkpoints fail, and the new owner reads them again.
func (p *processor) LeaseLost(ctx context.Context, in consumergroup.LeaseLostInput) {}

// ShardEnded records SHARD_END once every record of the shard is
// delivered, so the children are read only after their parents' records
// are safe. If the stream stops first, the shard is left unfinished and
// read again from its checkpoint by the next run.
func (p *processor) ShardEnded(ctx context.Context, in consumergroup.ShardEndedInput) {
	if p.sh.waitDone(p.d.stopped) {
		p.d.checkpointed(in.Checkpointer.Checkpoint(ctx))
	}
}

// ShutdownRequested does not checkpoint: the checkpoints already cover
// every record delivered, and buffered records are read again by the
// next run.
func (p *processor) ShutdownRequested(ctx context.Context, in consumergroup.ShutdownRequestedInput) {
}
