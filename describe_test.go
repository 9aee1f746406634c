package kds_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kdsgo/kds"
)

// shardIDs returns the IDs of shards.
func shardIDs(list []kds.Shard) []string {
	ids := make([]string, len(list))
	for i, sh := range list {
		ids[i] = sh.ShardId
	}
	return ids
}

// ids returns the canonical shard IDs of the given indices.
func ids(indices ...int) []string {
	out := make([]string, len(indices))
	for i, n := range indices {
		out[i] = fmt.Sprintf("shardId-%012d", n)
	}
	return out
}

func TestDescribeStreamPaging(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "five", 5)
	createStream(t, svc, "four", 4)
	tests := []struct {
		stream, after string
		limit         int
		want          []string
		more          bool
	}{
		{"five", "", 2, ids(0, 1), true},
		{"five", "shardId-000000000001", 2, ids(2, 3), true},
		{"five", "shardId-000000000003", 2, ids(4), false},
		{"five", "shardId-000000000004", 2, []string{}, false},
		{"five", "", 0, ids(0, 1, 2, 3, 4), false},
		{"five", "", 5, ids(0, 1, 2, 3, 4), false},
		{"five", "shardId-000000000002", 10000, ids(3, 4), false},
		{"four", "shardId-000000000001", 2, ids(2, 3), false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s after %q limit %d", tt.stream, tt.after, tt.limit), func(t *testing.T) {
			out, err := svc.DescribeStream(ctx, kds.DescribeStreamInput{StreamName: tt.stream, Limit: tt.limit, ExclusiveStartShardId: tt.after})
			if err != nil {
				t.Fatal(err)
			}
			d := out.StreamDescription
			if got := shardIDs(d.Shards); !slices.Equal(got, tt.want) || d.HasMoreShards != tt.more {
				t.Fatalf("shards %q, HasMoreShards %v; want %q, %v", got, d.HasMoreShards, tt.want, tt.more)
			}
		})
	}
	t.Run("validation", func(t *testing.T) {
		_, err := svc.DescribeStream(ctx, kds.DescribeStreamInput{StreamName: "five", Limit: 10001})
		wantErr(t, err, kds.ErrValidation, oneViolation("'10001'", "limit", valueAtMost(10000)))
		_, err = svc.DescribeStream(ctx, kds.DescribeStreamInput{StreamName: "five", ExclusiveStartShardId: "shard 1"})
		wantErr(t, err, kds.ErrValidation, oneViolation("'shard 1'", "exclusiveStartShardId", namePattern))
		_, err = svc.DescribeStream(ctx, kds.DescribeStreamInput{StreamName: "nope"})
		wantErr(t, err, kds.ErrResourceNotFound, notFound("nope"))
	})
}

func TestDescribeStreamAtMost100Shards(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "s", 101)
	for _, limit := range []int{0, 101, 10000} {
		out, err := svc.DescribeStream(ctx, kds.DescribeStreamInput{StreamName: "s", Limit: limit})
		if err != nil {
			t.Fatal(err)
		}
		if d := out.StreamDescription; len(d.Shards) != 100 || !d.HasMoreShards {
			t.Fatalf("Limit %d: %d shards, HasMoreShards %v; want 100, true", limit, len(d.Shards), d.HasMoreShards)
		}
	}
	if n := len(shards(t, svc, "s")); n != 101 {
		t.Fatalf("paging found %d shards, want 101", n)
	}
}

func TestDescribeStreamWhileCreating(t *testing.T) {
	svc, clock := newService(t, kds.WithStatusDelay(time.Second))
	createStream(t, svc, "s", 3)
	out, err := svc.DescribeStream(ctx, kds.DescribeStreamInput{StreamName: "s"})
	if err != nil {
		t.Fatal(err)
	}
	if d := out.StreamDescription; d.StreamStatus != kds.StreamStatusCreating || d.Shards == nil || len(d.Shards) != 0 || d.HasMoreShards {
		t.Fatalf("CREATING stream: status %s, shards %v, HasMoreShards %v; want CREATING, [], false", d.StreamStatus, d.Shards, d.HasMoreShards)
	}
	ls, err := svc.ListShards(ctx, kds.ListShardsInput{StreamName: "s"})
	if err != nil || len(ls.Shards) != 0 {
		t.Fatalf("ListShards of a CREATING stream = %+v, %v", ls, err)
	}
	clock.Advance(time.Second)
	if got := shardIDs(shards(t, svc, "s")); !slices.Equal(got, ids(0, 1, 2)) {
		t.Fatalf("ACTIVE stream lists %q", got)
	}
}

