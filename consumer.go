package kds

import (
	"context"
	"iter"
	"time"
)

// readBatch is how many records a Go-native reader takes from one shard
// before visiting the next, so that one busy shard cannot starve others.
const readBatch = 1000

// Records returns the stream's records from position from on, in every
// shard, and then keeps following new records as they arrive, waking within
// microseconds of a put. It follows resharding: a shard's children are read
// only after their parents have been read to the end, so the records of
// one partition key come in the order they were put even across splits
// and merges. Shards are interleaved.
//
// The sequence ends when ctx is done, yielding ctx's error, or when the
// stream is deleted, yielding ResourceNotFoundException. Break out of the
// loop to stop early.
//
// A sequence-number position applies to the shard the number belongs to:
// that shard's ancestors are skipped and the other shards start at their
// trim horizon. A number from no shard of the stream yields
// InvalidArgumentException.
//
// Records written in KPL's aggregated format come out as the user records
// they contain, with [Record.SubSequenceNumber] set; a record that only looks like an aggregate (its digest or body does
// not check out) comes out as it is, as KCL does. [KeepAggregates] turns
// deaggregation off.
//
// When the stream enforces throughput limits, the reader reads like a
// polling consumer: each batch from a shard is one GetRecords call against
// the shard's shared read budget, and when the budget is spent the reader
// waits for it to refill instead of failing (see [IgnoreReadLimits]).
//
// With [WithAccessControl], ctx's [Caller] needs kinesis:GetShardIterator
// and kinesis:GetRecords on the stream when the iteration starts; a
// refusal is the sequence's only element.
func (s *Stream) Records(ctx context.Context, from StartPosition, opts ...ReadOption) iter.Seq2[Record, error] {
	return s.read(ctx, from, true, opts)
}

// Replay is [Stream.Records] without the following: it yields the records
// from position from up to the newest record at the time of the call, then
// ends.
func (s *Stream) Replay(ctx context.Context, from StartPosition, opts ...ReadOption) iter.Seq2[Record, error] {
	return s.read(ctx, from, false, opts)
}

// ReadOption changes how a Go-native reader ([Stream.Records],
// [Stream.Replay], [Stream.ShardRecords]) reads.
type ReadOption func(*readConfig)

// readConfig is what a reader's options chose.
type readConfig struct {
	ignoreLimits   bool
	keepAggregates bool
}

// KeepAggregates makes a reader yield KPL aggregated records as they are
// stored, one Record each, instead of the user records inside them.
func KeepAggregates() ReadOption { return func(c *readConfig) { c.keepAggregates = true } }

// IgnoreReadLimits makes a reader read as fast as it can even when the
// stream enforces throughput limits: it neither waits for the shards' read
// budgets nor spends them, so it does not slow down other readers. Kinesis
// has no such reader; it is meant for tools and tests that watch a stream
// without taking part in its traffic.
func IgnoreReadLimits() ReadOption { return func(c *readConfig) { c.ignoreLimits = true } }

func newReadConfig(opts []ReadOption) readConfig {
	var c readConfig
	for _, o := range opts {
		o(&c)
	}
	return c
}

// ShardRecords reads one shard, given by ID ("shardId-000000000001", or
// loosely "1"), from position from on: it replays what is stored and then
// follows new records like [Stream.Records]. On a closed shard it ends
// after the shard's last record; read the children (see
// [Service.ListShards]) to go on. A sequence number from another shard
// yields InvalidArgumentException, an unknown shard
// ResourceNotFoundException. Access control applies as for
// [Stream.Records].
func (s *Stream) ShardRecords(ctx context.Context, shardID string, from StartPosition, opts ...ReadOption) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		if err := s.authorizeRead(ctx); err != nil {
			yield(Record{}, err)
			return
		}
		now := s.svc.clock.Now()
		s.settle(now)
		sh, err := s.lookupShard(shardID, now)
		if err == nil && (from.typ == ShardIteratorTypeAtSequenceNumber || from.typ == ShardIteratorTypeAfterSequenceNumber) && !sh.belongsTo(from.seq) {
			err = newError(codeInvalidArgument, "Sequence number %s did not come from shard %s in stream %s under account %s.", from.seq, sh.id, s.name, s.svc.cfg.accountID)
		}
		if err != nil {
			yield(Record{}, err)
			return
		}
		r := &reader{s: s, cfg: newReadConfig(opts), single: true, cursors: []shardCursor{{sh: sh, next: from.startCounter(sh.snapshot()), stop: ^uint64(0)}}}
		r.run(ctx, true, yield)
	}
}

