package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kdsgo/kds"
)

// Hash keys at the two ends of the key space, for putting into the first
// or the last shard.
const (
	lowHashKey  = "0"
	highHashKey = "340282366920938463463374607431768211455"
	midHashKey  = "170141183460469231731687303715884105728"
)

// tailJSON parses kds tail's json lines.
func tailJSON(t *testing.T, out string) []jsonRecord {
	t.Helper()
	var recs []jsonRecord
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if line == "" {
			continue
		}
		var r jsonRecord
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		recs = append(recs, r)
	}
	return recs
}

// putRounds puts one record per key for each round, with data
// "key/round".
func putRounds(t *testing.T, ts *testServer, stream string, keys []string, rounds ...int) {
	for _, r := range rounds {
		for _, k := range keys {
			ts.put(t, stream, k, fmt.Sprintf("%s/%d", k, r))
		}
	}
}

// checkPerKeyOrder checks that every key's rounds come out 0, 1, 2, ...,
// n-1, each once.
func checkPerKeyOrder(t *testing.T, recs []jsonRecord, keys []string, n int) {
	t.Helper()
	next := map[string]int{}
	for _, r := range recs {
		if want := fmt.Sprintf("%s/%d", r.PartitionKey, next[r.PartitionKey]); r.Data != want {
			t.Errorf("record %q of key %s from %s, want %q next", r.Data, r.PartitionKey, r.ShardID, want)
		}
		next[r.PartitionKey]++
	}
	for _, k := range keys {
		if next[k] != n {
			t.Errorf("key %s: %d records, want %d", k, next[k], n)
		}
	}
}

// TestTailFollowsASplit tails a one-shard stream from its start while the
// shard is split: the parent's records come out, then the children's,
// each key in order, none missed.
func TestTailFollowsASplit(t *testing.T) {
	ts := newTestServer(t, map[string]int{"s": 1}, kds.WithThroughputLimits(kds.NoLimits))
	keys := []string{"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"}
	putRounds(t, ts, "s", keys, 0, 1, 2)
	cmd := start(t.Context(), "", "tail", "s", "--from", "trim-horizon", "--format", "json", "--poll", "10ms",
		"--count", "48", "--endpoint-url", ts.url)
	waitFor(t, "the records put before the split", func() bool { return len(cmd.stdout.lines()) == 24 })
	if _, err := ts.svc.SplitShard(t.Context(), kds.SplitShardInput{StreamName: "s",
		ShardToSplit: "shardId-000000000000", NewStartingHashKey: midHashKey}); err != nil {
		t.Fatal(err)
	}
	putRounds(t, ts, "s", keys, 3, 4, 5)
	r := cmd.wait(t).must(t)

	recs := tailJSON(t, r.stdout)
	checkPerKeyOrder(t, recs, keys, 6)
	children := map[string]int{}
	for i, rec := range recs {
		if (i < 24) != (rec.ShardID == "shardId-000000000000") {
			t.Errorf("record %d (%s) is from %s; want the parent's 24 first", i, rec.Data, rec.ShardID)
		}
		if i >= 24 {
			children[rec.ShardID]++
		}
	}
	if children["shardId-000000000001"] == 0 || children["shardId-000000000002"] == 0 {
		t.Errorf("records after the split by shard: %v; want both children", children)
	}
	if want := "kds tail: 48 records from 3 shards"; !strings.HasPrefix(r.stderr, want) || strings.Contains(r.stderr, "\r") {
		t.Errorf("stderr %q, want one plain line starting %q", r.stderr, want)
	}
}

