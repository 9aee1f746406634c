package kds

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"sync"
	"unsafe"

	"github.com/kdsgo/kds/internal/segfile"
)

// segmentCache bounds the memory of sealed segments read back from a data
// directory. A cached segment is published in its entry's hot pointer, so
// a hit takes no lock; readers set the entry's used bit, and eviction
// goes round the ring of cached entries clearing used bits and evicting
// the first entry found clear (CLOCK). Evicting only drops the cache's
// reference: a reader still holding the records keeps them alive.
type segmentCache struct {
	mu     sync.Mutex
	budget int64
	size   int64
	ring   []*sealedSeg
	hand   int
}

func newSegmentCache(budget int64) *segmentCache {
	return &segmentCache{budget: budget}
}

// segmentCost is the memory g takes: its arena and its headers.
func segmentCost(g *segment) int64 {
	return int64(cap(g.arena)) + int64(cap(g.headers))*int64(unsafe.Sizeof(recordHeader{}))
}

// insert caches g as r's records, evicting others if the cache is over
// its budget.
func (c *segmentCache) insert(r *sealedSeg, g *segment) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r.gone.Load() {
		return
	}
	if r.slot != 0 {
		c.removeLocked(r)
	}
	r.cost = segmentCost(g)
	r.hot.Store(g)
	c.ring = append(c.ring, r)
	r.slot = len(c.ring)
	c.size += r.cost
	for c.size > c.budget && len(c.ring) > 0 {
		c.hand %= len(c.ring)
		if v := c.ring[c.hand]; v.used.Swap(false) {
			c.hand++
		} else {
			c.removeLocked(v)
		}
	}
}

// remove drops r from the cache, if it is there.
func (c *segmentCache) remove(r *sealedSeg) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r.slot != 0 {
		c.removeLocked(r)
	}
}

func (c *segmentCache) removeLocked(r *sealedSeg) {
	i, last := r.slot-1, len(c.ring)-1
	c.ring[i] = c.ring[last]
	c.ring[i].slot = i + 1
	c.ring[last] = nil
	c.ring = c.ring[:last]
	r.slot = 0
	r.hot.Store(nil)
	c.size -= r.cost
}

// cachedBytes returns the memory the cache holds.
func (c *segmentCache) cachedBytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size
}

// load reads r's file back (r is a segment of this log) and caches it.
func (l *fileLog) load(r *sealedSeg) (*segment, error) {
	r.loading.Lock()
	defer r.loading.Unlock()
	if g := r.hot.Load(); g != nil {
		r.used.Store(true)
		return g, nil
	}
	if r.gone.Load() {
		return nil, errSegmentGone
	}
	path := l.segmentPath(r.first)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
	case r.gone.Load() || l.retired.Load():
		return nil, errSegmentGone // deleted while we opened it
	case errors.Is(err, fs.ErrNotExist):
		l.problem("damaged-segment", path, r.first, 0, err)
		return nil, &storageDamage{path: path, next: r.end, reason: "file missing"}
	default:
		return nil, err // perhaps passing (out of file descriptors): not damage
	}
	g, err := l.decode(b, r.first, r.end)
	if err != nil {
		from := r.first
		if g != nil {
			from = g.end()
		}
		l.problem("damaged-segment", path, from, int64(len(b)), err)
		return g, &storageDamage{path: path, next: r.end, reason: err.Error()}
	}
	r.used.Store(true)
	l.st.cache.insert(r, g)
	return g, nil
}

// verify reads r's file and reports it if it is damaged, without caching
// what it read.
func (l *fileLog) verify(r *sealedSeg) {
	if r.gone.Load() {
		return
	}
	path := l.segmentPath(r.first)
	b, err := os.ReadFile(path)
	if err != nil {
		if !r.gone.Load() {
			l.problem("damaged-segment", path, r.first, 0, err)
		}
		return
	}
	if g, err := l.decode(b, r.first, r.end); err != nil {
		from := r.first
		if g != nil {
			from = g.end()
		}
		l.problem("damaged-segment", path, from, int64(len(b)), err)
	}
}

