package kds

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// ProducerClient is the part of the Kinesis API a [Producer] needs.
// [*Service] satisfies it; so can an adapter over the AWS SDK. PutRecords
// must not keep the Data of the request's entries after it returns: the
// Producer reuses those buffers for its next call.
type ProducerClient interface {
	PutRecords(ctx context.Context, in PutRecordsInput) (PutRecordsOutput, error)
	ListShards(ctx context.Context, in ListShardsInput) (ListShardsOutput, error)
}

var _ ProducerClient = (*Service)(nil)

// Defaults of [ProducerConfig], those of the KPL where it has the knob.
const (
	defaultMaxBufferedTime    = 100 * time.Millisecond
	defaultAggregationMaxSize = 51200
	defaultCollectionMaxCount = MaxPutRecordsEntries
	defaultCollectionMaxSize  = 5 << 20
	defaultRecordTTL          = 30 * time.Second
	defaultRateLimitPercent   = 150
	defaultMaxBufferedRecords = 100_000
	defaultMaxBufferedBytes   = 256 << 20
	defaultRetryBaseDelay     = 100 * time.Millisecond
	defaultRetryMaxDelay      = 2 * time.Second
	// maxProducerDelay caps the configured durations, so that deadlines
	// counted from the producer's start cannot overflow: 100 years is
	// as good as never.
	maxProducerDelay = 100 * 365 * 24 * time.Hour
)

// ProducerConfig configures a [Producer]. StreamName and Client are
// required; every other zero field means the default it documents, which
// is the KPL's default where the KPL has the knob.
type ProducerConfig struct {
	// StreamName is the stream to put to.
	StreamName string
	// Client carries the calls; a [*Service] for in-process use.
	Client ProducerClient
	// Caller is who the producer's calls act for, as [WithCaller] would
	// set it: access control judges them, and the audit trail names it.
	// The zero Caller is the account root. (The producer makes its calls
	// from its own goroutines, not with the context given to PutAsync.)
	// It matters to in-process clients such as a [*Service]; a client
	// over the network acts as the credentials it signs with.
	Caller Caller
	// Clock times buffering, backoff, time-to-live and the rate limit.
	// Default [RealClock].
	Clock Clock

	// MaxBufferedTime (KPL RecordMaxBufferedTime) is how long a record may
	// wait for its shard's batch to fill before the batch is sent anyway.
	// Default 100 ms; it must not be negative. This and the other
	// durations below are capped at 100 years, which means never.
	MaxBufferedTime time.Duration
	// DisableAggregation turns KPL aggregation off: every user record is
	// then one Kinesis record. Aggregation is on by default.
	DisableAggregation bool
	// AggregationMaxSize (KPL AggregationMaxSize) bounds an aggregated
	// Kinesis record, partition key plus data, in bytes. Default 51,200;
	// at most the record size limit (MaxRecordSizeInKiB). A user record
	// too large to share an aggregate is sent on its own.
	AggregationMaxSize int
	// CollectionMaxCount (KPL CollectionMaxCount) is the most Kinesis
	// records one PutRecords call carries: 1 to 500, default 500.
	CollectionMaxCount int
	// CollectionMaxSize (KPL CollectionMaxSize) bounds the keys plus data
	// of one PutRecords call, in bytes: at most 10 MiB, default 5 MiB.
	CollectionMaxSize int
	// MaxRecordSizeInKiB is the stream's record size limit, partition key
	// plus data: 1,024 (the default) to 10,240, as the stream was
	// created or updated with. PutAsync refuses larger user records.
	MaxRecordSizeInKiB int
	// RecordTTL (KPL RecordTtl) is how long after it was accepted a record
	// may go unstored before it fails with [ErrRecordExpired] and its last
	// error. Default 30 s; it must not be negative. On the RealClock the
	// time of acceptance is read to within about a millisecond (more if
	// the process is starved of CPU), and never later than it was.
	RecordTTL time.Duration
	// RateLimitPercent (KPL RateLimit) caps what the producer sends to
	// each shard, as a percentage of a shard's write limits (1 MiB/s and
	// 1,000 records/s), with a bucket of one second's worth. It saves the
	// calls that would only be throttled. The default 150 lets one
	// producer saturate a shard at the price of some throttling; 100
	// throttles less. A negative value turns the limit off.
	RateLimitPercent int
	// MaxBufferedRecords bounds the user records accepted but not yet
	// stored or failed. Default 100,000; at most 16,777,215. A record's
	// room is given back before its result is, so a PutAsync made once a
	// result is known finds that room free.
	MaxBufferedRecords int
	// MaxBufferedBytes bounds the partition key plus data bytes of those
	// records. Default 256 MiB; at most 512 GiB. A record larger than the
	// whole bound is accepted when the buffer is empty.
	MaxBufferedBytes int
	// FailIfFull makes PutAsync fail at once with [ErrBufferFull] when the
	// buffer is full, instead of waiting for room.
	FailIfFull bool
	// RetryBaseDelay and RetryMaxDelay bound the backoff of a shard after
	// a call that stored nothing: base·2^(n-1) after n such calls in a
	// row, capped at the max, with jitter drawing the wait from its upper
	// half. Defaults 100 ms and 2 s.
	RetryBaseDelay time.Duration
	RetryMaxDelay  time.Duration
}

