package analytics

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/consumergroup"
)

// Run consumes a stream through a consumer group worker built from group,
// adding each shard's records as an input of its own (see the package
// doc for watermarks across shards and for checkpoints), until ctx ends;
// then the worker shuts down gracefully, checkpointing what the open
// windows no longer need. It returns what [consumergroup.Worker.Run]
// returns, or the error of [consumergroup.NewWorker].
//
// group needs ApplicationName, StreamName, Client and Store; its
// NewProcessor and Clock must be nil: Run sets them, the Clock being the
// Windows' ([WithClock]). Every tick interval ([WithTickInterval]) Run
// calls [Windows.Tick] and checkpoints. Run may be called only once, and
// the group should have this one worker (see the package doc).
func (w *Windows[A, R]) Run(ctx context.Context, group consumergroup.Config) error {
	if group.NewProcessor != nil || group.Clock != nil {
		return errors.New("analytics: Run sets the consumer group's NewProcessor and Clock; leave them nil")
	}
	if !w.ran.CompareAndSwap(false, true) {
		return errors.New("analytics: Run may be called only once")
	}
	group.Clock = w.cfg.clock
	group.NewProcessor = func(shard string) consumergroup.Processor {
		return &processor[A, R]{w: w, shard: shard, lister: group.Client, stream: group.StreamName}
	}
	worker, err := consumergroup.NewWorker(group)
	if err != nil {
		return err
	}
	tickCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-tickCtx.Done():
				return
			case <-w.cfg.clock.After(w.cfg.tick):
				w.Tick(tickCtx)
				w.checkpoint(tickCtx, nil, nil)
			}
		}
	}()
	err = worker.Run(ctx)
	stop()
	<-done
	return err
}

// shardLister lists a stream's shards, to learn an ended shard's children.
type shardLister interface {
	ListShards(ctx context.Context, in kds.ListShardsInput) (kds.ListShardsOutput, error)
}

// processor feeds one shard's records to the Windows.
type processor[A, R any] struct {
	w      *Windows[A, R]
	shard  string
	lister shardLister
	stream string
	src    *source
}

// Initialize adds the shard as an input. A parent that has ended stops
// holding the watermark once all its children have started.
func (p *processor[A, R]) Initialize(ctx context.Context, in consumergroup.InitializeInput) {
	w := p.w
	w.mu.Lock()
	defer w.mu.Unlock()
	p.src = &source{name: p.shard, active: w.cfg.clock.Now(), track: &tracker{}}
	w.shards[p.shard] = p.src
	w.wm.sources[p.src] = true
	for s := range w.wm.sources {
		if s.ended && s.waitFor[p.shard] {
			delete(s.waitFor, p.shard)
			if len(s.waitFor) == 0 {
				delete(w.wm.sources, s)
			}
		}
	}
}

// ProcessRecords adds the batch.
func (p *processor[A, R]) ProcessRecords(ctx context.Context, in consumergroup.ProcessRecordsInput) {
	p.w.mu.Lock()
	p.src.track.cp = in.Checkpointer
	p.w.mu.Unlock()
	p.w.addBatch(ctx, p.src, in.Records)
}

// flushRetry is how long a shard's end waits before it flushes a failing
// sink again.
const flushRetry = time.Second

