package consumergroup

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kdsgo/kds"
)

// BenchmarkGroupKeepsUp runs 4 workers over a 16-shard stream whose
// producer writes at the shards' full provisioned rate — 1,000 records/s
// and 1 MiB/s each, in 1 KiB records, with Kinesis's limits on — for a
// span of virtual time on a ManualClock, and reports whether the group
// keeps up:
//
//   - max-lag-records, final-lag-records: records produced but not yet
//     processed, at the worst step and at the end;
//   - max-behind-ms: the largest MillisBehindLatest a batch carried, in
//     virtual milliseconds;
//   - produced/virtual-s, throttled-puts: the producer's rate (16,000
//     records/s is the stream's full rate) and the records the limits
//     refused (retried at the next step);
//   - records/s: records processed per second of wall time.
//
// The two sub-benchmarks differ only in the span: equal lag for 60 s and
// 300 s shows that the lag is bounded rather than growing with the run.
func BenchmarkGroupKeepsUp(b *testing.B) {
	for _, span := range []time.Duration{60 * time.Second, 300 * time.Second} {
		b.Run(span.String(), func(b *testing.B) {
			b.ReportAllocs()
			var total int64
			var res keepUpResult
			for b.Loop() {
				res = keepUp(b, span)
				total += res.processed
			}
			b.ReportMetric(float64(res.maxLag), "max-lag-records")
			b.ReportMetric(float64(res.finalLag), "final-lag-records")
			b.ReportMetric(float64(res.maxBehind), "max-behind-ms")
			b.ReportMetric(float64(res.produced)/span.Seconds(), "produced/virtual-s")
			b.ReportMetric(float64(res.putFails), "throttled-puts")
			b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

const (
	benchShards  = 16
	benchWorkers = 4
	benchStep    = 100 * time.Millisecond
	benchRecord  = 1024 // bytes: a 1-byte partition key and 1,023 bytes of data
)

type keepUpResult struct {
	processed          int64
	maxLag, finalLag   int64
	maxBehind          int64
	produced, putFails int64
}

// benchProgress counts distinct records processed, per shard, across the
// Processors of all workers (a shard changing hands is processed again
// from its checkpoint).
type benchProgress struct {
	processed atomic.Int64
	maxBehind atomic.Int64
	mu        sync.Mutex
	highest   map[string]kds.SequenceNumber
}

type benchProcessor struct {
	p     *benchProgress
	shard string
}

func (bp *benchProcessor) Initialize(context.Context, InitializeInput) {}

func (bp *benchProcessor) ProcessRecords(ctx context.Context, in ProcessRecordsInput) {
	p := bp.p
	p.mu.Lock()
	n := int64(0)
	for _, r := range in.Records {
		if r.SequenceNumber.Compare(p.highest[bp.shard]) > 0 {
			p.highest[bp.shard] = r.SequenceNumber
			n++
		}
	}
	p.mu.Unlock()
	p.processed.Add(n)
	for {
		cur := p.maxBehind.Load()
		if in.MillisBehindLatest <= cur || p.maxBehind.CompareAndSwap(cur, in.MillisBehindLatest) {
			break
		}
	}
	in.Checkpointer.Checkpoint(ctx)
}

func (bp *benchProcessor) LeaseLost(context.Context, LeaseLostInput) {}

func (bp *benchProcessor) ShardEnded(ctx context.Context, in ShardEndedInput) {
	in.Checkpointer.Checkpoint(ctx)
}

func (bp *benchProcessor) ShutdownRequested(ctx context.Context, in ShutdownRequestedInput) {
	in.Checkpointer.Checkpoint(ctx)
}

// keepUp runs one span of the benchmark.
func keepUp(b *testing.B, span time.Duration) keepUpResult {
	ctx := context.Background()
	clock := kds.NewManualClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	svc, err := kds.NewService(kds.WithClock(clock), kds.WithThroughputLimits(kds.KinesisLimits()), kds.WithStatusDelay(0))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: testStream, ShardCount: benchShards}); err != nil {
		b.Fatal(err)
	}
	shards, err := svc.ListShards(ctx, kds.ListShardsInput{StreamName: testStream})
	if err != nil {
		b.Fatal(err)
	}
	progress := &benchProgress{highest: map[string]kds.SequenceNumber{}}
	store := NewMemStore()
	runCtx, stop := context.WithCancel(ctx)
	var workers []*Worker
	var running sync.WaitGroup
	for i := range benchWorkers {
		w, err := NewWorker(Config{
			ApplicationName: testGroup,
			StreamName:      testStream,
			WorkerID:        "w" + strconv.Itoa(i),
			Client:          svc,
			Store:           store,
			NewProcessor:    func(shard string) Processor { return &benchProcessor{p: progress, shard: shard} },
			Clock:           clock,
		})
		if err != nil {
			b.Fatal(err)
		}
		workers = append(workers, w)
		running.Add(1)
		go func() {
			defer running.Done()
			if err := w.Run(runCtx); err != nil {
				b.Error(err)
			}
		}()
	}
	defer func() {
		stop()
		running.Wait()
	}()

	// Warm up: let the workers share out the leases (4 each) before the
	// producer starts, waiting before each step for every worker's round
	// to finish (two timers per worker: renewal and shard sync).
	for {
		clock.BlockUntil(2 * benchWorkers)
		if balanced(workers) {
			break
		}
		clock.Advance(benchStep)
	}
	// From here on the leases stay put, and every step waits for all the
	// workers and their shard consumers to wait on the clock again.
	settle := func() { clock.BlockUntil(2*benchWorkers + benchShards) }

	data := make([]byte, benchRecord-1)
	perStep := int(1000 * benchStep / time.Second) // records per shard per step
	var pending []kds.PutRecordsRequestEntry
	var res keepUpResult
	for step := time.Duration(0); step < span; step += benchStep {
		for _, sh := range shards.Shards {
			for range perStep {
				pending = append(pending, kds.PutRecordsRequestEntry{PartitionKey: "k", ExplicitHashKey: sh.HashKeyRange.StartingHashKey.String(), Data: data})
			}
		}
		var retry []kds.PutRecordsRequestEntry
		for len(pending) > 0 {
			batch := pending[:min(len(pending), kds.MaxPutRecordsEntries)]
			pending = pending[len(batch):]
			out, err := svc.PutRecords(ctx, kds.PutRecordsInput{StreamName: testStream, Records: batch})
			if err != nil {
				b.Fatal(err)
			}
			for i, r := range out.Records {
				if r.ErrorCode != "" {
					retry = append(retry, batch[i])
					res.putFails++
				} else {
					res.produced++
				}
			}
		}
		pending = retry
		settle()
		lag := res.produced - progress.processed.Load()
		res.maxLag, res.finalLag = max(res.maxLag, lag), lag
		clock.Advance(benchStep)
	}
	res.processed = progress.processed.Load()
	res.maxBehind = progress.maxBehind.Load()
	return res
}

// balanced reports whether every worker holds its fair share of leases.
func balanced(workers []*Worker) bool {
	for _, w := range workers {
		if len(w.ShardIDs()) != benchShards/benchWorkers {
			return false
		}
	}
	return true
}
