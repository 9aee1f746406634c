package kds

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kdsgo/kds/internal/coral"
)

// Robustness tests: unusual partitioners, absurd inputs, clock steps,
// deletion racing with readers and writers, foreign sequence numbers, ARN
// partitions and merged validation messages.

// rbStart is where the ManualClocks of these tests start.
var rbStart = time.Date(2024, time.March, 1, 12, 0, 0, 0, time.UTC)

// rbAccount is the default account ID of a Service.
const rbAccount = "000000000000"

// rbGuard bounds every wait on another goroutine. It only turns a hang
// into a failure; nothing waits for it to pass.
const rbGuard = 10 * time.Second

// rbService returns a Service on a ManualClock at rbStart.
func rbService(t *testing.T, opts ...Option) (*Service, *ManualClock) {
	t.Helper()
	clock := NewManualClock(rbStart)
	svc, err := NewService(append([]Option{WithClock(clock), WithThroughputLimits(NoLimits)}, opts...)...)
	if err != nil {
		t.Fatalf("NewService: %v", err)
	}
	return svc, clock
}

// rbCreate creates a provisioned stream.
func rbCreate(t *testing.T, svc *Service, name string, shards int) {
	t.Helper()
	if _, err := svc.CreateStream(context.Background(), CreateStreamInput{StreamName: name, ShardCount: shards}); err != nil {
		t.Fatalf("CreateStream(%q, %d): %v", name, shards, err)
	}
}

// rbDelete deletes a stream.
func rbDelete(t *testing.T, svc *Service, name string) {
	t.Helper()
	if _, err := svc.DeleteStream(context.Background(), DeleteStreamInput{StreamName: name}); err != nil {
		t.Fatalf("DeleteStream(%q): %v", name, err)
	}
}

// rbPut puts one record with PutRecord.
func rbPut(t *testing.T, svc *Service, stream, key, data string) PutRecordOutput {
	t.Helper()
	out, err := svc.PutRecord(context.Background(), PutRecordInput{StreamName: stream, PartitionKey: key, Data: []byte(data)})
	if err != nil {
		t.Fatalf("PutRecord(%q, %q): %v", stream, key, err)
	}
	return out
}

// rbWantErr fails the test unless err is a *Error with the given code and,
// when msg is not empty, exactly the message msg.
func rbWantErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got %T %v, want *kds.Error %s", err, err, code)
	}
	if e.Code != code {
		t.Fatalf("got %s: %s\nwant code %s", e.Code, e.Message, code)
	}
	if msg != "" && e.Message != msg {
		t.Fatalf("message mismatch\n got: %s\nwant: %s", e.Message, msg)
	}
}

// rbStatus returns a stream's status from DescribeStreamSummary.
func rbStatus(t *testing.T, svc *Service, name string) StreamStatus {
	t.Helper()
	out, err := svc.DescribeStreamSummary(context.Background(), DescribeStreamSummaryInput{StreamName: name})
	if err != nil {
		t.Fatalf("DescribeStreamSummary(%q): %v", name, err)
	}
	return out.StreamDescriptionSummary.StreamStatus
}

// rbIterator returns a shard iterator.
func rbIterator(t *testing.T, svc *Service, in GetShardIteratorInput) string {
	t.Helper()
	out, err := svc.GetShardIterator(context.Background(), in)
	if err != nil {
		t.Fatalf("GetShardIterator(%+v): %v", in, err)
	}
	return out.ShardIterator
}

// rbReadShard reads a whole shard with GetRecords from TRIM_HORIZON.
func rbReadShard(t *testing.T, svc *Service, stream, shardID string) []Record {
	t.Helper()
	it := rbIterator(t, svc, GetShardIteratorInput{StreamName: stream, ShardId: shardID, ShardIteratorType: ShardIteratorTypeTrimHorizon})
	var all []Record
	for {
		out, err := svc.GetRecords(context.Background(), GetRecordsInput{ShardIterator: it})
		if err != nil {
			t.Fatalf("GetRecords(%s/%s): %v", stream, shardID, err)
		}
		if len(out.Records) == 0 {
			return all
		}
		all = append(all, out.Records...)
		it = out.NextShardIterator
	}
}

// rbReplay returns the data of every record Stream.Replay yields from
// TRIM_HORIZON.
func rbReplay(t *testing.T, s *Stream) []string {
	t.Helper()
	var data []string
	for rec, err := range s.Replay(context.Background(), TrimHorizon()) {
		if err != nil {
			t.Fatalf("Replay(%s): %v", s.Name(), err)
		}
		data = append(data, string(rec.Data))
	}
	return data
}

// rbSpin calls cond until it holds, yielding the processor in between;
// it fails the test if that takes longer than rbGuard.
func rbSpin(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(rbGuard)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		runtime.Gosched()
	}
}

// rbGoroutineID returns the ID of the calling goroutine.
func rbGoroutineID() string {
	var buf [64]byte
	n := runtime.Stack(buf[:], false)
	id, _, _ := strings.Cut(strings.TrimPrefix(string(buf[:n]), "goroutine "), " ")
	return id
}

// rbParkedReader reports whether goroutine id is blocked in the select of
// a Go-native stream reader.
func rbParkedReader(id string) bool {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	for _, g := range strings.Split(string(buf), "\n\n") {
		if rest, ok := strings.CutPrefix(g, "goroutine "+id+" ["); ok {
			return strings.HasPrefix(rest, "select") && strings.Contains(rest, "(*Stream).read.")
		}
	}
	return false
}

// rbWaiters counts the waiters a ManualClock holds.
func rbWaiters(c *ManualClock) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.waiters)
}

// rbViolation renders one constraint violation.
func rbViolation(value, path, constraint string) string {
	return "Value " + value + " at '" + path + "' failed to satisfy constraint: " + constraint
}

// 1. The xxHash partitioner.