// withDefaults returns c with its zero fields set to their defaults.
func (c ProducerConfig) withDefaults() ProducerConfig {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	if c.Clock == nil {
		c.Clock = RealClock{}
	}
	def(&c.MaxRecordSizeInKiB, DefaultMaxRecordSizeInKiB)
	def(&c.AggregationMaxSize, min(defaultAggregationMaxSize, c.MaxRecordSizeInKiB<<10))
	def(&c.CollectionMaxCount, defaultCollectionMaxCount)
	def(&c.CollectionMaxSize, defaultCollectionMaxSize)
	def(&c.RateLimitPercent, defaultRateLimitPercent)
	def(&c.MaxBufferedRecords, defaultMaxBufferedRecords)
	def(&c.MaxBufferedBytes, defaultMaxBufferedBytes)
	defDur(&c.MaxBufferedTime, defaultMaxBufferedTime)
	defDur(&c.RecordTTL, defaultRecordTTL)
	defDur(&c.RetryBaseDelay, defaultRetryBaseDelay)
	defDur(&c.RetryMaxDelay, max(defaultRetryMaxDelay, c.RetryBaseDelay))
	for _, d := range []*time.Duration{&c.MaxBufferedTime, &c.RecordTTL, &c.RetryBaseDelay, &c.RetryMaxDelay} {
		*d = min(*d, maxProducerDelay)
	}
	return c
}

// validate returns every problem of a config with defaults applied.
func (c ProducerConfig) validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("kds: producer: "+format, args...)) }
	if c.StreamName == "" || textLength(c.StreamName) > MaxStreamNameLength {
		bad("StreamName must have 1 to %d characters", MaxStreamNameLength)
	}
	if c.Client == nil {
		bad("Client is required")
	}
	if c.MaxRecordSizeInKiB < MinMaxRecordSizeInKiB || c.MaxRecordSizeInKiB > MaxMaxRecordSizeInKiB {
		bad("MaxRecordSizeInKiB %d is outside [%d, %d]", c.MaxRecordSizeInKiB, MinMaxRecordSizeInKiB, MaxMaxRecordSizeInKiB)
	}
	if c.AggregationMaxSize < 1 || c.AggregationMaxSize > c.MaxRecordSizeInKiB<<10 {
		bad("AggregationMaxSize %d is outside [1, %d]", c.AggregationMaxSize, c.MaxRecordSizeInKiB<<10)
	}
	if c.CollectionMaxCount < 1 || c.CollectionMaxCount > MaxPutRecordsEntries {
		bad("CollectionMaxCount %d is outside [1, %d]", c.CollectionMaxCount, MaxPutRecordsEntries)
	}
	if c.CollectionMaxSize < 1 || c.CollectionMaxSize > MaxPutRecordsRequestBytes {
		bad("CollectionMaxSize %d is outside [1, %d]", c.CollectionMaxSize, MaxPutRecordsRequestBytes)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"MaxBufferedTime", c.MaxBufferedTime}, {"RecordTTL", c.RecordTTL}, {"RetryBaseDelay", c.RetryBaseDelay}, {"RetryMaxDelay", c.RetryMaxDelay}} {
		if d.v < 0 {
			bad("%s %v is negative", d.name, d.v)
		}
	}
	if c.RetryMaxDelay < c.RetryBaseDelay {
		bad("RetryMaxDelay %v is below RetryBaseDelay %v", c.RetryMaxDelay, c.RetryBaseDelay)
	}
	if c.MaxBufferedRecords < 0 || c.MaxBufferedRecords > maxBufferedRecordsLimit {
		bad("MaxBufferedRecords %d is outside [0, %d]", c.MaxBufferedRecords, maxBufferedRecordsLimit)
	}
	if c.MaxBufferedBytes < 0 || c.MaxBufferedBytes > maxBufferedBytesLimit {
		bad("MaxBufferedBytes %d is outside [0, %d]", c.MaxBufferedBytes, maxBufferedBytesLimit)
	}
	return errors.Join(errs...)
}

