package kds

import (
	"fmt"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kdsgo/kds/internal/coral"
)

// Tests of SplitShard, MergeShards and UpdateShardCount: validation and
// error texts (KINESIS.md §1.6, §3.4), shard geometry and lineage (§1.2,
// §5.2), the UPDATING state, GetRecords at the end of a closed shard
// (§3.3), ListShards filters over a reshard timeline (§3.3) and expiry of
// closed shards. Shared helpers (prefix rs) are in reshard_race_test.go
// (set-up, reading) and reshard_property_test.go (invariant checkers).

func TestReshardSplitShardValidation(t *testing.T) {
	svc, _ := rsService(t, WithShardLimit(100))
	rsCreate(t, svc, "s", 3)
	r := splitHashSpace(3)[1]
	s, e := rsBig(r.StartingHashKey), rsBig(r.EndingHashKey)
	plus := func(b *big.Int, n int64) string { return new(big.Int).Add(b, big.NewInt(n)).String() }
	const one = "shardId-000000000001"
	cases := []struct {
		name, shard, key, code, msg string
	}{
		{"null key", one, "", codeValidation, rsViolation("null", "newStartingHashKey", coral.MustNotBeNull)},
		{"letters", one, "abc", codeValidation, rsViolation("'abc'", "newStartingHashKey", rsHKPattern)},
		{"leading zero", one, "01", codeValidation, rsViolation("'01'", "newStartingHashKey", rsHKPattern)},
		{"null shard", "", plus(s, 5), codeValidation, rsViolation("null", "shardToSplit", coral.MustNotBeNull)},
		{"unknown shard", "shardId-000000000009", plus(s, 5), codeResourceNotFound, rsNoShard("shardId-000000000009")},
		{"equal start", one, s.String(), codeInvalidArgument, rsSplitRangeMsg(s.String(), one, r)},
		{"start plus one", one, plus(s, 1), codeInvalidArgument, rsSplitRangeMsg(plus(s, 1), one, r)},
		{"equal end", one, e.String(), codeInvalidArgument, rsSplitRangeMsg(e.String(), one, r)},
		{"above end", one, plus(e, 1), codeInvalidArgument, rsSplitRangeMsg(plus(e, 1), one, r)},
		{"below start", one, "0", codeInvalidArgument, rsSplitRangeMsg("0", one, r)},
		{"above 2^128-1", one, "340282366920938463463374607431768211456", codeInvalidArgument, rsSplitRangeMsg("340282366920938463463374607431768211456", one, r)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := svc.SplitShard(rsCtx, SplitShardInput{StreamName: "s", ShardToSplit: c.shard, NewStartingHashKey: c.key})
			rsErr(t, err, c.code, c.msg)
		})
	}
	_, err := svc.SplitShard(rsCtx, SplitShardInput{StreamName: "nope", ShardToSplit: one, NewStartingHashKey: plus(s, 5)})
	rsErr(t, err, codeResourceNotFound, "Stream nope under account "+rsAcct+" not found.")
	if got := rsShards(t, svc, "s"); len(got) != 3 || len(rsOpenOf(got)) != 3 {
		t.Fatalf("failed splits changed the shards: %v", rsIDs(got))
	}

	// The extreme accepted keys: Start+2 and End-1.
	for _, key := range []string{plus(s, 2), plus(e, -1)} {
		svc, _ := rsService(t)
		rsCreate(t, svc, "s", 3)
		if _, err := svc.SplitShard(rsCtx, SplitShardInput{StreamName: "s", ShardToSplit: one, NewStartingHashKey: key}); err != nil {
			t.Fatalf("SplitShard at %s: %v", key, err)
		}
		got := rsShards(t, svc, "s")
		h, _ := ParseHashKey(key)
		want := []HashKeyRange{{r.StartingHashKey, h.subUint64(1)}, {h, r.EndingHashKey}}
		if len(got) != 5 || got[3].HashKeyRange != want[0] || got[4].HashKeyRange != want[1] {
			t.Fatalf("split at %s: shards %+v, want children %v", key, got, want)
		}
		rsCheckPartition(t, rsOpenOf(got))
		// The closed parent is not found any more.
		_, err := svc.SplitShard(rsCtx, SplitShardInput{StreamName: "s", ShardToSplit: one, NewStartingHashKey: key})
		rsErr(t, err, codeResourceNotFound, rsNoShard(one))
	}
}

