package kds_test

import (
	"fmt"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kdsgo/kds"
)

func TestCreateStreamValidation(t *testing.T) {
	long := strings.Repeat("a", 129)
	tests := []struct {
		name string
		in   kds.CreateStreamInput
		want []string // the violations, in any order
	}{
		{"missing name", kds.CreateStreamInput{ShardCount: 1},
			[]string{violation("null", "streamName", notNull)}},
		{"name of 129 characters", kds.CreateStreamInput{StreamName: long, ShardCount: 1},
			[]string{violation("'"+long+"'", "streamName", lengthAtMost(128))}},
		{"bad characters", kds.CreateStreamInput{StreamName: "my stream!", ShardCount: 1},
			[]string{violation("'my stream!'", "streamName", namePattern)}},
		{"long name with bad characters", kds.CreateStreamInput{StreamName: long + "!", ShardCount: 1},
			[]string{violation("'"+long+"!'", "streamName", lengthAtMost(128)), violation("'"+long+"!'", "streamName", namePattern)}},
		{"negative shard count", kds.CreateStreamInput{StreamName: "s", ShardCount: -1},
			[]string{violation("'-1'", "shardCount", valueAtLeast(1))}},
		{"no shard count in default mode", kds.CreateStreamInput{StreamName: "s"},
			[]string{violation("null", "shardCount", notNull)}},
		{"no shard count in provisioned mode", kds.CreateStreamInput{StreamName: "s", StreamModeDetails: kds.StreamModeDetails{StreamMode: kds.StreamModeProvisioned}},
			[]string{violation("null", "shardCount", notNull)}},
		{"bad stream mode", kds.CreateStreamInput{StreamName: "s", ShardCount: 1, StreamModeDetails: kds.StreamModeDetails{StreamMode: "SOMETIMES"}},
			[]string{violation("'SOMETIMES'", "streamModeDetails.streamMode", "Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]")}},
		{"record size 1023", kds.CreateStreamInput{StreamName: "s", ShardCount: 1, MaxRecordSizeInKiB: 1023},
			[]string{violation("'1023'", "maxRecordSizeInKiB", valueAtLeast(1024))}},
		{"record size 10241", kds.CreateStreamInput{StreamName: "s", ShardCount: 1, MaxRecordSizeInKiB: 10241},
			[]string{violation("'10241'", "maxRecordSizeInKiB", valueAtMost(10240))}},
		{"nothing given", kds.CreateStreamInput{},
			[]string{violation("null", "shardCount", notNull), violation("null", "streamName", notNull)}},
		{"negative count and bad name", kds.CreateStreamInput{StreamName: "a b", ShardCount: -3},
			[]string{violation("'-3'", "shardCount", valueAtLeast(1)), violation("'a b'", "streamName", namePattern)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, _ := newService(t)
			_, err := svc.CreateStream(ctx, tt.in)
			wantViolations(t, err, tt.want...)
			if got := listAll(t, svc); len(got) != 0 {
				t.Fatalf("a rejected CreateStream created %q", got)
			}
		})
	}
}

func TestCreateStreamDuplicateName(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "x", 1)
	_, err := svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: "x", ShardCount: 2})
	wantErr(t, err, kds.ErrResourceInUse, "Stream x under account 000000000000 already exists.")
	if n := len(shards(t, svc, "x")); n != 1 {
		t.Fatalf("the duplicate create changed the stream: %d shards, want 1", n)
	}
}

