package kds

import (
	"math"
	"slices"
	"time"
)

// maxDeferred bounds how many records a call's collection skips over
// because their key is already taken in the call, so that one hot key
// cannot make every collection scan a long queue.
const maxDeferred = 4 * MaxPutRecordsEntries

// putBatch is one PutRecords call being built by a queue's sender, and
// the sender's reusable buffers. It is used by one goroutine at a time.
type putBatch struct {
	recs    []kinesisRecord    // the call's Kinesis records, in order
	keys    map[string]keySlot // partition keys the call carries
	open    []openAggregate    // the aggregate still open for each target
	bytes   int                // keys plus data of recs, as planned
	users   int                // user records in recs
	entries []PutRecordsRequestEntry
	buf     []byte // the encoded aggregates
}

// kinesisRecord is one Kinesis record of a call: a single user record, or
// a KPL aggregate of several.
type kinesisRecord struct {
	target *shardQueue // the queue of the shard it should land in
	users  []*PendingPut
	urs    []UserRecord // the users as the aggregate codec takes them
	idx    []aggIndex   // key table positions of each user
	pkeys  []string     // the aggregate's partition key table
	ehks   []string     // the aggregate's explicit hash key table
	size   int          // aggregate length: magic, protobuf, digest
	full   bool         // takes no more new keys
}

// keySlot says where a partition key sits in the call being built: the
// Kinesis record (-1: the key may take no more records in this call) and
// the key's position in that aggregate's key table.
type keySlot struct{ rec, pk int32 }

// openAggregate is the aggregate that new keys bound for target join.
type openAggregate struct {
	target *shardQueue
	rec    int
}

// reset empties the batch, keeping its buffers.
func (b *putBatch) reset() {
	for i := range b.recs {
		kr := &b.recs[i]
		clear(kr.users)
		clear(kr.urs)
		*kr = kinesisRecord{users: kr.users[:0], urs: kr.urs[:0], idx: kr.idx[:0], pkeys: kr.pkeys[:0], ehks: kr.ehks[:0]}
	}
	b.recs = b.recs[:0]
	if b.keys == nil {
		b.keys = make(map[string]keySlot)
	}
	clear(b.keys)
	b.open = b.open[:0]
	b.bytes, b.users = 0, 0
}

// collectLimits bound one call: its Kinesis records and bytes, whether
// the first record may exceed the byte bound (the rate limit's bucket is
// full), and the aggregate size bound (0: no aggregation).
type collectLimits struct {
	records, bytes int
	oversizeFirst  bool
	aggMax         int
}

// collect takes the records of q's next call from the head of its
// pending queue, within the call limits and what q's rate limit allows
// at now, leaving behind in order the records whose key the call already
// carries in a record that cannot take them. A retired queue's records
// are grouped by the shard rt now routes them to. It returns 0 when it
// took records, and otherwise how long to wait for the rate limit. The
// caller holds q.mu.
func (b *putBatch) collect(q *shardQueue, rt *producerRoutes, now time.Time) time.Duration {
	b.reset()
	cfg := &q.p.cfg
	tb, tr := tokens(q.bytesLim, now), tokens(q.recordsLim, now)
	lim := collectLimits{
		records:       int(math.Min(float64(cfg.CollectionMaxCount), math.Floor(tr))),
		bytes:         int(math.Min(float64(min(cfg.CollectionMaxSize, MaxPutRecordsRequestBytes)), math.Floor(tb))),
		oversizeFirst: q.bytesLim == nil || tb >= float64(q.bytesLim.Burst()),
	}
	if !cfg.DisableAggregation {
		lim.aggMax = cfg.AggregationMaxSize
	}
	route := q.retired
	end, deferred := q.head, 0
	for i := q.head; i < len(q.pending) && deferred < maxDeferred; i++ {
		r := q.pending[i]
		target := q
		if route {
			target = rt.lookup(r.hash)
		}
		picked, stop := b.add(r, target, lim)
		if stop {
			break
		}
		end = i + 1
		if !picked {
			deferred++
		}
	}
	if b.users == 0 {
		need := float64(q.pending[q.head].size)
		if q.bytesLim != nil {
			need = min(need, float64(q.bytesLim.Burst()))
		}
		return max(untilTokens(q.bytesLim, now, need), untilTokens(q.recordsLim, now, 1), time.Millisecond)
	}
	// Close the gaps the picked records leave, keeping the rest in order.
	j := end
	for i := end - 1; i >= q.head; i-- {
		if r := q.pending[i]; !r.picked {
			j--
			q.pending[j] = r
		}
	}
	clear(q.pending[q.head:j])
	q.head = j
	q.inflight = b.users
	q.inflightMin = uint64(math.MaxUint64)
	for i := range b.recs {
		for _, u := range b.recs[i].users {
			u.picked = false
			u.attempts++
			q.pendingBytes -= u.size
			if u.seq < q.inflightMin {
				q.inflightMin, q.inflightDeadline = u.seq, u.deadline
			}
		}
	}
	return 0
}