// Errors of a [Producer].
var (
	// ErrProducerClosed is returned by PutAsync and Put after Close, and
	// is the error (wrapped) of records that Close gave up on when its
	// context ended.
	ErrProducerClosed = errors.New("kds: producer closed")
	// ErrBufferFull is returned by PutAsync and Put when the buffer is full
	// and [ProducerConfig.FailIfFull] is set.
	ErrBufferFull = errors.New("kds: producer buffer full")
	// ErrRecordExpired is the error (wrapped, together with the record's
	// last error if it had one) of a record that was not stored within
	// [ProducerConfig.RecordTTL].
	ErrRecordExpired = errors.New("kds: record time-to-live expired")
)

// Producer puts user records to a stream the way the Kinesis Producer
// Library does: it buffers them per shard, packs them into KPL aggregates,
// sends them in PutRecords calls, and retries what fails, while keeping
// the records of each partition key in order. It is safe for concurrent
// use.
//
// Ordering: records put with the same partition key (and explicit hash
// key) are stored in the order PutAsync accepted them, even across
// retries and resharding. Each shard has one queue with at most one
// PutRecords call in flight. Within a call, a partition key appears in at
// most one Kinesis record: with aggregation all of the key's user records
// in the call share one aggregate, which is stored or fails as a unit;
// without it, the key's next record waits for the next call. Failed
// records go back to the head of their queue, before any newer record.
// When the producer learns of a reshard (a record stored in a shard it did
// not predict), the queues of the closed shards keep their records and
// send them, while the children's queues wait until every queue whose
// hash range overlaps theirs has drained. Records that were accepted into
// one queue never move to another.
//
// Duplicates: a record is stored at most once, except in two cases. A
// call that fails with an error after the service stored some of it (a
// timeout of a remote client, say) is retried whole. And an aggregate
// built for a shard that had closed unknown to the producer may land in
// a child whose hash range does not hold all its user records; the KCL
// drops such an aggregate, so its user records are put again, and kds's
// own readers, which do not drop it, see them twice
// ([ProducerMetrics.Misrouted] counts these aggregates). When the
// ListShards call that would tell the producer the child's range fails,
// it cannot check the aggregate, so it puts the user records again even
// if the aggregate fitted its child; these count as Misrouted too.
type Producer struct {
	cfg       ProducerConfig
	maxRecord int // bytes, key plus data

	ctx    context.Context // ended when the producer stops or gives up
	cancel context.CancelFunc
	wg     sync.WaitGroup // the queues' senders

	closeMu sync.RWMutex // held for reading while a record is accepted
	closed  bool
	closing chan struct{} // closed by Close

	buf    producerBuffer
	routes atomic.Pointer[producerRoutes]
	hashes keyHashCache
	accept *acceptClock

	refreshMu sync.Mutex // serialises shard map refreshes
	queuesMu  sync.Mutex
	queues    []*shardQueue // every queue that has not drained for good
	stopped   bool          // no more queues may start

	m producerCounters
}

// NewProducer checks cfg and returns a Producer that starts learning the
// stream's shards at once. It returns every problem of cfg, joined.
func NewProducer(cfg ProducerConfig) (*Producer, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	p := &Producer{cfg: cfg, maxRecord: cfg.MaxRecordSizeInKiB << 10, closing: make(chan struct{})}
	p.ctx, p.cancel = context.WithCancel(WithCaller(context.Background(), cfg.Caller))
	p.buf = producerBuffer{maxRecords: int64(cfg.MaxBufferedRecords), maxBytes: int64(cfg.MaxBufferedBytes)}
	p.accept = newAcceptClock(cfg.Clock)
	// Until the first ListShards answers, one queue covers the whole hash
	// space; it sends nothing until it has been replaced.
	boot := p.newQueue("", HashKeyRange{EndingHashKey: MaxHashKey})
	p.queues = []*shardQueue{boot}
	p.routes.Store(&producerRoutes{starts: []HashKey{{}}, queues: []*shardQueue{boot}})
	p.wg.Add(1)
	go boot.run()
	if p.accept.coarse {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.accept.refresh(p.ctx.Done(), func() bool { n, _ := p.buf.counts(); return n > 0 })
		}()
	}
	return p, nil
}