// TestCreateStreamHashKeySplit checks the ranges of KINESIS.md §1.5.
func TestCreateStreamHashKeySplit(t *testing.T) {
	tests := [][][2]string{
		1: {{"0", maxHashKey}},
		2: {{"0", "170141183460469231731687303715884105727"},
			{"170141183460469231731687303715884105728", maxHashKey}},
		3: {{"0", "113427455640312821154458202477256070484"},
			{"113427455640312821154458202477256070485", "226854911280625642308916404954512140969"},
			{"226854911280625642308916404954512140970", maxHashKey}},
		4: {{"0", "85070591730234615865843651857942052863"},
			{"85070591730234615865843651857942052864", "170141183460469231731687303715884105727"},
			{"170141183460469231731687303715884105728", "255211775190703847597530955573826158591"},
			{"255211775190703847597530955573826158592", maxHashKey}},
	}
	two128, _ := new(big.Int).SetString(twoTo128, 10)
	for n := 1; n < len(tests); n++ {
		t.Run(fmt.Sprint(n, " shards"), func(t *testing.T) {
			svc, _ := newService(t)
			createStream(t, svc, "s", n)
			got := shards(t, svc, "s")
			if len(got) != n {
				t.Fatalf("%d shards, want %d", len(got), n)
			}
			w := new(big.Int).Div(two128, big.NewInt(int64(n)))
			for i, sh := range got {
				want := tests[n][i]
				// The table itself follows start = i*w.
				if start := new(big.Int).Mul(w, big.NewInt(int64(i))); start.String() != want[0] {
					t.Fatalf("table error: shard %d start %s, formula %s", i, want[0], start)
				}
				if sh.ShardId != fmt.Sprintf("shardId-%012d", i) {
					t.Errorf("shard %d: id %q", i, sh.ShardId)
				}
				r := sh.HashKeyRange
				if r.StartingHashKey.String() != want[0] || r.EndingHashKey.String() != want[1] {
					t.Errorf("shard %d: range [%s, %s], want [%s, %s]", i, r.StartingHashKey, r.EndingHashKey, want[0], want[1])
				}
				if sh.SequenceNumberRange.StartingSequenceNumber.IsZero() || !sh.SequenceNumberRange.EndingSequenceNumber.IsZero() {
					t.Errorf("shard %d: sequence range %+v, want a start and no end", i, sh.SequenceNumberRange)
				}
				if sh.ParentShardId != "" || sh.AdjacentParentShardId != "" {
					t.Errorf("shard %d has parents %q %q", i, sh.ParentShardId, sh.AdjacentParentShardId)
				}
			}
		})
	}
}

func TestCreateStreamOnDemand(t *testing.T) {
	for _, count := range []int{0, 10} {
		t.Run(fmt.Sprint("ShardCount ", count), func(t *testing.T) {
			svc, _ := newService(t)
			createStreamWith(t, svc, kds.CreateStreamInput{StreamName: "od", ShardCount: count,
				StreamModeDetails: kds.StreamModeDetails{StreamMode: kds.StreamModeOnDemand}})
			if n := len(shards(t, svc, "od")); n != 4 {
				t.Fatalf("on-demand stream has %d shards, want 4", n)
			}
			sum, err := svc.DescribeStreamSummary(ctx, kds.DescribeStreamSummaryInput{StreamName: "od"})
			if err != nil {
				t.Fatal(err)
			}
			if m := sum.StreamDescriptionSummary.StreamModeDetails.StreamMode; m != kds.StreamModeOnDemand {
				t.Fatalf("mode %q, want ON_DEMAND", m)
			}
			lim, err := svc.DescribeLimits(ctx, kds.DescribeLimitsInput{})
			if err != nil {
				t.Fatal(err)
			}
			want := kds.DescribeLimitsOutput{ShardLimit: 20000, OpenShardCount: 4, OnDemandStreamCount: 1, OnDemandStreamCountLimit: 50}
			if lim != want {
				t.Fatalf("DescribeLimits = %+v, want %+v", lim, want)
			}
		})
	}
}

