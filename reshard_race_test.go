package kds

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Concurrency tests of resharding, meant for -race: writers keep putting
// while the stream is split, merged and rescaled, and every record must
// end up exactly once in the shard its put named, a shard that owned its
// hash key at the time. This file also holds the helpers (prefix rs) the
// reshard_*_test.go files share for setting up streams and reading shards.

var rsStart = time.Date(2024, time.June, 3, 9, 0, 0, 0, time.UTC)

const rsAcct = "000000000000"

var rsCtx = context.Background()

func rsService(t testing.TB, opts ...Option) (*Service, *ManualClock) {
	t.Helper()
	clock := NewManualClock(rsStart)
	svc, err := NewService(append([]Option{WithClock(clock), WithThroughputLimits(NoLimits)}, opts...)...)
	if err != nil {
		t.Fatalf("NewService: %v", err)
	}
	return svc, clock
}

func rsCreate(t testing.TB, svc *Service, name string, shards int) {
	t.Helper()
	if _, err := svc.CreateStream(rsCtx, CreateStreamInput{StreamName: name, ShardCount: shards}); err != nil {
		t.Fatalf("CreateStream(%q, %d): %v", name, shards, err)
	}
}

// rsErr fails unless err is a *Error with code and, if msg is not "",
// exactly msg as its message.
func rsErr(t testing.TB, err error, code, msg string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got error %v, want %s", err, code)
	}
	if e.Code != code || (msg != "" && e.Message != msg) {
		t.Fatalf("got  %s: %s\nwant %s: %s", e.Code, e.Message, code, msg)
	}
}

func rsSplit(t testing.TB, svc *Service, stream, shard string, at HashKey) {
	t.Helper()
	_, err := svc.SplitShard(rsCtx, SplitShardInput{StreamName: stream, ShardToSplit: shard, NewStartingHashKey: at.String()})
	if err != nil {
		t.Fatalf("SplitShard(%s at %s): %v", shard, at, err)
	}
}

func rsMerge(t testing.TB, svc *Service, stream, a, b string) {
	t.Helper()
	if _, err := svc.MergeShards(rsCtx, MergeShardsInput{StreamName: stream, ShardToMerge: a, AdjacentShardToMerge: b}); err != nil {
		t.Fatalf("MergeShards(%s, %s): %v", a, b, err)
	}
}

func rsScale(t testing.TB, svc *Service, stream string, n int) UpdateShardCountOutput {
	t.Helper()
	out, err := svc.UpdateShardCount(rsCtx, UpdateShardCountInput{StreamName: stream, TargetShardCount: n, ScalingType: ScalingTypeUniformScaling})
	if err != nil {
		t.Fatalf("UpdateShardCount(%d): %v", n, err)
	}
	return out
}

func rsPutHK(t testing.TB, svc *Service, stream string, hk HashKey, data string) PutRecordOutput {
	t.Helper()
	out, err := svc.PutRecord(rsCtx, PutRecordInput{StreamName: stream, PartitionKey: "pk", ExplicitHashKey: hk.String(), Data: []byte(data)})
	if err != nil {
		t.Fatalf("PutRecord(hash key %s): %v", hk, err)
	}
	return out
}

// rsStatus returns a stream's status from DescribeStreamSummary.
func rsStatus(t testing.TB, svc *Service, name string) StreamStatus {
	t.Helper()
	out, err := svc.DescribeStreamSummary(rsCtx, DescribeStreamSummaryInput{StreamName: name})
	if err != nil {
		t.Fatalf("DescribeStreamSummary: %v", err)
	}
	return out.StreamDescriptionSummary.StreamStatus
}

// rsShards returns every listed shard, paging through DescribeStream.
func rsShards(t testing.TB, svc *Service, stream string) []Shard {
	t.Helper()
	var all []Shard
	for after := ""; ; {
		out, err := svc.DescribeStream(rsCtx, DescribeStreamInput{StreamName: stream, ExclusiveStartShardId: after})
		if err != nil {
			t.Fatalf("DescribeStream: %v", err)
		}
		all = append(all, out.StreamDescription.Shards...)
		if !out.StreamDescription.HasMoreShards {
			return all
		}
		after = all[len(all)-1].ShardId
	}
}

// rsList runs a ListShards query and follows its NextTokens.
func rsList(t testing.TB, svc *Service, in ListShardsInput) []Shard {
	t.Helper()
	var all []Shard
	for range 100000 {
		out, err := svc.ListShards(rsCtx, in)
		if err != nil {
			t.Fatalf("ListShards(%+v): %v", in, err)
		}
		all = append(all, out.Shards...)
		if out.NextToken == "" {
			return all
		}
		in = ListShardsInput{NextToken: out.NextToken, MaxResults: in.MaxResults}
	}
	t.Fatal("ListShards never ended")
	return nil
}

