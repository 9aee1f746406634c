package kds

import (
	"errors"
	"fmt"
	"math"
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
	seg   *sealedSeg
}

func segmentRefLess(a, b segmentRef) bool { return a.first < b.first }

// logView is an immutable snapshot of a shard's log: the sealed segments,
// indexed by first counter, and the open tail. Readers load it without a
// lock; the writer publishes a new one whenever the set of segments changes.
// Counters are consecutive within a segment, but a log restored from a
// store after a crash has gaps between segments (see dirStore).
type logView struct {
	sealed *btree.BTreeG[segmentRef]
	tail   *segment
}

// locate returns the segment holding counter c or, if c falls in a gap
// between segments (or before the oldest), the first segment after c. r is
// its sealed entry, nil for the tail. A sealed segment that cannot be read
// whole comes with an error: *storageDamage with the readable prefix (g
// is nil if none is), or errSegmentGone if retention has just removed it.
func (v *logView) locate(c uint64) (g *segment, r *sealedSeg, err error) {
	if c >= v.tail.first {
		return v.tail, nil, nil
	}
	v.sealed.DescendLessOrEqual(segmentRef{first: c}, func(ref segmentRef) bool {
		if c < ref.seg.end {
			r = ref.seg
		}
		return false
	})
	if r == nil {
		v.sealed.AscendGreaterOrEqual(segmentRef{first: c}, func(ref segmentRef) bool {
			r = ref.seg
			return false
		})
	}
	if r == nil {
		return v.tail, nil, nil
	}
	g, err = r.get()
	return g, r, err
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
// arrived at or after ms, or end() if there is none. Sealed segments that
// end before ms are skipped by their summary, without reading them. At a
// damaged segment it stops where the readable part ends, so that the read
// that follows reports the damage rather than skipping it.
func (v *logView) firstAtOrAfter(from uint64, ms int64) uint64 {
	from = max(from, v.oldest())
	for end := v.end(); from < end; {
		g, r, err := v.locate(from)
		if r != nil && (r.lastArrival < ms || errors.Is(err, errSegmentGone)) {
			from = max(from, r.end)
			continue
		}
		if g == nil {
			return max(from, r.first)
		}
		from = max(from, g.first)
		gEnd := g.end()
		if c := g.searchArrival(from, gEnd, ms); c < gEnd || err != nil {
			return c
		}
		from = gEnd
	}
	return from
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
	log      shardLog                      // the store's journal of the records; nil in memory
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
	if s.log != nil {
		// A closed shard's log is all sealed segments: no file stays open.
		s.sealLocked(s.view.Load(), -1, math.MinInt64)
	}
	s.closure.Store(&shardClosure{
		end:      s.view.Load().end(),
		ending:   makeSequenceNumber(s.createdSecs, s.index, s.epoch, maxCounter, at.Unix()),
		at:       at,
		children: children,
	})
	if s.log != nil && s.view.Load().sealed.Len() == 0 {
		s.log.dropped(nil) // closed with nothing to keep
	}
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
// segment is sealed. With a store, the record is staged in the shard's
// log; the caller commits the log before unlocking.
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
	if s.log != nil {
		s.log.add(v.tail, v.tail.header(counter), dk)
	}
	return s.sequenceNumber(counter, arrival)
}

// sealLocked seals the tail, opens a new one with room for a record of
// size bytes (none if size is negative), drops expired segments, and
// publishes the new view. With a store, the log ends the tail's file; if
// that fails the store has failed (see store.failure) and the records
// stay readable in memory until the Service is closed.
func (s *shard) sealLocked(v *logView, size int, cutoffMs int64) *logView {
	sealed := v.sealed.Clone()
	if n := int(v.tail.count.Load()); n > 0 {
		g := v.tail.sealed()
		r := newSealedSeg(g)
		if s.log != nil {
			if lr, err := s.log.seal(g); err == nil {
				r = lr
			}
		}
		sealed.ReplaceOrInsert(segmentRef{first: g.first, seg: r})
		s.nextArena = min(s.nextArena*2, maxSegmentBytes)
		// Size the next header table for records like these, with an
		// eighth to spare, so neither arena nor table is mostly empty.
		perTable := s.nextArena / max(v.tail.used/n, 1)
		s.nextHeaders = min(max(perTable+perTable/8, minSegmentHeaders), maxSegmentHeaders)
	}
	s.dropLocked(dropExpired(sealed, cutoffMs))
	arena := 0
	if size >= 0 {
		arena = max(s.nextArena, size)
	}
	nv := &logView{sealed: sealed, tail: newSegment(v.tail.end(), arena, s.nextHeaders)}
	s.view.Store(nv)
	return nv
}

// dropLocked hands the segments retention removed to the store, which
// deletes their files.
func (s *shard) dropLocked(dropped []*sealedSeg) {
	if s.log != nil && len(dropped) > 0 {
		s.log.dropped(dropped)
	}
}

// dropExpired removes from t the oldest segments whose every record arrived
// before cutoffMs, and returns them.
func dropExpired(t *btree.BTreeG[segmentRef], cutoffMs int64) []*sealedSeg {
	var dropped []*sealedSeg
	for {
		r, ok := t.Min()
		if !ok || r.seg.lastArrival >= cutoffMs {
			return dropped
		}
		t.DeleteMin()
		dropped = append(dropped, r.seg)
	}
}

// restore makes the shard's log what a store recovered: its sealed
// segments and an empty tail at the next counter. It runs before the
// shard is reachable.
func (s *shard) restore(rec *shardRecovery) {
	sealed := btree.NewG(8, segmentRefLess)
	for _, r := range rec.sealed {
		sealed.ReplaceOrInsert(segmentRef{first: r.first, seg: r})
	}
	s.lastArrival = rec.lastArrival
	s.view.Store(&logView{sealed: sealed, tail: newSegment(rec.next, 0, 0)})
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
		g, r, err := v.locate(from)
		if errors.Is(err, errSegmentGone) {
			from = r.end // it left the retention window while we read
			continue
		}
		gEnd := from // nothing of r can be read
		if g != nil {
			from = max(from, g.first)
			gEnd = min(g.end(), end)
		}
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
		if from < gEnd {
			break // limit reached
		}
		if err != nil && limit > 0 && from < end {
			// The rest of r is damaged: hand over what came before first.
			if len(dst) > first {
				return dst, from, nil
			}
			return dst, from, s.damageError(err, from)
		}
		if r != nil {
			from = max(from, r.end)
		}
	}
	return dst, from, nil
}

// arrivalOf returns the arrival time (Unix ms) of the record with counter
// c, which v must hold, or if c falls in a gap, of the first record after it.
func (v *logView) arrivalOf(c uint64) int64 {
	g, r, _ := v.locate(c)
	if g == nil || c < g.first || c >= g.end() {
		if r != nil {
			return r.firstArrival // c is in a gap, or r cannot be read
		}
		if v.tail.count.Load() > 0 {
			return v.tail.headers[0].arrival // c is in the gap before the tail
		}
		return 0
	}
	return g.header(c).arrival
}