func TestShardLimit(t *testing.T) {
	svc, _ := newService(t, kds.WithShardLimit(3))
	createStream(t, svc, "a", 2)
	_, err := svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: "b", ShardCount: 2})
	wantErr(t, err, kds.ErrLimitExceeded, "This request would exceed the shard limit for the account 000000000000 in us-east-1. "+
		"Current shard count for the account: 2. Limit: 3. Number of additional shards that would have resulted from this request: 2. "+
		"Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.")
	if !kds.IsRetriable(err) {
		t.Errorf("LimitExceededException is not retriable")
	}
	if _, ok := svc.Stream("b"); ok {
		t.Fatalf("the rejected stream b exists")
	}
	limits := func() kds.DescribeLimitsOutput {
		t.Helper()
		out, err := svc.DescribeLimits(ctx, kds.DescribeLimitsInput{})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got, want := limits(), (kds.DescribeLimitsOutput{ShardLimit: 3, OpenShardCount: 2, OnDemandStreamCountLimit: 50}); got != want {
		t.Fatalf("DescribeLimits = %+v, want %+v", got, want)
	}
	createStream(t, svc, "c", 1)
	if got := limits().OpenShardCount; got != 3 {
		t.Fatalf("OpenShardCount = %d, want 3", got)
	}
	if _, err := svc.DeleteStream(ctx, kds.DeleteStreamInput{StreamName: "a"}); err != nil {
		t.Fatal(err)
	}
	if got := limits().OpenShardCount; got != 1 {
		t.Fatalf("OpenShardCount after deleting a = %d, want 1", got)
	}
	createStream(t, svc, "b", 2)
}

func TestMaxStreamsCreating(t *testing.T) {
	svc, clock := newService(t, kds.WithStatusDelay(time.Second))
	for i := range 5 {
		createStream(t, svc, fmt.Sprint("s", i), 1)
	}
	_, err := svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: "s5", ShardCount: 1})
	wantErr(t, err, kds.ErrLimitExceeded, "")
	clock.Advance(time.Second - time.Millisecond)
	_, err = svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: "s5", ShardCount: 1})
	wantErr(t, err, kds.ErrLimitExceeded, "")
	for i := range 5 {
		if st := status(t, svc, fmt.Sprint("s", i)); st != kds.StreamStatusCreating {
			t.Fatalf("s%d is %s before the delay, want CREATING", i, st)
		}
	}
	clock.Advance(time.Millisecond)
	for i := range 5 {
		if st := status(t, svc, fmt.Sprint("s", i)); st != kds.StreamStatusActive {
			t.Fatalf("s%d is %s after the delay, want ACTIVE", i, st)
		}
	}
	createStream(t, svc, "s5", 1)
	if st := status(t, svc, "s5"); st != kds.StreamStatusCreating {
		t.Fatalf("s5 is %s, want CREATING", st)
	}
}

func TestStreamStatusTransitions(t *testing.T) {
	svc, clock := newService(t, kds.WithStatusDelay(time.Second))
	createStream(t, svc, "x", 1)
	if st := status(t, svc, "x"); st != kds.StreamStatusCreating {
		t.Fatalf("new stream is %s, want CREATING", st)
	}
	ls, err := svc.ListStreams(ctx, kds.ListStreamsInput{})
	if err != nil || len(ls.StreamSummaries) != 1 || ls.StreamSummaries[0].StreamStatus != kds.StreamStatusCreating {
		t.Fatalf("ListStreams = %+v, %v; want x CREATING", ls, err)
	}
	// A CREATING stream takes no data.
	_, err = svc.PutRecord(ctx, kds.PutRecordInput{StreamName: "x", PartitionKey: "k", Data: []byte("d")})
	wantErr(t, err, kds.ErrResourceNotFound, notFound("x"))
	_, err = svc.PutRecords(ctx, kds.PutRecordsInput{StreamName: "x", Records: []kds.PutRecordsRequestEntry{{PartitionKey: "k"}}})
	wantErr(t, err, kds.ErrResourceNotFound, notFound("x"))
	_, err = svc.GetShardIterator(ctx, kds.GetShardIteratorInput{StreamName: "x", ShardId: "0", ShardIteratorType: kds.ShardIteratorTypeTrimHorizon})
	wantErr(t, err, kds.ErrResourceNotFound, shardNotFound("shardId-000000000000", "x"))

	clock.Advance(time.Second)
	if st := status(t, svc, "x"); st != kds.StreamStatusActive {
		t.Fatalf("after the delay the stream is %s, want ACTIVE", st)
	}
	put(t, svc, "x", "k", "one")

	if _, err := svc.DeleteStream(ctx, kds.DeleteStreamInput{StreamName: "x"}); err != nil {
		t.Fatal(err)
	}
	if st := status(t, svc, "x"); st != kds.StreamStatusDeleting {
		t.Fatalf("deleted stream is %s, want DELETING", st)
	}
	// Data still flows while DELETING, and the name is still taken.
	put(t, svc, "x", "k", "two")
	if got := streamData(t, svc, "x"); !slices.Equal(got, []string{"one", "two"}) {
		t.Fatalf("data while DELETING = %q", got)
	}
	_, err = svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: "x", ShardCount: 1})
	wantErr(t, err, kds.ErrResourceInUse, "Stream x under account 000000000000 already exists.")

	clock.Advance(time.Second)
	_, err = svc.DescribeStream(ctx, kds.DescribeStreamInput{StreamName: "x"})
	wantErr(t, err, kds.ErrResourceNotFound, notFound("x"))
	if got := listAll(t, svc); len(got) != 0 {
		t.Fatalf("ListStreams after deletion = %q", got)
	}
	if _, ok := svc.Stream("x"); ok {
		t.Fatalf("Service.Stream finds the deleted stream")
	}
	createStream(t, svc, "x", 1)
}