// add puts r into the call if it may go: into the aggregate that already
// holds its key, or the open aggregate of its target, or a new Kinesis
// record. picked reports whether it went in; stop, that the call is full.
func (b *putBatch) add(r *PendingPut, target *shardQueue, lim collectLimits) (picked, stop bool) {
	slot, seen := b.keys[r.key]
	if seen && (slot.rec < 0 || b.recs[slot.rec].target != target) {
		return false, false
	}
	if lim.aggMax > 0 {
		rec := int(slot.rec)
		if !seen {
			rec = b.openFor(target)
		}
		if rec >= 0 {
			kr := &b.recs[rec]
			pk := int(slot.pk)
			if !seen {
				pk = len(kr.pkeys)
			}
			ix, grow := kr.growth(r, pk, !seen)
			if !kr.full && len(kr.users[0].key)+kr.size+grow <= lim.aggMax && b.bytes+grow <= lim.bytes {
				kr.join(r, ix, !seen)
				b.bytes += grow
				b.pick(r, rec, pk)
				return true, false
			}
			if seen {
				b.keys[r.key] = keySlot{rec: -1}
				return false, false
			}
			kr.full = true
		}
	} else if seen {
		return false, false
	}
	var kr kinesisRecord
	if len(b.recs) < cap(b.recs) {
		kr = b.recs[:len(b.recs)+1][len(b.recs)]
	}
	kr.target = target
	kr.size = aggOverhead
	ix, grow := kr.growth(r, 0, true)
	kr.size += grow
	size := r.size
	if lim.aggMax > 0 {
		size = len(r.key) + kr.size
		kr.full = size > lim.aggMax
	} else {
		kr.full = true
	}
	if len(b.recs)+1 > lim.records || (b.bytes+size > lim.bytes && !(len(b.recs) == 0 && lim.oversizeFirst)) {
		return false, true
	}
	kr.join(r, ix, true)
	b.recs = append(b.recs, kr)
	b.bytes += size
	rec := len(b.recs) - 1
	if lim.aggMax > 0 {
		b.setOpen(target, rec)
	}
	b.pick(r, rec, 0)
	return true, false
}

// pick notes that r went into Kinesis record rec at key position pk.
func (b *putBatch) pick(r *PendingPut, rec, pk int) {
	r.picked = true
	b.users++
	b.keys[r.key] = keySlot{rec: int32(rec), pk: int32(pk)}
}

// openFor returns the open aggregate of target, or -1.
func (b *putBatch) openFor(target *shardQueue) int {
	for _, o := range b.open {
		if o.target == target {
			return o.rec
		}
	}
	return -1
}

// setOpen makes rec the open aggregate of target.
func (b *putBatch) setOpen(target *shardQueue, rec int) {
	for i := range b.open {
		if b.open[i].target == target {
			b.open[i].rec = rec
			return
		}
	}
	b.open = append(b.open, openAggregate{target: target, rec: rec})
}

// growth returns the key table positions r would get in the aggregate
// (pk is its partition key's position, newKey whether that key is not in
// the table yet) and how many bytes it would add.
func (kr *kinesisRecord) growth(r *PendingPut, pk int, newKey bool) (aggIndex, int) {
	ix := aggIndex{pk: pk, ehk: -1}
	grow := 0
	if newKey {
		grow += bytesFieldSize(aggPartitionKeyTable, len(r.key))
	}
	if r.ehk != "" {
		ix.ehk = slices.Index(kr.ehks, r.ehk)
		if ix.ehk < 0 {
			ix.ehk = len(kr.ehks)
			grow += bytesFieldSize(aggExplicitHashKeyTable, len(r.ehk))
		}
	}
	return ix, grow + bytesFieldSize(aggRecords, recordBodySize(ix, len(r.data)))
}

// join adds r to the record at the positions growth returned.
func (kr *kinesisRecord) join(r *PendingPut, ix aggIndex, newKey bool) {
	if newKey {
		kr.pkeys = append(kr.pkeys, r.key)
	}
	if ix.ehk == len(kr.ehks) {
		kr.ehks = append(kr.ehks, r.ehk)
	}
	kr.users = append(kr.users, r)
	kr.idx = append(kr.idx, ix)
}

// encode returns the call's request entries: a record of one user is sent
// as it is, several as a KPL aggregate under the first one's partition key
// and hash key, so that it lands in that record's shard. It also returns
// the keys plus data of the entries, as Kinesis counts them.
func (b *putBatch) encode() ([]PutRecordsRequestEntry, int) {
	total := 0
	for i := range b.recs {
		if kr := &b.recs[i]; len(kr.users) > 1 {
			total += kr.size
		}
	}
	b.buf = slices.Grow(b.buf[:0], total)
	b.entries = b.entries[:0]
	bytes := 0
	for i := range b.recs {
		kr := &b.recs[i]
		first := kr.users[0]
		if len(kr.users) == 1 {
			b.entries = append(b.entries, PutRecordsRequestEntry{Data: first.data, PartitionKey: first.key, ExplicitHashKey: first.ehk})
			bytes += first.size
			continue
		}
		for _, u := range kr.users {
			kr.urs = append(kr.urs, UserRecord{PartitionKey: u.key, ExplicitHashKey: u.ehk, Data: u.data})
		}
		start := len(b.buf)
		b.buf = appendAggregate(b.buf, kr.pkeys, kr.ehks, kr.urs, kr.idx)
		data := b.buf[start:len(b.buf):len(b.buf)]
		b.entries = append(b.entries, PutRecordsRequestEntry{Data: data, PartitionKey: first.key, ExplicitHashKey: first.hash.String()})
		bytes += len(first.key) + len(data)
	}
	return b.entries, bytes
}
