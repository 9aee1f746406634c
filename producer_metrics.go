package kds

import (
	"math"
	"sync/atomic"
	"time"
)

// ProducerMetrics is a snapshot of a [Producer]'s counters, from
// [Producer.Metrics]. Counts are totals since the producer started.
type ProducerMetrics struct {
	// UserRecordsPut is how many user records were stored.
	UserRecordsPut int64
	// KinesisRecordsPut is how many Kinesis records (aggregates or single
	// user records) were stored.
	KinesisRecordsPut int64
	// BytesPut is the partition key plus data bytes of the Kinesis
	// records stored, as Kinesis counts them against a shard's limit.
	BytesPut int64
	// Calls is how many PutRecords calls were made, and CallErrors how
	// many of them failed as a whole.
	Calls, CallErrors int64
	// Retries is how many times a user record went back to its queue to
	// be sent again.
	Retries int64
	// Throttles is how many Kinesis records PutRecords refused with
	// ProvisionedThroughputExceededException.
	Throttles int64
	// Failures is how many user records failed for good.
	Failures int64
	// Misrouted is how many aggregates landed in a shard that does not
	// cover all their user records, which were then put again.
	Misrouted int64
	// ShardMapRefreshes is how many times the shard map was learned.
	ShardMapRefreshes int64
	// BufferedRecords and BufferedBytes are what the producer holds now:
	// accepted user records not yet stored or failed, and their partition
	// key plus data bytes.
	BufferedRecords, BufferedBytes int64
	// OldestBufferedAge is how long the oldest of those records has been
	// held, or 0 if there are none.
	OldestBufferedAge time.Duration
}

// producerCounters are a Producer's running totals.
type producerCounters struct {
	userPut, kinesisPut, bytesPut atomic.Int64
	calls, callErrors, retries    atomic.Int64
	throttles, failed, misrouted  atomic.Int64
	refreshes                     atomic.Int64
}

// Metrics returns a snapshot of the producer's counters. The counters
// are read one by one while the producer runs, so they need not add up
// exactly with each other.
func (p *Producer) Metrics() ProducerMetrics {
	bufRecords, bufBytes := p.buf.counts()
	m := ProducerMetrics{
		UserRecordsPut:    p.m.userPut.Load(),
		KinesisRecordsPut: p.m.kinesisPut.Load(),
		BytesPut:          p.m.bytesPut.Load(),
		Calls:             p.m.calls.Load(),
		CallErrors:        p.m.callErrors.Load(),
		Retries:           p.m.retries.Load(),
		Throttles:         p.m.throttles.Load(),
		Failures:          p.m.failed.Load(),
		Misrouted:         p.m.misrouted.Load(),
		ShardMapRefreshes: p.m.refreshes.Load(),
		BufferedRecords:   bufRecords,
		BufferedBytes:     bufBytes,
	}
	oldest, held := time.Duration(math.MaxInt64), false
	for _, q := range p.liveQueues() {
		q.mu.Lock()
		if q.head < len(q.pending) {
			oldest, held = min(oldest, q.pending[q.head].deadline), true
		}
		if q.inflight > 0 {
			oldest, held = min(oldest, q.inflightDeadline), true
		}
		q.mu.Unlock()
	}
	if held {
		m.OldestBufferedAge = max(p.accept.since(p.cfg.Clock.Now())-(oldest-p.cfg.RecordTTL), 0)
	}
	return m
}