func TestDescribeStreamFields(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "s", 2)
	out, err := svc.DescribeStream(ctx, kds.DescribeStreamInput{StreamName: "s"})
	if err != nil {
		t.Fatal(err)
	}
	d := out.StreamDescription
	if d.StreamName != "s" || d.StreamARN != streamARN("s") || d.StreamStatus != kds.StreamStatusActive ||
		d.StreamModeDetails.StreamMode != kds.StreamModeProvisioned || d.RetentionPeriodHours != 24 ||
		!d.StreamCreationTimestamp.Equal(testStart) || d.EncryptionType != kds.EncryptionNone || d.KeyId != "" {
		t.Fatalf("StreamDescription = %+v", d)
	}
	if len(d.EnhancedMonitoring) != 1 || d.EnhancedMonitoring[0].ShardLevelMetrics == nil || len(d.EnhancedMonitoring[0].ShardLevelMetrics) != 0 {
		t.Fatalf("EnhancedMonitoring = %#v, want [{[]}]", d.EnhancedMonitoring)
	}
}

func TestDescribeStreamSummary(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "s", 3)
	out, err := svc.DescribeStreamSummary(ctx, kds.DescribeStreamSummaryInput{StreamName: "s"})
	if err != nil {
		t.Fatal(err)
	}
	sum := out.StreamDescriptionSummary
	want := kds.StreamDescriptionSummary{
		StreamName:              "s",
		StreamARN:               streamARN("s"),
		StreamStatus:            kds.StreamStatusActive,
		StreamModeDetails:       kds.StreamModeDetails{StreamMode: kds.StreamModeProvisioned},
		RetentionPeriodHours:    24,
		StreamCreationTimestamp: testStart,
		EncryptionType:          kds.EncryptionNone,
		OpenShardCount:          3,
		ConsumerCount:           0,
		MaxRecordSizeInKiB:      1024,
	}
	monitoring := sum.EnhancedMonitoring
	if !summaryEqual(sum, want) {
		t.Fatalf("summary = %+v\nwant %+v", sum, want)
	}
	if len(monitoring) != 1 || monitoring[0].ShardLevelMetrics == nil || len(monitoring[0].ShardLevelMetrics) != 0 {
		t.Fatalf("EnhancedMonitoring = %#v, want [{[]}]", monitoring)
	}
	_, err = svc.DescribeStreamSummary(ctx, kds.DescribeStreamSummaryInput{StreamName: "nope"})
	wantErr(t, err, kds.ErrResourceNotFound, notFound("nope"))
}

// summaryEqual compares summaries without their EnhancedMonitoring slice.
func summaryEqual(a, b kds.StreamDescriptionSummary) bool {
	return a.StreamName == b.StreamName && a.StreamARN == b.StreamARN && a.StreamStatus == b.StreamStatus &&
		a.StreamModeDetails == b.StreamModeDetails && a.RetentionPeriodHours == b.RetentionPeriodHours &&
		a.StreamCreationTimestamp.Equal(b.StreamCreationTimestamp) && a.EncryptionType == b.EncryptionType &&
		a.KeyId == b.KeyId && a.OpenShardCount == b.OpenShardCount && a.ConsumerCount == b.ConsumerCount &&
		a.MaxRecordSizeInKiB == b.MaxRecordSizeInKiB
}

func TestListShardsPaging(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "s", 5)
	var got []string
	var pages []int
	in := kds.ListShardsInput{StreamName: "s", MaxResults: 2}
	for {
		out, err := svc.ListShards(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, shardIDs(out.Shards)...)
		pages = append(pages, len(out.Shards))
		if out.NextToken == "" {
			break
		}
		in = kds.ListShardsInput{NextToken: out.NextToken, MaxResults: 2}
	}
	if !slices.Equal(got, ids(0, 1, 2, 3, 4)) || !slices.Equal(pages, []int{2, 2, 1}) {
		t.Fatalf("listed %q in pages %v; want every shard in [2 2 1]", got, pages)
	}
	all, err := svc.ListShards(ctx, kds.ListShardsInput{StreamARN: streamARN("s")})
	if err != nil || !slices.Equal(shardIDs(all.Shards), ids(0, 1, 2, 3, 4)) || all.NextToken != "" {
		t.Fatalf("ListShards without MaxResults = %+v, %v", all, err)
	}
	if !slices.EqualFunc(all.Shards, shards(t, svc, "s"), func(a, b kds.Shard) bool { return a == b }) {
		t.Fatalf("ListShards and DescribeStream disagree")
	}
	after, err := svc.ListShards(ctx, kds.ListShardsInput{StreamName: "s", ExclusiveStartShardId: "shardId-000000000002"})
	if err != nil || !slices.Equal(shardIDs(after.Shards), ids(3, 4)) {
		t.Fatalf("ExclusiveStartShardId = %+v, %v", after, err)
	}
}

