package kds_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kdsgo/kds"
)

// Shared fixtures for the black-box tests of the Kinesis operations.

const (
	// testAccount is the default account ID of a Service.
	testAccount = "000000000000"
	// maxHashKey is 2^128-1, the top of the hash key space.
	maxHashKey = "340282366920938463463374607431768211455"
	// twoTo128 is 2^128, one past the top of the hash key space.
	twoTo128 = "340282366920938463463374607431768211456"
	// mib is one mebibyte.
	mib = 1 << 20
)

// testStart is where every ManualClock starts: the instant of kinesalite's
// recorded ExpiredIteratorException message, "Thu Jan 22 01:22:02 UTC 2015".
var testStart = time.Date(2015, time.January, 22, 1, 22, 2, 0, time.UTC)

var ctx = context.Background()

// newService returns a Service on a ManualClock at testStart.
func newService(t *testing.T, opts ...kds.Option) (*kds.Service, *kds.ManualClock) {
	t.Helper()
	return newServiceAt(t, testStart, opts...)
}

// newServiceAt returns a Service on a ManualClock at start. Its streams
// have no throughput limits unless opts set them: these tests put and read
// far more than a shard's limits allow at one instant.
func newServiceAt(t *testing.T, start time.Time, opts ...kds.Option) (*kds.Service, *kds.ManualClock) {
	t.Helper()
	clock := kds.NewManualClock(start)
	svc, err := kds.NewService(append([]kds.Option{kds.WithClock(clock), kds.WithThroughputLimits(kds.NoLimits)}, opts...)...)
	if err != nil {
		t.Fatalf("NewService: %v", err)
	}
	return svc, clock
}

// createStream creates a provisioned stream and deletes it when the test
// ends (if it still exists then).
func createStream(t *testing.T, svc *kds.Service, name string, shards int) {
	t.Helper()
	createStreamWith(t, svc, kds.CreateStreamInput{StreamName: name, ShardCount: shards})
}

// createStreamWith creates a stream from a full input and deletes it when
// the test ends (if it still exists then).
func createStreamWith(t *testing.T, svc *kds.Service, in kds.CreateStreamInput) {
	t.Helper()
	if _, err := svc.CreateStream(ctx, in); err != nil {
		t.Fatalf("CreateStream(%q): %v", in.StreamName, err)
	}
	t.Cleanup(func() {
		_, err := svc.DeleteStream(ctx, kds.DeleteStreamInput{StreamName: in.StreamName})
		if err != nil && !errors.Is(err, kds.ErrResourceNotFound) {
			t.Errorf("cleanup DeleteStream(%q): %v", in.StreamName, err)
		}
	})
}

// wantErr fails the test unless err is a *kds.Error with target's code
// and, when msg is not empty, exactly the message msg.
func wantErr(t *testing.T, err error, target *kds.Error, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", target.Code)
	}
	var e *kds.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %T %v, want *kds.Error", err, err)
	}
	if !errors.Is(err, target) {
		t.Fatalf("got %s: %s\nwant code %s", e.Code, e.Message, target.Code)
	}
	if msg != "" && e.Message != msg {
		t.Fatalf("message mismatch\n got: %s\nwant: %s", e.Message, msg)
	}
}

// violation renders one Coral constraint violation.
func violation(value, path, constraint string) string {
	return "Value " + value + " at '" + path + "' failed to satisfy constraint: " + constraint
}

// oneViolation is the message of a ValidationException with one violation.
func oneViolation(value, path, constraint string) string {
	return "1 validation error detected: " + violation(value, path, constraint)
}