func TestRobustXXHashPartitioner(t *testing.T) {
	ctx := context.Background()
	svc, _ := rbService(t, WithPartitioner(PartitionerXXHash))
	rbCreate(t, svc, "x", 4)
	ls, err := svc.ListShards(ctx, ListShardsInput{StreamName: "x"})
	if err != nil || len(ls.Shards) != 4 {
		t.Fatalf("ListShards = %d shards, %v; want 4", len(ls.Shards), err)
	}
	// shardFor is the shard whose hash key range holds h.
	shardFor := func(h HashKey) string {
		for _, sh := range ls.Shards {
			if sh.HashKeyRange.Contains(h) {
				return sh.ShardId
			}
		}
		t.Fatalf("no shard holds hash key %s", h)
		return ""
	}

	const keys = 4000
	shardOf := make(map[string]string, keys)
	perShard := make(map[string]int)
	unlikeMD5 := 0
	for i := range keys {
		key := fmt.Sprintf("key-%d", i)
		out := rbPut(t, svc, "x", key, "1:"+key)
		if want := shardFor(xxhashPartitionKeyHash(key)); out.ShardId != want {
			t.Fatalf("key %q went to %s, but its xxHash lies in %s", key, out.ShardId, want)
		}
		if shardFor(PartitionKeyHash(key)) != out.ShardId {
			unlikeMD5++
		}
		shardOf[key] = out.ShardId
		perShard[out.ShardId]++
	}
	if len(perShard) != 4 {
		t.Fatalf("keys landed on %d shards, want 4: %v", len(perShard), perShard)
	}
	for id, n := range perShard {
		if n <= 500 {
			t.Fatalf("shard %s got %d of %d keys, want > 500: %v", id, n, keys, perShard)
		}
	}
	// With MD5 about 3/4 of the keys would land elsewhere; if none does,
	// the option was ignored.
	if unlikeMD5 < keys/2 {
		t.Fatalf("only %d of %d keys are placed differently from MD5; is the xxHash partitioner in use?", unlikeMD5, keys)
	}

	// The same key always lands on the same shard, whichever way it is put.
	s, ok := svc.Stream("x")
	if !ok {
		t.Fatal("Stream(x) not found")
	}
	var batch []PutRecordsRequestEntry
	flush := func() {
		if len(batch) == 0 {
			return
		}
		out, err := svc.PutRecords(ctx, PutRecordsInput{StreamName: "x", Records: batch})
		if err != nil || out.FailedRecordCount != 0 {
			t.Fatalf("PutRecords: %d failed, %v", out.FailedRecordCount, err)
		}
		for i, r := range out.Records {
			if key := batch[i].PartitionKey; r.ShardId != shardOf[key] {
				t.Fatalf("PutRecords put key %q on %s, PutRecord on %s", key, r.ShardId, shardOf[key])
			}
		}
		batch = batch[:0]
	}
	for i := range keys {
		key := fmt.Sprintf("key-%d", i)
		batch = append(batch, PutRecordsRequestEntry{PartitionKey: key, Data: []byte("2:" + key)})
		if len(batch) == MaxPutRecordsEntries {
			flush()
		}
	}
	flush()
	for i := range keys {
		key := fmt.Sprintf("key-%d", i)
		out, err := s.Put(ctx, key, []byte("3:"+key))
		if err != nil {
			t.Fatalf("Stream.Put(%q): %v", key, err)
		}
		if out.ShardId != shardOf[key] {
			t.Fatalf("Stream.Put put key %q on %s, PutRecord on %s", key, out.ShardId, shardOf[key])
		}
	}

	// Every record reads back from its key's shard, each key's three
	// records in the order they were put.
	total := 0
	for _, sh := range ls.Shards {
		round := make(map[string]int)
		recs := rbReadShard(t, svc, "x", sh.ShardId)
		for _, r := range recs {
			if shardOf[r.PartitionKey] != sh.ShardId {
				t.Fatalf("record of key %q read from %s, want %s", r.PartitionKey, sh.ShardId, shardOf[r.PartitionKey])
			}
			round[r.PartitionKey]++
			if want := fmt.Sprintf("%d:%s", round[r.PartitionKey], r.PartitionKey); string(r.Data) != want {
				t.Fatalf("%s: record %q under key %q, want %q", sh.ShardId, r.Data, r.PartitionKey, want)
			}
		}
		if len(recs) != 3*perShard[sh.ShardId] {
			t.Fatalf("%s holds %d records, want %d", sh.ShardId, len(recs), 3*perShard[sh.ShardId])
		}
		total += len(recs)
	}
	if total != 3*keys {
		t.Fatalf("read %d records, want %d", total, 3*keys)
	}
	if got := len(rbReplay(t, s)); got != 3*keys {
		t.Fatalf("Replay yields %d records, want %d", got, 3*keys)
	}
}

func TestRobustXXHashInvalidPartitioner(t *testing.T) {
	for _, p := range []Partitioner{7, -1, 2} {
		svc, err := NewService(WithPartitioner(p))
		if err == nil || svc != nil {
			t.Fatalf("NewService(WithPartitioner(%d)) = %v, %v; want an error", p, svc, err)
		}
		if want := fmt.Sprintf("kds: WithPartitioner: unknown partitioner %d", p); err.Error() != want {
			t.Fatalf("NewService(WithPartitioner(%d)) error %q, want %q", p, err, want)
		}
		if s, err := NewStream("s", WithPartitioner(p)); err == nil || s != nil {
			t.Fatalf("NewStream(WithPartitioner(%d)) = %v, %v; want an error", p, s, err)
		}
	}
	// Both valid values are accepted.
	for _, p := range []Partitioner{PartitionerMD5, PartitionerXXHash} {
		if _, err := NewService(WithPartitioner(p)); err != nil {
			t.Fatalf("NewService(WithPartitioner(%d)): %v", p, err)
		}
	}
}

// 2. Huge and tiny integer inputs.

