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
	src     []queued         // the records the call is collected from
	end     int              // the end of the part of src collection looked at
	recs    []kinesisRecord  // the call's Kinesis records, in order
	order   []int32          // the positions in src of recs' user records, record after record
	idx     []aggIndex       // key table positions of each of order
	groups  []keyGroup       // the records of each key, with aggregation
	keys    map[string]int32 // each key's record (no aggregation) or group; -1: no more
	open    []openAggregate  // the aggregate still open for each target
	taken   []uint64         // bit i set: record i of those collected from is in the call
	bytes   int              // keys plus data of recs, as planned
	entries []PutRecordsRequestEntry
	urs     []UserRecord // one aggregate's users as the codec takes them
	buf     []byte       // the encoded aggregates
}

// kinesisRecord is one Kinesis record of a call: a single user record, or
// a KPL aggregate of several.
type kinesisRecord struct {
	target *shardQueue // the queue of the shard it should land in
	lo, hi int         // its user records are at order[lo:hi] of the batch
	groups []int32     // its key groups, in the order of its key table
	pkeys  []string    // the aggregate's partition key table
	ehks   []string    // the aggregate's explicit hash key table
	size   int         // aggregate length: magic, protobuf, digest
	full   bool        // takes no more new keys
	stored bool        // the call stored it
}

// openAggregate is the aggregate that new keys bound for target join.
type openAggregate struct {
	target *shardQueue
	rec    int
}

// reset empties the batch, keeping its buffers but not what they refer
// to.
func (b *putBatch) reset() {
	for i := range b.recs {
		kr := &b.recs[i]
		*kr = kinesisRecord{groups: kr.groups[:0], pkeys: kr.pkeys[:0], ehks: kr.ehks[:0]}
	}
	b.recs = b.recs[:0]
	b.order, b.idx = b.order[:0], b.idx[:0]
	for i := range b.groups {
		b.groups[i] = keyGroup{pos: b.groups[i].pos[:0]}
	}
	b.groups = b.groups[:0]
	if b.keys == nil {
		b.keys = make(map[string]int32)
	}
	clear(b.keys)
	b.open = b.open[:0]
	b.bytes = 0
}

// collectLimits bound one call: its Kinesis records and bytes, whether
// the first record may exceed the byte bound (the rate limit's bucket is
// full), and the aggregate size bound (0: no aggregation).
type collectLimits struct {
	records, bytes int
	oversizeFirst  bool
	aggMax         int
}

// collect builds q's next call from recs, the records the sender took
// out of the queue, in order, within the call limits and what q's rate
// limit allows at now. It leaves out the records whose key the call
// already carries in a record that cannot take them. A retired queue's
// records are grouped by the shard rt now routes them to. If it took
// nothing, it returns how long to wait for the rate limit.
func (b *putBatch) collect(q *shardQueue, recs []queued, retired bool, rt *producerRoutes, now time.Time) time.Duration {
	b.reset()
	b.src = recs
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
	words := (len(recs) + 63) / 64
	b.taken = room(b.taken, words)[:words]
	clear(b.taken)
	if lim.aggMax > 0 {
		b.end = b.group(q, recs, retired, rt, lim)
		b.pack(recs, lim)
	} else {
		b.end = b.single(q, recs, retired, rt, lim)
	}
	if len(b.order) > 0 {
		return 0
	}
	need := float64(recs[0].size)
	if q.bytesLim != nil {
		need = min(need, float64(q.bytesLim.Burst()))
	}
	return max(untilTokens(q.bytesLim, now, need), untilTokens(q.recordsLim, now, 1), time.Millisecond)
}

// room returns s emptied, with room for n elements: unlike slices.Grow,
// it copies nothing into a new array.
func room[E any](s []E, n int) []E {
	if cap(s) < n {
		return make([]E, 0, n)
	}
	return s[:0]
}

// take adds the record at pos of src to the call, with its key table
// positions ix, and counts the attempt.
func (b *putBatch) take(pos int, ix aggIndex) {
	b.order = append(b.order, int32(pos))
	b.idx = append(b.idx, ix)
	b.taken[pos/64] |= 1 << (pos % 64)
	b.src[pos].attempts++
}

// user returns the record at order[j] of the call.
func (b *putBatch) user(j int) *queued { return &b.src[b.order[j]] }

// finished returns how many of the call's records finished, stored or
// failed for good (those not marked for a retry), and their bytes.
func (b *putBatch) finished() (n, bytes int) {
	for _, pos := range b.order {
		if b.taken[pos/64]&(1<<(pos%64)) != 0 {
			n++
			bytes += b.src[pos].size
		}
	}
	return n, bytes
}

// settle closes the gaps that the call's records, but those marked for a
// retry, leave in the part of src collection looked at, keeping the rest
// in order at its end. It returns where the rest starts in src.
func (b *putBatch) settle() int {
	k := b.end
	for i := b.end - 1; i >= 0; i-- {
		if b.taken[i/64]&(1<<(i%64)) == 0 {
			k--
			b.src[k] = b.src[i]
		}
	}
	clear(b.src[:k])
	b.src = nil
	return k
}