func TestReshardOnDemandAndQuota(t *testing.T) {
	svc, _ := rsService(t, WithShardLimit(5))
	if _, err := svc.CreateStream(rsCtx, CreateStreamInput{StreamName: "od", StreamModeDetails: StreamModeDetails{StreamMode: StreamModeOnDemand}}); err != nil {
		t.Fatal(err)
	}
	unsupported := func(op string) string {
		return op + " is not supported for stream od under account " + rsAcct + " because it is in ON_DEMAND capacity mode."
	}
	_, err := svc.SplitShard(rsCtx, SplitShardInput{StreamName: "od", ShardToSplit: "shardId-000000000000", NewStartingHashKey: "1000"})
	rsErr(t, err, codeValidation, unsupported("SplitShard"))
	_, err = svc.MergeShards(rsCtx, MergeShardsInput{StreamName: "od", ShardToMerge: "shardId-000000000000", AdjacentShardToMerge: "shardId-000000000001"})
	rsErr(t, err, codeValidation, unsupported("MergeShards"))
	_, err = svc.UpdateShardCount(rsCtx, UpdateShardCountInput{StreamName: "od", TargetShardCount: 5, ScalingType: ScalingTypeUniformScaling})
	rsErr(t, err, codeValidation, unsupported("UpdateShardCount"))

	// 4 on-demand shards + 1 = the quota of 5: one more shard is refused.
	rsCreate(t, svc, "s", 1)
	quota := func(more int) string {
		return fmt.Sprintf("This request would exceed the shard limit for the account %s in us-east-1. Current shard count for the account: 5. Limit: 5. Number of additional shards that would have resulted from this request: %d. Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.", rsAcct, more)
	}
	_, err = svc.SplitShard(rsCtx, SplitShardInput{StreamName: "s", ShardToSplit: "shardId-000000000000", NewStartingHashKey: "1000"})
	rsErr(t, err, codeLimitExceeded, quota(1))
	_, err = svc.UpdateShardCount(rsCtx, UpdateShardCountInput{StreamName: "s", TargetShardCount: 2, ScalingType: ScalingTypeUniformScaling})
	rsErr(t, err, codeLimitExceeded, quota(1))
	if got := rsShards(t, svc, "s"); len(got) != 1 {
		t.Fatalf("refused reshards changed the shards: %v", rsIDs(got))
	}
}

func TestReshardMergeShardsValidation(t *testing.T) {
	svc, _ := rsService(t)
	rsCreate(t, svc, "s", 4)
	rsSplit(t, svc, "s", "shardId-000000000003", rsMid(splitHashSpace(4)[3])) // closes 3, opens 4 and 5
	id := shardID
	cases := []struct {
		name, a, b, code, msg string
	}{
		{"not adjacent", id(0), id(2), codeInvalidArgument, rsNotAdjacent(id(0), id(2))},
		{"reversed", id(1), id(0), codeInvalidArgument, rsNotAdjacent(id(1), id(0))},
		{"same shard", id(1), id(1), codeInvalidArgument, rsNotAdjacent(id(1), id(1))},
		{"last then first", id(5), id(0), codeInvalidArgument, rsNotAdjacent(id(5), id(0))},
		{"closed first", id(3), id(4), codeResourceNotFound, rsNoShard(id(3))},
		{"closed second", id(2), id(3), codeResourceNotFound, rsNoShard(id(3))},
		{"unknown", id(0), id(9), codeResourceNotFound, rsNoShard(id(9))},
		{"null first", "", id(1), codeValidation, rsViolation("null", "shardToMerge", coral.MustNotBeNull)},
		{"null second", id(0), "", codeValidation, rsViolation("null", "adjacentShardToMerge", coral.MustNotBeNull)},
		{"bad name", "shard 0", id(1), codeValidation, rsViolation("'shard 0'", "shardToMerge", "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := svc.MergeShards(rsCtx, MergeShardsInput{StreamName: "s", ShardToMerge: c.a, AdjacentShardToMerge: c.b})
			rsErr(t, err, c.code, c.msg)
		})
	}
	if got := rsShards(t, svc, "s"); len(got) != 6 || len(rsOpenOf(got)) != 5 {
		t.Fatalf("failed merges changed the shards: %v", rsIDs(got))
	}
	rsMerge(t, svc, "s", id(2), id(4)) // 2 ends where 4 starts: adjacent though not siblings
	rsCheckPartition(t, rsLatest(t, svc, "s"))
}