func TestRobustHugeShardCount(t *testing.T) {
	ctx := context.Background()
	svc, _ := rbService(t)
	limitMsg := func(open, more int) string {
		return fmt.Sprintf("This request would exceed the shard limit for the account %s in us-east-1. Current shard count for the account: %d. Limit: 20000. Number of additional shards that would have resulted from this request: %d. Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.", rbAccount, open, more)
	}
	create := func(name string, n int) error {
		_, err := svc.CreateStream(ctx, CreateStreamInput{StreamName: name, ShardCount: n})
		return err
	}

	rbWantErr(t, create("huge", math.MaxInt), codeLimitExceeded, limitMsg(0, math.MaxInt))
	rbWantErr(t, create("huge", DefaultShardLimit+1), codeLimitExceeded, limitMsg(0, DefaultShardLimit+1))
	rbWantErr(t, create("huge", math.MinInt), codeValidation,
		"1 validation error detected: "+rbViolation("'-9223372036854775808'", "shardCount", coral.ValueAtLeast(1)))

	rbCreate(t, svc, "small", 1)
	rbWantErr(t, create("huge", math.MaxInt), codeLimitExceeded, limitMsg(1, math.MaxInt))
	rbWantErr(t, create("huge", math.MaxInt-1), codeLimitExceeded, limitMsg(1, math.MaxInt-1))
	rbWantErr(t, create("huge", DefaultShardLimit), codeLimitExceeded, limitMsg(1, DefaultShardLimit))
	rbWantErr(t, create("huge", DefaultShardLimit+1), codeLimitExceeded, limitMsg(1, DefaultShardLimit+1))

	// None of the failed calls created anything.
	ls, err := svc.ListStreams(ctx, ListStreamsInput{})
	if err != nil || !slices.Equal(ls.StreamNames, []string{"small"}) {
		t.Fatalf("ListStreams = %q, %v; want [small]", ls.StreamNames, err)
	}
	lim, _ := svc.DescribeLimits(ctx, DescribeLimitsInput{})
	if lim.OpenShardCount != 1 || lim.ShardLimit != DefaultShardLimit {
		t.Fatalf("DescribeLimits = %+v, want 1 open shard of %d", lim, DefaultShardLimit)
	}

	// The quota is still usable to the last shard.
	rbCreate(t, svc, "rest", DefaultShardLimit-1)
	lim, _ = svc.DescribeLimits(ctx, DescribeLimitsInput{})
	if lim.OpenShardCount != DefaultShardLimit {
		t.Fatalf("OpenShardCount = %d, want %d", lim.OpenShardCount, DefaultShardLimit)
	}
	rbWantErr(t, create("one-more", 1), codeLimitExceeded, limitMsg(DefaultShardLimit, 1))
	rbWantErr(t, create("one-more", math.MaxInt), codeLimitExceeded, limitMsg(DefaultShardLimit, math.MaxInt))
}

func TestRobustHugeLimits(t *testing.T) {
	ctx := context.Background()
	svc, _ := rbService(t)
	rbCreate(t, svc, "s", 1)
	rbPut(t, svc, "s", "k", "v")
	it := rbIterator(t, svc, GetShardIteratorInput{StreamName: "s", ShardId: "0", ShardIteratorType: ShardIteratorTypeTrimHorizon})

	const maxStr, minStr = "'9223372036854775807'", "'-9223372036854775808'"
	one := func(value, path, constraint string) string {
		return "1 validation error detected: " + rbViolation(value, path, constraint)
	}
	tests := []struct {
		name string
		call func(n int) error
		path string
		most int
	}{
		{"GetRecords", func(n int) error {
			_, err := svc.GetRecords(ctx, GetRecordsInput{ShardIterator: it, Limit: n})
			return err
		}, "limit", MaxGetRecordsLimit},
		{"DescribeStream", func(n int) error {
			_, err := svc.DescribeStream(ctx, DescribeStreamInput{StreamName: "s", Limit: n})
			return err
		}, "limit", MaxRequestLimit},
		{"ListShards", func(n int) error {
			_, err := svc.ListShards(ctx, ListShardsInput{StreamName: "s", MaxResults: n})
			return err
		}, "maxResults", MaxRequestLimit},
		{"ListStreams", func(n int) error {
			_, err := svc.ListStreams(ctx, ListStreamsInput{Limit: n})
			return err
		}, "limit", MaxRequestLimit},
		{"ListTagsForStream", func(n int) error {
			_, err := svc.ListTagsForStream(ctx, ListTagsForStreamInput{StreamName: "s", Limit: n})
			return err
		}, "limit", MaxListTagsLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rbWantErr(t, tt.call(math.MaxInt), codeValidation, one(maxStr, tt.path, valueAtMost(tt.most)))
			rbWantErr(t, tt.call(math.MinInt), codeValidation, one(minStr, tt.path, coral.ValueAtLeast(1)))
			rbWantErr(t, tt.call(tt.most+1), codeValidation, one(fmt.Sprintf("'%d'", tt.most+1), tt.path, valueAtMost(tt.most)))
			if err := tt.call(tt.most); err != nil {
				t.Fatalf("limit %d, the maximum: %v", tt.most, err)
			}
		})
	}
	// The iterator survived the rejected calls and still reads the record.
	out, err := svc.GetRecords(ctx, GetRecordsInput{ShardIterator: it, Limit: 1})
	if err != nil || len(out.Records) != 1 || string(out.Records[0].Data) != "v" {
		t.Fatalf("GetRecords after rejected calls = %d records, %v", len(out.Records), err)
	}
}

// 3. The clock stepped backwards.

