package kds

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// arenaChunk is the size of the blocks a queue copies small record data
// into; larger data gets its own allocation.
const arenaChunk = 64 << 10

// arenaPool holds the arena blocks that no record uses any more.
var arenaPool = sync.Pool{New: func() any { return new([arenaChunk]byte) }}

// arenaBlock is a full arena block and the seq of the first record
// queued after it was full: it is free once every record before that
// has finished.
type arenaBlock struct {
	buf *[arenaChunk]byte
	end uint64
}

// errMisrouted is the last error of user records put again because their
// aggregate landed in a shard whose range does not hold them all.
var errMisrouted = errors.New("kds: aggregate stored in a shard that does not cover all its user records")

// shardQueue holds the records a Producer routes to one shard, and its
// sender goroutine sends them, one PutRecords call at a time. The queue
// with ID "" covers the whole hash space until the first ListShards
// answers. Its fields below mu are guarded by mu; the sender's own state
// is used by the sender alone.
type shardQueue struct {
	p     *Producer
	id    string
	rng   HashKeyRange
	after []*shardQueue // queues that must drain before this one sends
	// drained is closed when the queue is retired and empty for good.
	drained chan struct{}
	// wake tells the sender that something changed.
	wake                 chan struct{}
	bytesLim, recordsLim *rate.Limiter // nil: no rate limit
	fullBytes, fullCount int           // a batch this large goes at once

	mu               sync.Mutex
	pending          []queued // from head on, in order of seq
	head             int
	detached         bool // the records before head, up to some point, are the sender's
	moved            bool // pending moved to a new array while detached
	pendingBytes     int
	nextSeq          uint64
	flushTo          uint64 // records with seq below go without waiting
	retired          bool   // the shard is closed; take no new records
	inflight         int    // user records in the call in flight
	inflightMin      uint64 // smallest seq in flight
	inflightDeadline time.Duration
	progress         chan struct{} // closed when records finish; nil if nobody waits
	arena            []byte        // the block being filled
	arenaFull        []arenaBlock  // the blocks filled before it, oldest first

	// The sender's own state.
	held     []queued  // the records detached from the queue
	failures int       // calls in a row that stored nothing
	retryAt  time.Time // no call before
	batch    putBatch
}

// queued is a record in a queue: its handle and what the sender needs of
// it, kept by value so that building a call reads the queue's slice
// rather than every record's handle.
type queued struct {
	r        *PendingPut
	key, ehk string
	data     []byte        // a copy of the caller's
	deadline time.Duration // accepted + RecordTTL, since the producer's epoch
	seq      uint64        // order of acceptance within its queue
	size     int           // len(key) + len(data)
	attempts int
}

// finish gives the record its final result.
func (u *queued) finish(res PutResult) {
	res.Attempts = u.attempts
	u.r.finish(res)
}

// newQueue returns the queue of shard id, not yet started.
func (p *Producer) newQueue(id string, rng HashKeyRange) *shardQueue {
	q := &shardQueue{p: p, id: id, rng: rng, drained: make(chan struct{}), wake: make(chan struct{}, 1)}
	cfg := &p.cfg
	q.fullBytes, q.fullCount = cfg.CollectionMaxSize, cfg.CollectionMaxCount
	if !cfg.DisableAggregation {
		q.fullBytes, q.fullCount = min(cfg.CollectionMaxSize, cfg.CollectionMaxCount*cfg.AggregationMaxSize), math32
	}
	if cfg.RateLimitPercent > 0 {
		l := KinesisLimits()
		share := float64(cfg.RateLimitPercent) / 100
		q.bytesLim = rate.NewLimiter(rate.Limit(l.WriteBytesPerSecond*share), max(int(l.WriteBytesPerSecond*share), 1))
		q.recordsLim = rate.NewLimiter(rate.Limit(l.WriteRecordsPerSecond*share), max(int(l.WriteRecordsPerSecond*share), 1))
		q.fullBytes = min(q.fullBytes, q.bytesLim.Burst())
		if cfg.DisableAggregation {
			q.fullCount = min(q.fullCount, q.recordsLim.Burst())
		}
	}
	return q
}

// math32 stands for "no bound" on a batch's user record count.
const math32 = 1<<31 - 1