// wantViolations fails the test unless err is a ValidationException whose
// message lists exactly the given violations, in any order (AWS's order is
// not stable).
func wantViolations(t *testing.T, err error, want ...string) {
	t.Helper()
	wantErr(t, err, kds.ErrValidation, "")
	msg := err.(*kds.Error).Message
	noun := "errors"
	if len(want) == 1 {
		noun = "error"
	}
	prefix := strconv.Itoa(len(want)) + " validation " + noun + " detected: "
	rest, ok := strings.CutPrefix(msg, prefix)
	if !ok {
		t.Fatalf("message %q does not start with %q", msg, prefix)
	}
	got := strings.Split(rest, "; ")
	if len(got) != len(want) {
		t.Fatalf("got %d violations %q, want %q", len(got), got, want)
	}
	seen := make(map[string]int)
	for _, g := range got {
		seen[g]++
	}
	for _, w := range want {
		if seen[w] == 0 {
			t.Fatalf("violation missing\nwant: %s\n got: %q", w, got)
		}
		seen[w]--
	}
}

// Constraint phrases of Coral ValidationExceptions (KINESIS.md §4.3).
const (
	notNull     = "Member must not be null"
	namePattern = "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
	hkPattern   = `Member must satisfy regular expression pattern: 0|([1-9]\d{0,38})`
	seqPattern  = `Member must satisfy regular expression pattern: 0|([1-9]\d{0,128})`
)

func lengthAtMost(n int) string {
	return "Member must have length less than or equal to " + strconv.Itoa(n)
}
func lengthAtLeast(n int) string {
	return "Member must have length greater than or equal to " + strconv.Itoa(n)
}
func valueAtMost(n int) string {
	return "Member must have value less than or equal to " + strconv.Itoa(n)
}
func valueAtLeast(n int) string {
	return "Member must have value greater than or equal to " + strconv.Itoa(n)
}

// notFound is the ResourceNotFoundException text for a missing stream.
func notFound(name string) string {
	return "Stream " + name + " under account " + testAccount + " not found."
}

// shardNotFound is the ResourceNotFoundException text for a missing shard.
func shardNotFound(id, stream string) string {
	return "Shard " + id + " in stream " + stream + " under account " + testAccount + " does not exist"
}

// shards returns every shard of a stream, paging through DescribeStream.
func shards(t *testing.T, svc *kds.Service, name string) []kds.Shard {
	t.Helper()
	var all []kds.Shard
	after := ""
	for {
		out, err := svc.DescribeStream(ctx, kds.DescribeStreamInput{StreamName: name, ExclusiveStartShardId: after})
		if err != nil {
			t.Fatalf("DescribeStream(%q): %v", name, err)
		}
		all = append(all, out.StreamDescription.Shards...)
		if !out.StreamDescription.HasMoreShards {
			return all
		}
		after = all[len(all)-1].ShardId
	}
}

// put writes one record with PutRecord.
func put(t *testing.T, svc *kds.Service, stream, key, data string) kds.PutRecordOutput {
	t.Helper()
	out, err := svc.PutRecord(ctx, kds.PutRecordInput{StreamName: stream, PartitionKey: key, Data: []byte(data)})
	if err != nil {
		t.Fatalf("PutRecord(%q, %q): %v", stream, key, err)
	}
	return out
}

// putHK writes one record routed by an explicit hash key.
func putHK(t *testing.T, svc *kds.Service, stream, hashKey, data string) kds.PutRecordOutput {
	t.Helper()
	out, err := svc.PutRecord(ctx, kds.PutRecordInput{StreamName: stream, PartitionKey: "k", ExplicitHashKey: hashKey, Data: []byte(data)})
	if err != nil {
		t.Fatalf("PutRecord(%q, hash key %s): %v", stream, hashKey, err)
	}
	return out
}

// iterator returns a shard iterator, failing the test on error.
func iterator(t *testing.T, svc *kds.Service, in kds.GetShardIteratorInput) string {
	t.Helper()
	out, err := svc.GetShardIterator(ctx, in)
	if err != nil {
		t.Fatalf("GetShardIterator(%+v): %v", in, err)
	}
	if out.ShardIterator == "" {
		t.Fatalf("GetShardIterator(%+v) returned an empty iterator", in)
	}
	return out.ShardIterator
}