func TestRobustClockSteppedBackwards(t *testing.T) {
	ctx := context.Background()
	svc, clock := rbService(t, WithStatusDelay(time.Second))
	rbCreate(t, svc, "s", 1)
	if st := rbStatus(t, svc, "s"); st != StreamStatusCreating {
		t.Fatalf("status %s right after CreateStream, want CREATING", st)
	}
	clock.Advance(2 * time.Second)
	if st := rbStatus(t, svc, "s"); st != StreamStatusActive {
		t.Fatalf("status %s after the delay, want ACTIVE", st)
	}
	before := rbPut(t, svc, "s", "k", "before")
	it := rbIterator(t, svc, GetShardIteratorInput{StreamName: "s", ShardId: "0", ShardIteratorType: ShardIteratorTypeTrimHorizon})
	if out, err := svc.GetRecords(ctx, GetRecordsInput{ShardIterator: it}); err != nil || len(out.Records) != 1 {
		t.Fatalf("GetRecords before the step = %d records, %v", len(out.Records), err)
	}

	stepped := rbStart.Add(-time.Hour) // before the stream was even created
	clock.Set(stepped)
	if st := rbStatus(t, svc, "s"); st != StreamStatusActive {
		t.Fatalf("status %s after the clock stepped back, want ACTIVE", st)
	}

	// Puts still work, and the sequence number from before the step is a
	// valid SequenceNumberForOrdering.
	after, err := svc.PutRecord(ctx, PutRecordInput{StreamName: "s", PartitionKey: "k", Data: []byte("after"),
		SequenceNumberForOrdering: before.SequenceNumber.String()})
	if err != nil {
		t.Fatalf("PutRecord ordered after a pre-step number: %v", err)
	}
	if after.SequenceNumber.Compare(before.SequenceNumber) <= 0 {
		t.Fatalf("post-step record got %s, not above the pre-step %s", after.SequenceNumber, before.SequenceNumber)
	}
	again, err := svc.PutRecord(ctx, PutRecordInput{StreamName: "s", PartitionKey: "k", Data: []byte("again"),
		SequenceNumberForOrdering: after.SequenceNumber.String()})
	if err != nil {
		t.Fatalf("PutRecord ordered after a post-step number: %v", err)
	}
	if again.SequenceNumber.Compare(after.SequenceNumber) <= 0 {
		t.Fatalf("record got %s, not above %s", again.SequenceNumber, after.SequenceNumber)
	}
	s, _ := svc.Stream("s")
	if _, err := s.Put(ctx, "k", []byte("native")); err != nil {
		t.Fatalf("Stream.Put after the step: %v", err)
	}

	// The iterator was issued "in the future" now.
	_, err = svc.GetRecords(ctx, GetRecordsInput{ShardIterator: it})
	rbWantErr(t, err, codeInvalidArgument, "Invalid ShardIterator.")

	// A fresh iterator reads every record, in put order.
	var got []string
	for _, r := range rbReadShard(t, svc, "s", "0") {
		got = append(got, string(r.Data))
	}
	if want := []string{"before", "after", "again", "native"}; !slices.Equal(got, want) {
		t.Fatalf("stream holds %q, want %q", got, want)
	}
	if got := rbReplay(t, s); !slices.Equal(got, []string{"before", "after", "again", "native"}) {
		t.Fatalf("Replay yields %q", got)
	}
}

func TestRobustClockSteppedBackwardsDeletedStaysGone(t *testing.T) {
	ctx := context.Background()
	svc, clock := rbService(t, WithStatusDelay(time.Second))
	rbCreate(t, svc, "d", 1)
	clock.Advance(time.Second)
	rbPut(t, svc, "d", "k", "old")
	deletedAt := clock.Now()
	rbDelete(t, svc, "d")
	if st := rbStatus(t, svc, "d"); st != StreamStatusDeleting {
		t.Fatalf("status %s after DeleteStream, want DELETING", st)
	}
	clock.Advance(2 * time.Second)
	_, err := svc.DescribeStreamSummary(ctx, DescribeStreamSummaryInput{StreamName: "d"})
	rbWantErr(t, err, codeResourceNotFound, "Stream d under account "+rbAccount+" not found.")

	for _, at := range []time.Time{deletedAt.Add(500 * time.Millisecond), deletedAt, rbStart.Add(-time.Hour)} {
		clock.Set(at)
		_, err := svc.DescribeStreamSummary(ctx, DescribeStreamSummaryInput{StreamName: "d"})
		rbWantErr(t, err, codeResourceNotFound, "Stream d under account "+rbAccount+" not found.")
		_, err = svc.PutRecord(ctx, PutRecordInput{StreamName: "d", PartitionKey: "k", Data: []byte("x")})
		rbWantErr(t, err, codeResourceNotFound, "")
		if _, ok := svc.Stream("d"); ok {
			t.Fatalf("Stream(d) found again with the clock at %v", at)
		}
		ls, err := svc.ListStreams(ctx, ListStreamsInput{})
		if err != nil || len(ls.StreamNames) != 0 {
			t.Fatalf("ListStreams at %v = %q, %v; want none", at, ls.StreamNames, err)
		}
	}
	// The name is free: a new stream of that name starts empty.
	rbCreate(t, svc, "d", 1)
	clock.Advance(time.Second)
	if st := rbStatus(t, svc, "d"); st != StreamStatusActive {
		t.Fatalf("re-created stream is %s, want ACTIVE", st)
	}
	if recs := rbReadShard(t, svc, "d", "0"); len(recs) != 0 {
		t.Fatalf("re-created stream holds %d records", len(recs))
	}
}