func TestReshardUpdateShardCountValidation(t *testing.T) {
	svc, _ := rsService(t)
	rsCreate(t, svc, "s2", 2)
	rsCreate(t, svc, "s4", 4)
	rsCreate(t, svc, "s5", 5)
	cases := []struct {
		name, stream string
		target       int
		typ          ScalingType
		code, msg    string
	}{
		{"zero", "s2", 0, ScalingTypeUniformScaling, codeValidation, rsViolation("null", "targetShardCount", coral.MustNotBeNull)},
		{"negative", "s2", -3, ScalingTypeUniformScaling, codeValidation, rsViolation("'-3'", "targetShardCount", "Member must have value greater than or equal to 1")},
		{"no type", "s2", 3, "", codeValidation, rsViolation("null", "scalingType", coral.MustNotBeNull)},
		{"bad type", "s2", 3, "SIDEWAYS", codeValidation, rsViolation("'SIDEWAYS'", "scalingType", "Member must satisfy enum value set: [UNIFORM_SCALING]")},
		{"above double", "s2", 5, ScalingTypeUniformScaling, codeInvalidArgument, ""},
		{"below half", "s4", 1, ScalingTypeUniformScaling, codeInvalidArgument, ""},
		{"below half of odd", "s5", 2, ScalingTypeUniformScaling, codeInvalidArgument, ""},
		{"no stream", "nope", 2, ScalingTypeUniformScaling, codeResourceNotFound, "Stream nope under account " + rsAcct + " not found."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := svc.UpdateShardCount(rsCtx, UpdateShardCountInput{StreamName: c.stream, TargetShardCount: c.target, ScalingType: c.typ})
			rsErr(t, err, c.code, c.msg)
		})
	}
	if n := len(rsShards(t, svc, "s2")) + len(rsShards(t, svc, "s4")) + len(rsShards(t, svc, "s5")); n != 11 {
		t.Fatalf("failed UpdateShardCount calls changed the shards: %d shards", n)
	}
	// The bounds themselves are accepted.
	rsScale(t, svc, "s2", 4)
	rsScale(t, svc, "s4", 2)
	rsScale(t, svc, "s5", 3)

	big := "big"
	rsCreate(t, svc, big, 6000)
	_, err := svc.UpdateShardCount(rsCtx, UpdateShardCountInput{StreamName: big, TargetShardCount: 10001, ScalingType: ScalingTypeUniformScaling})
	rsErr(t, err, codeInvalidArgument, "")
	if !strings.Contains(err.Error(), "10000") {
		t.Fatalf("error %v does not name the 10000-shard limit", err)
	}
}

func TestReshardSplitGeometry(t *testing.T) {
	svc, clock := rsService(t)
	rsCreate(t, svc, "s", 3)
	r0 := splitHashSpace(3)[0]
	h := rsMid(r0)
	var seqs []SequenceNumber
	for i, hk := range []HashKey{r0.StartingHashKey, h, r0.EndingHashKey} {
		out := rsPutHK(t, svc, "s", hk, fmt.Sprint("r", i))
		if out.ShardId != shardID(0) {
			t.Fatalf("hash key %s went to %s, want shard 0", hk, out.ShardId)
		}
		seqs = append(seqs, out.SequenceNumber)
		clock.Advance(time.Second)
	}
	before := rsShards(t, svc, "s")
	rsSplit(t, svc, "s", shardID(0), h)
	got := rsShards(t, svc, "s")
	if want := []string{shardID(0), shardID(1), shardID(2), shardID(3), shardID(4)}; !slices.Equal(rsIDs(got), want) {
		t.Fatalf("shards %v, want %v", rsIDs(got), want)
	}
	parent := got[0]
	end := parent.SequenceNumberRange.EndingSequenceNumber
	if end.IsZero() || len(end.String()) != 56 {
		t.Fatalf("parent EndingSequenceNumber %q, want 56 digits", end)
	}
	for i, s := range seqs {
		if s.Compare(end) >= 0 {
			t.Fatalf("record %d has sequence number %s, not below EndingSequenceNumber %s", i, s, end)
		}
	}
	parent.SequenceNumberRange.EndingSequenceNumber = SequenceNumber{}
	if parent != before[0] || got[1] != before[1] || got[2] != before[2] {
		t.Fatalf("split changed more than the parent's ending sequence number:\n%+v\n%+v", before, got)
	}
	wantKids := []Shard{
		{ShardId: shardID(3), ParentShardId: shardID(0), HashKeyRange: HashKeyRange{r0.StartingHashKey, h.subUint64(1)}},
		{ShardId: shardID(4), ParentShardId: shardID(0), HashKeyRange: HashKeyRange{h, r0.EndingHashKey}},
	}
	for i, w := range wantKids {
		g := got[3+i]
		if g.SequenceNumberRange.StartingSequenceNumber.IsZero() || !g.SequenceNumberRange.EndingSequenceNumber.IsZero() {
			t.Fatalf("child %s: sequence number range %+v, want a start and no end", g.ShardId, g.SequenceNumberRange)
		}
		g.SequenceNumberRange = SequenceNumberRange{}
		if g != w {
			t.Fatalf("child %+v, want %+v", g, w)
		}
	}
	rsCheckPartition(t, rsOpenOf(got))
	rsCheckLineage(t, got)
	if ids := rsIDs(rsLatest(t, svc, "s")); !slices.Equal(ids, []string{shardID(1), shardID(2), shardID(3), shardID(4)}) {
		t.Fatalf("open shards %v", ids)
	}
	for hk, want := range map[HashKey]string{
		r0.StartingHashKey: shardID(3), h.subUint64(1): shardID(3), h: shardID(4),
		r0.EndingHashKey: shardID(4), r0.EndingHashKey.addUint64(1): shardID(1),
	} {
		if out := rsPutHK(t, svc, "s", hk, "after"); out.ShardId != want {
			t.Fatalf("after the split hash key %s went to %s, want %s", hk, out.ShardId, want)
		}
	}
	recs, kids := rsReadShard(t, svc, "s", shardID(0), 0)
	if len(recs) != 3 || string(recs[2].Data) != "r2" || recs[2].SequenceNumber != seqs[2] {
		t.Fatalf("parent holds %v after the split, want its 3 records", recs)
	}
	if len(kids) != 2 || kids[0].ShardId != shardID(3) || kids[1].ShardId != shardID(4) {
		t.Fatalf("parent's ChildShards %+v", kids)
	}
}

