package main

import (
	"cmp"
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/kdsgo/kds/compat/internal/load"
)

const (
	// batchSize is the records per PutRecords call, Kinesis's maximum.
	batchSize = 500
	// recordSize is the data bytes of every record.
	recordSize = 100
	// readLimit is the records asked per GetRecords call, Kinesis's maximum.
	readLimit = 10000
)

// payload is the data of every record: the same 100 random hex digits
// throughout a run.
var payload = []byte(load.RandomHex(recordSize / 2))

// newPutter returns a putter of payload records to the configured stream.
func newPutter(c *kinesis.Client, cfg config) *load.Putter {
	return &load.Putter{Client: c, Stream: cfg.stream, Data: payload}
}

// failure describes the first failed call, if any, for the human line.
func failure(pc *load.Counts) string {
	if err := pc.FirstError(); err != nil {
		return "; first failure: " + err.Error()
	}
	return ""
}

// putRecordsScenario measures PutRecords throughput.
func putRecordsScenario(ctx context.Context, c *kinesis.Client, cfg config) (*result, error) {
	newPutter(c, cfg).Run(ctx, cfg.workers, batchSize, time.Now().Add(cfg.warmup), nil)
	cpu := cpuMeter{serverPID: cfg.serverPID}
	if err := cpu.begin(); err != nil {
		return nil, err
	}
	p := newPutter(c, cfg)
	elapsed := p.Run(ctx, cfg.workers, batchSize, time.Now().Add(cfg.duration), nil)
	pc := &p.Counts
	if pc.Records.Load() == 0 {
		return nil, fmt.Errorf("no record was put%s", failure(pc))
	}
	rate := float64(pc.Records.Load()) / elapsed.Seconds()
	r := &result{human: fmt.Sprintf("putrecords %s: %.0f records/s (%d workers, %d calls of %d × %d B in %.1fs, %d failed records, %d failed calls)%s",
		cfg.endpoint, rate, cfg.workers, pc.Calls.Load(), batchSize, recordSize, elapsed.Seconds(), pc.FailedRecords.Load(), pc.FailedCalls.Load(), failure(pc))}
	r.add("records_per_s", rate)
	r.add("workers", cfg.workers)
	r.add("calls", pc.Calls.Load())
	r.add("records", pc.Records.Load())
	r.add("failed_records", pc.FailedRecords.Load())
	r.add("failed_calls", pc.FailedCalls.Load())
	r.add("seconds", elapsed.Seconds())
	return r, cpu.report(r, int(pc.Records.Load()), "record")
}

// maxFillErrors ends a fill that keeps failing.
const maxFillErrors = 100

// fill puts cfg.records records into the stream with concurrent PutRecords
// loops, putting failed records again.
func fill(ctx context.Context, c *kinesis.Client, cfg config) error {
	p := newPutter(c, cfg)
	pc := &p.Counts
	var left atomic.Int64 // records not yet taken by a worker
	left.Store(int64(cfg.records))
	take := func() int {
		for {
			l := left.Load()
			n := min(l, batchSize)
			if n <= 0 || left.CompareAndSwap(l, l-n) {
				return int(n)
			}
		}
	}
	var wg sync.WaitGroup
	for range cfg.workers {
		wg.Go(func() {
			for n := take(); n > 0 && pc.FailedCalls.Load() < maxFillErrors; n = take() {
				left.Add(int64(n - p.Put(ctx, n)))
			}
		})
	}
	wg.Wait()
	if pc.Records.Load() < int64(cfg.records) {
		return fmt.Errorf("fill: put %d of %d records (%d failed calls)%s", pc.Records.Load(), cfg.records, pc.FailedCalls.Load(), failure(pc))
	}
	return nil
}

// drainShard reads one shard from TRIM_HORIZON until a GetRecords call
// returns no records and is not behind the tip, and returns the records
// and calls it took.
func drainShard(ctx context.Context, c *kinesis.Client, stream, shard string) (records, calls int, err error) {
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{
		StreamName: aws.String(stream), ShardId: aws.String(shard), ShardIteratorType: types.ShardIteratorTypeTrimHorizon,
	})
	if err != nil {
		return 0, 0, err
	}
	next := it.ShardIterator
	for next != nil {
		out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: next, Limit: aws.Int32(readLimit)})
		if err != nil {
			return records, calls, err
		}
		calls++
		records += len(out.Records)
		if len(out.Records) == 0 && aws.ToInt64(out.MillisBehindLatest) == 0 {
			break
		}
		next = out.NextShardIterator
	}
	return records, calls, nil
}