func TestDeleteThenCreateSameName(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "x", 1)
	put(t, svc, "x", "k", "old")
	if _, err := svc.DeleteStream(ctx, kds.DeleteStreamInput{StreamName: "x"}); err != nil {
		t.Fatal(err)
	}
	_, err := svc.DeleteStream(ctx, kds.DeleteStreamInput{StreamName: "x"})
	wantErr(t, err, kds.ErrResourceNotFound, notFound("x"))
	createStream(t, svc, "x", 2)
	if n := len(shards(t, svc, "x")); n != 2 {
		t.Fatalf("re-created stream has %d shards, want 2", n)
	}
	if got := streamData(t, svc, "x"); len(got) != 0 {
		t.Fatalf("re-created stream holds the old data %q", got)
	}
}

// listAll returns every stream name, paging with NextToken.
func listAll(t *testing.T, svc *kds.Service) []string {
	t.Helper()
	var names []string
	in := kds.ListStreamsInput{}
	for {
		out, err := svc.ListStreams(ctx, in)
		if err != nil {
			t.Fatalf("ListStreams: %v", err)
		}
		names = append(names, out.StreamNames...)
		if !out.HasMoreStreams {
			return names
		}
		in = kds.ListStreamsInput{NextToken: out.NextToken}
	}
}