func rsLatest(t testing.TB, svc *Service, stream string) []Shard {
	t.Helper()
	return rsList(t, svc, ListShardsInput{StreamName: stream, ShardFilter: ShardFilter{Type: ShardFilterAtLatest}})
}

func rsIDs(shards []Shard) []string {
	ids := make([]string, len(shards))
	for i, s := range shards {
		ids[i] = s.ShardId
	}
	return ids
}

func rsOpenOf(shards []Shard) []Shard {
	var open []Shard
	for _, s := range shards {
		if s.SequenceNumberRange.EndingSequenceNumber.IsZero() {
			open = append(open, s)
		}
	}
	return open
}

// rsReadShard reads a shard from TRIM_HORIZON with GetRecords pages of at
// most limit records, to the end: for a closed shard until the page with
// ChildShards and no NextShardIterator, for an open one until two empty
// pages. It returns the records and the ChildShards.
func rsReadShard(t testing.TB, svc *Service, stream, shard string, limit int) ([]Record, []ChildShard) {
	t.Helper()
	it, err := svc.GetShardIterator(rsCtx, GetShardIteratorInput{StreamName: stream, ShardId: shard, ShardIteratorType: ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatalf("GetShardIterator(%s): %v", shard, err)
	}
	next, empty := it.ShardIterator, 0
	var recs []Record
	for range 1000000 {
		out, err := svc.GetRecords(rsCtx, GetRecordsInput{ShardIterator: next, Limit: limit})
		if err != nil {
			t.Fatalf("GetRecords(%s): %v", shard, err)
		}
		recs = append(recs, out.Records...)
		if out.NextShardIterator == "" {
			if len(out.ChildShards) == 0 || len(out.Records) != 0 {
				t.Fatalf("GetRecords(%s): last page has %d records and ChildShards %v", shard, len(out.Records), out.ChildShards)
			}
			return recs, out.ChildShards
		}
		if len(out.ChildShards) != 0 {
			t.Fatalf("GetRecords(%s): ChildShards %v with a NextShardIterator", shard, out.ChildShards)
		}
		if len(out.Records) > 0 {
			empty = 0
		} else if empty++; empty == 2 {
			return recs, nil
		}
		next = out.NextShardIterator
	}
	t.Fatalf("GetRecords(%s) never ended", shard)
	return nil, nil
}

func rsTrimIterator(t testing.TB, svc *Service, id string) string {
	t.Helper()
	out, err := svc.GetShardIterator(rsCtx, GetShardIteratorInput{StreamName: "s", ShardId: id, ShardIteratorType: ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatalf("GetShardIterator(%s): %v", id, err)
	}
	return out.ShardIterator
}

func rsViolation(value, path, constraint string) string {
	return "1 validation error detected: Value " + value + " at '" + path + "' failed to satisfy constraint: " + constraint
}

func rsSplitRangeMsg(h, shard string, r HashKeyRange) string {
	return fmt.Sprintf("NewStartingHashKey %s used in SplitShard() on shard %s in stream s under account %s is not both greater than one plus the shard's StartingHashKey %s and less than the shard's EndingHashKey %s.", h, shard, rsAcct, r.StartingHashKey, r.EndingHashKey)
}

func rsNoShard(id string) string {
	return "Could not find shard " + id + " in stream s under account " + rsAcct + "."
}

func rsNotAdjacent(a, b string) string {
	return "Shards " + a + " and " + b + " in stream s under account " + rsAcct + " are not an adjacent pair of shards eligible for merging"
}

const rsHKPattern = `Member must satisfy regular expression pattern: 0|([1-9]\d{0,38})`

// rsGuard bounds every wait on another goroutine; it only turns a hang
// into a failure, nothing waits for it to pass.
const rsGuard = 30 * time.Second

// rsSpin yields until cond holds, failing after rsGuard.
func rsSpin(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(rsGuard)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		runtime.Gosched()
	}
}

// rsRandomReshard performs one random valid reshard of stream: a split of
// a random open shard at a random valid key, a merge of a random adjacent
// pair, or, while *scalings is below the daily limit, an UpdateShardCount
// to a random other valid count. The open count stays within [1, most].
func rsRandomReshard(t testing.TB, svc *Service, stream string, c rsChooser, most int, scalings *int) string {
	t.Helper()
	open := rsLatest(t, svc, stream)
	rsSortByStart(open)
	n := len(open)
	op := c.IntN(3)
	switch {
	case op == 2 && *scalings < MaxScalingsPerDay:
		lo, hi := (n+1)/2, min(2*n, most)
		target := lo + c.IntN(hi-lo) // any count in [lo, hi] but n
		if target >= n {
			target++
		}
		rsScale(t, svc, stream, target)
		*scalings++
		return fmt.Sprintf("UpdateShardCount %d -> %d", n, target)
	case op == 1 && n > 1, n >= most:
		i := c.IntN(n - 1)
		rsMerge(t, svc, stream, open[i].ShardId, open[i+1].ShardId)
		return "MergeShards " + open[i].ShardId + " " + open[i+1].ShardId
	}
	for range n { // split a shard wide enough to split
		sh := open[c.IntN(n)]
		if at, ok := rsRandKey(c, sh.HashKeyRange); ok {
			rsSplit(t, svc, stream, sh.ShardId, at)
			return "SplitShard " + sh.ShardId + " at " + at.String()
		}
	}
	t.Fatalf("no open shard of %v can be split", rsRanges(open))
	return ""
}

// rsPut is what a put returned for one record.
type rsPut struct {
	key, shard string
	seq        SequenceNumber
}

func TestReshardRacePutsDuringReshards(t *testing.T) {
	svc, clock := rsService(t)
	rsCreate(t, svc, "s", 2)
	stream, _ := svc.Stream("s")
	const writers, ops = 4, 30
	var (
		stop atomic.Bool
		puts atomic.Int64
		wg   sync.WaitGroup
	)
	sent := make([]map[string]rsPut, writers)
	errs := make([]error, writers)
	for g := range writers {
		sent[g] = map[string]rsPut{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 42))
			for n := 0; !stop.Load(); {
				batch := make([]PutRecordsRequestEntry, 1+rng.IntN(50))
				for i := range batch {
					batch[i] = PutRecordsRequestEntry{PartitionKey: "pk" + strconv.FormatUint(rng.Uint64(), 36), Data: fmt.Appendf(nil, "w%d-%d", g, n)}
					n++
				}
				if len(batch) == 1 { // PutRecord and Stream.Put re-route too
					var out PutRecordOutput
					var err error
					if rng.IntN(2) == 0 {
						out, err = svc.PutRecord(rsCtx, PutRecordInput{StreamName: "s", PartitionKey: batch[0].PartitionKey, Data: batch[0].Data})
					} else {
						out, err = stream.Put(rsCtx, batch[0].PartitionKey, batch[0].Data)
					}
					if err != nil {
						errs[g] = err
						stop.Store(true)
						return
					}
					sent[g][string(batch[0].Data)] = rsPut{batch[0].PartitionKey, out.ShardId, out.SequenceNumber}
					puts.Add(1)
					continue
				}
				out, err := svc.PutRecords(rsCtx, PutRecordsInput{StreamName: "s", Records: batch})
				if err == nil && out.FailedRecordCount != 0 {
					err = fmt.Errorf("%d records failed: %+v", out.FailedRecordCount, out.Records)
				}
				if err != nil {
					errs[g] = err
					stop.Store(true)
					return
				}
				for i, r := range out.Records {
					sent[g][string(batch[i].Data)] = rsPut{batch[i].PartitionKey, r.ShardId, r.SequenceNumber}
				}
				puts.Add(int64(len(batch)))
			}
		}()
	}
	c := rand.New(rand.NewPCG(2024, 6))
	scalings := 0
	for i := range ops {
		before := puts.Load()
		rsSpin(t, "writers to put between reshards", func() bool { return puts.Load() >= before+200 || stop.Load() })
		t.Logf("op %d: %s", i, rsRandomReshard(t, svc, "s", c, 16, &scalings))
		clock.Advance(time.Millisecond)
	}
	before := puts.Load()
	rsSpin(t, "writers to put after the last reshard", func() bool { return puts.Load() >= before+200 || stop.Load() })
	stop.Store(true)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("put failed: %v", err)
	}

	all := rsShards(t, svc, "s")
	rsCheckPartition(t, rsOpenOf(all))
	rsCheckLineage(t, all)
	seen := map[string]bool{}
	used := 0
	for _, sh := range all {
		recs, _ := rsReadShard(t, svc, "s", sh.ShardId, 0)
		if len(recs) > 0 {
			used++
		}
		end := sh.SequenceNumberRange.EndingSequenceNumber
		for i, r := range recs {
			id := string(r.Data)
			var g, n int
			if _, err := fmt.Sscanf(id, "w%d-%d", &g, &n); err != nil || g < 0 || g >= writers {
				t.Fatalf("shard %s holds unknown record %q", sh.ShardId, id)
			}
			p, ok := sent[g][id]
			switch {
			case !ok:
				t.Fatalf("shard %s holds %q, which no successful put returned", sh.ShardId, id)
			case seen[id]:
				t.Fatalf("record %q read twice", id)
			case p.shard != sh.ShardId || p.seq != r.SequenceNumber || p.key != r.PartitionKey:
				t.Fatalf("record %q is in %s as %s, but its put returned %s %s", id, sh.ShardId, r.SequenceNumber, p.shard, p.seq)
			case !sh.HashKeyRange.Contains(PartitionKeyHash(r.PartitionKey)):
				t.Fatalf("record %q (hash %s) is in %s, whose range is %v", id, PartitionKeyHash(r.PartitionKey), sh.ShardId, sh.HashKeyRange)
			case !end.IsZero() && r.SequenceNumber.Compare(end) >= 0:
				t.Fatalf("record %q in closed shard %s has sequence number %s, not below EndingSequenceNumber %s", id, sh.ShardId, r.SequenceNumber, end)
			case i > 0 && r.SequenceNumber.Compare(recs[i-1].SequenceNumber) <= 0:
				t.Fatalf("shard %s: sequence numbers not increasing at record %d", sh.ShardId, i)
			}
			seen[id] = true
		}
	}
	total := 0
	for g := range sent {
		total += len(sent[g])
		for id := range sent[g] {
			if !seen[id] {
				t.Fatalf("record %q was put (%+v) but is in no shard", id, sent[g][id])
			}
		}
	}
	if len(seen) != total {
		t.Fatalf("read %d records, put %d", len(seen), total)
	}
	if used < ops/2 {
		t.Fatalf("only %d of %d shards received records: the puts did not overlap the reshards", used, len(all))
	}
	t.Logf("%d records in %d shards (%d with records)", total, len(all), used)
}