// TestRobustClockSteppedBackwardsOrderingAcrossShards: a sequence number
// the stream issued before the clock stepped back was issued already, so
// it is a valid SequenceNumberForOrdering whichever shard the new record
// goes to. After a split, the same partition key's next record goes to a
// child shard that has never been written.
func TestRobustClockSteppedBackwardsOrderingAcrossShards(t *testing.T) {
	ctx := context.Background()
	t.Run("after a split", func(t *testing.T) {
		svc, clock := rbService(t)
		rbCreate(t, svc, "s", 1)
		clock.Advance(time.Hour)
		first := rbPut(t, svc, "s", "k", "a")
		clock.Set(rbStart)
		if _, err := svc.SplitShard(ctx, SplitShardInput{StreamName: "s", ShardToSplit: "shardId-000000000000",
			NewStartingHashKey: "170141183460469231731687303715884105728"}); err != nil {
			t.Fatalf("SplitShard: %v", err)
		}
		if st := rbStatus(t, svc, "s"); st != StreamStatusActive {
			t.Fatalf("status %s after the split, want ACTIVE", st)
		}
		out, err := svc.PutRecord(ctx, PutRecordInput{StreamName: "s", PartitionKey: "k", Data: []byte("b"),
			SequenceNumberForOrdering: first.SequenceNumber.String()})
		if err != nil {
			t.Fatalf("the key's previous number, issued by the parent, is rejected on the child: %v", err)
		}
		if out.ShardId == first.ShardId {
			t.Fatalf("record went to the closed parent %s", out.ShardId)
		}
	})
	t.Run("two shards", func(t *testing.T) {
		svc, clock := rbService(t)
		rbCreate(t, svc, "s", 2)
		clock.Advance(time.Hour)
		first, err := svc.PutRecord(ctx, PutRecordInput{StreamName: "s", PartitionKey: "k", ExplicitHashKey: "0", Data: []byte("a")})
		if err != nil || first.ShardId != "shardId-000000000000" {
			t.Fatalf("PutRecord = %+v, %v", first, err)
		}
		// Before the step the number is accepted on the other shard.
		_, err = svc.PutRecord(ctx, PutRecordInput{StreamName: "s", PartitionKey: "k", ExplicitHashKey: "340282366920938463463374607431768211455",
			Data: []byte("b"), SequenceNumberForOrdering: first.SequenceNumber.String()})
		if err != nil {
			t.Fatalf("before the step: %v", err)
		}
		rbCreate(t, svc, "t", 2)
		second, err := svc.PutRecord(ctx, PutRecordInput{StreamName: "t", PartitionKey: "k", ExplicitHashKey: "0", Data: []byte("a")})
		if err != nil {
			t.Fatal(err)
		}
		clock.Set(rbStart)
		_, err = svc.PutRecord(ctx, PutRecordInput{StreamName: "t", PartitionKey: "k", ExplicitHashKey: "340282366920938463463374607431768211455",
			Data: []byte("b"), SequenceNumberForOrdering: second.SequenceNumber.String()})
		if err != nil {
			t.Fatalf("after the step, a number shard 0 issued is rejected on shard 1: %v", err)
		}
	})
}

// 4. Deletion with a status delay ends a follower.

func TestRobustDelayedDeleteEndsRecords(t *testing.T) {
	ctx := context.Background()
	svc, clock := rbService(t, WithStatusDelay(time.Second))
	rbCreate(t, svc, "s", 2)
	clock.Advance(time.Second)
	s, ok := svc.Stream("s")
	if !ok {
		t.Fatal("Stream(s) not found")
	}
	type result struct {
		data []string
		err  error
	}
	first := make(chan string)
	done := make(chan result, 1)
	go func() {
		var r result
		for rec, err := range s.Records(ctx, TrimHorizon()) {
			if err != nil {
				r.err = err
				break
			}
			r.data = append(r.data, string(rec.Data))
			if len(r.data) == 1 {
				first <- rbGoroutineID()
			}
		}
		done <- r
	}()
	if _, err := s.Put(ctx, "k", []byte("one")); err != nil {
		t.Fatal(err)
	}
	var reader string
	select {
	case reader = <-first:
	case <-time.After(rbGuard): // hang guard only
		t.Fatal("the follower did not read the first record")
	}
	// Delete while the follower is parked waiting for records, so that it
	// wakes exactly once for the deletion.
	rbSpin(t, "the follower to wait for records", func() bool { return rbParkedReader(reader) })
	if n := rbWaiters(clock); n != 0 {
		t.Fatalf("the follower armed %d clock waiters before any deletion", n)
	}
	rbDelete(t, svc, "s")
	// The follower wakes, sees the deletion pending, arms a wait on the
	// clock for its completion and parks again.
	rbSpin(t, "the follower to arm its deletion wait", func() bool { return rbWaiters(clock) == 1 && rbParkedReader(reader) })
	select {
	case r := <-done:
		t.Fatalf("the follower ended while the stream was DELETING: %q, %v", r.data, r.err)
	default:
	}
	clock.Advance(2 * time.Second)
	select {
	case r := <-done:
		if !slices.Equal(r.data, []string{"one"}) {
			t.Fatalf("the follower read %q, want [one]", r.data)
		}
		rbWantErr(t, r.err, codeResourceNotFound, "Stream s under account "+rbAccount+" not found.")
	case <-time.After(rbGuard): // hang guard only
		t.Fatal("the follower did not end after the deletion completed")
	}
}

// rbSteppingClock is a Clock that, once armed, moves a ManualClock on by
// step just before registering the next After: as if another goroutine
// advanced the clock between a reader's Now and its After.
type rbSteppingClock struct {
	*ManualClock
	step atomic.Int64
}

func (c *rbSteppingClock) After(d time.Duration) <-chan time.Time {
	if step := c.step.Swap(0); step > 0 && d > 0 {
		c.ManualClock.Advance(time.Duration(step))
	}
	return c.ManualClock.After(d)
}