func TestReshardMergeGeometry(t *testing.T) {
	svc, _ := rsService(t)
	rsCreate(t, svc, "s", 3)
	rs := splitHashSpace(3)
	s1 := rsPutHK(t, svc, "s", rs[1].EndingHashKey, "in1")
	s2 := rsPutHK(t, svc, "s", rs[2].StartingHashKey, "in2")
	rsMerge(t, svc, "s", shardID(1), shardID(2))
	got := rsShards(t, svc, "s")
	if len(got) != 4 {
		t.Fatalf("shards %v", rsIDs(got))
	}
	for i, seq := range map[int]SequenceNumber{1: s1.SequenceNumber, 2: s2.SequenceNumber} {
		end := got[i].SequenceNumberRange.EndingSequenceNumber
		if end.IsZero() || len(end.String()) != 56 || seq.Compare(end) >= 0 {
			t.Fatalf("parent %d: EndingSequenceNumber %q, record %s", i, end, seq)
		}
	}
	child := got[3]
	child.SequenceNumberRange = SequenceNumberRange{}
	want := Shard{ShardId: shardID(3), ParentShardId: shardID(1), AdjacentParentShardId: shardID(2), HashKeyRange: HashKeyRange{rs[1].StartingHashKey, MaxHashKey}}
	if child != want {
		t.Fatalf("merge child %+v, want %+v", child, want)
	}
	rsCheckLineage(t, got)
	rsCheckPartition(t, rsLatest(t, svc, "s"))
	for _, hk := range []HashKey{rs[1].StartingHashKey, rs[1].EndingHashKey, rs[2].StartingHashKey, MaxHashKey} {
		if out := rsPutHK(t, svc, "s", hk, "x"); out.ShardId != shardID(3) {
			t.Fatalf("hash key %s went to %s, want the merge child", hk, out.ShardId)
		}
	}
	wantKids := []ChildShard{{ShardId: shardID(3), ParentShards: []string{shardID(1), shardID(2)}, HashKeyRange: want.HashKeyRange}}
	for _, p := range []string{shardID(1), shardID(2)} {
		recs, kids := rsReadShard(t, svc, "s", p, 0)
		if len(recs) != 1 || fmt.Sprint(kids) != fmt.Sprint(wantKids) {
			t.Fatalf("%s: %d records, ChildShards %+v, want 1 and %+v", p, len(recs), kids, wantKids)
		}
	}
	rsMerge(t, svc, "s", shardID(0), shardID(3))
	last := rsShards(t, svc, "s")[4]
	if last.ParentShardId != shardID(0) || last.AdjacentParentShardId != shardID(3) || last.HashKeyRange != (HashKeyRange{HashKey{}, MaxHashKey}) {
		t.Fatalf("second merge child %+v", last)
	}
}