// ShardEnded flushes the sink, trying again every flushRetry until it
// succeeds (or ctx ends, leaving the shard unfinished), and checkpoints
// SHARD_END, so the children start. The shard stays an input of the
// watermark, at its last watermark, until they have.
func (p *processor[A, R]) ShardEnded(ctx context.Context, in consumergroup.ShardEndedInput) {
	w := p.w
	for {
		err := w.flush(ctx)
		if err == nil {
			break
		}
		w.report(ctx, fmt.Errorf("analytics: flush before the end of shard %s: %w", p.shard, err))
		select {
		case <-ctx.Done():
			return
		case <-w.cfg.clock.After(flushRetry):
		}
	}
	// No checkpoint inside the shard from now on: SHARD_END is the last.
	w.mu.Lock()
	p.src.track = nil
	w.mu.Unlock()
	if err := in.Checkpointer.Checkpoint(ctx); err != nil {
		w.report(ctx, fmt.Errorf("analytics: checkpoint the end of shard %s: %w", p.shard, err))
	}
	children, err := p.children(ctx)
	if err != nil {
		w.report(ctx, fmt.Errorf("analytics: list the children of shard %s: %w", p.shard, err))
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	p.src.ended = true
	p.src.waitFor = map[string]bool{}
	for _, c := range children {
		if s, ok := w.shards[c]; !ok || s.ended {
			p.src.waitFor[c] = true
		}
	}
	p.leaveLocked(len(p.src.waitFor) == 0)
}

// LeaseLost removes the shard's input.
func (p *processor[A, R]) LeaseLost(ctx context.Context, in consumergroup.LeaseLostInput) {
	p.w.mu.Lock()
	defer p.w.mu.Unlock()
	p.src.track = nil
	p.leaveLocked(true)
}

// ShutdownRequested checkpoints what the open windows no longer need and
// removes the shard's input.
func (p *processor[A, R]) ShutdownRequested(ctx context.Context, in consumergroup.ShutdownRequestedInput) {
	p.w.checkpoint(ctx, p.src, in.Checkpointer)
	p.w.mu.Lock()
	defer p.w.mu.Unlock()
	p.src.track = nil
	p.leaveLocked(true)
}

// leaveLocked forgets the shard as a current shard and, if asked, as an
// input of the watermark.
func (p *processor[A, R]) leaveLocked(fromWatermark bool) {
	if p.w.shards[p.shard] == p.src {
		delete(p.w.shards, p.shard)
	}
	if fromWatermark {
		delete(p.w.wm.sources, p.src)
	}
}

// children lists the shards whose parent or adjacent parent is this one.
func (p *processor[A, R]) children(ctx context.Context) ([]string, error) {
	var out []string
	in := kds.ListShardsInput{StreamName: p.stream}
	for {
		page, err := p.lister.ListShards(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, s := range page.Shards {
			if s.ParentShardId == p.shard || s.AdjacentParentShardId == p.shard {
				out = append(out, s.ShardId)
			}
		}
		if page.NextToken == "" {
			return out, nil
		}
		in = kds.ListShardsInput{NextToken: page.NextToken}
	}
}

// report hands an error to the error handler, in order with the other
// deliveries.
func (w *Windows[A, R]) report(ctx context.Context, err error) {
	w.mu.Lock()
	w.queue = append(w.queue, event[R]{err: err})
	w.deliver(ctx)
}

// checkpoint checkpoints each tracked shard (only src, with cp, when src
// is given) as far as the open and purged windows allow (see tracker),
// after flushing the sink so that the results of the windows purged so
// far are stored first.
func (w *Windows[A, R]) checkpoint(ctx context.Context, src *source, cp *consumergroup.Checkpointer) {
	type cut struct {
		src *source
		c   int64
	}
	w.mu.Lock()
	low := map[*source]int64{}
	for _, s := range w.shards {
		if s.track != nil && (src == nil || s == src) {
			low[s] = s.track.next
		}
	}
	for _, st := range w.timers.s {
		for s, sp := range st.spans {
			if l, ok := low[s]; ok && sp.first < l {
				low[s] = sp.first
			}
		}
	}
	var cuts []cut
	for s, l := range low {
		if c := s.track.cutBefore(l); c >= s.track.base {
			cuts = append(cuts, cut{s, c})
		}
	}
	if len(cuts) == 0 {
		w.mu.Unlock()
		return
	}
	w.deliver(ctx)
	if err := w.flush(ctx); err != nil {
		w.report(ctx, fmt.Errorf("analytics: flush before a checkpoint: %w", err))
		return
	}
	type job struct {
		shard string
		cp    *consumergroup.Checkpointer
		at    position
	}
	var jobs []job
	w.mu.Lock()
	for _, c := range cuts {
		if c.src.track == nil {
			continue
		}
		at, ok := c.src.track.take(c.c)
		j := job{shard: c.src.name, cp: c.src.track.cp, at: at}
		if cp != nil {
			j.cp = cp
		}
		if ok && j.cp != nil {
			jobs = append(jobs, j)
		}
	}
	w.mu.Unlock()
	slices.SortFunc(jobs, func(a, b job) int { return strings.Compare(a.shard, b.shard) })
	for _, j := range jobs {
		rec := kds.Record{SequenceNumber: j.at.seq, SubSequenceNumber: j.at.sub}
		if err := j.cp.CheckpointAt(ctx, rec); err != nil {
			w.report(ctx, fmt.Errorf("analytics: checkpoint shard %s: %w", j.shard, err))
		}
	}
}