// authorizeRead applies the Service's access control to a Go-native
// reader starting on behalf of ctx's [Caller]: like a polling consumer, it
// needs kinesis:GetShardIterator and kinesis:GetRecords on the stream. The
// check is made once, when the reader starts, as for a SubscribeToShard
// subscription; a policy changed later does not stop a running reader.
func (s *Stream) authorizeRead(ctx context.Context) error {
	return s.svc.authorize(ctx, s.arn, opGetShardIterator.name, opGetRecords.name)
}

// shardCursor is a Go-native reader's position in one shard.
type shardCursor struct {
	sh   *shard
	next uint64 // counter of the next record to read
	stop uint64 // read only below this counter; ^0 to follow forever
}

// finished reports whether the cursor has nothing more to read, ever.
func (c *shardCursor) finished() bool {
	if c.next >= c.stop {
		return true
	}
	cl := c.sh.closure.Load()
	return cl != nil && c.next >= cl.end
}

// unread reports whether records wait below the cursor's stop.
func (c *shardCursor) unread() bool {
	return c.next < min(c.stop, c.sh.snapshot().end())
}

// reader is the state of one Go-native read of a whole stream: a cursor
// per shard, indexed by shard index.
type reader struct {
	s        *Stream
	cfg      readConfig
	users    []Record // scratch for deaggregated user records
	cursors  []shardCursor
	topology uint64 // the stream's topology count the cursors reflect
	single   bool   // one shard, without its lineage
}

// ready reports whether shard i may be read: all its parents are finished
// (a single-shard reader reads its shard whatever its parents).
func (r *reader) ready(i int) bool {
	if r.single {
		return true
	}
	for _, p := range r.cursors[i].sh.parents {
		if !r.cursors[p.index].finished() {
			return false
		}
	}
	return true
}

// addShards adds a cursor, at the shard's start, for every shard the
// stream gained since the reader last looked.
func (r *reader) addShards() {
	r.topology = r.s.topology.Load()
	for _, sh := range r.s.allShards()[len(r.cursors):] {
		r.cursors = append(r.cursors, shardCursor{sh: sh, next: sh.snapshot().oldest(), stop: ^uint64(0)})
	}
}

func (s *Stream) read(ctx context.Context, from StartPosition, follow bool, opts []ReadOption) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		if err := s.authorizeRead(ctx); err != nil {
			yield(Record{}, err)
			return
		}
		r, err := s.newReader(from, follow, newReadConfig(opts))
		if err != nil {
			yield(Record{}, err)
			return
		}
		r.run(ctx, follow, yield)
	}
}

