package kds

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/btree"
)

// shardIDPrefix starts every shard ID; 12 zero-padded digits follow.
const shardIDPrefix = "shardId-"

// shardID formats a shard index the way Kinesis does.
func shardID(index uint32) string { return fmt.Sprintf("%s%012d", shardIDPrefix, index) }

// segmentRef is a sealed segment's entry in a shard's B-tree, keyed by the
// counter of its first record.
type segmentRef struct {
	first uint64
	seg   *segment
}

func segmentRefLess(a, b segmentRef) bool { return a.first < b.first }

// logView is an immutable snapshot of a shard's log: the sealed segments,
// indexed by first counter, and the open tail. Readers load it without a
// lock; the writer publishes a new one whenever the set of segments changes.
type logView struct {
	sealed *btree.BTreeG[segmentRef]
	tail   *segment
}

// segmentFor returns the segment holding counter c, or nil if c is older
// than every segment still held.
func (v *logView) segmentFor(c uint64) *segment {
	if c >= v.tail.first {
		return v.tail
	}
	var found *segment
	v.sealed.DescendLessOrEqual(segmentRef{first: c}, func(r segmentRef) bool {
		found = r.seg
		return false
	})
	return found
}

// oldest returns the counter of the oldest record still held.
func (v *logView) oldest() uint64 {
	if r, ok := v.sealed.Min(); ok {
		return r.first
	}
	return v.tail.first
}

// end returns the counter the next appended record will get.
func (v *logView) end() uint64 { return v.tail.end() }

// firstAtOrAfter returns the first counter at or after from whose record
// arrived at or after ms, or end() if there is none.
func (v *logView) firstAtOrAfter(from uint64, ms int64) uint64 {
	from = max(from, v.oldest())
	end := v.end()
	if from >= end {
		return from
	}
	for from < end {
		g := v.segmentFor(from)
		gEnd := g.end()
		if c := g.searchArrival(from, gEnd, ms); c < gEnd {
			return c
		}
		from = gEnd
	}
	return end
}

// shard is one shard of a stream: its identity, hash key range and log.
// Appends are serialised by mu; reads go through the published logView and
// never take mu.
type shard struct {
	id          string
	index       uint32
	hashRange   HashKeyRange
	parents     []*shard  // the shards this one was split or merged from
	createdAt   time.Time // when the shard opened, for ListShards filters
	createdSecs int64     // the stream incarnation's second, encoded in sequence numbers
	epoch       uint8     // the stream incarnation tag encoded in them too
	starting    SequenceNumber

	view     atomic.Pointer[logView]
	closure  atomic.Pointer[shardClosure]  // set once, when the shard closes
	limiters atomic.Pointer[shardLimiters] // nil when throughput is unlimited
	stats    lazyLog                       // shard-level CloudWatch metrics

	mu          sync.Mutex
	lastArrival int64       // Unix ms of the newest record; arrivals never go back
	nextArena   int         // arena size of the next segment
	nextHeaders int         // header table size of the next segment
	scratch     sealScratch // scratch for sealing records
}

// newShard returns an open, empty shard. createdSecs and epoch identify
// the stream incarnation (see Service.nextIncarnationLocked), so that
// together with the index they identify the shard among all shards the
// Service ever had.
func newShard(index uint32, r HashKeyRange, createdAt time.Time, createdSecs int64, epoch uint8) *shard {
	s := &shard{
		id:          shardID(index),
		index:       index,
		hashRange:   r,
		createdAt:   createdAt,
		createdSecs: createdSecs,
		epoch:       epoch,
		nextArena:   minSegmentBytes,
		nextHeaders: minSegmentBytes / initialRecordGuess,
	}
	s.starting = makeSequenceNumber(s.createdSecs, index, epoch, 0, s.createdSecs)
	// The first tail has no room, so an idle shard costs no arena: the
	// first append seals it (empty, so it is dropped) and opens a real one.
	s.view.Store(&logView{sealed: btree.NewG(8, segmentRefLess), tail: newSegment(1, 0, 0)})
	return s
}

// shardClosure says how a shard ended. It is made once, when a split or
// merge closes the shard, and never changes.
type shardClosure struct {
	end      uint64         // counter one past the shard's last record
	ending   SequenceNumber // the shard's EndingSequenceNumber
	at       time.Time      // when the shard closed
	children []*shard       // the shards that took over its hash keys
}

// maxCounter is the counter of a closed shard's EndingSequenceNumber,
// above that of any record.
const maxCounter = 1<<63 - 1

// closeLocked closes the shard: no record is appended after it. The
// caller holds s.mu.
func (s *shard) closeLocked(at time.Time, children []*shard) {
	s.closure.Store(&shardClosure{
		end:      s.view.Load().end(),
		ending:   makeSequenceNumber(s.createdSecs, s.index, s.epoch, maxCounter, at.Unix()),
		at:       at,
		children: children,
	})
}

// expired reports whether the shard is closed and every record it holds
// arrived before cutoffMs: such a shard is no longer listed or readable.
func (s *shard) expired(cutoffMs int64) bool {
	c := s.closure.Load()
	return c != nil && c.at.UnixMilli() < cutoffMs
}

