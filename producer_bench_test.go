package kds

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// benchProducerKeys are the partition keys of the producer benchmarks:
// 1,000 distinct keys, so every shard gets a share and aggregates hold
// many keys.
func benchProducerKeys() []string {
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = fmt.Sprintf("partition-key-%d", i)
	}
	return keys
}

const benchProducerShards = 4

// newBenchProducer returns a stream of benchProducerShards shards without
// limits and a Producer on it with aggregation on and no rate limit.
func newBenchProducer(b *testing.B) (*Stream, *Producer) {
	b.Helper()
	s := newBenchStream(b, benchProducerShards)
	p, err := NewProducer(ProducerConfig{StreamName: "bench", Client: s.svc, RateLimitPercent: -1})
	if err != nil {
		b.Fatal(err)
	}
	return s, p
}

// BenchmarkProducer puts 100-byte user records through a Producer with
// aggregation on, into 4 shards with limits off, one PutAsync per
// iteration, and flushes at the end; the flush is timed. It starts over
// with a fresh stream every million records, outside the timer.
func BenchmarkProducer(b *testing.B) {
	ctx := context.Background()
	keys := benchProducerKeys()
	data := make([]byte, 100)
	_, p := newBenchProducer(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if i > 0 && i%(benchResetEvery*MaxPutRecordsEntries) == 0 {
			if err := p.Flush(ctx); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			p.Close(ctx)
			_, p = newBenchProducer(b)
			b.StartTimer()
		}
		if _, err := p.PutAsync(ctx, keys[i%len(keys)], data); err != nil {
			b.Fatal(err)
		}
	}
	if err := p.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if m := p.Metrics(); m.Failures != 0 {
		b.Fatalf("%d records failed", m.Failures)
	}
	p.Close(ctx)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkProducerBaseline is the yardstick for BenchmarkProducer: the
// same user records put directly with Service.PutRecords in batches of
// 500, one record per Kinesis record.
func BenchmarkProducerBaseline(b *testing.B) {
	ctx := context.Background()
	keys := benchProducerKeys()
	data := make([]byte, 100)
	s := newBenchStream(b, benchProducerShards)
	batch := make([]PutRecordsRequestEntry, 0, MaxPutRecordsEntries)
	flush := func() {
		if _, err := s.svc.PutRecords(ctx, PutRecordsInput{StreamName: "bench", Records: batch}); err != nil {
			b.Fatal(err)
		}
		batch = batch[:0]
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if i > 0 && i%(benchResetEvery*MaxPutRecordsEntries) == 0 {
			b.StopTimer()
			s = newBenchStream(b, benchProducerShards)
			b.StartTimer()
		}
		batch = append(batch, PutRecordsRequestEntry{PartitionKey: keys[i%len(keys)], Data: data})
		if len(batch) == MaxPutRecordsEntries {
			flush()
		}
	}
	if len(batch) > 0 {
		flush()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkProducerProvisionedRate offers 110% of the write capacity of 5
// shards (1 KiB records, keys spread evenly) to a Producer with default
// settings for 60 s on a ManualClock, with Kinesis's limits on, and
// reports the bytes stored as a share of the shards' provisioned 1 MiB/s
// each (achieved-%) and the share of Kinesis records throttled.
func BenchmarkProducerProvisionedRate(b *testing.B) {
	const (
		shards = 5
		span   = 60 * time.Second
		step   = 10 * time.Millisecond
		size   = 1024
	)
	var achieved, throttled float64
	for b.Loop() {
		clock := NewManualClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
		svc, err := NewService(WithClock(clock), WithThroughputLimits(KinesisLimits()))
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		if _, err := svc.CreateStream(ctx, CreateStreamInput{StreamName: "bench", ShardCount: shards}); err != nil {
			b.Fatal(err)
		}
		p, err := NewProducer(ProducerConfig{StreamName: "bench", Client: svc, Clock: clock})
		if err != nil {
			b.Fatal(err)
		}
		// Keys spread evenly: explicit hash keys in the middle of each
		// shard's range.
		var ehks []string
		for _, r := range splitHashSpace(shards) {
			ehks = append(ehks, r.StartingHashKey.addUint64(1<<40).String())
		}
		data := make([]byte, size-len("k"))
		// Learn the shard map before the clock starts.
		for _, ehk := range ehks {
			if _, err := p.PutAsync(ctx, "k", data, WithExplicitHashKey(ehk)); err != nil {
				b.Fatal(err)
			}
		}
		if err := p.Flush(ctx); err != nil {
			b.Fatal(err)
		}
		perStep := int(1.1 * (1 << 20) * step.Seconds() / size) // per shard
		for at := time.Duration(0); at < span; at += step {
			for range perStep {
				for _, ehk := range ehks {
					if _, err := p.PutAsync(ctx, "k", data, WithExplicitHashKey(ehk)); err != nil {
						b.Fatal(err)
					}
				}
			}
			// Let the sender of every queue holding records settle on its
			// next deadline. A sender woken early leaves its earlier wait
			// pending, so this may move on before all have settled; a late
			// sender then sends at the next step.
			clock.BlockUntil(p.busyQueues())
			clock.Advance(step)
		}
		m := p.Metrics()
		achieved = float64(m.BytesPut) / span.Seconds() / float64(shards<<20)
		throttled = float64(m.Throttles) / float64(m.KinesisRecordsPut+m.Throttles)
		stop, cancel := context.WithCancel(ctx)
		cancel()
		p.Close(stop)
	}
	b.ReportMetric(100*achieved, "achieved-%")
	b.ReportMetric(100*throttled, "throttled-%")
}

// busyQueues counts the queues holding records not in flight.
func (p *Producer) busyQueues() int {
	p.queuesMu.Lock()
	defer p.queuesMu.Unlock()
	n := 0
	for _, q := range p.queues {
		q.mu.Lock()
		if q.head < len(q.pending) {
			n++
		}
		q.mu.Unlock()
	}
	return n
}
