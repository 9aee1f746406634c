package trigger

import (
	"context"
	"encoding/json"
	"hash/fnv"
	"sync"
	"time"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/consumergroup"
)

// shard drives the mapping for one shard lease: it is the consumer
// group's Processor. ProcessRecords hands the records to the lanes and
// returns, so that the group goes on reading while batches wait for their
// batching window; each lane runs its batches in a goroutine of its own.
type shard struct {
	s     *settings
	id    string
	ctx   context.Context // the lease's: ends when it is lost or the worker stops
	lanes []*lane
	wg    sync.WaitGroup // one per lane goroutine

	mu        sync.Mutex
	changed   chan struct{} // closed and replaced at every change below
	cp        *consumergroup.Checkpointer
	order     []*pending // delivered and not yet checkpointed, in shard order
	queued    int        // delivered and not yet through the handler
	watermark time.Time  // the latest arrival time delivered
	caughtUp  bool       // the last delivery reached the tip of the shard
	blocked   bool       // ProcessRecords waits for the lanes to catch up
	ending    bool       // the shard has ended: no more records will come
	stopping  bool       // the lanes must return
	open      int        // lanes with a tumbling window open

	cpMu   sync.Mutex  // serialises checkpoints
	target *kds.Record // the next checkpoint to store; guarded by cpMu
}

// pending is one delivered record.
type pending struct {
	rec    kds.Record
	event  KinesisEventRecord // without Data, which each invocation copies
	size   int                // bytes of the event record's JSON
	readAt time.Time
	done   bool // may be checkpointed; guarded by shard.mu
}

func (m *Mapping) newShard(shardID string) consumergroup.Processor {
	p := &shard{s: &m.s, id: shardID, changed: make(chan struct{})}
	p.lanes = make([]*lane, m.s.ParallelizationFactor)
	for i := range p.lanes {
		p.lanes[i] = &lane{p: p}
	}
	return p
}

// Initialize starts the lanes.
func (p *shard) Initialize(ctx context.Context, in consumergroup.InitializeInput) {
	p.ctx = ctx
	for _, l := range p.lanes {
		p.wg.Add(1)
		go l.run()
	}
}

// ProcessRecords queues the records on their lanes. It waits while the
// lanes hold more than maxQueued records not yet through the handler,
// so that a blocked shard stops being read.
func (p *shard) ProcessRecords(ctx context.Context, in consumergroup.ProcessRecordsInput) {
	now := p.s.Clock.Now()
	recs := make([]*pending, len(in.Records))
	for i, r := range in.Records {
		recs[i] = p.newPending(r, now)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cp = in.Checkpointer
	for p.queued >= p.s.maxQueued() {
		p.blocked = true
		if _, alive := p.waitLocked(ctx, nil); !alive {
			return // lost or shutting down: nothing of these was checkpointed
		}
	}
	p.blocked = false
	for _, r := range recs {
		l := p.laneOf(r.rec.PartitionKey)
		l.queue = append(l.queue, r)
		p.watermark = r.rec.ApproximateArrivalTimestamp
	}
	p.order = append(p.order, recs...)
	p.queued += len(recs)
	p.caughtUp = in.MillisBehindLatest == 0
	p.notifyLocked()
}

// ShardEnded lets the lanes finish every record (and tumbling window) of
// the shard, then records SHARD_END so that the children start. If the
// lease ends first, it returns without: the next owner finishes the shard.
func (p *shard) ShardEnded(ctx context.Context, in consumergroup.ShardEndedInput) {
	p.mu.Lock()
	p.ending = true
	p.notifyLocked()
	for p.queued > 0 || p.open > 0 {
		if _, alive := p.waitLocked(p.ctx, nil); !alive {
			break
		}
	}
	finished := p.queued == 0 && p.open == 0
	p.mu.Unlock()
	p.stop()
	if finished {
		_ = in.Checkpointer.Checkpoint(ctx) // on failure the next owner finishes the shard again
	}
}

// LeaseLost stops the lanes, letting an invocation under way finish.
func (p *shard) LeaseLost(ctx context.Context, in consumergroup.LeaseLostInput) {
	p.stop()
}

// ShutdownRequested stops the lanes, letting an invocation under way
// finish, and stores the last checkpoint if storing it failed before.
func (p *shard) ShutdownRequested(ctx context.Context, in consumergroup.ShutdownRequestedInput) {
	p.stop()
	p.checkpoint()
}

// stop makes the lanes return and waits for them.
func (p *shard) stop() {
	p.mu.Lock()
	p.stopping = true
	p.notifyLocked()
	p.mu.Unlock()
	p.wg.Wait()
}

// newPending wraps a delivered record, read at now.
func (p *shard) newPending(r kds.Record, now time.Time) *pending {
	seq := r.SequenceNumber.String()
	ev := KinesisEventRecord{
		Kinesis: KinesisRecord{
			KinesisSchemaVersion:        "1.0",
			PartitionKey:                r.PartitionKey,
			SequenceNumber:              seq,
			Data:                        r.Data,
			ApproximateArrivalTimestamp: EpochSeconds{r.ApproximateArrivalTimestamp},
		},
		EventSource:       "aws:kinesis",
		EventVersion:      "1.0",
		EventID:           p.id + ":" + seq,
		EventName:         "aws:kinesis:record",
		InvokeIdentityArn: p.s.Role,
		AwsRegion:         p.s.region,
		EventSourceARN:    p.s.EventSourceArn,
	}
	if r.EncryptionType == kds.EncryptionKMS {
		ev.Kinesis.EncryptionType = string(kds.EncryptionKMS)
	}
	b, _ := json.Marshal(ev) // cannot fail: strings, bytes and a time
	ev.Kinesis.Data = nil
	return &pending{rec: r, event: ev, size: len(b), readAt: now}
}

// laneOf returns the lane of a partition key.
func (p *shard) laneOf(key string) *lane {
	return p.lanes[laneIndex(key, len(p.lanes))]
}

// laneIndex spreads partition keys over n lanes by their FNV-1a hash.
func laneIndex(key string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(key))
	return int(h.Sum32() % uint32(n))
}

// notifyLocked wakes everyone waiting for a change.
func (p *shard) notifyLocked() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// waitLocked releases p.mu until something changes, timer fires or ctx
// ends, and takes it again; it reports whether timer fired and whether
// ctx is still live.
func (p *shard) waitLocked(ctx context.Context, timer <-chan time.Time) (fired, alive bool) {
	changed := p.changed
	p.mu.Unlock()
	defer p.mu.Lock()
	select {
	case <-changed:
	case <-timer:
		fired = true
	case <-ctx.Done():
		return false, false
	}
	return fired, true
}

// done marks records as processed, for the checkpoint.
func (p *shard) done(recs []*pending) {
	p.mu.Lock()
	for _, r := range recs {
		r.done = true
	}
	p.mu.Unlock()
	p.checkpoint()
}

// checkpoint stores the last record before which every delivered record
// is done. A failed store is retried at the next call.
func (p *shard) checkpoint() {
	p.cpMu.Lock()
	defer p.cpMu.Unlock()
	p.mu.Lock()
	n := 0
	for n < len(p.order) && p.order[n].done {
		n++
	}
	if n > 0 {
		rec := p.order[n-1].rec
		p.target = &rec
		p.order = p.order[n:]
	}
	cp := p.cp
	p.mu.Unlock()
	if p.target == nil || cp == nil {
		return
	}
	if err := cp.CheckpointAt(context.WithoutCancel(p.ctx), *p.target); err == nil {
		p.target = nil
	}
}