// TestRobustDelayedDeleteClockMovesWhileArming: the clock passes the
// deletion's completion between a follower reading the time and arming
// its wait. The follower must still end.
func TestRobustDelayedDeleteClockMovesWhileArming(t *testing.T) {
	ctx := context.Background()
	clock := &rbSteppingClock{ManualClock: NewManualClock(rbStart)}
	svc, err := NewService(WithClock(clock), WithStatusDelay(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	rbCreate(t, svc, "s", 1)
	clock.Advance(time.Second)
	s, _ := svc.Stream("s")
	s.Put(ctx, "k", []byte("one"))
	first := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		n := 0
		for _, err := range s.Records(ctx, TrimHorizon()) {
			if err != nil {
				done <- err
				return
			}
			if n++; n == 1 {
				close(first)
			}
		}
		done <- nil
	}()
	<-first
	clock.step.Store(int64(2 * time.Second))
	rbDelete(t, svc, "s")
	select {
	case err := <-done:
		rbWantErr(t, err, codeResourceNotFound, "")
	case <-time.After(rbGuard): // hang guard only
		t.Fatalf("the follower still waits with the clock at %v, past the deletion", clock.Now())
	}
}

// TestRobustDeleteStreamPutOnStaleHandle: Stream.Put documents that it
// returns the error PutRecord would return; once the stream's deletion has
// completed that is ResourceNotFoundException, not a silent success into
// a stream nobody can read.
func TestRobustDeleteStreamPutOnStaleHandle(t *testing.T) {
	ctx := context.Background()
	svc, _ := rbService(t)
	rbCreate(t, svc, "s", 1)
	s, _ := svc.Stream("s")
	rbDelete(t, svc, "s")
	_, err := svc.PutRecord(ctx, PutRecordInput{StreamName: "s", PartitionKey: "k", Data: []byte("x")})
	rbWantErr(t, err, codeResourceNotFound, "Stream s under account "+rbAccount+" not found.")
	out, err := s.Put(ctx, "k", []byte("x"))
	if err == nil {
		t.Fatalf("Stream.Put on a deleted stream succeeded: %+v", out)
	}
	rbWantErr(t, err, codeResourceNotFound, "Stream s under account "+rbAccount+" not found.")
}

// 5. Deleting and re-creating a stream under concurrent load.

func TestRobustConcurrentDeleteRecreate(t *testing.T) {
	const (
		writers      = 4
		incarnations = 50
	)
	svc, _ := rbService(t)
	rbCreate(t, svc, "s", 2)
	ctx, cancel := context.WithCancel(context.Background())
	stop := make(chan struct{})
	var halting sync.Once
	halt := func() { halting.Do(func() { close(stop); cancel() }) }
	var wg sync.WaitGroup
	// finish stops the writers and readers and waits for them, also when
	// the test fails, so that none outlives it.
	finish := func() {
		halt()
		finished := make(chan struct{})
		go func() { wg.Wait(); close(finished) }()
		select {
		case <-finished:
		case <-time.After(rbGuard): // hang guard only
			t.Fatal("writers and readers did not stop")
		}
	}
	defer finish()
	stopped := func() bool {
		select {
		case <-stop:
			return true
		default:
			return false
		}
	}

	var (
		mu       sync.Mutex
		problems []string
		codes    = make(map[string]int)
	)
	problem := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(problems) < 20 {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	// checkErr accepts err only if it is a *Error with one of the codes.
	checkErr := func(who string, err error, allowed ...string) {
		var e *Error
		if !errors.As(err, &e) {
			problem("%s: got %T %v, want a *kds.Error", who, err, err)
			return
		}
		if !slices.Contains(allowed, e.Code) {
			problem("%s: got %s: %s; want one of %v", who, e.Code, e.Message, allowed)
			return
		}
		mu.Lock()
		codes[who+" "+e.Code]++
		mu.Unlock()
	}
	checkData := func(who string, r Record) {
		if !strings.HasPrefix(string(r.Data), "w") && !strings.HasPrefix(string(r.Data), "gen-") {
			problem("%s: read unexpected record %q", who, r.Data)
		}
	}
	var puts atomic.Int64

	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; !stopped(); n++ {
				data := fmt.Appendf(nil, "w%d-%d", w, n)
				key := fmt.Sprintf("k%d", n%7)
				if w%2 == 0 {
					_, err := svc.PutRecord(ctx, PutRecordInput{StreamName: "s", PartitionKey: key, Data: data})
					if err != nil {
						checkErr("PutRecord", err, codeResourceNotFound)
						continue
					}
				} else {
					out, err := svc.PutRecords(ctx, PutRecordsInput{StreamName: "s", Records: []PutRecordsRequestEntry{
						{PartitionKey: key, Data: data}, {PartitionKey: key + "x", Data: data}, {PartitionKey: key + "y", Data: data},
					}})
					if err != nil {
						checkErr("PutRecords", err, codeResourceNotFound)
						continue
					}
					if out.FailedRecordCount != 0 || len(out.Records) != 3 {
						problem("PutRecords: %d failed of %d", out.FailedRecordCount, len(out.Records))
					}
				}
				puts.Add(1)
			}
		}()
	}

	// A Go-native follower, re-attaching to each incarnation.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stopped() {
			s, ok := svc.Stream("s")
			if !ok {
				runtime.Gosched()
				continue
			}
			for rec, err := range s.Records(ctx, TrimHorizon()) {
				if err != nil {
					if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
						return
					}
					checkErr("Records", err, codeResourceNotFound)
					break
				}
				checkData("Records", rec)
			}
		}
	}()

	// A GetRecords poller, re-attaching to each incarnation.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for n := 0; !stopped(); n++ {
			out, err := svc.GetShardIterator(ctx, GetShardIteratorInput{StreamName: "s", ShardId: fmt.Sprint(n % 2), ShardIteratorType: ShardIteratorTypeTrimHorizon})
			if err != nil {
				checkErr("GetShardIterator", err, codeResourceNotFound)
				runtime.Gosched()
				continue
			}
			it := out.ShardIterator
			for !stopped() {
				page, err := svc.GetRecords(ctx, GetRecordsInput{ShardIterator: it, Limit: 100})
				if err != nil {
					checkErr("GetRecords", err, codeResourceNotFound, codeInvalidArgument)
					break
				}
				for _, r := range page.Records {
					checkData("GetRecords", r)
				}
				if page.NextShardIterator == "" {
					problem("GetRecords on an open shard returned no NextShardIterator")
					break
				}
				it = page.NextShardIterator
				if len(page.Records) == 0 {
					runtime.Gosched()
				}
			}
		}
	}()

	for i := range incarnations {
		// Let the writers get some records into this incarnation.
		base := puts.Load()
		rbSpin(t, "the writers to make progress", func() bool { return puts.Load() > base+3 })
		rbDelete(t, svc, "s")
		rbCreate(t, svc, "s", 2)
		marker := fmt.Sprintf("gen-%d", i)
		rbPut(t, svc, "s", "marker", marker)
		s, ok := svc.Stream("s")
		if !ok {
			t.Fatalf("incarnation %d: Stream(s) not found", i)
		}
		markers := 0
		for _, d := range rbReplay(t, s) {
			switch {
			case d == marker:
				markers++
			case strings.HasPrefix(d, "gen-"):
				t.Fatalf("incarnation %d holds %q, a record of an earlier incarnation", i, d)
			case !strings.HasPrefix(d, "w"):
				t.Fatalf("incarnation %d holds unexpected record %q", i, d)
			}
		}
		if markers != 1 {
			t.Fatalf("incarnation %d holds its marker %d times, want once", i, markers)
		}
	}

	finish()
	mu.Lock()
	if len(problems) > 0 {
		t.Fatalf("%d problems, first ones:\n%s", len(problems), strings.Join(problems, "\n"))
	}
	t.Logf("%d successful puts; errors seen: %v", puts.Load(), codes)
	mu.Unlock()

	// With everyone stopped, a fresh incarnation holds exactly what is put
	// into it.
	old, _ := svc.Stream("s")
	rbDelete(t, svc, "s")
	rbCreate(t, svc, "s", 2)
	final := rbPut(t, svc, "s", "k", "final")
	s, ok := svc.Stream("s")
	if !ok {
		t.Fatal("Stream(s) not found")
	}
	var got []Record
	for rec, err := range s.Replay(context.Background(), TrimHorizon()) {
		if err != nil {
			t.Fatalf("Replay: %v", err)
		}
		got = append(got, rec)
	}
	if len(got) != 1 || string(got[0].Data) != "final" || got[0].SequenceNumber != final.SequenceNumber || got[0].PartitionKey != "k" {
		t.Fatalf("final incarnation replays %d records %v, want exactly [final]", len(got), got)
	}
	// The previous incarnation's handle reads nothing any more.
	for _, err := range old.Replay(context.Background(), TrimHorizon()) {
		rbWantErr(t, err, codeResourceNotFound, "Stream s under account "+rbAccount+" not found.")
		break
	}
	// Deleted incarnations are forgotten.
	svc.mu.RLock()
	streams, byID := len(svc.streams), len(svc.byID)
	svc.mu.RUnlock()
	if streams != 1 || byID != 1 {
		t.Fatalf("Service holds %d streams by name and %d by ID, want 1 and 1", streams, byID)
	}
	lim, _ := svc.DescribeLimits(context.Background(), DescribeLimitsInput{})
	if lim.OpenShardCount != 2 {
		t.Fatalf("OpenShardCount = %d, want 2", lim.OpenShardCount)
	}
}