// trimHorizon returns a TRIM_HORIZON iterator of one shard.
func trimHorizon(t *testing.T, svc *kds.Service, stream, shard string) string {
	t.Helper()
	return iterator(t, svc, kds.GetShardIteratorInput{StreamName: stream, ShardId: shard, ShardIteratorType: kds.ShardIteratorTypeTrimHorizon})
}

// getRecords calls GetRecords, failing the test on error.
func getRecords(t *testing.T, svc *kds.Service, it string, limit int) kds.GetRecordsOutput {
	t.Helper()
	out, err := svc.GetRecords(ctx, kds.GetRecordsInput{ShardIterator: it, Limit: limit})
	if err != nil {
		t.Fatalf("GetRecords: %v", err)
	}
	if out.NextShardIterator == "" {
		t.Fatalf("GetRecords on an open shard returned no NextShardIterator")
	}
	return out
}

// readAll reads a shard from an iterator until a call returns no records,
// and returns the data of every record.
func readAll(t *testing.T, svc *kds.Service, it string) []string {
	t.Helper()
	var data []string
	for {
		out := getRecords(t, svc, it, 0)
		if len(out.Records) == 0 {
			return data
		}
		data = append(data, recordData(out.Records)...)
		it = out.NextShardIterator
	}
}

// streamData returns the data of every record of every shard of a stream,
// read with GetRecords from TRIM_HORIZON, shard by shard.
func streamData(t *testing.T, svc *kds.Service, stream string) []string {
	t.Helper()
	var data []string
	for _, sh := range shards(t, svc, stream) {
		data = append(data, readAll(t, svc, trimHorizon(t, svc, stream, sh.ShardId))...)
	}
	return data
}

// replayCount counts the records Stream.Replay yields from TRIM_HORIZON.
func replayCount(t *testing.T, svc *kds.Service, stream string) int {
	t.Helper()
	s, ok := svc.Stream(stream)
	if !ok {
		t.Fatalf("Stream(%q) not found", stream)
	}
	n := 0
	for _, err := range s.Replay(ctx, kds.TrimHorizon()) {
		if err != nil {
			t.Fatalf("Replay: %v", err)
		}
		n++
	}
	return n
}

// wantEmpty fails the test if the stream holds any record, checked both
// with GetRecords and with Replay.
func wantEmpty(t *testing.T, svc *kds.Service, stream string) {
	t.Helper()
	if data := streamData(t, svc, stream); len(data) != 0 {
		t.Fatalf("stream %q holds %d records after a failed put, want none", stream, len(data))
	}
	if n := replayCount(t, svc, stream); n != 0 {
		t.Fatalf("Replay of %q yields %d records after a failed put, want none", stream, n)
	}
}

// recordData returns the data of records as strings.
func recordData(recs []kds.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = string(r.Data)
	}
	return out
}

// status returns a stream's status from DescribeStreamSummary.
func status(t *testing.T, svc *kds.Service, name string) kds.StreamStatus {
	t.Helper()
	out, err := svc.DescribeStreamSummary(ctx, kds.DescribeStreamSummaryInput{StreamName: name})
	if err != nil {
		t.Fatalf("DescribeStreamSummary(%q): %v", name, err)
	}
	return out.StreamDescriptionSummary.StreamStatus
}

// streamARN is the ARN of a stream of the default Service.
func streamARN(name string) string {
	return "arn:aws:kinesis:us-east-1:" + testAccount + ":stream/" + name
}

// fiveRecords makes a one-shard stream "s" holding r0..r4, put a second
// apart from testStart on, and returns their sequence numbers.
func fiveRecords(t *testing.T) (*kds.Service, *kds.ManualClock, []string) {
	t.Helper()
	svc, clock := newService(t)
	createStream(t, svc, "s", 1)
	var seqs []string
	for i := range 5 {
		seqs = append(seqs, put(t, svc, "s", "k", fmt.Sprint("r", i)).SequenceNumber.String())
		clock.Advance(time.Second)
	}
	return svc, clock, seqs
}