// getRecordsScenario measures how fast the stream's shards drain, all
// shards read at once.
func getRecordsScenario(ctx context.Context, c *kinesis.Client, cfg config) (*result, error) {
	if err := fill(ctx, c, cfg); err != nil {
		return nil, err
	}
	shards, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(cfg.stream)})
	if err != nil {
		return nil, err
	}
	cpu := cpuMeter{serverPID: cfg.serverPID}
	if err := cpu.begin(); err != nil {
		return nil, err
	}
	var records, calls atomic.Int64
	errs := make([]error, len(shards.Shards))
	var wg sync.WaitGroup
	start := time.Now()
	for i, s := range shards.Shards {
		wg.Go(func() {
			n, k, err := drainShard(ctx, c, cfg.stream, aws.ToString(s.ShardId))
			records.Add(int64(n))
			calls.Add(int64(k))
			errs[i] = err
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if records.Load() != int64(cfg.records) {
		return nil, fmt.Errorf("drained %d records, put %d", records.Load(), cfg.records)
	}
	rate := float64(records.Load()) / elapsed.Seconds()
	r := &result{human: fmt.Sprintf("getrecords %s: %.0f records/s (%d records of %d B from %d shards in %.3fs, %d GetRecords calls)",
		cfg.endpoint, rate, records.Load(), recordSize, len(shards.Shards), elapsed.Seconds(), calls.Load())}
	r.add("records_per_s", rate)
	r.add("records", records.Load())
	r.add("shards", len(shards.Shards))
	r.add("calls", calls.Load())
	r.add("seconds", elapsed.Seconds())
	return r, cpu.report(r, int(records.Load()), "record")
}

// putRecordsSingly sends sequential PutRecord calls until the deadline or,
// if count > 0, until count calls are done, and returns each call's
// latency, the number of failed calls and the first failure.
func putRecordsSingly(ctx context.Context, c *kinesis.Client, stream string, deadline time.Time, count int) (lat []time.Duration, failed int, first error) {
	for (count == 0 || len(lat) < count) && time.Now().Before(deadline) {
		start := time.Now()
		_, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(stream), PartitionKey: aws.String(load.RandomHex(8)), Data: payload})
		lat = append(lat, time.Since(start))
		if err != nil {
			failed++
			first = cmp.Or(first, err)
		}
	}
	return lat, failed, first
}

// putRecordScenario measures single PutRecord latency and, with a server
// pid, the server's CPU time per call.
func putRecordScenario(ctx context.Context, c *kinesis.Client, cfg config) (*result, error) {
	putRecordsSingly(ctx, c, cfg.stream, time.Now().Add(cfg.warmup), 0)
	cpu := cpuMeter{serverPID: cfg.serverPID}
	if err := cpu.begin(); err != nil {
		return nil, err
	}
	start := time.Now()
	lat, failed, err := putRecordsSingly(ctx, c, cfg.stream, start.Add(cfg.duration), cfg.count)
	elapsed := time.Since(start)
	if failed == len(lat) {
		return nil, fmt.Errorf("no PutRecord call succeeded: %v", err)
	}
	r := &result{}
	r.add("calls", len(lat))
	r.add("failed_calls", failed)
	r.add("calls_per_s", float64(len(lat))/elapsed.Seconds())
	r.latencies(lat)
	if err := cpu.report(r, len(lat), "call"); err != nil {
		return nil, err
	}
	r.human = fmt.Sprintf("putrecord %s: %d calls in %.1fs, %d failed; latency median %v, p90 %v, p99 %v",
		cfg.endpoint, len(lat), elapsed.Seconds(), failed, load.Percentile(lat, 50), load.Percentile(lat, 90), load.Percentile(lat, 99))
	return r, nil
}