// PutAsync accepts one user record and returns its handle; the record is
// stored or fails later, as the handle and the callback tell. Data is
// copied, so the caller may reuse it.
//
// PutAsync returns an error only if it does not accept the record: the
// partition key is not 1 to 256 characters or the record (key plus data)
// exceeds MaxRecordSizeInKiB (ValidationException or InvalidArgument-
// Exception, as Kinesis would answer), an explicit hash key is malformed,
// the producer is closed ([ErrProducerClosed]), or the buffer is full and
// either FailIfFull is set ([ErrBufferFull]) or ctx ended while it waited
// for room (ctx's error). Once accepted, a record's fate no longer depends
// on ctx.
func (p *Producer) PutAsync(ctx context.Context, partitionKey string, data []byte, opts ...PutOption) (*PendingPut, error) {
	r := &PendingPut{}
	for _, o := range opts {
		o(r)
	}
	if err := p.check(r, partitionKey, data); err != nil {
		return nil, err
	}
	size := len(partitionKey) + len(data)
	if err := p.buf.reserve(ctx, size, p.cfg.FailIfFull, p.closing, p.sendAll); err != nil {
		return nil, err
	}
	p.closeMu.RLock()
	if p.closed {
		p.closeMu.RUnlock()
		p.buf.release(1, size)
		return nil, ErrProducerClosed
	}
	deadline := p.accept.now() + p.cfg.RecordTTL
	for {
		q := p.routes.Load().lookup(r.hash)
		if q.append(r, partitionKey, data, deadline) {
			break
		}
	}
	p.closeMu.RUnlock()
	return r, nil
}

// check validates a record as PutRecords would and sets its hash key.
func (p *Producer) check(r *PendingPut, key string, data []byte) error {
	var v violations
	v.checkEntry(key, r.ehk, data, 0)
	if err := v.err(); err != nil {
		return err // worded as PutRecord words it
	}
	if size := len(key) + len(data); size > p.maxRecord {
		return newError(codeInvalidArgument, "Record size %d bytes (partition key plus data) exceeds the maximum record size of %d KiB for stream %s.", size, p.maxRecord>>10, p.cfg.StreamName)
	}
	if r.ehk == "" {
		r.hash = p.hashes.hash(key)
		return nil
	}
	h, err := ParseHashKey(r.ehk)
	if err != nil {
		return newError(codeInvalidArgument, "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was %s", r.ehk)
	}
	r.hash = h
	return nil
}

// Put puts one user record and waits for it to be stored: it is
// [Producer.PutAsync] followed by [PendingPut.Wait]. The error is the
// record's final error, PutAsync's refusal, or ctx's error if ctx ends
// first (the record may still be stored then).
func (p *Producer) Put(ctx context.Context, partitionKey string, data []byte, opts ...PutOption) (PutResult, error) {
	pp, err := p.PutAsync(ctx, partitionKey, data, opts...)
	if err != nil {
		return PutResult{}, err
	}
	return pp.Wait(ctx)
}

// Flush sends every record accepted before the call without waiting for
// batches to fill, and waits until each of them is stored or has failed.
// It returns ctx's error if ctx ends first; the records are then still
// being sent.
func (p *Producer) Flush(ctx context.Context) error {
	queues := p.liveQueues()
	marks := make([]uint64, len(queues))
	for i, q := range queues {
		marks[i] = q.flush()
	}
	for i, q := range queues {
		if err := q.waitBelow(ctx, marks[i]); err != nil {
			return err
		}
	}
	return nil
}

// liveQueues returns the queues that have not drained for good.
func (p *Producer) liveQueues() []*shardQueue {
	p.queuesMu.Lock()
	defer p.queuesMu.Unlock()
	return slices.Clone(p.queues)
}

// sendAll has every queue send what it holds without waiting for its
// batch to fill.
func (p *Producer) sendAll() {
	for _, q := range p.liveQueues() {
		q.flush()
	}
}

// Close stops accepting records, sends every record accepted so far and
// waits until each is stored or has failed, then stops the producer's
// goroutines. If ctx ends first, Close stops at once: the records not yet
// stored fail with an error wrapping [ErrProducerClosed], and Close
// returns ctx's error. Either way no accepted record is left without a
// result. Close may be called more than once; later calls wait too.
func (p *Producer) Close(ctx context.Context) error {
	p.closeMu.Lock()
	if !p.closed {
		p.closed = true
		close(p.closing)
	}
	p.closeMu.Unlock()
	err := p.Flush(ctx)
	p.queuesMu.Lock()
	p.stopped = true
	p.queuesMu.Unlock()
	p.cancel()
	p.wg.Wait()
	return err
}