func TestListShardsErrors(t *testing.T) {
	svc, clock := newService(t)
	createStream(t, svc, "s", 3)
	first, err := svc.ListShards(ctx, kds.ListShardsInput{StreamName: "s", MaxResults: 1})
	if err != nil || first.NextToken == "" {
		t.Fatalf("first page: %+v, %v", first, err)
	}
	tok := first.NextToken
	tests := []struct {
		name string
		in   kds.ListShardsInput
		code *kds.Error
		msg  string
	}{
		{"neither", kds.ListShardsInput{}, kds.ErrInvalidArgument, "Either NextToken or StreamName should be provided."},
		{"token and name", kds.ListShardsInput{StreamName: "s", NextToken: tok}, kds.ErrInvalidArgument, "NextToken and StreamName cannot be provided together."},
		{"token and ARN", kds.ListShardsInput{StreamARN: streamARN("s"), NextToken: tok}, kds.ErrInvalidArgument, "NextToken and StreamName cannot be provided together."},
		{"token and ExclusiveStartShardId", kds.ListShardsInput{NextToken: tok, ExclusiveStartShardId: "shardId-000000000000"}, kds.ErrInvalidArgument, ""},
		{"token and ShardFilter", kds.ListShardsInput{NextToken: tok, ShardFilter: kds.ShardFilter{Type: kds.ShardFilterAtLatest}}, kds.ErrInvalidArgument, ""},
		{"garbage token", kds.ListShardsInput{NextToken: "garbage"}, kds.ErrInvalidArgument, ""},
		{"iterator as token", kds.ListShardsInput{NextToken: trimHorizon(t, svc, "s", "0")}, kds.ErrInvalidArgument, ""},
		{"AFTER_SHARD_ID without ShardId", kds.ListShardsInput{StreamName: "s", ShardFilter: kds.ShardFilter{Type: kds.ShardFilterAfterShardID}},
			kds.ErrInvalidArgument, "ShardId must be supplied in a ShardFilter with a Type of AFTER_SHARD_ID"},
		{"AT_TIMESTAMP without Timestamp", kds.ListShardsInput{StreamName: "s", ShardFilter: kds.ShardFilter{Type: kds.ShardFilterAtTimestamp}},
			kds.ErrInvalidArgument, "Timestamp must be supplied in a ShardFilter with a Type of FROM_TIMESTAMP or AT_TIMESTAMP"},
		{"FROM_TIMESTAMP without Timestamp", kds.ListShardsInput{StreamName: "s", ShardFilter: kds.ShardFilter{Type: kds.ShardFilterFromTimestamp}},
			kds.ErrInvalidArgument, "Timestamp must be supplied in a ShardFilter with a Type of FROM_TIMESTAMP or AT_TIMESTAMP"},
		{"bad filter type", kds.ListShardsInput{StreamName: "s", ShardFilter: kds.ShardFilter{Type: "SOME"}}, kds.ErrValidation,
			oneViolation("'SOME'", "shardFilter.type", "Member must satisfy enum value set: [AFTER_SHARD_ID, AT_TRIM_HORIZON, FROM_TRIM_HORIZON, AT_LATEST, AT_TIMESTAMP, FROM_TIMESTAMP]")},
		{"MaxResults 10001", kds.ListShardsInput{StreamName: "s", MaxResults: 10001}, kds.ErrValidation, oneViolation("'10001'", "maxResults", valueAtMost(10000))},
		{"MaxResults -1", kds.ListShardsInput{StreamName: "s", MaxResults: -1}, kds.ErrValidation, oneViolation("'-1'", "maxResults", valueAtLeast(1))},
		{"creation time mismatch", kds.ListShardsInput{StreamName: "s", StreamCreationTimestamp: testStart.Add(time.Second)}, kds.ErrResourceNotFound, notFound("s")},
		{"missing stream", kds.ListShardsInput{StreamName: "nope"}, kds.ErrResourceNotFound, notFound("nope")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.ListShards(ctx, tt.in)
			wantErr(t, err, tt.code, tt.msg)
		})
	}
	t.Run("creation time match", func(t *testing.T) {
		out, err := svc.ListShards(ctx, kds.ListShardsInput{StreamName: "s", StreamCreationTimestamp: testStart})
		if err != nil || len(out.Shards) != 3 {
			t.Fatalf("matching StreamCreationTimestamp: %+v, %v", out, err)
		}
	})
	t.Run("token expiry", func(t *testing.T) {
		clock.Advance(300 * time.Second)
		out, err := svc.ListShards(ctx, kds.ListShardsInput{NextToken: tok, MaxResults: 1})
		if err != nil || !slices.Equal(shardIDs(out.Shards), ids(1)) {
			t.Fatalf("token at exactly 300 s: %+v, %v", out, err)
		}
		clock.Advance(time.Second)
		_, err = svc.ListShards(ctx, kds.ListShardsInput{NextToken: tok})
		wantErr(t, err, kds.ErrExpiredNextToken, "")
	})
}