// run yields the reader's records until it is done: in follow mode, until
// ctx ends or the stream is deleted (or a single-shard reader finishes a
// closed shard); otherwise once every cursor reaches its stop.
func (r *reader) run(ctx context.Context, follow bool, yield func(Record, error) bool) {
	s := r.s
	var buf []Record
	for {
		if err := ctx.Err(); err != nil {
			yield(Record{}, err)
			return
		}
		now := s.svc.clock.Now()
		if s.gone(now) {
			yield(Record{}, s.svc.notFound(s.name))
			return
		}
		s.settle(now)
		if follow && !r.single && s.topology.Load() != r.topology {
			r.addShards()
		}
		read := 0
		var retry time.Time // when the earliest throttled shard may be read
		for i := range r.cursors {
			c := &r.cursors[i]
			if c.finished() || !r.ready(i) || !c.unread() {
				continue
			}
			lim := r.limiters(c)
			if wait := lim.readDelay(now); wait > 0 || !lim.admitRead(now) {
				if at := now.Add(max(wait, time.Millisecond)); retry.IsZero() || at.Before(retry) {
					retry = at
				}
				continue
			}
			batch := readBatch
			if lim != nil {
				batch = MaxGetRecordsLimit // a GetRecords call's worth
			}
			var err error
			buf, c.next, err = c.sh.readInto(buf[:0], c.sh.snapshot(), c.next, int(min(uint64(batch), c.stop-c.next)), MaxGetRecordsBytes, s.cutoffMs(now), reading{ctx, s, now})
			if err != nil {
				yield(Record{}, err)
				return
			}
			lim.chargeRead(now, recordBytes(buf))
			s.meter.read(buf, false)
			s.observeRead(now, c.sh, buf, iteratorAge(now, buf, 0), false)
			for _, rec := range buf {
				if !r.emit(rec, yield) {
					return
				}
			}
			read += len(buf)
		}
		if read > 0 {
			continue
		}
		if retry.IsZero() && (!follow || r.single && r.cursors[0].finished()) {
			return // every shard is read up to its stop, or the shard closed
		}
		// Nothing to read: arm the wake-up, then look once more, so
		// that a put or reshard landing in between still wakes us.
		wake := s.arrived.wait()
		if r.hasReadable(now) || s.topology.Load() != r.topology {
			continue
		}
		var deleted, throttled <-chan time.Time
		if g := s.goneAt.Load(); g != nil {
			deleted = afterTime(s.svc.clock, *g)
			if s.gone(s.svc.clock.Now()) {
				continue // the clock passed the deletion while arming
			}
		}
		if !retry.IsZero() {
			throttled = afterTime(s.svc.clock, retry)
		}
		select {
		case <-wake:
		case <-deleted:
		case <-throttled:
		case <-ctx.Done():
		}
	}
}

// emit yields rec, or, unless the reader keeps aggregates, the user
// records of the KPL aggregate it holds (see [AppendUserRecords]). It
// reports whether to go on.
func (r *reader) emit(rec Record, yield func(Record, error) bool) bool {
	if r.cfg.keepAggregates || !isAggregate(rec.Data) {
		return yield(rec, nil)
	}
	r.users = AppendUserRecords(r.users[:0], rec)
	for _, u := range r.users {
		if !yield(u, nil) {
			return false
		}
	}
	return true
}

// limiters returns the read budget cursor c's reads draw on, or nil when
// they are unlimited.
func (r *reader) limiters(c *shardCursor) *shardLimiters {
	if r.cfg.ignoreLimits {
		return nil
	}
	return c.sh.limiters.Load()
}

// newReader positions a reader in every shard of the stream.
func (s *Stream) newReader(from StartPosition, follow bool, cfg readConfig) (*reader, error) {
	r := &reader{s: s, cfg: cfg, topology: s.topology.Load()}
	shards := s.allShards()
	bySeq := from.typ == ShardIteratorTypeAtSequenceNumber || from.typ == ShardIteratorTypeAfterSequenceNumber
	var owner *shard
	for _, sh := range shards {
		if bySeq && sh.belongsTo(from.seq) {
			owner = sh
		}
	}
	if bySeq && owner == nil {
		return nil, newError(codeInvalidArgument, "Sequence number %s did not come from stream %s under account %s.", from.seq, s.name, s.svc.cfg.accountID)
	}
	skip := ancestors(owner)
	for _, sh := range shards {
		v := sh.snapshot()
		c := shardCursor{sh: sh, stop: ^uint64(0)}
		switch {
		case skip[sh]:
			c.next = v.end()
		case bySeq && sh != owner:
			c.next = TrimHorizon().startCounter(v)
		default:
			c.next = from.startCounter(v)
		}
		if !follow {
			c.stop = v.end()
		}
		r.cursors = append(r.cursors, c)
	}
	return r, nil
}

// ancestors returns the shards sh was split or merged from, transitively.
func ancestors(sh *shard) map[*shard]bool {
	out := map[*shard]bool{}
	if sh == nil {
		return out
	}
	todo := append([]*shard(nil), sh.parents...)
	for len(todo) > 0 {
		p := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if !out[p] {
			out[p] = true
			todo = append(todo, p.parents...)
		}
	}
	return out
}

// hasReadable reports whether any readable cursor has records waiting and
// a read budget to take them at time now.
func (r *reader) hasReadable(now time.Time) bool {
	for i := range r.cursors {
		c := &r.cursors[i]
		if !c.finished() && r.ready(i) && c.unread() && r.limiters(c).readDelay(now) == 0 {
			return true
		}
	}
	return false
}