// signal wakes the sender if it sleeps.
func (q *shardQueue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// append queues r under key with a copy of data, unless the queue is
// retired.
func (q *shardQueue) append(r *PendingPut, key string, data []byte, deadline time.Duration) bool {
	q.mu.Lock()
	if q.retired {
		q.mu.Unlock()
		return false
	}
	q.roomLocked(1)
	size := len(key) + len(data)
	q.pending = append(q.pending, queued{r: r, key: key, ehk: r.ehk, data: q.copyLocked(data), deadline: deadline, seq: q.nextSeq, size: size})
	q.nextSeq++
	count := len(q.pending) - q.head
	before := q.pendingBytes
	q.pendingBytes += size
	wake := count == 1 || count == q.fullCount || (before < q.fullBytes && q.pendingBytes >= q.fullBytes)
	q.mu.Unlock()
	if wake {
		q.signal()
	}
	return true
}

// roomLocked makes room for n more records at the end of pending: if it
// is full, it moves the records from head on to its front, or to a new
// array twice their number if they fill more than half of it or records
// before head are detached.
func (q *shardQueue) roomLocked(n int) {
	if len(q.pending)+n <= cap(q.pending) {
		return
	}
	live := q.pending[q.head:]
	if 2*(len(live)+n) > cap(q.pending) || q.detached {
		q.pending = append(make([]queued, 0, 2*(len(live)+n)), live...)
		q.moved = q.detached
	} else {
		m := copy(q.pending, live)
		clear(q.pending[m:])
		q.pending = q.pending[:m]
	}
	q.head = 0
}

// detachLocked takes the queued records out of the queue and returns
// them, and whether the queue is retired, so that the sender collects and
// sends a call from them without holding the lock, and puts to the queue
// do not wait meanwhile. They count as in flight until reattachLocked.
// Records queued meanwhile go after them in the same array, which does
// not move them.
func (q *shardQueue) detachLocked() ([]queued, bool) {
	q.held = q.pending[q.head:]
	q.inflight = len(q.held)
	q.inflightMin, q.inflightDeadline = q.held[0].seq, q.held[0].deadline
	q.head = len(q.pending)
	q.detached = true
	return q.held, q.retired
}

// reattachLocked puts the detached records from k on back at the head of
// the queue, before the records queued since; the sender is done with
// those before k.
func (q *shardQueue) reattachLocked(k int) {
	rest := q.held[k:]
	if q.moved {
		since := q.pending[q.head:]
		q.pending = append(append(make([]queued, 0, 2*(len(rest)+len(since))), rest...), since...)
		q.head = 0
	} else {
		// rest ends where the records queued since begin.
		q.head -= len(rest)
	}
	q.held, q.detached, q.moved = nil, false, false
	q.inflight = 0
}

// copyLocked copies data into the queue's arena, or into its own
// allocation if it is large.
func (q *shardQueue) copyLocked(data []byte) []byte {
	if len(data) > arenaChunk/8 {
		return slices.Clone(data)
	}
	if cap(q.arena)-len(q.arena) < len(data) {
		if q.arena != nil {
			q.arenaFull = append(q.arenaFull, arenaBlock{buf: (*[arenaChunk]byte)(q.arena[:arenaChunk]), end: q.nextSeq})
		}
		q.arena = arenaPool.Get().(*[arenaChunk]byte)[:0]
	}
	n := len(q.arena)
	q.arena = append(q.arena, data...)
	return q.arena[n:len(q.arena):len(q.arena)]
}

// recycleLocked gives the full arena blocks back to arenaPool once every
// record copied into them has finished: every record older than the
// oldest one queued. The sender calls it between calls, when no record
// is in flight.
func (q *shardQueue) recycleLocked() {
	oldest := q.nextSeq
	if q.head < len(q.pending) {
		oldest = q.pending[q.head].seq
	}
	n := 0
	for n < len(q.arenaFull) && q.arenaFull[n].end <= oldest {
		arenaPool.Put(q.arenaFull[n].buf)
		n++
	}
	if n > 0 {
		m := copy(q.arenaFull, q.arenaFull[n:])
		clear(q.arenaFull[m:])
		q.arenaFull = q.arenaFull[:m]
	}
}

// retire stops the queue taking records; it drains what it holds.
func (q *shardQueue) retire() {
	q.mu.Lock()
	q.retired = true
	q.mu.Unlock()
	q.signal()
}

// flush has every record queued so far sent without waiting, and returns
// the mark to wait for with waitBelow.
func (q *shardQueue) flush() uint64 {
	q.mu.Lock()
	mark := q.nextSeq
	q.flushTo = mark
	q.mu.Unlock()
	q.signal()
	return mark
}

// waitBelow waits until every record queued before mark has finished.
func (q *shardQueue) waitBelow(ctx context.Context, mark uint64) error {
	for {
		q.mu.Lock()
		if (q.head == len(q.pending) || q.pending[q.head].seq >= mark) && (q.inflight == 0 || q.inflightMin >= mark) {
			q.mu.Unlock()
			return nil
		}
		if q.progress == nil {
			q.progress = make(chan struct{})
		}
		ch := q.progress
		q.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// progressedLocked wakes those waiting for records to finish.
func (q *shardQueue) progressedLocked() {
	if q.progress != nil {
		close(q.progress)
		q.progress = nil
	}
}

// run is the queue's sender. It sends when a batch is full, when its
// oldest record has waited MaxBufferedTime, on Flush, and at once when
// the queue is retired; it fails records past their time-to-live; and it
// stops when the queue has drained or the producer stops.
func (q *shardQueue) run() {
	p := q.p
	defer p.wg.Done()
	for {
		if p.ctx.Err() != nil {
			q.abort()
			return
		}
		now := p.cfg.Clock.Now()
		q.mu.Lock()
		if expired := q.takeExpiredLocked(now); len(expired) > 0 {
			q.mu.Unlock()
			q.finishAll(expired, func(u *queued) PutResult { return PutResult{Err: expiredError(u.r.lastErr)} })
			continue
		}
		if q.id == "" && !q.retired {
			var deadline time.Time
			if q.head < len(q.pending) {
				deadline = p.accept.at(q.pending[q.head].deadline)
			}
			q.mu.Unlock()
			q.bootstrap(now, deadline)
			continue
		}
		if q.head == len(q.pending) {
			retired := q.retired
			q.mu.Unlock()
			if retired {
				q.drain()
				return
			}
			q.sleep(time.Time{}, nil)
			continue
		}
		deadline := p.accept.at(q.pending[q.head].deadline)
		if gate := q.gate(); gate != nil {
			q.mu.Unlock()
			q.sleep(deadline, gate)
			continue
		}
		if at := q.readyAtLocked(); now.Before(at) || now.Before(q.retryAt) {
			q.mu.Unlock()
			q.sleep(earliest(later(at, q.retryAt), deadline), nil)
			continue
		}
		rt := p.routes.Load()
		recs, retired := q.detachLocked()
		q.mu.Unlock()
		if wait := q.batch.collect(q, recs, retired, rt, now); wait > 0 {
			q.mu.Lock()
			q.reattachLocked(0)
			q.mu.Unlock()
			q.sleep(earliest(now.Add(wait), deadline), nil)
			continue
		}
		q.send(now, rt.gen)
	}
}

// bootstrap learns the shard map for the first time; the refresh retires
// the bootstrap queue. On failure the queue's records keep the error as
// their last, and the queue backs off, or waits for deadline, the
// time-to-live of its oldest record, if that comes first.
func (q *shardQueue) bootstrap(now, deadline time.Time) {
	err := q.p.refresh(q.p.ctx, 0)
	if err == nil {
		return
	}
	q.mu.Lock()
	for _, u := range q.pending[q.head:] {
		u.r.lastErr = err
	}
	q.mu.Unlock()
	q.failures++
	q.sleep(earliest(now.Add(q.backoff()), deadline), nil)
}

// sleep waits until t (never, if t is zero), a signal, gate closing, or
// the producer stopping.
func (q *shardQueue) sleep(t time.Time, gate <-chan struct{}) {
	var timer <-chan time.Time
	if !t.IsZero() {
		timer = afterTime(q.p.cfg.Clock, t)
	}
	select {
	case <-q.wake:
	case <-timer:
	case <-gate:
	case <-q.p.ctx.Done():
	}
}

// gate returns the drained channel of a queue this one must wait for, or
// nil if they have all drained.
func (q *shardQueue) gate() <-chan struct{} {
	for len(q.after) > 0 {
		select {
		case <-q.after[0].drained:
			q.after = q.after[1:]
		default:
			return q.after[0].drained
		}
	}
	return nil
}

// readyAtLocked returns when the queue should send: now (the zero time)
// if it is retired, flushing or holds a full batch, and otherwise when
// its oldest record has waited MaxBufferedTime.
func (q *shardQueue) readyAtLocked() time.Time {
	r := &q.pending[q.head]
	if q.retired || r.seq < q.flushTo || q.pendingBytes >= q.fullBytes || len(q.pending)-q.head >= q.fullCount {
		return time.Time{}
	}
	return q.p.accept.at(r.deadline + q.p.cfg.MaxBufferedTime - q.p.cfg.RecordTTL)
}

// takeExpiredLocked removes and returns the records at the head of the
// queue whose time-to-live has passed.
func (q *shardQueue) takeExpiredLocked(now time.Time) []queued {
	i, d := q.head, q.p.accept.since(now)
	for i < len(q.pending) && d >= q.pending[i].deadline {
		q.pendingBytes -= q.pending[i].size
		i++
	}
	if i == q.head {
		return nil
	}
	expired := slices.Clone(q.pending[q.head:i])
	clear(q.pending[q.head:i])
	q.head = i
	return expired
}

// expiredError is the error of a record whose time-to-live passed.
func expiredError(last error) error {
	if last == nil {
		return ErrRecordExpired
	}
	return fmt.Errorf("%w: %w", ErrRecordExpired, last)
}

// finishAll gives each record's room back to the buffer, then gives each
// its final result and counts it.
func (q *shardQueue) finishAll(rs []queued, result func(*queued) PutResult) {
	bytes := 0
	for i := range rs {
		bytes += rs[i].size
	}
	q.p.buf.release(len(rs), bytes)
	for i := range rs {
		u := &rs[i]
		res := result(u)
		if res.Err != nil {
			q.p.m.failed.Add(1)
		}
		u.finish(res)
	}
	q.mu.Lock()
	q.recycleLocked()
	q.progressedLocked()
	q.mu.Unlock()
}

// drain marks a retired, empty queue as drained and forgets it.
func (q *shardQueue) drain() {
	q.mu.Lock()
	// Every record has finished: the queue's memory goes back, and the
	// queues it waited for are let go, so that a child queue that never
	// sends, and keeps this one in its after list, keeps nothing more.
	if q.arena != nil {
		arenaPool.Put((*[arenaChunk]byte)(q.arena[:arenaChunk]))
	}
	for _, b := range q.arenaFull {
		arenaPool.Put(b.buf)
	}
	q.arena, q.arenaFull, q.pending, q.head, q.after = nil, nil, nil, 0, nil
	q.batch = putBatch{}
	q.mu.Unlock()
	close(q.drained)
	p := q.p
	p.queuesMu.Lock()
	p.queues = slices.DeleteFunc(p.queues, func(o *shardQueue) bool { return o == q })
	p.queuesMu.Unlock()
	q.mu.Lock()
	q.progressedLocked()
	q.mu.Unlock()
}

// abort fails every queued record because the producer stopped before
// storing it.
func (q *shardQueue) abort() {
	q.mu.Lock()
	rs := slices.Clone(q.pending[q.head:])
	q.pending, q.head, q.pendingBytes = nil, 0, 0
	q.retired = true
	q.mu.Unlock()
	q.finishAll(rs, func(u *queued) PutResult {
		if err := u.r.lastErr; err != nil {
			return PutResult{Err: fmt.Errorf("%w: %w", ErrProducerClosed, err)}
		}
		return PutResult{Err: ErrProducerClosed}
	})
}

// backoff returns how long to wait after failures calls in a row stored
// nothing: RetryBaseDelay doubled for each failure after the first,
// capped at RetryMaxDelay, drawn at random from its upper half.
func (q *shardQueue) backoff() time.Duration {
	cfg := &q.p.cfg
	d := cfg.RetryBaseDelay
	for i := 1; i < q.failures && d < cfg.RetryMaxDelay; i++ {
		d *= 2
	}
	d = min(d, cfg.RetryMaxDelay)
	if d <= 1 {
		return d
	}
	return d/2 + rand.N(d/2+1)
}

// earliest returns the earlier of two times, ignoring zero ones.
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// later returns the later of two times.
func later(a, b time.Time) time.Time {
	if a.Before(b) {
		return b
	}
	return a
}