func TestReshardUpdatingState(t *testing.T) {
	svc, clock := rsService(t, WithStatusDelay(time.Second))
	rsCreate(t, svc, "s", 2)
	clock.Advance(time.Second)
	stream, _ := svc.Stream("s")
	r0 := splitHashSpace(2)[0]
	rsSplit(t, svc, "s", shardID(0), rsMid(r0))
	t1 := clock.Now()
	busy := "Stream s under account " + rsAcct + " not ACTIVE, instead in state UPDATING"
	check := func(when string) {
		t.Helper()
		if st := rsStatus(t, svc, "s"); st != StreamStatusUpdating {
			t.Fatalf("%s: status %s, want UPDATING", when, st)
		}
		if got := rsShards(t, svc, "s"); len(got) != 2 || len(rsOpenOf(got)) != 2 {
			t.Fatalf("%s: shards %+v, want the two original open shards", when, got)
		}
		if out := rsPutHK(t, svc, "s", HashKey{}, "during"); out.ShardId != shardID(0) {
			t.Fatalf("%s: PutRecord went to %s, want the parent", when, out.ShardId)
		}
		if out, err := stream.Put(rsCtx, "k", []byte("during")); err != nil || out.ShardId == "" {
			t.Fatalf("%s: Stream.Put: %v", when, err)
		}
		_, err := svc.SplitShard(rsCtx, SplitShardInput{StreamName: "s", ShardToSplit: shardID(1), NewStartingHashKey: rsMid(splitHashSpace(2)[1]).String()})
		rsErr(t, err, codeResourceInUse, busy)
		_, err = svc.MergeShards(rsCtx, MergeShardsInput{StreamName: "s", ShardToMerge: shardID(0), AdjacentShardToMerge: shardID(1)})
		rsErr(t, err, codeResourceInUse, busy)
		_, err = svc.UpdateShardCount(rsCtx, UpdateShardCountInput{StreamName: "s", TargetShardCount: 3, ScalingType: ScalingTypeUniformScaling})
		rsErr(t, err, codeResourceInUse, busy)
	}
	check("right after SplitShard")
	clock.Advance(time.Second - time.Millisecond)
	check("1ms before the delay ends")
	clock.Advance(time.Millisecond)
	if st := rsStatus(t, svc, "s"); st != StreamStatusActive {
		t.Fatalf("status %s after the delay, want ACTIVE", st)
	}
	all := rsShards(t, svc, "s")
	if !slices.Equal(rsIDs(all), []string{shardID(0), shardID(1), shardID(2), shardID(3)}) || len(rsOpenOf(all)) != 3 {
		t.Fatalf("shards after the delay %+v", all)
	}
	if out := rsPutHK(t, svc, "s", HashKey{}, "after"); out.ShardId != shardID(2) {
		t.Fatalf("PutRecord after the split went to %s", out.ShardId)
	}
	if recs, _ := rsReadShard(t, svc, "s", shardID(0), 0); len(recs) < 2 {
		t.Fatalf("the parent lost the records put while UPDATING: %d records", len(recs))
	}
	// The children opened when the delay ended, not when SplitShard ran.
	mid := rsList(t, svc, ListShardsInput{StreamName: "s", ShardFilter: ShardFilter{Type: ShardFilterAtTimestamp, Timestamp: t1.Add(500 * time.Millisecond)}})
	if ids := rsIDs(mid); !slices.Equal(ids, []string{shardID(0), shardID(1)}) {
		t.Fatalf("shards open half way through UPDATING: %v", ids)
	}
	// A merge and an UpdateShardCount go through UPDATING too.
	t2 := clock.Now()
	rsMerge(t, svc, "s", shardID(2), shardID(3))
	if st := rsStatus(t, svc, "s"); st != StreamStatusUpdating || len(rsShards(t, svc, "s")) != 4 {
		t.Fatalf("after MergeShards: status %s", st)
	}
	// Observed late, the merge still took effect when its delay ended.
	clock.Advance(5 * time.Second)
	at := rsList(t, svc, ListShardsInput{StreamName: "s", ShardFilter: ShardFilter{Type: ShardFilterAtTimestamp, Timestamp: t2.Add(2 * time.Second)}})
	if ids := rsIDs(at); !slices.Equal(ids, []string{shardID(1), shardID(4)}) {
		t.Fatalf("shards open 1s after the merge's delay ended: %v", ids)
	}
	rsScale(t, svc, "s", 4)
	if st := rsStatus(t, svc, "s"); st != StreamStatusUpdating || len(rsLatest(t, svc, "s")) != 2 {
		t.Fatalf("after UpdateShardCount: status %s", st)
	}
	clock.Advance(time.Second)
	if got := rsRanges(rsLatest(t, svc, "s")); !slices.Equal(got, splitHashSpace(4)) {
		t.Fatalf("open ranges after UpdateShardCount settled: %v", got)
	}
	rsCheckLineage(t, rsShards(t, svc, "s"))
}