// 6. Sequence numbers of other streams.

func TestRobustForeignSequenceNumbers(t *testing.T) {
	ctx := context.Background()
	svc, _ := rbService(t)
	rbCreate(t, svc, "a", 1)
	rbCreate(t, svc, "b", 1)
	fromA := rbPut(t, svc, "a", "k", "in a").SequenceNumber
	fromB := rbPut(t, svc, "b", "k", "in b").SequenceNumber
	b, _ := svc.Stream("b")
	msg := "Sequence number " + fromA.String() + " did not come from stream b under account " + rbAccount + "."

	readers := map[string]func(StartPosition) func(func(Record, error) bool){
		"Replay":  func(p StartPosition) func(func(Record, error) bool) { return b.Replay(ctx, p) },
		"Records": func(p StartPosition) func(func(Record, error) bool) { return b.Records(ctx, p) },
	}
	for name, read := range readers {
		for _, pos := range []StartPosition{AfterSequence(fromA), AtSequence(fromA)} {
			t.Run(name+" "+string(pos.kind()), func(t *testing.T) {
				n := 0
				var first error
				for rec, err := range read(pos) {
					if n++; n == 1 {
						first = err
						if err == nil {
							t.Fatalf("first item is record %q, want an error", rec.Data)
						}
					}
					if n > 1 {
						t.Fatalf("the read went on after the error: item %d is %q, %v", n, rec.Data, err)
					}
				}
				if n != 1 {
					t.Fatalf("read yielded %d items, want exactly the error", n)
				}
				rbWantErr(t, first, codeInvalidArgument, msg)
			})
		}
	}
	// b's own number positions the read.
	var got []string
	for rec, err := range b.Replay(ctx, AtSequence(fromB)) {
		if err != nil {
			t.Fatalf("Replay(AtSequence(own)): %v", err)
		}
		got = append(got, string(rec.Data))
	}
	if !slices.Equal(got, []string{"in b"}) {
		t.Fatalf("Replay(AtSequence(own)) = %q", got)
	}
	_, err := svc.GetShardIterator(ctx, GetShardIteratorInput{StreamName: "b", ShardId: "0",
		ShardIteratorType: ShardIteratorTypeAfterSequenceNumber, StartingSequenceNumber: fromA.String()})
	rbWantErr(t, err, codeInvalidArgument, "StartingSequenceNumber "+fromA.String()+
		" used in GetShardIterator on shard shardId-000000000000 in stream b under account "+rbAccount+" is invalid because it did not come from this stream.")
}

func TestRobustForeignSequenceNumberOfRecreatedStream(t *testing.T) {
	ctx := context.Background()
	svc, _ := rbService(t)
	rbCreate(t, svc, "s", 2)
	old := rbPut(t, svc, "s", "k", "old")
	rbDelete(t, svc, "s")
	rbCreate(t, svc, "s", 2)
	now := rbPut(t, svc, "s", "k", "new")
	if now.ShardId != old.ShardId {
		t.Fatalf("key k went to %s, then %s", old.ShardId, now.ShardId)
	}
	for _, typ := range []ShardIteratorType{ShardIteratorTypeAtSequenceNumber, ShardIteratorTypeAfterSequenceNumber} {
		_, err := svc.GetShardIterator(ctx, GetShardIteratorInput{StreamName: "s", ShardId: old.ShardId,
			ShardIteratorType: typ, StartingSequenceNumber: old.SequenceNumber.String()})
		rbWantErr(t, err, codeInvalidArgument, "StartingSequenceNumber "+old.SequenceNumber.String()+
			" used in GetShardIterator on shard "+old.ShardId+" in stream s under account "+rbAccount+" is invalid because it did not come from this stream.")
	}
	s, _ := svc.Stream("s")
	for _, err := range s.Replay(ctx, AfterSequence(old.SequenceNumber)) {
		rbWantErr(t, err, codeInvalidArgument, "Sequence number "+old.SequenceNumber.String()+" did not come from stream s under account "+rbAccount+".")
		break
	}
	// The new incarnation's own number still works.
	it := rbIterator(t, svc, GetShardIteratorInput{StreamName: "s", ShardId: now.ShardId,
		ShardIteratorType: ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: now.SequenceNumber.String()})
	out, err := svc.GetRecords(ctx, GetRecordsInput{ShardIterator: it})
	if err != nil || len(out.Records) != 1 || string(out.Records[0].Data) != "new" {
		t.Fatalf("GetRecords from the new number = %d records, %v", len(out.Records), err)
	}
}