func TestReshardRacePerKeyOrder(t *testing.T) {
	svc, clock := rsService(t)
	rsCreate(t, svc, "s", 1)
	stream, _ := svc.Stream("s")
	const keys = 5
	var (
		stop, done atomic.Bool
		failed     atomic.Bool
		written    atomic.Int64
		followed   atomic.Int64
		wg         sync.WaitGroup
		putErr     error
		followErr  error
	)
	ctx, cancel := context.WithCancel(rsCtx)
	defer cancel()
	wg.Add(2)
	go func() { // one writer: the put order of each key is well defined
		defer wg.Done()
		defer done.Store(true)
		for i := 0; !stop.Load(); i++ {
			if _, err := stream.Put(rsCtx, fmt.Sprint("k", i%keys), []byte(strconv.Itoa(i))); err != nil {
				putErr = err
				return
			}
			written.Add(1)
		}
	}()
	go func() { // a follower sees each key in order while the reshards happen
		defer wg.Done()
		last := map[string]int{}
		for rec, err := range stream.Records(ctx, TrimHorizon()) {
			if err != nil {
				if !errors.Is(err, context.Canceled) {
					followErr = err
					failed.Store(true)
				}
				return
			}
			i, _ := strconv.Atoi(string(rec.Data))
			if p, ok := last[rec.PartitionKey]; ok && p >= i {
				followErr = fmt.Errorf("key %s: record %d followed record %d", rec.PartitionKey, i, p)
				failed.Store(true)
				return
			}
			last[rec.PartitionKey] = i
			followed.Add(1)
		}
	}()
	c := rand.New(rand.NewPCG(7, 7))
	scalings := MaxScalingsPerDay // splits and merges only
	for i := range 24 {
		before := written.Load()
		rsSpin(t, "the writer to put between reshards", func() bool { return written.Load() >= before+100 || done.Load() })
		t.Logf("op %d: %s", i, rsRandomReshard(t, svc, "s", c, 8, &scalings))
		clock.Advance(time.Millisecond)
	}
	stop.Store(true)
	rsSpin(t, "the writer to stop", done.Load)
	n := written.Load()
	rsSpin(t, "the follower to catch up", func() bool { return followed.Load() >= n || failed.Load() })
	cancel()
	wg.Wait()
	if putErr != nil || followErr != nil {
		t.Fatalf("writer: %v; follower: %v", putErr, followErr)
	}
	if f := followed.Load(); f != n {
		t.Fatalf("follower saw %d records, %d were put", f, n)
	}
	rsCheckOrder(t, stream, int(n), keys)
	if all := rsShards(t, svc, "s"); len(all) < 24 {
		t.Fatalf("only %d shards: too few reshards happened", len(all))
	}
}
