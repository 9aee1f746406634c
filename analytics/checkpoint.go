package analytics

import (
	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/consumergroup"
)

// position is where a record is in its shard, as a checkpoint needs it.
type position struct {
	seq kds.SequenceNumber
	sub int64
}

// span is the first and last index, in its shard's delivery order, of
// the records one window holds from that shard.
type span struct{ first, last int64 }

// widen returns the span covering both.
func (s span) widen(o span) span {
	return span{first: min(s.first, o.first), last: max(s.last, o.last)}
}

// tracker follows the records of one shard between checkpoints. Each
// delivered record gets an index; every window keeps the span of indexes
// it holds from the shard (see state.spans). A checkpoint may be placed
// after index c only when
//   - no live window holds a record at or before c, so a restart re-reads
//     every record the open windows need, and
//   - no purged window holds records on both sides of c, so a restart
//     rebuilds a purged window from all of its records or from none.
//
// Its fields are guarded by the Windows' mutex.
type tracker struct {
	cp      *consumergroup.Checkpointer // the latest batch's
	next    int64                       // index of the next record
	base    int64                       // index of pending[0]
	pending []position                  // records from base on
	purged  []span                      // purged windows' spans that may still straddle a cut
}

// add notes the next delivered record and returns its index.
func (t *tracker) add(rec kds.Record) int64 {
	t.pending = append(t.pending, position{seq: rec.SequenceNumber, sub: rec.SubSequenceNumber})
	t.next++
	return t.next - 1
}

// cutBefore returns the last index a checkpoint may be placed after,
// given low, the first index a live window holds (t.next when none holds
// any); it is below t.base when there is nothing new to checkpoint.
func (t *tracker) cutBefore(low int64) int64 {
	c := low - 1
	for moved := true; moved; {
		moved = false
		for _, s := range t.purged {
			if s.first <= c && c < s.last {
				c, moved = s.first-1, true
			}
		}
	}
	return c
}

// take returns the position of the record at index c, a result of
// cutBefore, and forgets the records up to it and the purged spans that
// end by it; ok is false if they were forgotten already. A cut stays
// valid as records come and windows are purged: new windows hold only
// later records, and windows purged later were live, so hold none up to c.
func (t *tracker) take(c int64) (p position, ok bool) {
	if c < t.base {
		return position{}, false
	}
	keep := t.purged[:0]
	for _, s := range t.purged {
		if s.last > c {
			keep = append(keep, s)
		}
	}
	t.purged = keep
	n := int(c - t.base + 1)
	p = t.pending[n-1]
	t.pending = append([]position(nil), t.pending[n:]...)
	t.base = c + 1
	return p, true
}
