package kds

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// Property tests of resharding: random sequences of SplitShard,
// MergeShards and UpdateShardCount (some refused on purpose) interleaved
// with puts, with and without an UPDATING delay, checked after every step
// against a model of the open hash key ranges. At the end every record put
// must replay exactly once and in put order per partition key. Also here:
// UpdateShardCount's uniform layouts and its daily limit, and the
// invariant checkers the reshard_*_test.go files share.

// rsChooser is where the random choices come from: a *rand.Rand, or the
// bytes of a fuzz input.
type rsChooser interface {
	IntN(n int) int
	Uint64() uint64
}

// rsBytes is an rsChooser reading a fuzz input; once it is used up every
// choice is 0.
type rsBytes struct{ b []byte }

func (r *rsBytes) next() int {
	if len(r.b) == 0 {
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return int(v)
}

func (r *rsBytes) IntN(n int) int {
	v := r.next()
	if n > 256 {
		v = v<<8 | r.next()
	}
	return v % n
}

func (r *rsBytes) Uint64() uint64 {
	var v uint64
	for range 8 {
		v = v<<8 | uint64(r.next())
	}
	return v
}

// rsRandKey returns a valid NewStartingHashKey for a shard of range r,
// in [Start+2, End-1]: one of the two extremes, the middle or a random
// key. It returns false if r is too narrow to split.
func rsRandKey(c rsChooser, r HashKeyRange) (HashKey, bool) {
	w := r.EndingHashKey.sub(r.StartingHashKey)
	if w.Less(NewHashKey(0, 3)) {
		return HashKey{}, false
	}
	count := w.subUint64(2) // how many valid keys there are
	var off HashKey
	switch c.IntN(4) {
	case 1:
		off = count.subUint64(1)
	case 2:
		off, _ = count.divUint64(2)
	case 3:
		b := new(big.Int).Mod(rsBig(NewHashKey(c.Uint64(), c.Uint64())), rsBig(count))
		off, _ = ParseHashKey(b.String())
	}
	at, _ := r.StartingHashKey.addUint64(2).add(off)
	return at, true
}

func rsSortByStart(shards []Shard) {
	slices.SortFunc(shards, func(a, b Shard) int { return a.HashKeyRange.StartingHashKey.Compare(b.HashKeyRange.StartingHashKey) })
}

func rsRanges(shards []Shard) []HashKeyRange {
	out := make([]HashKeyRange, len(shards))
	for i, s := range shards {
		out[i] = s.HashKeyRange
	}
	slices.SortFunc(out, func(a, b HashKeyRange) int { return a.StartingHashKey.Compare(b.StartingHashKey) })
	return out
}

// rsCheckPartition fails unless the ranges of open, sorted, run from 0 to
// 2^128-1 without gap or overlap.
func rsCheckPartition(t testing.TB, open []Shard) {
	t.Helper()
	rs := rsRanges(open)
	if len(rs) == 0 {
		t.Fatal("no open shards")
	}
	next := HashKey{}
	for i, r := range rs {
		if r.StartingHashKey != next || r.EndingHashKey.Less(r.StartingHashKey) {
			t.Fatalf("open shard %d of %d is [%s, %s], want it to start at %s; all: %v", i, len(rs), r.StartingHashKey, r.EndingHashKey, next, rs)
		}
		if i == len(rs)-1 {
			if r.EndingHashKey != MaxHashKey {
				t.Fatalf("open shards end at %s, want 2^128-1", r.EndingHashKey)
			}
			return
		}
		next = r.EndingHashKey.addUint64(1)
	}
}

func rsBig(h HashKey) *big.Int {
	b, _ := new(big.Int).SetString(h.String(), 10)
	return b
}

// rsMid is the middle of a range, rounded down.
func rsMid(r HashKeyRange) HashKey {
	half, _ := r.EndingHashKey.sub(r.StartingHashKey).divUint64(2)
	mid, _ := r.StartingHashKey.add(half)
	return mid
}

// rsCheckLineage checks the parent links of the listed shards: parents
// come first and are closed, a merge child spans its two adjacent
// parents, split children lie inside their parent and cover it together.
func rsCheckLineage(t testing.TB, all []Shard) {
	t.Helper()
	byID := map[string]Shard{}
	children := map[string][]HashKeyRange{}
	for _, sh := range all {
		byID[sh.ShardId] = sh
	}
	for _, sh := range all {
		p, ok := byID[sh.ParentShardId]
		if sh.ParentShardId == "" || !ok {
			continue // an initial shard, or the parent has expired
		}
		r := sh.HashKeyRange
		if p.ShardId >= sh.ShardId || p.SequenceNumberRange.EndingSequenceNumber.IsZero() {
			t.Fatalf("shard %s has parent %s, which is not an older closed shard", sh.ShardId, p.ShardId)
		}
		if a, ok := byID[sh.AdjacentParentShardId]; ok {
			if a.SequenceNumberRange.EndingSequenceNumber.IsZero() || p.HashKeyRange.EndingHashKey.addUint64(1) != a.HashKeyRange.StartingHashKey ||
				r != (HashKeyRange{p.HashKeyRange.StartingHashKey, a.HashKeyRange.EndingHashKey}) {
				t.Fatalf("merge child %s %v does not span its parents %s %v and %s %v", sh.ShardId, r, p.ShardId, p.HashKeyRange, a.ShardId, a.HashKeyRange)
			}
			continue
		}
		if sh.AdjacentParentShardId == "" {
			children[p.ShardId] = append(children[p.ShardId], r)
		}
	}
	for id, rs := range children {
		slices.SortFunc(rs, func(a, b HashKeyRange) int { return a.StartingHashKey.Compare(b.StartingHashKey) })
		want := byID[id].HashKeyRange
		if len(rs) != 2 || rs[0].StartingHashKey != want.StartingHashKey || rs[1].EndingHashKey != want.EndingHashKey || rs[0].EndingHashKey.addUint64(1) != rs[1].StartingHashKey {
			t.Fatalf("split children %v of %s do not cover its range %v", rs, id, want)
		}
	}
}

func TestReshardUpdateShardCountUniform(t *testing.T) {
	svc, clock := rsService(t)
	rsCreate(t, svc, "s", 1)
	stream, _ := svc.Stream("s")
	put := 0
	putSome := func() {
		for range 20 {
			if _, err := stream.Put(rsCtx, fmt.Sprint("k", put%7), []byte(fmt.Sprint(put))); err != nil {
				t.Fatal(err)
			}
			put++
		}
	}
	putSome()
	prevOpen, prevLen := 1, 1
	for i, n := range []int{2, 3, 4, 3, 2, 1, 2, 4, 8, 5, 0, 3, 6, 4, 7} {
		if n == 0 { // the 24h quota of 10 is used up
			clock.Advance(24 * time.Hour)
			put = 0
			continue
		}
		out := rsScale(t, svc, "s", n)
		if out.CurrentShardCount != prevOpen || out.TargetShardCount != n {
			t.Fatalf("step %d: output %+v, want %d -> %d", i, out, prevOpen, n)
		}
		open := rsLatest(t, svc, "s")
		if got := rsRanges(open); !slices.Equal(got, splitHashSpace(n)) {
			t.Fatalf("step %d (%d -> %d): open ranges\n%v\nwant the CreateStream layout\n%v", i, prevOpen, n, got, splitHashSpace(n))
		}
		all := rsShards(t, svc, "s")
		for _, sh := range open {
			// Every range changes with the count, so every open shard
			// must be new, numbered after all older shards.
			if idx, _ := parseShardIndex(sh.ShardId); int(idx) < prevLen {
				t.Fatalf("step %d: open shard %s is older than the reshard", i, sh.ShardId)
			}
		}
		for j := 1; j < len(all); j++ {
			if all[j-1].ShardId >= all[j].ShardId {
				t.Fatalf("step %d: shard IDs not increasing: %v", i, rsIDs(all))
			}
		}
		rsCheckLineage(t, all)
		prevOpen, prevLen = n, len(all)
		putSome()
		clock.Advance(time.Minute)
	}
	rsCheckOrder(t, stream, put, 7)
}

// rsCheckOrder replays the stream from TRIM_HORIZON and checks that it
// holds the records "0".."n-1", put with keys "k<i%keys>", each once and
// in put order per key.
func rsCheckOrder(t testing.TB, s *Stream, n, keys int) {
	t.Helper()
	last := map[string]int{}
	seen := make([]bool, n)
	for rec, err := range s.Replay(rsCtx, TrimHorizon()) {
		if err != nil {
			t.Fatalf("Replay: %v", err)
		}
		var i int
		if _, err := fmt.Sscan(string(rec.Data), &i); err != nil || i < 0 || i >= n || seen[i] {
			t.Fatalf("Replay yielded %q: unknown or repeated", rec.Data)
		}
		seen[i] = true
		if want := fmt.Sprint("k", i%keys); rec.PartitionKey != want {
			t.Fatalf("record %d has key %q, want %q", i, rec.PartitionKey, want)
		}
		if p, ok := last[rec.PartitionKey]; ok && p > i {
			t.Fatalf("key %s: record %d replayed after %d", rec.PartitionKey, i, p)
		}
		last[rec.PartitionKey] = i
	}
	for i, ok := range seen {
		if !ok {
			t.Fatalf("Replay lost record %d of %d", i, n)
		}
	}
}

func TestReshardUpdateShardCountRateLimit(t *testing.T) {
	svc, clock := rsService(t)
	rsCreate(t, svc, "s", 1)
	n := 1
	scale := func() error {
		target := 3 - n // 1 <-> 2
		_, err := svc.UpdateShardCount(rsCtx, UpdateShardCountInput{StreamName: "s", TargetShardCount: target, ScalingType: ScalingTypeUniformScaling})
		if err == nil {
			n = target
		}
		return err
	}
	limit := "UpdateShardCount on stream s under account " + rsAcct + " exceeds the limit of 10 scaling operations in a rolling 24-hour period."
	for i := range MaxScalingsPerDay { // calls at t0, t0+1h, ..., t0+9h
		if err := scale(); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
		// A refused call does not use up the quota.
		_, err := svc.UpdateShardCount(rsCtx, UpdateShardCountInput{StreamName: "s", TargetShardCount: 5, ScalingType: ScalingTypeUniformScaling})
		rsErr(t, err, codeInvalidArgument, "")
		clock.Advance(time.Hour)
	}
	rsErr(t, scale(), codeLimitExceeded, limit)
	clock.Advance(14*time.Hour - time.Millisecond) // t0+24h-1ms: the first call still counts
	rsErr(t, scale(), codeLimitExceeded, limit)
	clock.Advance(time.Millisecond) // t0+24h: the first call has left the window
	if err := scale(); err != nil {
		t.Fatalf("after 24h: %v", err)
	}
	rsErr(t, scale(), codeLimitExceeded, limit)
	clock.Advance(time.Hour) // the call at t0+1h leaves too
	if err := scale(); err != nil {
		t.Fatalf("after 25h: %v", err)
	}
	if got := len(rsLatest(t, svc, "s")); got != n {
		t.Fatalf("%d open shards, want %d", got, n)
	}
}

func TestReshardUpdateShardCountSameTarget(t *testing.T) {
	svc, clock := rsService(t, WithStatusDelay(time.Second))
	rsCreate(t, svc, "s", 2)
	clock.Advance(time.Second)
	before := rsShards(t, svc, "s")
	out := rsScale(t, svc, "s", 2)
	want := UpdateShardCountOutput{StreamName: "s", StreamARN: "arn:aws:kinesis:us-east-1:" + rsAcct + ":stream/s", CurrentShardCount: 2, TargetShardCount: 2}
	if out != want {
		t.Fatalf("output %+v, want %+v", out, want)
	}
	if st := rsStatus(t, svc, "s"); st != StreamStatusActive {
		t.Fatalf("status %s after a no-op UpdateShardCount, want ACTIVE", st)
	}
	clock.Advance(time.Second)
	if after := rsShards(t, svc, "s"); !slices.Equal(after, before) {
		t.Fatalf("shards changed:\n%+v\n%+v", before, after)
	}
}

// TestReshardReplayWaitsForParents puts more records in a parent than a
// reader takes from one shard at a time (readBatch), so that a reader
// must come back to the parent before it may start on the children.
func TestReshardReplayWaitsForParents(t *testing.T) {
	svc, _ := rsService(t)
	rsCreate(t, svc, "s", 2)
	s, _ := svc.Stream("s")
	n := 0
	putN := func(count int) {
		for range count {
			if _, err := s.Put(rsCtx, fmt.Sprint("k", n%2), []byte(fmt.Sprint(n))); err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	putN(3*readBatch + 10)
	rsMerge(t, svc, "s", shardID(0), shardID(1))
	putN(10)
	rsSplit(t, svc, "s", shardID(2), rsMid(HashKeyRange{HashKey{}, MaxHashKey}))
	putN(10)
	rsCheckOrder(t, s, n, 2)
}

// rsKeys is how many partition keys the model's records use, and
// rsMostOpen how many open shards it lets a stream have.
const rsKeys, rsMostOpen = 5, 12

// rsModel drives one stream through random reshards and puts and checks
// it against the expected open ranges after every step.
type rsModel struct {
	t        testing.TB
	c        rsChooser
	svc      *Service
	clock    *ManualClock
	s        *Stream
	delay    time.Duration
	open     []HashKeyRange  // expected open ranges, by start
	openIDs  map[string]bool // IDs of the open shards
	shards   int             // how many shards the stream has had
	scalings []time.Time     // accepted UpdateShardCount calls
	put      int             // records put: data "i", key "k<i%rsKeys>"
	log      []string
}

func newRsModel(t testing.TB, c rsChooser, delay time.Duration) *rsModel {
	var opts []Option
	if delay > 0 {
		opts = append(opts, WithStatusDelay(delay))
	}
	svc, clock := rsService(t, opts...)
	n := 1 + c.IntN(4)
	rsCreate(t, svc, "p", n)
	clock.Advance(delay)
	s, _ := svc.Stream("p")
	m := &rsModel{t: t, c: c, svc: svc, clock: clock, s: s, delay: delay, open: splitHashSpace(n), log: []string{fmt.Sprint("create ", n)}}
	m.check(true)
	return m
}

func (m *rsModel) fatalf(format string, args ...any) {
	m.t.Helper()
	m.t.Fatalf("%s\nafter: %v", fmt.Sprintf(format, args...), m.log)
}

// puts writes 1-20 records with PutRecords and checks that each went to a
// listed open shard whose range holds the key's hash.
func (m *rsModel) puts() {
	m.t.Helper()
	ranges := map[string]HashKeyRange{}
	for _, sh := range rsLatest(m.t, m.svc, "p") {
		ranges[sh.ShardId] = sh.HashKeyRange
	}
	batch := make([]PutRecordsRequestEntry, 1+m.c.IntN(20))
	for i := range batch {
		batch[i] = PutRecordsRequestEntry{PartitionKey: fmt.Sprint("k", m.put%rsKeys), Data: []byte(fmt.Sprint(m.put))}
		m.put++
	}
	out, err := m.svc.PutRecords(rsCtx, PutRecordsInput{StreamName: "p", Records: batch})
	if err != nil || out.FailedRecordCount != 0 {
		m.fatalf("PutRecords: %v, %d failed", err, out.FailedRecordCount)
	}
	for i, r := range out.Records {
		if rg, ok := ranges[r.ShardId]; !ok || !rg.Contains(PartitionKeyHash(batch[i].PartitionKey)) {
			m.fatalf("key %s went to %s (open: %v, range %v)", batch[i].PartitionKey, r.ShardId, ok, rg)
		}
	}
}

// check compares the stream with the model. If grew is false the stream
// must have gained no shard.
func (m *rsModel) check(grew bool) {
	m.t.Helper()
	latest := rsLatest(m.t, m.svc, "p")
	if got := rsRanges(latest); !slices.Equal(got, m.open) {
		m.fatalf("open ranges\n%v\nwant\n%v", got, m.open)
	}
	rsCheckPartition(m.t, latest)
	all := rsShards(m.t, m.svc, "p")
	if !grew && len(all) != m.shards {
		m.fatalf("%d shards, want still %d", len(all), m.shards)
	}
	for i, sh := range all {
		if sh.ShardId != shardID(uint32(i)) {
			m.fatalf("shard %d is %s", i, sh.ShardId)
		}
	}
	if got := rsRanges(rsOpenOf(all)); !slices.Equal(got, m.open) {
		m.fatalf("DescribeStream's open ranges %v, want %v", got, m.open)
	}
	ids := map[string]bool{}
	for _, sh := range latest {
		if idx, _ := parseShardIndex(sh.ShardId); !m.openIDs[sh.ShardId] && int(idx) < m.shards {
			m.fatalf("newly open shard %s is not numbered after the %d older shards", sh.ShardId, m.shards)
		}
		ids[sh.ShardId] = true
	}
	m.openIDs, m.shards = ids, len(all)
	rsCheckLineage(m.t, all)
	sum, err := m.svc.DescribeStreamSummary(rsCtx, DescribeStreamSummaryInput{StreamName: "p"})
	if d := sum.StreamDescriptionSummary; err != nil || d.StreamStatus != StreamStatusActive || d.OpenShardCount != len(m.open) {
		m.fatalf("summary %+v, %v; want ACTIVE with %d open shards", d, err, len(m.open))
	}
}

// reshard runs an accepted reshard: with a delay, the stream must be
// UPDATING with the old shards, take puts, refuse another reshard and
// change only once the delay has passed.
func (m *rsModel) reshard(what string, want []HashKeyRange, call func() error) {
	m.t.Helper()
	m.log = append(m.log, what)
	if err := call(); err != nil {
		m.fatalf("%s: %v", what, err)
	}
	if m.delay > 0 {
		if got := rsRanges(rsLatest(m.t, m.svc, "p")); !slices.Equal(got, m.open) || rsStatus(m.t, m.svc, "p") != StreamStatusUpdating {
			m.fatalf("%s: during the delay the stream is not UPDATING with its old shards", what)
		}
		m.puts()
		_, err := m.svc.UpdateShardCount(rsCtx, UpdateShardCountInput{StreamName: "p", TargetShardCount: len(m.open), ScalingType: ScalingTypeUniformScaling})
		rsErr(m.t, err, codeResourceInUse, "")
		m.clock.Advance(m.delay)
	}
	m.open = want
	m.check(true)
}

// refused runs a call that must fail with code and change nothing.
func (m *rsModel) refused(what, code string, call func() error) {
	m.t.Helper()
	m.log = append(m.log, what+" (refused)")
	rsErr(m.t, call(), code, "")
	m.check(false)
}

func (m *rsModel) step() {
	m.t.Helper()
	open := rsLatest(m.t, m.svc, "p")
	rsSortByStart(open)
	n := len(open)
	switch op := m.c.IntN(10); {
	case op < 3:
		m.puts()
	case op == 3:
		m.clock.Advance(time.Duration(m.c.IntN(2000)) * time.Millisecond)
	case op == 4 && n > 1, op < 7 && n >= rsMostOpen:
		i := m.c.IntN(n - 1)
		a, b := open[i], open[i+1]
		want := slices.Concat(m.open[:i], []HashKeyRange{{a.HashKeyRange.StartingHashKey, b.HashKeyRange.EndingHashKey}}, m.open[i+2:])
		m.reshard("merge "+a.ShardId+" "+b.ShardId, want, func() error {
			_, err := m.svc.MergeShards(rsCtx, MergeShardsInput{StreamName: "p", ShardToMerge: a.ShardId, AdjacentShardToMerge: b.ShardId})
			return err
		})
	case op < 7:
		i := m.c.IntN(n)
		sh := open[i]
		at, ok := rsRandKey(m.c, sh.HashKeyRange)
		if !ok {
			return
		}
		want := slices.Concat(m.open[:i], []HashKeyRange{{sh.HashKeyRange.StartingHashKey, at.subUint64(1)}, {at, sh.HashKeyRange.EndingHashKey}}, m.open[i+1:])
		m.reshard("split "+sh.ShardId+" at "+at.String(), want, func() error {
			_, err := m.svc.SplitShard(rsCtx, SplitShardInput{StreamName: "p", ShardToSplit: sh.ShardId, NewStartingHashKey: at.String()})
			return err
		})
	case op < 9:
		lo, hi := (n+1)/2, max(min(2*n, rsMostOpen), n)
		target := lo + m.c.IntN(hi-lo+1)
		if target == n {
			target = hi
		}
		scale := func() error {
			_, err := m.svc.UpdateShardCount(rsCtx, UpdateShardCountInput{StreamName: "p", TargetShardCount: target, ScalingType: ScalingTypeUniformScaling})
			return err
		}
		now := m.clock.Now()
		m.scalings = slices.DeleteFunc(m.scalings, func(t time.Time) bool { return now.Sub(t) >= 24*time.Hour })
		switch {
		case target == n:
			return // n == rsMostOpen == 2n: nothing else is valid
		case len(m.scalings) >= MaxScalingsPerDay:
			m.refused(fmt.Sprint("scale to ", target, ", 11th in 24h"), codeLimitExceeded, scale)
		default:
			m.scalings = append(m.scalings, now)
			m.reshard(fmt.Sprint("scale ", n, " -> ", target), splitHashSpace(target), scale)
		}
	case n > 1 && m.c.IntN(2) == 0:
		i := m.c.IntN(n - 1)
		m.refused("reversed merge", codeInvalidArgument, func() error {
			_, err := m.svc.MergeShards(rsCtx, MergeShardsInput{StreamName: "p", ShardToMerge: open[i+1].ShardId, AdjacentShardToMerge: open[i].ShardId})
			return err
		})
	default:
		sh := open[m.c.IntN(n)]
		m.refused("split at start+1", codeInvalidArgument, func() error {
			_, err := m.svc.SplitShard(rsCtx, SplitShardInput{StreamName: "p", ShardToSplit: sh.ShardId, NewStartingHashKey: sh.HashKeyRange.StartingHashKey.addUint64(1).String()})
			return err
		})
	}
}

// finish checks that every record put is in the stream exactly once, in
// put order per key, through Replay and through GetRecords.
func (m *rsModel) finish() {
	m.t.Helper()
	rsCheckOrder(m.t, m.s, m.put, rsKeys)
	n := 0
	for _, sh := range rsShards(m.t, m.svc, "p") {
		recs, _ := rsReadShard(m.t, m.svc, "p", sh.ShardId, 1+m.c.IntN(100))
		n += len(recs)
	}
	if n != m.put {
		m.fatalf("GetRecords finds %d records in all shards, %d were put", n, m.put)
	}
	m.t.Logf("%d records, %d shards, %d reshards and refusals", m.put, m.shards, len(m.log)-1)
}

func TestReshardProperty(t *testing.T) {
	seeds, steps := 40, 80
	if testing.Short() {
		seeds = 8
	}
	for seed := range uint64(seeds) {
		delay := time.Duration(seed%2) * time.Second
		t.Run(fmt.Sprintf("seed=%d,delay=%v", seed, delay), func(t *testing.T) {
			c := rand.New(rand.NewPCG(seed, 0x5eed))
			m := newRsModel(t, c, delay)
			for range steps {
				m.step()
			}
			m.finish()
		})
	}
}

func FuzzReshard(f *testing.F) {
	f.Add([]byte{0})
	f.Add([]byte{1, 4, 4, 4, 0, 4, 1, 5, 2, 6, 3, 0, 6, 1, 0, 4, 0})
	f.Add([]byte("\x03\x06\x05\x06\x06\x06\x06\x06\x06\x06\x06\x06\x06\x06\x06\x06\x06\x07\x00\x08\x01"))
	f.Add([]byte("split merge scale put advance refuse 0123456789abcdefghijklmnopqrstuvwxyz"))
	f.Fuzz(func(t *testing.T, ops []byte) {
		c := &rsBytes{ops}
		delay := time.Duration(c.IntN(2)) * time.Second
		m := newRsModel(t, c, delay)
		for i := 0; len(c.b) > 0 && i < 300; i++ {
			m.step()
		}
		m.finish()
	})
}