// TestTailFollowsAMerge tails two shards while they are merged: the child
// starts only after both parents are read to their end.
func TestTailFollowsAMerge(t *testing.T) {
	ts := newTestServer(t, map[string]int{"s": 2}, kds.WithThroughputLimits(kds.NoLimits))
	keys := []string{"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"}
	putRounds(t, ts, "s", keys, 0, 1)
	cmd := start(t.Context(), "", "tail", "s", "--from", "trim-horizon", "--format", "json", "--poll", "10ms",
		"--count", "32", "--endpoint-url", ts.url)
	waitFor(t, "the records put before the merge", func() bool { return len(cmd.stdout.lines()) == 16 })
	if _, err := ts.svc.MergeShards(t.Context(), kds.MergeShardsInput{StreamName: "s",
		ShardToMerge: "shardId-000000000000", AdjacentShardToMerge: "shardId-000000000001"}); err != nil {
		t.Fatal(err)
	}
	putRounds(t, ts, "s", keys, 2, 3)
	r := cmd.wait(t).must(t)

	recs := tailJSON(t, r.stdout)
	checkPerKeyOrder(t, recs, keys, 4)
	for i, rec := range recs {
		if (i < 16) == (rec.ShardID == "shardId-000000000002") {
			t.Errorf("record %d (%s) is from %s; want the parents' 16 first, then the child's", i, rec.Data, rec.ShardID)
		}
	}
}

// TestTailWaitsForBothParents tails, from the start, a stream whose two
// shards were merged, while the test holds one parent back: the child is
// read only after both parents are, even though the other parent is done
// long before.
func TestTailWaitsForBothParents(t *testing.T) {
	ts := newTestServer(t, map[string]int{"s": 2}, kds.WithThroughputLimits(kds.NoLimits))
	put := func(hashKey, data string) {
		if _, err := ts.svc.PutRecord(t.Context(), kds.PutRecordInput{StreamName: "s", PartitionKey: "k", ExplicitHashKey: hashKey, Data: []byte(data)}); err != nil {
			t.Fatal(err)
		}
	}
	put(lowHashKey, "a1")
	put(highHashKey, "b1")
	if _, err := ts.svc.MergeShards(t.Context(), kds.MergeShardsInput{StreamName: "s",
		ShardToMerge: "shardId-000000000000", AdjacentShardToMerge: "shardId-000000000001"}); err != nil {
		t.Fatal(err)
	}
	put(lowHashKey, "c1")
	held := "shardId-000000000001"
	ts.holdShard.Store(&held)
	cmd := start(t.Context(), "", "tail", "s", "--from", "trim-horizon", "--count", "3", "--poll", "10ms", "--endpoint-url", ts.url)
	waitFor(t, "the first parent's record", func() bool { return len(cmd.stdout.lines()) >= 1 })
	waitFor(t, "the other parent held back twice", func() bool { return ts.errorCount("ProvisionedThroughputExceededException") >= 2 })
	ts.holdShard.Store(nil)
	r := cmd.wait(t).must(t)
	if r.stdout != "a1\nb1\nc1\n" {
		t.Errorf("stdout %q, want both parents' records before the child's", r.stdout)
	}
}

// TestTailFrom reads, without following, a two-shard stream whose
// records arrived at three times, from each kind of start position.
func TestTailFrom(t *testing.T) {
	t0 := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	clock := kds.NewManualClock(t0)
	ts := newTestServer(t, map[string]int{"s": 2, "other": 1}, kds.WithClock(clock), kds.WithThroughputLimits(kds.NoLimits))
	put := func(hashKey, data string) string {
		out, err := ts.svc.PutRecord(t.Context(), kds.PutRecordInput{StreamName: "s", PartitionKey: data, ExplicitHashKey: hashKey, Data: []byte(data)})
		if err != nil {
			t.Fatal(err)
		}
		return out.SequenceNumber.String()
	}
	put(lowHashKey, "a1")
	clock.Advance(time.Minute)
	a2 := put(lowHashKey, "a2")
	put(highHashKey, "b1")
	clock.Advance(time.Minute)
	put(lowHashKey, "a3")
	b2 := put(highHashKey, "b2")
	foreign := ts.put(t, "other", "k", "x")

	tests := []struct {
		from string
		want []string
	}{
		{"trim-horizon", []string{"a1", "a2", "a3", "b1", "b2"}},
		{"latest", nil},
		{"at-timestamp=" + t0.Add(time.Minute).Format(time.RFC3339), []string{"a2", "a3", "b1", "b2"}},
		{"at-timestamp=" + t0.Add(90*time.Second).Format(time.RFC3339), []string{"a3", "b2"}},
		{"at-sequence=" + a2, []string{"a2", "a3", "b1", "b2"}},
		{"at-sequence=" + b2, []string{"a3", "b2"}},
	}
	for _, tt := range tests {
		t.Run(tt.from, func(t *testing.T) {
			r := runKDS(t, "", "tail", "s", "--from", tt.from, "--no-follow", "--endpoint-url", ts.url).must(t)
			got := strings.Fields(r.stdout)
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("records %q, want %q", got, tt.want)
			}
		})
	}

	t.Run("a sequence number of another stream", func(t *testing.T) {
		r := runKDS(t, "", "tail", "s", "--from", "at-sequence="+foreign, "--no-follow", "--endpoint-url", ts.url)
		if r.code != exitFail || !strings.Contains(r.stderr, "no shard of s holds sequence number "+foreign) {
			t.Errorf("%v; want exit 1 and a message", r)
		}
	})
	t.Run("count", func(t *testing.T) {
		// Following, but ending after two records.
		r := runKDS(t, "", "tail", "s", "--from", "trim-horizon", "--count", "2", "--endpoint-url", ts.url).must(t)
		if got := strings.Fields(r.stdout); len(got) != 2 {
			t.Errorf("records %q, want 2", got)
		}
	})
}