// openAt reports whether the shard was open at t (both ends inclusive).
func (s *shard) openAt(t time.Time) bool {
	c := s.closure.Load()
	return !s.createdAt.After(t) && (c == nil || !c.at.Before(t))
}

// snapshot returns the current view of the log.
func (s *shard) snapshot() *logView { return s.view.Load() }

// sequenceNumber returns the sequence number of the record with the given
// counter that arrived at the given Unix millisecond.
func (s *shard) sequenceNumber(counter uint64, arrivalMs int64) SequenceNumber {
	return makeSequenceNumber(s.createdSecs, s.index, s.epoch, counter, arrivalMs/1000)
}

// appendLocked appends one record, sealed with w unless w is nil, and
// returns its sequence number. The caller holds s.mu, has validated the
// record, and notifies the stream's readers after unlocking. Expired
// sealed segments (all records before cutoffMs) are dropped whenever a
// segment is sealed.
func (s *shard) appendLocked(key string, data []byte, nowMs, cutoffMs int64, w *writeKey) SequenceNumber {
	arrival := max(nowMs, s.lastArrival)
	s.lastArrival = arrival
	v := s.view.Load()
	size := len(key) + len(data)
	var dk *dataKey
	if w != nil {
		size += sealOverhead
		dk = w.key
	}
	if !v.tail.fits(size, dk) {
		v = s.sealLocked(v, size, cutoffMs)
	}
	counter := v.tail.end()
	v.tail.appendRecord(key, data, arrival, w, s.index, &s.scratch)
	return s.sequenceNumber(counter, arrival)
}

// sealLocked seals the tail, opens a new one with room for a record of
// size bytes, drops expired segments, and publishes the new view.
func (s *shard) sealLocked(v *logView, size int, cutoffMs int64) *logView {
	sealed := v.sealed.Clone()
	if n := int(v.tail.count.Load()); n > 0 {
		sealed.ReplaceOrInsert(segmentRef{first: v.tail.first, seg: v.tail.sealed()})
		s.nextArena = min(s.nextArena*2, maxSegmentBytes)
		// Size the next header table for records like these, with an
		// eighth to spare, so neither arena nor table is mostly empty.
		perTable := s.nextArena / max(v.tail.used/n, 1)
		s.nextHeaders = min(max(perTable+perTable/8, minSegmentHeaders), maxSegmentHeaders)
	}
	dropExpired(sealed, cutoffMs)
	arena := max(s.nextArena, size)
	nv := &logView{sealed: sealed, tail: newSegment(v.tail.end(), arena, s.nextHeaders)}
	s.view.Store(nv)
	return nv
}

// dropExpired removes from t the oldest segments whose every record arrived
// before cutoffMs.
func dropExpired(t *btree.BTreeG[segmentRef], cutoffMs int64) {
	for {
		r, ok := t.Min()
		if !ok {
			return
		}
		n := r.seg.count.Load()
		if n > 0 && r.seg.headers[n-1].arrival >= cutoffMs {
			return
		}
		t.DeleteMin()
	}
}

// readInto appends to dst the records from counter from on, skipping any
// that arrived before cutoffMs, stopping after limit records or before the
// record that would take the keys and data returned past maxBytes (the
// first record is always returned, so an oversized one still makes
// progress). Sealed records are opened on behalf of rd's caller; readInto
// stops before one it cannot open, and returns the error only if that is
// the first record, so a reader gets what precedes it first. It returns
// the records and the counter to continue from.
func (s *shard) readInto(dst []Record, v *logView, from uint64, limit, maxBytes int, cutoffMs int64, rd reading) ([]Record, uint64, error) {
	from = v.firstAtOrAfter(from, cutoffMs)
	end := v.end()
	first, bytes := len(dst), 0
	var op *opener // made at the first sealed record
	for from < end && limit > 0 {
		g := v.segmentFor(from)
		gEnd := min(g.end(), end)
		for ; from < gEnd && limit > 0; from++ {
			h := g.header(from)
			size := int(h.keyLen) + int(h.dataLen)
			if bytes+size > maxBytes && len(dst) > first {
				return dst, from, nil
			}
			var key string
			var data []byte
			enc := EncryptionNone
			if h.sealedBy == 0 {
				key, data = g.partitionKey(h), g.data(h)
			} else {
				if op == nil {
					op = rd.opener()
				}
				var err error
				if key, data, err = op.open(g, h, s.index, from); err != nil {
					if len(dst) > first {
						err = nil
					}
					return dst, from, err
				}
				enc = EncryptionKMS
			}
			dst = append(dst, Record{
				SequenceNumber:              s.sequenceNumber(from, h.arrival),
				ApproximateArrivalTimestamp: time.UnixMilli(h.arrival).UTC(),
				Data:                        data,
				PartitionKey:                key,
				EncryptionType:              enc,
			})
			bytes += size
			limit--
		}
	}
	return dst, from, nil
}

// arrivalOf returns the arrival time (Unix ms) of the record with counter
// c, which must be held by v.
func (v *logView) arrivalOf(c uint64) int64 {
	g := v.segmentFor(c)
	return g.header(c).arrival
}
