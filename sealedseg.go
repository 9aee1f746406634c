package kds

import (
	"errors"
	"sync"
	"sync/atomic"
)

// sealedSeg is a sealed segment's entry in a shard's log: a summary that
// stays in memory for the segment's whole life, and the way to its
// records. In memory (no store) the segment itself is held in mem; with a
// store, src reads it back from its file on demand and hot caches it.
type sealedSeg struct {
	first, end                uint64 // the records' counters, [first, end)
	firstArrival, lastArrival int64  // Unix ms
	mem                       *segment
	src                       segmentSource
	hot                       atomic.Pointer[segment]
	used                      atomic.Bool // set on each read; the cache's CLOCK bit
	gone                      atomic.Bool // retention has dropped it

	loading sync.Mutex // one load at a time
	slot    int        // 1 + its index in the cache's ring; 0 if not cached (under the cache's mu)
	cost    int64      // the memory it takes while cached (under the cache's mu)
}

// segmentSource reads sealed segments back from where a store keeps them.
type segmentSource interface {
	// load reads r's records. If part of them is damaged it returns the
	// readable prefix with a *storageDamage error; if retention has
	// removed r, errSegmentGone.
	load(r *sealedSeg) (*segment, error)
	// verify reads r's records and reports them if they are damaged,
	// without caching them.
	verify(r *sealedSeg)
}

// newSealedSeg returns the in-memory entry of g, a sealed segment with at
// least one record.
func newSealedSeg(g *segment) *sealedSeg {
	n := g.count.Load()
	return &sealedSeg{
		first:        g.first,
		end:          g.end(),
		firstArrival: g.headers[0].arrival,
		lastArrival:  g.headers[n-1].arrival,
		mem:          g,
	}
}

// get returns the segment's records.
func (r *sealedSeg) get() (*segment, error) {
	if r.mem != nil {
		return r.mem, nil
	}
	if g := r.hot.Load(); g != nil {
		r.used.Store(true)
		return g, nil
	}
	return r.src.load(r)
}

// errSegmentGone is what loading a sealed segment returns once retention
// has removed it: a reader that still had it in view skips it.
var errSegmentGone = errors.New("kds: segment left the retention window")

// storageDamage says where a stored segment stops being readable.
type storageDamage struct {
	path   string // the damaged file
	next   uint64 // the first counter after the damage
	reason string
}

func (d *storageDamage) Error() string {
	return "kds: " + d.path + " is damaged: " + d.reason
}

// damageError returns the error a read gets at counter from, where the
// stored records could not be read (err, from locate): for damage, one
// that names the first sequence number a reader can go on from. Which file is damaged, and
// how, is in [Service.StorageProblems].
func (s *shard) damageError(err error, from uint64) error {
	var d *storageDamage
	if !errors.As(err, &d) {
		return newError(codeInternalFailure, "Internal Service Failure") // worth a retry
	}
	next := d.next
	return newError(codeInternalFailure, "Stored records of shard %s from sequence number %s cannot be read; read on from sequence number %s.",
		s.id, s.sequenceNumber(from, 0), s.sequenceNumber(next, 0))
}