// TestTailFromLatest follows from the latest records: what was there
// before does not come out, what is put afterwards does.
func TestTailFromLatest(t *testing.T) {
	ts := newTestServer(t, map[string]int{"s": 2}, kds.WithThroughputLimits(kds.NoLimits))
	for i := range 10 {
		ts.put(t, "s", fmt.Sprint(i), "old")
	}
	cmd := start(t.Context(), "", "tail", "s", "--count", "3", "--poll", "10ms", "--endpoint-url", ts.url)
	// The tail's iterators are taken at some moment: keep putting until
	// it has printed three records.
	for i := 0; ; i++ {
		select {
		case <-cmd.done:
		case <-time.After(10 * time.Millisecond):
			ts.put(t, "s", fmt.Sprint(i), "new")
			continue
		}
		break
	}
	r := cmd.wait(t).must(t)
	if got := strings.Fields(r.stdout); !slices.Equal(got, []string{"new", "new", "new"}) {
		t.Errorf("records %q, want three new ones", got)
	}
}

// TestTailFormats prints a text record and a binary one in each format.
func TestTailFormats(t *testing.T) {
	ts := newTestServer(t, map[string]int{"s": 1})
	ts.put(t, "s", "k", "héllo <b>")
	ts.put(t, "s", "k", "\xff\x00\x01")
	tests := []struct {
		format string
		want   string
	}{
		{"raw", "héllo <b>\n\xff\x00\x01\n"},
		{"base64", "aMOpbGxvIDxiPg==\n/wAB\n"},
	}
	for _, tt := range tests {
		r := runKDS(t, "", "tail", "s", "--from", "trim-horizon", "--no-follow", "--format", tt.format, "--endpoint-url", ts.url).must(t)
		if r.stdout != tt.want {
			t.Errorf("--format %s: %q, want %q", tt.format, r.stdout, tt.want)
		}
	}
	r := runKDS(t, "", "tail", "s", "--from", "trim-horizon", "--no-follow", "--format", "json", "--endpoint-url", ts.url).must(t)
	recs := tailJSON(t, r.stdout)
	if len(recs) != 2 {
		t.Fatalf("%d records: %s", len(recs), r.stdout)
	}
	if recs[0].Data != "héllo <b>" || recs[0].DataEncoding != "utf-8" || recs[1].Data != "/wAB" || recs[1].DataEncoding != "base64" {
		t.Errorf("data %q (%s) and %q (%s), want the text, then base64", recs[0].Data, recs[0].DataEncoding, recs[1].Data, recs[1].DataEncoding)
	}
	if !strings.Contains(r.stdout, "<b>") {
		t.Errorf("json escapes HTML: %s", r.stdout)
	}
	for _, rec := range recs {
		if rec.ShardID != "shardId-000000000000" || rec.PartitionKey != "k" || len(rec.SequenceNumber) != 56 {
			t.Errorf("record %+v", rec)
		}
		if _, err := time.Parse(time.RFC3339, rec.ApproximateArrivalTimestamp); err != nil {
			t.Errorf("arrival timestamp: %v", err)
		}
	}
}