// retry marks the user records of kr for a retry, with err as their last
// error, and returns how many there are.
func (b *putBatch) retry(kr *kinesisRecord, err error) int {
	for j := kr.lo; j < kr.hi; j++ {
		pos := b.order[j]
		b.src[pos].r.lastErr = err
		b.taken[pos/64] &^= 1 << (pos % 64)
	}
	return kr.hi - kr.lo
}

// targetOf returns the queue of the shard u should land in: q, or if q
// is retired the shard that rt routes u to.
func targetOf(q *shardQueue, retired bool, rt *producerRoutes, u *queued) *shardQueue {
	if retired {
		return rt.lookup(u.r.hash)
	}
	return q
}

// single fills the call without aggregation: one Kinesis record per user
// record and at most one per partition key. It returns the end of the
// part of recs it looked at.
func (b *putBatch) single(q *shardQueue, recs []queued, retired bool, rt *producerRoutes, lim collectLimits) int {
	end, deferred := 0, 0
	for i := 0; i < len(recs) && deferred < maxDeferred; i++ {
		u := &recs[i]
		if _, seen := b.keys[u.key]; seen {
			deferred++
			end = i + 1
			continue
		}
		if len(b.recs)+1 > lim.records || (b.bytes+u.size > lim.bytes && !(len(b.recs) == 0 && lim.oversizeFirst)) {
			break
		}
		end = i + 1
		kr := b.next()
		kr.target = targetOf(q, retired, rt, u)
		kr.lo, kr.hi = len(b.order), len(b.order)+1
		b.take(i, aggIndex{ehk: -1})
		b.bytes += u.size
		b.keys[u.key] = int32(len(b.recs) - 1)
	}
	return end
}

// next appends a Kinesis record to the call, reusing the buffers of an
// earlier call's, and returns it.
func (b *putBatch) next() *kinesisRecord {
	if len(b.recs) < cap(b.recs) {
		b.recs = b.recs[:len(b.recs)+1]
	} else {
		b.recs = append(b.recs, kinesisRecord{})
	}
	return &b.recs[len(b.recs)-1]
}

// group is the first step of filling the call with aggregation: it takes
// records from the start of recs into one group per partition key,
// each small enough for one aggregate, until the call's bytes (counted
// generously) are spent. A key whose group is full, or that is bound for
// another shard than its group, takes no more records in this call: its
// later records stay queued, in order. It returns the end of the part of
// recs it looked at.
func (b *putBatch) group(q *shardQueue, recs []queued, retired bool, rt *producerRoutes, lim collectLimits) int {
	end, deferred, bytes := 0, 0, 0
	for i := 0; i < len(recs) && deferred < maxDeferred; i++ {
		u := &recs[i]
		target := targetOf(q, retired, rt, u)
		gi, seen := b.keys[u.key]
		if seen && (gi < 0 || b.groups[gi].target != target) {
			deferred++
			end = i + 1
			continue
		}
		// At most what u adds to an aggregate: its record field with
		// the widest key indexes, its explicit hash key if new.
		grow := bytesFieldSize(aggRecords, recordBodySize(aggIndex{pk: 1 << 20, ehk: 1 << 20}, len(u.data)))
		if u.ehk != "" {
			grow += bytesFieldSize(aggExplicitHashKeyTable, len(u.ehk))
		}
		if !seen {
			grow += len(u.key) + aggOverhead + bytesFieldSize(aggPartitionKeyTable, len(u.key))
		}
		if seen && b.groups[gi].bytes+grow > lim.aggMax {
			b.keys[u.key] = -1
			deferred++
			end = i + 1
			continue
		}
		if bytes+grow > lim.bytes && !(bytes == 0 && lim.oversizeFirst) {
			break
		}
		end = i + 1
		bytes += grow
		if !seen {
			gi = int32(len(b.groups))
			b.keys[u.key] = gi
			if len(b.groups) < cap(b.groups) {
				b.groups = b.groups[:len(b.groups)+1]
			} else {
				b.groups = append(b.groups, keyGroup{})
			}
			b.groups[gi].target = target
		}
		g := &b.groups[gi]
		g.pos = append(g.pos, int32(i))
		g.bytes += grow
	}
	return end
}