// 7. ARN partitions.

func TestRobustStreamARNPartitions(t *testing.T) {
	ctx := context.Background()
	t.Run("aws-cn ARN on us-east-1", func(t *testing.T) {
		svc, _ := rbService(t)
		rbCreate(t, svc, "s", 1)
		s, _ := svc.Stream("s")
		if want := "arn:aws:kinesis:us-east-1:" + rbAccount + ":stream/s"; s.ARN() != want {
			t.Fatalf("ARN() = %q, want %q", s.ARN(), want)
		}
		for _, arn := range []string{
			"arn:aws-cn:kinesis:us-east-1:" + rbAccount + ":stream/s",
			"arn:aws-us-gov:kinesis:us-east-1:" + rbAccount + ":stream/s",
		} {
			_, err := svc.DescribeStreamSummary(ctx, DescribeStreamSummaryInput{StreamARN: arn})
			rbWantErr(t, err, codeResourceNotFound, "Stream s under account "+rbAccount+" not found.")
			_, err = svc.PutRecord(ctx, PutRecordInput{StreamARN: arn, PartitionKey: "k", Data: []byte("x")})
			rbWantErr(t, err, codeResourceNotFound, "Stream s under account "+rbAccount+" not found.")
		}
		if _, err := svc.DescribeStreamSummary(ctx, DescribeStreamSummaryInput{StreamARN: s.ARN()}); err != nil {
			t.Fatalf("own ARN: %v", err)
		}
	})
	regions := []struct{ region, prefix string }{
		{"cn-north-1", "arn:aws-cn:kinesis:cn-north-1:"},
		{"cn-northwest-1", "arn:aws-cn:kinesis:cn-northwest-1:"},
		{"us-gov-west-1", "arn:aws-us-gov:kinesis:us-gov-west-1:"},
		{"eu-west-1", "arn:aws:kinesis:eu-west-1:"},
	}
	for _, tt := range regions {
		t.Run(tt.region, func(t *testing.T) {
			svc, _ := rbService(t, WithRegion(tt.region))
			if svc.Region() != tt.region {
				t.Fatalf("Region() = %q", svc.Region())
			}
			rbCreate(t, svc, "s", 1)
			s, _ := svc.Stream("s")
			want := tt.prefix + rbAccount + ":stream/s"
			if s.ARN() != want {
				t.Fatalf("ARN() = %q, want %q", s.ARN(), want)
			}
			out, err := svc.DescribeStreamSummary(ctx, DescribeStreamSummaryInput{StreamARN: want})
			if err != nil {
				t.Fatalf("DescribeStreamSummary(%s): %v", want, err)
			}
			if d := out.StreamDescriptionSummary; d.StreamName != "s" || d.StreamARN != want {
				t.Fatalf("resolved %q (%s)", d.StreamName, d.StreamARN)
			}
			p, err := svc.PutRecord(ctx, PutRecordInput{StreamARN: want, PartitionKey: "k", Data: []byte("by arn")})
			if err != nil || p.ShardId != "shardId-000000000000" {
				t.Fatalf("PutRecord by ARN = %+v, %v", p, err)
			}
			if got := rbReplay(t, s); !slices.Equal(got, []string{"by arn"}) {
				t.Fatalf("stream holds %q", got)
			}
			ls, err := svc.ListStreams(ctx, ListStreamsInput{})
			if err != nil || len(ls.StreamSummaries) != 1 || ls.StreamSummaries[0].StreamARN != want {
				t.Fatalf("ListStreams = %+v, %v", ls.StreamSummaries, err)
			}
			// The same name and region under the plain aws partition is
			// another stream.
			if !strings.HasPrefix(tt.prefix, "arn:aws:") {
				other := "arn:aws:kinesis:" + tt.region + ":" + rbAccount + ":stream/s"
				_, err := svc.DescribeStreamSummary(ctx, DescribeStreamSummaryInput{StreamARN: other})
				rbWantErr(t, err, codeResourceNotFound, "Stream s under account "+rbAccount+" not found.")
			}
		})
	}
}

// 8. Merged validation messages.

func TestRobustValidationMerging(t *testing.T) {
	ctx := context.Background()
	svc, _ := rbService(t)
	rbCreate(t, svc, "s", 1)
	_, err := svc.PutRecord(ctx, PutRecordInput{StreamName: "bad name!", PartitionKey: ""})
	rbWantErr(t, err, codeValidation, "2 validation errors detected: "+
		rbViolation("''", "partitionKey", lengthAtLeast(1))+"; "+
		rbViolation("'bad name!'", "streamName", matchPattern(namePattern)))

	// PutRecords merges the entries' violations with the stream name's.
	_, err = svc.PutRecords(ctx, PutRecordsInput{StreamName: "bad name!", Records: []PutRecordsRequestEntry{
		{PartitionKey: "", Data: []byte("x")},
		{PartitionKey: "k", ExplicitHashKey: "-1"},
	}})
	rbWantErr(t, err, codeValidation, "3 validation errors detected: "+
		rbViolation("''", "records.1.member.partitionKey", lengthAtLeast(1))+"; "+
		rbViolation("'-1'", "records.2.member.explicitHashKey", matchPattern(hashKeyPattern))+"; "+
		rbViolation("'bad name!'", "streamName", matchPattern(namePattern)))

	// Nothing was stored by the rejected calls.
	s, _ := svc.Stream("s")
	if got := rbReplay(t, s); len(got) != 0 {
		t.Fatalf("stream holds %q after rejected puts", got)
	}
}