// TestTailReplacesAnExpiredIterator moves the server's clock past the
// iterators' lifetime while kds tail waits for records: it takes a new
// iterator after the last record and prints the next one, once.
func TestTailReplacesAnExpiredIterator(t *testing.T) {
	clock := kds.NewManualClock(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
	ts := newTestServer(t, map[string]int{"s": 1}, kds.WithClock(clock), kds.WithThroughputLimits(kds.NoLimits))
	ts.put(t, "s", "k", "r1")
	cmd := start(t.Context(), "", "tail", "s", "--from", "trim-horizon", "--count", "2", "--poll", "10ms", "--endpoint-url", ts.url)
	waitFor(t, "the first record", func() bool { return len(cmd.stdout.lines()) == 1 })
	clock.Advance(kds.IteratorLifetime + time.Second)
	waitFor(t, "an expired iterator", func() bool { return ts.errorCount("ExpiredIteratorException") > 0 })
	ts.put(t, "s", "k", "r2")
	r := cmd.wait(t).must(t)
	if r.stdout != "r1\nr2\n" {
		t.Errorf("stdout %q, want r1 and r2", r.stdout)
	}
}

// TestTailFromLatestSurvivesAnExpiredIterator lets the iterator of a
// tail from LATEST expire before any record came: the record put while
// the replacement iterator was being fetched is not skipped.
func TestTailFromLatestSurvivesAnExpiredIterator(t *testing.T) {
	clock := kds.NewManualClock(time.Now())
	ts := newTestServer(t, map[string]int{"s": 1}, kds.WithClock(clock), kds.WithThroughputLimits(kds.NoLimits))
	cmd := start(t.Context(), "", "tail", "s", "--count", "1", "--poll", "10ms", "--endpoint-url", ts.url)
	waitFor(t, "a GetRecords call", func() bool { return ts.requestCount("GetRecords") > 0 })
	shard := "shardId-000000000000"
	ts.holdShard.Store(&shard) // the replacement iterator waits for r1
	clock.Advance(kds.IteratorLifetime + time.Second)
	waitFor(t, "an expired iterator", func() bool { return ts.errorCount("ExpiredIteratorException") > 0 })
	waitFor(t, "a held GetShardIterator", func() bool { return ts.errorCount("ProvisionedThroughputExceededException") > 0 })
	ts.put(t, "s", "k", "r1")
	ts.holdShard.Store(nil)
	if r := cmd.wait(t).must(t); r.stdout != "r1\n" {
		t.Errorf("stdout %q, want r1", r.stdout)
	}
}

// TestTailWaitsOutThrottling reads a shard that allows one GetRecords
// call a second, on a clock that stands still until the test moves it:
// kds tail keeps trying until the shard answers again.
func TestTailWaitsOutThrottling(t *testing.T) {
	clock := kds.NewManualClock(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
	ts := newTestServer(t, map[string]int{"s": 1}, kds.WithClock(clock),
		kds.WithThroughputLimits(kds.ThroughputLimits{ReadCallsPerSecond: 1}))
	ts.put(t, "s", "k", "r1")
	cmd := start(t.Context(), "", "tail", "s", "--from", "trim-horizon", "--count", "2", "--poll", "10ms", "--endpoint-url", ts.url)
	waitFor(t, "the first record", func() bool { return len(cmd.stdout.lines()) == 1 })
	waitFor(t, "two throttled calls", func() bool { return ts.errorCount("ProvisionedThroughputExceededException") >= 2 })
	ts.put(t, "s", "k", "r2")
	clock.Advance(time.Second)
	r := cmd.wait(t).must(t)
	if r.stdout != "r1\nr2\n" {
		t.Errorf("stdout %q, want r1 and r2", r.stdout)
	}
}