// pack is the second step: it packs the groups, in the order their keys
// first came, into aggregates per target, each group whole into one
// aggregate, within the call's record and byte limits, and then lays the
// aggregates' records out in the call. Groups that do not fit stay
// queued. recs are the records collected from.
func (b *putBatch) pack(recs []queued, lim collectLimits) {
	for gi := range b.groups {
		g := &b.groups[gi]
		key := recs[g.pos[0]].key
		rec := b.openFor(g.target)
		if rec >= 0 {
			kr := &b.recs[rec]
			grow := kr.groupGrowth(recs, g.pos)
			if !kr.full && len(kr.pkeys[0])+kr.size+grow <= lim.aggMax && b.bytes+grow <= lim.bytes {
				kr.joinGroup(int32(gi), recs, g.pos)
				kr.size += grow
				b.bytes += grow
				continue
			}
			kr.full = true
		}
		size := len(key) + aggOverhead + (&kinesisRecord{}).groupGrowth(recs, g.pos)
		if len(g.pos) == 1 {
			size = recs[g.pos[0]].size
		}
		if len(b.recs)+1 > lim.records || (b.bytes+size > lim.bytes && !(len(b.recs) == 0 && lim.oversizeFirst)) {
			continue
		}
		kr := b.next()
		kr.target = g.target
		kr.size = aggOverhead
		kr.size += kr.groupGrowth(recs, g.pos)
		kr.joinGroup(int32(gi), recs, g.pos)
		kr.full = len(key)+kr.size > lim.aggMax
		b.bytes += size
		b.setOpen(g.target, len(b.recs)-1)
	}
	for i := range b.recs {
		kr := &b.recs[i]
		kr.lo = len(b.order)
		for pk, gi := range kr.groups {
			for _, pos := range b.groups[gi].pos {
				ix := aggIndex{pk: pk, ehk: -1}
				if k := recs[pos].ehk; k != "" {
					ix.ehk = slices.Index(kr.ehks, k)
				}
				b.take(int(pos), ix)
			}
		}
		kr.hi = len(b.order)
	}
}

// keyGroup is the records of one partition key that a call may carry.
type keyGroup struct {
	target *shardQueue
	pos    []int32 // where the records are in the records collected from
	bytes  int     // at most what they add to an aggregate
}

// groupGrowth returns how many bytes the records of one new key, at
// positions pos of recs, add to the aggregate.
func (kr *kinesisRecord) groupGrowth(recs []queued, pos []int32) int {
	grow := bytesFieldSize(aggPartitionKeyTable, len(recs[pos[0]].key))
	pk := len(kr.pkeys)
	var ehks []string
	for _, p := range pos {
		u := &recs[p]
		ix := aggIndex{pk: pk, ehk: -1}
		if u.ehk != "" {
			if ix.ehk = slices.Index(kr.ehks, u.ehk); ix.ehk < 0 {
				if j := slices.Index(ehks, u.ehk); j >= 0 {
					ix.ehk = len(kr.ehks) + j
				} else {
					ix.ehk = len(kr.ehks) + len(ehks)
					ehks = append(ehks, u.ehk)
					grow += bytesFieldSize(aggExplicitHashKeyTable, len(u.ehk))
				}
			}
		}
		grow += bytesFieldSize(aggRecords, recordBodySize(ix, len(u.data)))
	}
	return grow
}

// joinGroup adds group gi, the records of one new key at positions pos of
// recs, to the aggregate's key tables.
func (kr *kinesisRecord) joinGroup(gi int32, recs []queued, pos []int32) {
	kr.groups = append(kr.groups, gi)
	kr.pkeys = append(kr.pkeys, recs[pos[0]].key)
	for _, p := range pos {
		if k := recs[p].ehk; k != "" && !slices.Contains(kr.ehks, k) {
			kr.ehks = append(kr.ehks, k)
		}
	}
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

// encode returns the call's request entries: a record of one user is sent
// as it is, several as a KPL aggregate under the first one's partition key
// and hash key, so that it lands in that record's shard. It also returns
// the keys plus data of the entries, as Kinesis counts them.
func (b *putBatch) encode() ([]PutRecordsRequestEntry, int) {
	total := 0
	for i := range b.recs {
		if kr := &b.recs[i]; kr.hi-kr.lo > 1 {
			total += kr.size
		}
	}
	b.buf = room(b.buf, total)
	b.entries = b.entries[:0]
	bytes := 0
	for i := range b.recs {
		kr := &b.recs[i]
		first := b.user(kr.lo)
		if kr.hi-kr.lo == 1 {
			b.entries = append(b.entries, PutRecordsRequestEntry{Data: first.data, PartitionKey: first.key, ExplicitHashKey: first.ehk})
			bytes += first.size
			continue
		}
		b.urs = b.urs[:0]
		for j := kr.lo; j < kr.hi; j++ {
			u := b.user(j)
			b.urs = append(b.urs, UserRecord{PartitionKey: u.key, ExplicitHashKey: u.ehk, Data: u.data})
		}
		start := len(b.buf)
		b.buf = appendAggregate(b.buf, kr.pkeys, kr.ehks, b.urs, b.idx[kr.lo:kr.hi])
		clear(b.urs)
		data := b.buf[start:len(b.buf):len(b.buf)]
		b.entries = append(b.entries, PutRecordsRequestEntry{Data: data, PartitionKey: first.key, ExplicitHashKey: first.r.hash.String()})
		bytes += len(first.key) + len(data)
	}
	return b.entries, bytes
}
