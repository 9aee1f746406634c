package kds

import (
	"sync/atomic"
	"unsafe"
)

// Segment sizing. A shard's first segment is small so that idle shards cost
// little; each segment that fills up doubles the next one's arena, up to
// maxSegmentBytes. A record larger than that gets a segment of its own size.
const (
	minSegmentBytes = 4 << 10
	maxSegmentBytes = 1 << 20
	// initialRecordGuess is the record size (key plus data) assumed when
	// sizing a shard's first header table; later tables are sized from the
	// average record of the segment before. Whichever of arena and table
	// fills first seals a segment.
	initialRecordGuess = 32
	minSegmentHeaders  = 16
	maxSegmentHeaders  = 1 << 16
)

// recordHeader locates one record inside its segment's arena. The record's
// counter is implicit: the segment's first counter plus the header's index.
type recordHeader struct {
	arrival int64  // arrival time, Unix milliseconds
	off     uint32 // offset of the partition key in the arena; data follows it
	dataLen uint32
	keyLen  uint16
	// sealedBy is 0 for a record stored as it came. Otherwise the record's
	// key and data are stored sealed (see sealRecord) under the data key
	// at index sealedBy-1 of the segment's dataKeys, and take sealOverhead
	// more bytes of the arena. It fills what would be padding, so the
	// header is no bigger for it.
	sealedBy uint16
}

// segment is a run of consecutive records of one shard, packed in one byte
// arena with a fixed-size header per record. Only the shard's writer (under
// the shard lock) appends; it writes a record's bytes and header first and
// then publishes it by storing the new count, so a reader that loads count
// may read every record below it without a lock. Once sealed a segment never
// changes again.
type segment struct {
	first   uint64 // counter of the first record
	arena   []byte // fixed capacity; never reallocated while appendable
	headers []recordHeader
	used    int          // arena bytes used; writer only
	count   atomic.Int64 // published records
	// dataKeys are the data keys of the segment's sealed records, nil if
	// it has none. The writer replaces the slice, never changes it, so a
	// reader that loads it after count sees every key a published record
	// names.
	dataKeys atomic.Pointer[[]*dataKey]
}

func newSegment(first uint64, arenaBytes, headers int) *segment {
	return &segment{
		first:   first,
		arena:   make([]byte, arenaBytes),
		headers: make([]recordHeader, headers),
	}
}

// fits reports whether a record of n arena bytes can be appended, sealed
// with data key dk unless dk is nil.
func (g *segment) fits(n int, dk *dataKey) bool {
	return int(g.count.Load()) < len(g.headers) && g.used+n <= len(g.arena) &&
		(dk == nil || g.keyIndex(dk) != 0 || len(g.keys()) < maxSegmentDataKeys)
}

// maxSegmentDataKeys is how many data keys one segment's records may use.
const maxSegmentDataKeys = 1<<16 - 1

// keys returns the data keys of the segment's sealed records.
func (g *segment) keys() []*dataKey {
	if p := g.dataKeys.Load(); p != nil {
		return *p
	}
	return nil
}

// keyIndex returns the sealedBy of records sealed with dk: its index in
// the segment's data keys plus one, or 0 if the segment does not have it.
func (g *segment) keyIndex(dk *dataKey) uint16 {
	keys := g.keys()
	for i := len(keys) - 1; i >= 0; i-- { // the newest is the likeliest
		if keys[i] == dk {
			return uint16(i + 1)
		}
	}
	return 0
}

// appendRecord copies key and data into the arena and publishes the
// record, sealed under w's data key unless w is nil; shard is the index
// of the segment's shard, which with the record's counter makes the
// nonce, and sc is the shard's scratch space for sealing. The caller
// holds the shard lock and has checked fits.
func (g *segment) appendRecord(key string, data []byte, arrival int64, w *writeKey, shard uint32, sc *sealScratch) {
	i := g.count.Load()
	off := g.used
	n := copy(g.arena[off:], key)
	n += copy(g.arena[off+n:], data)
	h := recordHeader{arrival: arrival, off: uint32(off), dataLen: uint32(len(data)), keyLen: uint16(len(key))}
	if w != nil {
		if h.sealedBy = g.keyIndex(w.key); h.sealedBy == 0 {
			keys := append(g.keys()[:len(g.keys()):len(g.keys())], w.key)
			g.dataKeys.Store(&keys)
			h.sealedBy = uint16(len(keys))
		}
		n = len(sealRecord(w.aead, g.arena[off:off+n], h.keyLen, sc, shard, g.first+uint64(i)))
	}
	g.used += n
	g.headers[i] = h
	g.count.Store(i + 1)
}

// sealed returns an immutable copy trimmed to what was used, so a sealed
// segment holds no slack. Readers of the original are unaffected: the bytes
// they can see do not change.
func (g *segment) sealed() *segment {
	n := int(g.count.Load())
	s := &segment{first: g.first, used: g.used}
	s.arena = trim(g.arena[:g.used])
	s.headers = trim(g.headers[:n])
	s.dataKeys.Store(g.dataKeys.Load())
	s.count.Store(int64(n))
	return s
}

// trim returns s itself when its spare capacity is small, else a copy of
// exactly its length.
func trim[T any](s []T) []T {
	if cap(s)-len(s) <= len(s)/8 {
		return s[:len(s):len(s)]
	}
	return append(make([]T, 0, len(s)), s...)
}

// end returns the counter one past the segment's last published record.
func (g *segment) end() uint64 { return g.first + uint64(g.count.Load()) }

// header returns the header of the record with the given counter, which
// must lie in [first, end()).
func (g *segment) header(counter uint64) *recordHeader {
	return &g.headers[counter-g.first]
}

// partitionKey returns the key of h as a string that shares the arena's
// memory. The arena below the published count never changes, so this is
// safe; callers must not modify it.
func (g *segment) partitionKey(h *recordHeader) string {
	if h.keyLen == 0 {
		return ""
	}
	return unsafe.String(&g.arena[h.off], int(h.keyLen))
}

// data returns the data of h as a read-only slice of the arena, capped so
// that appending to it cannot overwrite the next record.
func (g *segment) data(h *recordHeader) []byte {
	start := int(h.off) + int(h.keyLen)
	end := start + int(h.dataLen)
	return g.arena[start:end:end]
}

// sealedBytes returns the stored bytes of h, a sealed record: its key
// and data, sealed, with the tag.
func (g *segment) sealedBytes(h *recordHeader) []byte {
	end := int(h.off) + int(h.keyLen) + int(h.dataLen) + sealOverhead
	return g.arena[h.off:end:end]
}

// searchArrival returns the first counter in [from, end) whose arrival is at
// or after ms, or end if none is. Arrival times never decrease along a log.
func (g *segment) searchArrival(from, end uint64, ms int64) uint64 {
	lo, hi := from, end
	for lo < hi {
		mid := lo + (hi-lo)/2
		if g.header(mid).arrival < ms {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}