func TestReshardGetRecordsAtEndOfClosedShard(t *testing.T) {
	svc, clock := rsService(t)
	rsCreate(t, svc, "s", 1)
	var seqs []string
	for i := range 5 {
		seqs = append(seqs, rsPutHK(t, svc, "s", NewHashKey(0, uint64(i)), fmt.Sprint("r", i)).SequenceNumber.String())
		clock.Advance(time.Second)
	}
	iter := func(typ ShardIteratorType, seq string, at ...time.Time) string {
		t.Helper()
		in := GetShardIteratorInput{StreamName: "s", ShardId: shardID(0), ShardIteratorType: typ, StartingSequenceNumber: seq}
		if len(at) > 0 {
			in.Timestamp = at[0]
		}
		out, err := svc.GetShardIterator(rsCtx, in)
		if err != nil {
			t.Fatalf("GetShardIterator(%s): %v", typ, err)
		}
		return out.ShardIterator
	}
	get := func(it string, limit int) GetRecordsOutput {
		t.Helper()
		out, err := svc.GetRecords(rsCtx, GetRecordsInput{ShardIterator: it, Limit: limit})
		if err != nil {
			t.Fatalf("GetRecords: %v", err)
		}
		return out
	}
	atEnd := iter(ShardIteratorTypeLatest, "") // taken while the shard was open
	mid := rsMid(HashKeyRange{HashKey{}, MaxHashKey})
	rsSplit(t, svc, "s", shardID(0), mid)
	wantKids := []ChildShard{
		{ShardId: shardID(1), ParentShards: []string{shardID(0)}, HashKeyRange: HashKeyRange{HashKey{}, mid.subUint64(1)}},
		{ShardId: shardID(2), ParentShards: []string{shardID(0)}, HashKeyRange: HashKeyRange{mid, MaxHashKey}},
	}
	wantEnd := func(what string, out GetRecordsOutput) {
		t.Helper()
		if len(out.Records) != 0 || out.NextShardIterator != "" || fmt.Sprint(out.ChildShards) != fmt.Sprint(wantKids) {
			t.Fatalf("%s: %d records, NextShardIterator %q, ChildShards %+v\nwant none, \"\", %+v", what, len(out.Records), out.NextShardIterator, out.ChildShards, wantKids)
		}
	}
	page := func(what string, out GetRecordsOutput, want ...string) {
		t.Helper()
		var got []string
		for _, r := range out.Records {
			got = append(got, string(r.Data))
		}
		if !slices.Equal(got, want) || out.NextShardIterator == "" || out.ChildShards != nil {
			t.Fatalf("%s: records %q, NextShardIterator %q, ChildShards %+v; want %q and an iterator", what, got, out.NextShardIterator, out.ChildShards, want)
		}
	}
	p1 := get(iter(ShardIteratorTypeTrimHorizon, ""), 3)
	page("first page", p1, "r0", "r1", "r2")
	p2 := get(p1.NextShardIterator, 3)
	page("second page", p2, "r3", "r4")
	wantEnd("third page", get(p2.NextShardIterator, 3))
	wantEnd("third page again", get(p2.NextShardIterator, 0)) // iterators may be reused
	wantEnd("LATEST", get(iter(ShardIteratorTypeLatest, ""), 0))
	wantEnd("iterator from before the split", get(atEnd, 0))
	wantEnd("AFTER_SEQUENCE_NUMBER of the last record", get(iter(ShardIteratorTypeAfterSequenceNumber, seqs[4]), 0))
	page("AT_SEQUENCE_NUMBER of the last record", get(iter(ShardIteratorTypeAtSequenceNumber, seqs[4]), 0), "r4")
	wantEnd("AT_TIMESTAMP after the last record", get(iter(ShardIteratorTypeAtTimestamp, "", clock.Now()), 0))
	// Reading the open children ends with empty pages, not ChildShards.
	for _, k := range wantKids {
		if recs, kids := rsReadShard(t, svc, "s", k.ShardId, 0); len(recs) != 0 || kids != nil {
			t.Fatalf("child %s: %d records, ChildShards %v", k.ShardId, len(recs), kids)
		}
	}
}