func TestListStreamsPaging(t *testing.T) {
	svc, _ := newService(t)
	for _, name := range []string{"g", "c", "a", "f", "b", "e", "d"} {
		createStream(t, svc, name, 1)
	}
	wantPages := [][]string{{"a", "b", "c"}, {"d", "e", "f"}, {"g"}}

	check := func(t *testing.T, i int, out kds.ListStreamsOutput) {
		t.Helper()
		if !slices.Equal(out.StreamNames, wantPages[i]) {
			t.Fatalf("page %d = %q, want %q", i, out.StreamNames, wantPages[i])
		}
		if more := i < len(wantPages)-1; out.HasMoreStreams != more || (out.NextToken != "") != more {
			t.Fatalf("page %d: HasMoreStreams %v, NextToken %q; want more=%v", i, out.HasMoreStreams, out.NextToken, more)
		}
		for j, sum := range out.StreamSummaries {
			if sum.StreamName != out.StreamNames[j] || sum.StreamARN != streamARN(sum.StreamName) ||
				sum.StreamStatus != kds.StreamStatusActive || !sum.StreamCreationTimestamp.Equal(testStart) {
				t.Fatalf("page %d summary %d = %+v", i, j, sum)
			}
		}
	}
	t.Run("NextToken", func(t *testing.T) {
		in := kds.ListStreamsInput{Limit: 3}
		for i := range wantPages {
			out, err := svc.ListStreams(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			check(t, i, out)
			in = kds.ListStreamsInput{Limit: 3, NextToken: out.NextToken}
		}
	})
	t.Run("ExclusiveStartStreamName", func(t *testing.T) {
		in := kds.ListStreamsInput{Limit: 3}
		for i := range wantPages {
			out, err := svc.ListStreams(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			check(t, i, out)
			in.ExclusiveStartStreamName = out.StreamNames[len(out.StreamNames)-1]
		}
	})
	t.Run("exact fit", func(t *testing.T) {
		out, err := svc.ListStreams(ctx, kds.ListStreamsInput{Limit: 7})
		if err != nil || len(out.StreamNames) != 7 || out.HasMoreStreams || out.NextToken != "" {
			t.Fatalf("Limit 7 over 7 streams = %+v, %v", out, err)
		}
		out, err = svc.ListStreams(ctx, kds.ListStreamsInput{ExclusiveStartStreamName: "cc"})
		if err != nil || !slices.Equal(out.StreamNames, []string{"d", "e", "f", "g"}) {
			t.Fatalf("after unknown name cc = %q, %v", out.StreamNames, err)
		}
	})
	t.Run("errors", func(t *testing.T) {
		first, err := svc.ListStreams(ctx, kds.ListStreamsInput{Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		_, err = svc.ListStreams(ctx, kds.ListStreamsInput{NextToken: first.NextToken, ExclusiveStartStreamName: "c"})
		wantErr(t, err, kds.ErrInvalidArgument, "")
		_, err = svc.ListStreams(ctx, kds.ListStreamsInput{NextToken: "garbage"})
		wantErr(t, err, kds.ErrInvalidArgument, "")
		_, err = svc.ListStreams(ctx, kds.ListStreamsInput{Limit: -1})
		wantErr(t, err, kds.ErrValidation, oneViolation("'-1'", "limit", valueAtLeast(1)))
		_, err = svc.ListStreams(ctx, kds.ListStreamsInput{Limit: 10001})
		wantErr(t, err, kds.ErrValidation, oneViolation("'10001'", "limit", valueAtMost(10000)))
	})
}

func TestUpdateMaxRecordSize(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "big", 1)
	arn := streamARN("big")

	validation := []struct {
		name string
		in   kds.UpdateMaxRecordSizeInput
		want []string
	}{
		{"missing size", kds.UpdateMaxRecordSizeInput{StreamARN: arn},
			[]string{violation("null", "maxRecordSizeInKiB", notNull)}},
		{"1023", kds.UpdateMaxRecordSizeInput{StreamARN: arn, MaxRecordSizeInKiB: 1023},
			[]string{violation("'1023'", "maxRecordSizeInKiB", valueAtLeast(1024))}},
		{"10241", kds.UpdateMaxRecordSizeInput{StreamARN: arn, MaxRecordSizeInKiB: 10241},
			[]string{violation("'10241'", "maxRecordSizeInKiB", valueAtMost(10240))}},
		{"negative", kds.UpdateMaxRecordSizeInput{StreamARN: arn, MaxRecordSizeInKiB: -5},
			[]string{violation("'-5'", "maxRecordSizeInKiB", valueAtLeast(1024))}},
	}
	for _, tt := range validation {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.UpdateMaxRecordSize(ctx, tt.in)
			wantViolations(t, err, tt.want...)
		})
	}

	// Exactly 2 MiB of partition key plus data.
	twoMiB := kds.PutRecordInput{StreamName: "big", PartitionKey: "k", Data: make([]byte, 2*mib-1)}
	_, err := svc.PutRecord(ctx, twoMiB)
	wantErr(t, err, kds.ErrInvalidArgument, "")
	wantEmpty(t, svc, "big")

	_, err = svc.UpdateMaxRecordSize(ctx, kds.UpdateMaxRecordSizeInput{StreamARN: streamARN("nope"), MaxRecordSizeInKiB: 2048})
	wantErr(t, err, kds.ErrResourceNotFound, notFound("nope"))
	if _, err := svc.UpdateMaxRecordSize(ctx, kds.UpdateMaxRecordSizeInput{StreamARN: arn, MaxRecordSizeInKiB: 2048}); err != nil {
		t.Fatal(err)
	}
	sum, err := svc.DescribeStreamSummary(ctx, kds.DescribeStreamSummaryInput{StreamARN: arn})
	if err != nil || sum.StreamDescriptionSummary.MaxRecordSizeInKiB != 2048 {
		t.Fatalf("MaxRecordSizeInKiB after update = %+v, %v; want 2048", sum.StreamDescriptionSummary, err)
	}
	if _, err := svc.PutRecord(ctx, twoMiB); err != nil {
		t.Fatalf("2 MiB record after raising the limit: %v", err)
	}
	twoMiB.Data = append(twoMiB.Data, 0)
	_, err = svc.PutRecord(ctx, twoMiB)
	wantErr(t, err, kds.ErrInvalidArgument, "")
	if n := replayCount(t, svc, "big"); n != 1 {
		t.Fatalf("stream holds %d records, want 1", n)
	}
}

func TestUpdateMaxRecordSizeNotActive(t *testing.T) {
	svc, _ := newService(t, kds.WithStatusDelay(time.Second))
	createStream(t, svc, "c", 1)
	_, err := svc.UpdateMaxRecordSize(ctx, kds.UpdateMaxRecordSizeInput{StreamARN: streamARN("c"), MaxRecordSizeInKiB: 2048})
	wantErr(t, err, kds.ErrResourceInUse, "Stream c under account 000000000000 not ACTIVE, instead in state CREATING")
}

func TestCreateStreamMaxRecordSize(t *testing.T) {
	svc, _ := newService(t)
	createStreamWith(t, svc, kds.CreateStreamInput{StreamName: "big", ShardCount: 1, MaxRecordSizeInKiB: 10240})
	if _, err := svc.PutRecord(ctx, kds.PutRecordInput{StreamName: "big", PartitionKey: "k", Data: make([]byte, 10*mib-1)}); err != nil {
		t.Fatalf("10 MiB record on a 10240 KiB stream: %v", err)
	}
}

func TestStreamARNAddressing(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "s", 1)
	createStream(t, svc, "t", 1)
	badARN := "arn:aws:kinesis:us-east-1:123:stream/s"
	tests := []struct {
		name      string
		ref       kds.DescribeStreamSummaryInput
		wantErr   *kds.Error
		wantMsg   string
		wantIssue string // the stream found, when no error
	}{
		{"ARN only", kds.DescribeStreamSummaryInput{StreamARN: streamARN("s")}, nil, "", "s"},
		{"ARN and matching name", kds.DescribeStreamSummaryInput{StreamName: "t", StreamARN: streamARN("t")}, nil, "", "t"},
		{"name only", kds.DescribeStreamSummaryInput{StreamName: "t"}, nil, "", "t"},
		{"other account", kds.DescribeStreamSummaryInput{StreamARN: "arn:aws:kinesis:us-east-1:111111111111:stream/s"},
			kds.ErrResourceNotFound, "Stream s under account 111111111111 not found.", ""},
		{"other region", kds.DescribeStreamSummaryInput{StreamARN: "arn:aws:kinesis:eu-west-1:000000000000:stream/s"},
			kds.ErrResourceNotFound, "", ""},
		{"unknown stream", kds.DescribeStreamSummaryInput{StreamARN: streamARN("u")}, kds.ErrResourceNotFound, notFound("u"), ""},
		{"malformed ARN", kds.DescribeStreamSummaryInput{StreamARN: badARN},
			kds.ErrValidation, oneViolation("'"+badARN+"'", "streamARN", `Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\d{12}:stream/\S+`), ""},
		{"not an ARN", kds.DescribeStreamSummaryInput{StreamARN: "s"}, kds.ErrValidation, "", ""},
		{"neither", kds.DescribeStreamSummaryInput{}, kds.ErrInvalidArgument, "", ""},
		{"mismatch", kds.DescribeStreamSummaryInput{StreamName: "s", StreamARN: streamARN("t")}, kds.ErrInvalidArgument, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := svc.DescribeStreamSummary(ctx, tt.ref)
			if tt.wantErr != nil {
				wantErr(t, err, tt.wantErr, tt.wantMsg)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := out.StreamDescriptionSummary; got.StreamName != tt.wantIssue || got.StreamARN != streamARN(tt.wantIssue) {
				t.Fatalf("found %q (%s), want %q", got.StreamName, got.StreamARN, tt.wantIssue)
			}
		})
	}
	// The same addressing works for writes.
	out, err := svc.PutRecord(ctx, kds.PutRecordInput{StreamARN: streamARN("t"), PartitionKey: "k", Data: []byte("by arn")})
	if err != nil || out.ShardId != "shardId-000000000000" {
		t.Fatalf("PutRecord by ARN = %+v, %v", out, err)
	}
	if got := streamData(t, svc, "t"); !slices.Equal(got, []string{"by arn"}) {
		t.Fatalf("stream t holds %q", got)
	}
}