func TestListShardsTokenOfDeletedStream(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "s", 3)
	first, err := svc.ListShards(ctx, kds.ListShardsInput{StreamName: "s", MaxResults: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.DeleteStream(ctx, kds.DeleteStreamInput{StreamName: "s"}); err != nil {
		t.Fatal(err)
	}
	createStream(t, svc, "s", 3)
	_, err = svc.ListShards(ctx, kds.ListShardsInput{NextToken: first.NextToken})
	wantErr(t, err, kds.ErrResourceNotFound, notFound("s"))
}

func TestListShardsFilters(t *testing.T) {
	svc, clock := newService(t)
	createStream(t, svc, "s", 5)
	clock.Advance(time.Hour)
	tests := []struct {
		name string
		in   kds.ListShardsInput
		want []string
	}{
		{"AFTER_SHARD_ID", kds.ListShardsInput{ShardFilter: kds.ShardFilter{Type: kds.ShardFilterAfterShardID, ShardId: "shardId-000000000002"}}, ids(3, 4)},
		{"AFTER_SHARD_ID last", kds.ListShardsInput{ShardFilter: kds.ShardFilter{Type: kds.ShardFilterAfterShardID, ShardId: "shardId-000000000004"}}, []string{}},
		{"AFTER_SHARD_ID with ExclusiveStartShardId", kds.ListShardsInput{ExclusiveStartShardId: "shardId-000000000003",
			ShardFilter: kds.ShardFilter{Type: kds.ShardFilterAfterShardID, ShardId: "shardId-000000000001"}}, ids(4)},
		{"AT_LATEST", kds.ListShardsInput{ShardFilter: kds.ShardFilter{Type: kds.ShardFilterAtLatest}}, ids(0, 1, 2, 3, 4)},
		{"AT_TRIM_HORIZON", kds.ListShardsInput{ShardFilter: kds.ShardFilter{Type: kds.ShardFilterAtTrimHorizon}}, ids(0, 1, 2, 3, 4)},
		{"FROM_TRIM_HORIZON", kds.ListShardsInput{ShardFilter: kds.ShardFilter{Type: kds.ShardFilterFromTrimHorizon}}, ids(0, 1, 2, 3, 4)},
		{"AT_TIMESTAMP", kds.ListShardsInput{ShardFilter: kds.ShardFilter{Type: kds.ShardFilterAtTimestamp, Timestamp: testStart.Add(time.Minute)}}, ids(0, 1, 2, 3, 4)},
		{"FROM_TIMESTAMP", kds.ListShardsInput{ShardFilter: kds.ShardFilter{Type: kds.ShardFilterFromTimestamp, Timestamp: testStart}}, ids(0, 1, 2, 3, 4)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.StreamName = "s"
			out, err := svc.ListShards(ctx, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := shardIDs(out.Shards); !slices.Equal(got, tt.want) || out.NextToken != "" {
				t.Fatalf("listed %q (NextToken %q), want %q", got, out.NextToken, tt.want)
			}
		})
	}
}

// TestListShardsCreationTimestampPrecision: Kinesis carries timestamps to
// the millisecond at most, so a creation time read back at that precision
// must still identify the stream.
func TestListShardsCreationTimestampPrecision(t *testing.T) {
	svc, _ := newServiceAt(t, testStart.Add(1234567*time.Nanosecond))
	createStream(t, svc, "s", 1)
	sum, err := svc.DescribeStreamSummary(ctx, kds.DescribeStreamSummaryInput{StreamName: "s"})
	if err != nil {
		t.Fatal(err)
	}
	ms := sum.StreamDescriptionSummary.StreamCreationTimestamp.Truncate(time.Millisecond)
	out, err := svc.ListShards(ctx, kds.ListShardsInput{StreamName: "s", StreamCreationTimestamp: ms})
	if err != nil || len(out.Shards) != 1 {
		t.Fatalf("ListShards with the creation time to the millisecond (%v): %+v, %v", ms, out, err)
	}
}