func TestReshardListShardsFilters(t *testing.T) {
	svc, clock := rsService(t)
	t0 := clock.Now()
	rsCreate(t, svc, "s", 2) // 0, 1
	clock.Advance(time.Hour)
	t1 := clock.Now()
	r0 := splitHashSpace(2)[0]
	rsSplit(t, svc, "s", shardID(0), rsMid(r0)) // closes 0 at t1, opens 2 and 3
	clock.Advance(time.Hour)
	t2 := clock.Now()
	rsMerge(t, svc, "s", shardID(3), shardID(1)) // closes 3 and 1 at t2, opens 4
	clock.Advance(time.Hour)
	ids := func(n ...int) []string {
		out := []string{}
		for _, i := range n {
			out = append(out, shardID(uint32(i)))
		}
		return out
	}
	f := func(typ ShardFilterType, at time.Time) ShardFilter { return ShardFilter{Type: typ, Timestamp: at} }
	cases := []struct {
		name   string
		filter ShardFilter
		want   []string
	}{
		{"default", ShardFilter{}, ids(0, 1, 2, 3, 4)},
		{"FROM_TRIM_HORIZON", f(ShardFilterFromTrimHorizon, time.Time{}), ids(0, 1, 2, 3, 4)},
		{"AT_LATEST", f(ShardFilterAtLatest, time.Time{}), ids(2, 4)},
		{"AT_TRIM_HORIZON", f(ShardFilterAtTrimHorizon, time.Time{}), ids(0, 1)},
		{"AT_TIMESTAMP before creation", f(ShardFilterAtTimestamp, t0.Add(-time.Hour)), ids(0, 1)},
		{"AT_TIMESTAMP t0+30m", f(ShardFilterAtTimestamp, t0.Add(30*time.Minute)), ids(0, 1)},
		{"AT_TIMESTAMP t1", f(ShardFilterAtTimestamp, t1), ids(0, 1, 2, 3)},
		{"AT_TIMESTAMP t1+30m", f(ShardFilterAtTimestamp, t1.Add(30*time.Minute)), ids(1, 2, 3)},
		{"AT_TIMESTAMP t2+30m", f(ShardFilterAtTimestamp, t2.Add(30*time.Minute)), ids(2, 4)},
		{"FROM_TIMESTAMP before creation", f(ShardFilterFromTimestamp, t0.Add(-time.Hour)), ids(0, 1, 2, 3, 4)},
		{"FROM_TIMESTAMP t1+30m", f(ShardFilterFromTimestamp, t1.Add(30*time.Minute)), ids(1, 2, 3, 4)},
		{"FROM_TIMESTAMP t2+30m", f(ShardFilterFromTimestamp, t2.Add(30*time.Minute)), ids(2, 4)},
		{"AFTER_SHARD_ID 1", ShardFilter{Type: ShardFilterAfterShardID, ShardId: shardID(1)}, ids(2, 3, 4)},
		{"AFTER_SHARD_ID 4", ShardFilter{Type: ShardFilterAfterShardID, ShardId: shardID(4)}, ids()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, max := range []int{0, 1, 2} { // paging keeps the filter across NextToken
				got := rsIDs(rsList(t, svc, ListShardsInput{StreamName: "s", ShardFilter: c.filter, MaxResults: max}))
				if !slices.Equal(got, c.want) {
					t.Fatalf("MaxResults %d: %v, want %v", max, got, c.want)
				}
			}
		})
	}
	_, err := svc.ListShards(rsCtx, ListShardsInput{StreamName: "s", ShardFilter: ShardFilter{Type: ShardFilterAfterShardID}})
	rsErr(t, err, codeInvalidArgument, "ShardId must be supplied in a ShardFilter with a Type of AFTER_SHARD_ID")
	_, err = svc.ListShards(rsCtx, ListShardsInput{StreamName: "s", ShardFilter: ShardFilter{Type: ShardFilterAtTimestamp}})
	rsErr(t, err, codeInvalidArgument, "Timestamp must be supplied in a ShardFilter with a Type of FROM_TIMESTAMP or AT_TIMESTAMP")
}