func TestReadWhileDeleting(t *testing.T) {
	svc, clock := newService(t, kds.WithStatusDelay(time.Second))
	createStream(t, svc, "s", 1)
	clock.Advance(time.Second)
	put(t, svc, "s", "k", "r0")
	it := trimHorizon(t, svc, "s", "0")
	if _, err := svc.DeleteStream(ctx, kds.DeleteStreamInput{StreamName: "s"}); err != nil {
		t.Fatal(err)
	}
	out := getRecords(t, svc, it, 0)
	if got := recordData(out.Records); !slices.Equal(got, []string{"r0"}) {
		t.Fatalf("read %q while DELETING", got)
	}
	clock.Advance(time.Second)
	_, err := svc.GetRecords(ctx, kds.GetRecordsInput{ShardIterator: out.NextShardIterator})
	wantErr(t, err, kds.ErrResourceNotFound, shardNotFound("shardId-000000000000", "s"))
}

func TestStatusDelaysAreSeparate(t *testing.T) {
	svc, clock := newService(t, kds.WithStatusDelays(kds.StatusDelays{Create: time.Second, Delete: 3 * time.Second, Update: 2 * time.Second}))
	createStream(t, svc, "x", 1)
	clock.Advance(time.Second)
	if st := status(t, svc, "x"); st != kds.StreamStatusActive {
		t.Fatalf("after the create delay the stream is %s, want ACTIVE", st)
	}
	if _, err := svc.UpdateShardCount(ctx, kds.UpdateShardCountInput{StreamName: "x", TargetShardCount: 2, ScalingType: kds.ScalingTypeUniformScaling}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(2*time.Second - time.Millisecond)
	if st := status(t, svc, "x"); st != kds.StreamStatusUpdating {
		t.Fatalf("before the update delay the stream is %s, want UPDATING", st)
	}
	clock.Advance(time.Millisecond)
	if st := status(t, svc, "x"); st != kds.StreamStatusActive {
		t.Fatalf("after the update delay the stream is %s, want ACTIVE", st)
	}
	if _, err := svc.DeleteStream(ctx, kds.DeleteStreamInput{StreamName: "x"}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(3*time.Second - time.Millisecond)
	if st := status(t, svc, "x"); st != kds.StreamStatusDeleting {
		t.Fatalf("before the delete delay the stream is %s, want DELETING", st)
	}
	clock.Advance(time.Millisecond)
	if _, ok := svc.Stream("x"); ok {
		t.Fatal("the stream is still there after the delete delay")
	}
}

func TestNegativeStatusDelayIsRefused(t *testing.T) {
	if _, err := kds.NewService(kds.WithStatusDelays(kds.StatusDelays{Update: -time.Second})); err == nil {
		t.Fatal("NewService accepted a negative update delay")
	}
}