// decode builds the segment of records [first, end) from b, the whole of
// its file; the segment's arena is b itself. If the file does not hold
// them all, it returns the readable prefix (nil if there is none) and an
// error saying what is wrong.
func (l *fileLog) decode(b []byte, first, end uint64) (*segment, error) {
	h, err := segfile.ParseFileHeader(b)
	if err == nil && (h.First != first || h.Shard != l.shard || h.Stream != l.streamID) {
		err = fmt.Errorf("file header says stream %d shard %d first %d", h.Stream, h.Shard, h.First)
	}
	if err != nil {
		return nil, err
	}
	g, _, _, err := l.scanRecords(b, first, end-first)
	if n := recordCount(g); err == nil && n != end-first {
		err = fmt.Errorf("file holds %d records, not %d", n, end-first)
	}
	return g, err
}

// scanRecords builds the segment of the records in b, the whole of a file
// whose first record has counter first and which holds at most limit
// records; its arena is b itself. It returns the readable records (nil if
// there are none), how many frames hold them, where they end in b, and why
// what follows cannot be read (nil if b ends cleanly). It does not check
// the file header.
func (l *fileLog) scanRecords(b []byte, first, limit uint64) (g *segment, frames uint32, good int64, err error) {
	// limit may span a gap after a damaged file: never size by it alone.
	headers := make([]recordHeader, 0, min(limit, uint64(len(b))/16, maxSegmentHeaders))
	var keys []*dataKey
	good, _, err = segfile.Scan(b, func(fr segfile.Frame) error {
		if fr.First != first+uint64(len(headers)) || uint64(len(headers)+len(fr.Recs)) > limit {
			return fmt.Errorf("frame at offset %d holds counters from %d, out of order", fr.Offset, fr.First)
		}
		var sealedBy uint16
		if fr.Key != nil {
			dk := l.keys.intern(fr.Key)
			i := slices.Index(keys, dk)
			if i < 0 {
				keys = append(keys, dk)
				i = len(keys) - 1
			}
			sealedBy = uint16(i + 1)
		}
		for _, rec := range fr.Recs {
			headers = append(headers, recordHeader{arrival: fr.Arrival, off: uint32(rec.Off), dataLen: rec.DataLen, keyLen: rec.KeyLen, sealedBy: sealedBy})
		}
		frames++
		return nil
	})
	if len(headers) == 0 {
		return nil, frames, good, err
	}
	g = &segment{first: first, arena: b, headers: headers, used: len(b)}
	if keys != nil {
		g.dataKeys.Store(&keys)
	}
	g.count.Store(int64(len(headers)))
	return g, frames, good, err
}

// recordCount returns how many records g holds; g may be nil.
func recordCount(g *segment) uint64 {
	if g == nil {
		return 0
	}
	return uint64(g.count.Load())
}

// dataKeyTable interns a stream's data keys, so that every segment read
// back shares one *dataKey per key with the writer; the stream's cache of
// decrypted data keys is keyed by that pointer.
type dataKeyTable struct {
	mu sync.Mutex
	m  map[string]*dataKey
}

func dataKeyName(arn string, encrypted []byte) string {
	return arn + "\x00" + string(encrypted)
}

// remember records dk, a key the writer uses.
func (t *dataKeyTable) remember(dk *dataKey) {
	name := dataKeyName(dk.kmsKeyARN, dk.encrypted)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m[name] == nil {
		if t.m == nil {
			t.m = make(map[string]*dataKey)
		}
		t.m[name] = dk
	}
}

// intern returns the *dataKey for k, a key named in a file.
func (t *dataKeyTable) intern(k *segfile.DataKey) *dataKey {
	name := dataKeyName(k.KeyARN, k.Encrypted)
	t.mu.Lock()
	defer t.mu.Unlock()
	if dk := t.m[name]; dk != nil {
		return dk
	}
	if t.m == nil {
		t.m = make(map[string]*dataKey)
	}
	dk := &dataKey{kmsKeyARN: k.KeyARN, encrypted: bytes.Clone(k.Encrypted)}
	t.m[name] = dk
	return dk
}