func TestReshardClosedShardsExpire(t *testing.T) {
	svc, clock := rsService(t)
	rsCreate(t, svc, "s", 2)
	rsPutHK(t, svc, "s", HashKey{}, "old0")
	rsPutHK(t, svc, "s", MaxHashKey, "old1")
	clock.Advance(time.Hour)
	rsSplit(t, svc, "s", shardID(0), rsMid(splitHashSpace(2)[0])) // t1: 0 -> 2, 3
	clock.Advance(time.Hour)
	rsMerge(t, svc, "s", shardID(3), shardID(1)) // t2: 3, 1 -> 4
	gone := func(id string) {
		t.Helper()
		_, err := svc.GetShardIterator(rsCtx, GetShardIteratorInput{StreamName: "s", ShardId: id, ShardIteratorType: ShardIteratorTypeTrimHorizon})
		rsErr(t, err, codeResourceNotFound, "Shard "+id+" in stream s under account "+rsAcct+" does not exist")
	}
	listed := func(want ...string) {
		t.Helper()
		if got := rsIDs(rsShards(t, svc, "s")); !slices.Equal(got, want) {
			t.Fatalf("DescribeStream lists %v, want %v", got, want)
		}
		if got := rsIDs(rsList(t, svc, ListShardsInput{StreamName: "s"})); !slices.Equal(got, want) {
			t.Fatalf("ListShards lists %v, want %v", got, want)
		}
	}
	clock.Advance(23*time.Hour + 30*time.Minute) // cutoff t1+30m: shard 0 has expired
	listed(shardID(1), shardID(2), shardID(3), shardID(4))
	gone(shardID(0))
	if ids := rsIDs(rsList(t, svc, ListShardsInput{StreamName: "s", ShardFilter: ShardFilter{Type: ShardFilterAtTrimHorizon}})); !slices.Equal(ids, []string{shardID(1), shardID(2), shardID(3)}) {
		t.Fatalf("AT_TRIM_HORIZON after shard 0 expired: %v", ids)
	}
	if recs, kids := rsReadShard(t, svc, "s", shardID(1), 0); len(recs) != 0 || len(kids) != 1 || kids[0].ShardId != shardID(4) {
		t.Fatalf("shard 1 past its records' retention: %d records, ChildShards %+v", len(recs), kids)
	}
	clock.Advance(29 * time.Minute)
	it := rsTrimIterator(t, svc, shardID(3))
	clock.Advance(2 * time.Minute) // cutoff t2+1m: shards 1 and 3 have expired
	listed(shardID(2), shardID(4))
	gone(shardID(1))
	gone(shardID(3))
	_, err := svc.GetRecords(rsCtx, GetRecordsInput{ShardIterator: it})
	rsErr(t, err, codeResourceNotFound, "Shard "+shardID(3)+" in stream s under account "+rsAcct+" does not exist")
	_, err = svc.SplitShard(rsCtx, SplitShardInput{StreamName: "s", ShardToSplit: shardID(3), NewStartingHashKey: "1000"})
	rsErr(t, err, codeResourceNotFound, rsNoShard(shardID(3)))
	// Expired parents do not hold back their children's records.
	stream, _ := svc.Stream("s")
	for i := range 4 {
		if _, err := stream.Put(rsCtx, fmt.Sprint("k", i%2), []byte(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	rsCheckOrder(t, stream, 4, 2)
}

func TestReshardLooseShardIDs(t *testing.T) {
	svc, _ := rsService(t)
	rsCreate(t, svc, "s", 3)
	rsSplit(t, svc, "s", "shardId-2", rsMid(splitHashSpace(3)[2])) // -> 3, 4
	rsMerge(t, svc, "s", "1", "shardId-000000000003")              // -> 5
	if ids := rsIDs(rsLatest(t, svc, "s")); !slices.Equal(ids, []string{shardID(0), shardID(4), shardID(5)}) {
		t.Fatalf("open shards %v", ids)
	}
}

func TestReshardBugLooseShardIDInMessage(t *testing.T) {
	svc, _ := rsService(t)
	rsCreate(t, svc, "s", 2)
	_, err := svc.SplitShard(rsCtx, SplitShardInput{StreamName: "s", ShardToSplit: "shardId-9", NewStartingHashKey: "1000"})
	rsErr(t, err, codeResourceNotFound, rsNoShard("shardId-000000000009"))
	_, err = svc.MergeShards(rsCtx, MergeShardsInput{StreamName: "s", ShardToMerge: "0", AdjacentShardToMerge: "7"})
	rsErr(t, err, codeResourceNotFound, rsNoShard("shardId-000000000007"))
}

func TestReshardBugDescribeLimitsAfterDelay(t *testing.T) {
	svc, clock := rsService(t, WithStatusDelay(time.Second))
	rsCreate(t, svc, "s", 1)
	clock.Advance(time.Second)
	rsSplit(t, svc, "s", shardID(0), rsMid(HashKeyRange{HashKey{}, MaxHashKey}))
	clock.Advance(2 * time.Second) // the split is done: the stream is ACTIVE with 2 open shards
	out, err := svc.DescribeLimits(rsCtx, DescribeLimitsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if out.OpenShardCount != 2 {
		t.Fatalf("DescribeLimits OpenShardCount %d after the split settled, want 2", out.OpenShardCount)
	}
}

func TestReshardBugShardQuotaWithPendingReshards(t *testing.T) {
	svc, clock := rsService(t, WithStatusDelay(time.Second), WithShardLimit(4))
	rsCreate(t, svc, "a", 2)
	rsCreate(t, svc, "b", 1)
	clock.Advance(time.Second)
	rsSplit(t, svc, "a", shardID(0), rsMid(splitHashSpace(2)[0])) // 3 open + 1 pending = 4
	_, err := svc.SplitShard(rsCtx, SplitShardInput{StreamName: "b", ShardToSplit: shardID(0), NewStartingHashKey: "1000"})
	clock.Advance(time.Second)
	if open := len(rsLatest(t, svc, "a")) + len(rsLatest(t, svc, "b")); open > 4 {
		t.Fatalf("%d open shards under a shard limit of 4 (second SplitShard returned %v, want LimitExceededException)", open, err)
	}
	rsErr(t, err, codeLimitExceeded, "")
}
