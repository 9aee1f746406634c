package kinesisapi_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/kdsgo/kds"
)

const (
	maxHashKey  = "340282366920938463463374607431768211455"
	halfHashKey = "170141183460469231731687303715884105728" // 2^127
)

// describeShards returns every shard DescribeStream lists for the stream.
func describeShards(t *testing.T, c *kinesis.Client, name string) []types.Shard {
	t.Helper()
	out, err := c.DescribeStream(context.Background(), &kinesis.DescribeStreamInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return out.StreamDescription.Shards
}

// wantShard checks a shard's ID, lineage, hash key range and whether it is
// closed.
func wantShard(t *testing.T, sh types.Shard, id, parent, adjacent, start, end string, closed bool) {
	t.Helper()
	if aws.ToString(sh.ShardId) != id || aws.ToString(sh.ParentShardId) != parent || aws.ToString(sh.AdjacentParentShardId) != adjacent ||
		aws.ToString(sh.HashKeyRange.StartingHashKey) != start || aws.ToString(sh.HashKeyRange.EndingHashKey) != end ||
		(sh.SequenceNumberRange.EndingSequenceNumber != nil) != closed ||
		!seqNumPattern.MatchString(aws.ToString(sh.SequenceNumberRange.StartingSequenceNumber)) {
		t.Errorf("shard = %s\nwant {%s parent=%s adjacent=%s range=[%s, %s] closed=%v}", shardString(sh), id, parent, adjacent, start, end, closed)
	}
	if closed && aws.ToString(sh.SequenceNumberRange.EndingSequenceNumber) <= aws.ToString(sh.SequenceNumberRange.StartingSequenceNumber) {
		t.Errorf("shard %s ends at %s, before it starts", id, aws.ToString(sh.SequenceNumberRange.EndingSequenceNumber))
	}
}

func TestSplitAndMergeLineage(t *testing.T) {
	clk := kds.NewManualClock(testStart)
	c, _, _ := newTestServer(t, kds.WithClock(clk), kds.WithStatusDelays(kds.StatusDelays{Update: time.Second}))
	ctx := context.Background()
	createStream(t, c, "s", 1)

	_, err := c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("s"), ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String(halfHashKey)})
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")})
	if err != nil {
		t.Fatal(err)
	}
	if s.StreamDescriptionSummary.StreamStatus != types.StreamStatusUpdating {
		t.Errorf("status during split = %s", s.StreamDescriptionSummary.StreamStatus)
	}
	_, err = c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("s"), ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String("5")})
	checkAPIError(t, err, "ResourceInUseException", "Stream s under account 000000000000 not ACTIVE, instead in state UPDATING")
	clk.Advance(time.Second)

	shards := describeShards(t, c, "s")
	if len(shards) != 3 {
		t.Fatalf("after split: %v", shardIDs(shards))
	}
	wantShard(t, shards[0], "shardId-000000000000", "", "", "0", maxHashKey, true)
	wantShard(t, shards[1], "shardId-000000000001", "shardId-000000000000", "", "0", "170141183460469231731687303715884105727", false)
	wantShard(t, shards[2], "shardId-000000000002", "shardId-000000000000", "", halfHashKey, maxHashKey, false)

	_, err = c.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("s"), ShardToMerge: aws.String("shardId-000000000001"), AdjacentShardToMerge: aws.String("shardId-000000000002")})
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Second)
	out, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("s")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Shards) != 4 {
		t.Fatalf("after merge: %v", shardIDs(out.Shards))
	}
	wantShard(t, out.Shards[1], "shardId-000000000001", "shardId-000000000000", "", "0", "170141183460469231731687303715884105727", true)
	wantShard(t, out.Shards[3], "shardId-000000000003", "shardId-000000000001", "shardId-000000000002", "0", maxHashKey, false)

	latest, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("s"), ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtLatest}})
	if err != nil {
		t.Fatal(err)
	}
	if got := shardIDs(latest.Shards); !slices.Equal(got, []string{"shardId-000000000003"}) {
		t.Errorf("AT_LATEST = %v", got)
	}
	// At a time before the split, only the first shard was open.
	at, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("s"),
		ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtTimestamp, Timestamp: aws.Time(testStart.Add(500 * time.Millisecond))}})
	if err != nil {
		t.Fatal(err)
	}
	if got := shardIDs(at.Shards); !slices.Equal(got, []string{"shardId-000000000000"}) {
		t.Errorf("AT_TIMESTAMP before the split = %v", got)
	}
	after, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("s"),
		ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAfterShardId, ShardId: aws.String("shardId-000000000001")}})
	if err != nil {
		t.Fatal(err)
	}
	if got := shardIDs(after.Shards); !slices.Equal(got, []string{"shardId-000000000002", "shardId-000000000003"}) {
		t.Errorf("AFTER_SHARD_ID 1 = %v", got)
	}
}

func TestReshardErrors(t *testing.T) {
	c, _, _ := newTestServer(t, kds.WithShardLimit(4))
	ctx := context.Background()
	createStream(t, c, "s", 3)
	split := func(shard, key string) error {
		_, err := c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("s"), ShardToSplit: aws.String(shard), NewStartingHashKey: aws.String(key)})
		return err
	}
	merge := func(a, b string) error {
		_, err := c.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("s"), ShardToMerge: aws.String(a), AdjacentShardToMerge: aws.String(b)})
		return err
	}
	scale := func(n int32, typ types.ScalingType) error {
		_, err := c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("s"), TargetShardCount: aws.Int32(n), ScalingType: typ})
		return err
	}
	tests := []struct {
		name      string
		err       error
		code, msg string
	}{
		{"split unknown shard", split("shardId-000000000009", "5"), "ResourceNotFoundException",
			"Could not find shard shardId-000000000009 in stream s under account 000000000000."},
		{"split at the shard's start plus one", split("shardId-000000000000", "1"), "InvalidArgumentException",
			"NewStartingHashKey 1 used in SplitShard() on shard shardId-000000000000 in stream s under account 000000000000 is not both greater than one plus the shard's StartingHashKey 0 and less than the shard's EndingHashKey 113427455640312821154458202477256070484."},
		{"split at a key that is not a number", split("shardId-000000000000", "12a"), "ValidationException",
			`1 validation error detected: Value '12a' at 'newStartingHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\d{0,38})`},
		{"merge shards that are not adjacent", merge("shardId-000000000000", "shardId-000000000002"), "InvalidArgumentException",
			"Shards shardId-000000000000 and shardId-000000000002 in stream s under account 000000000000 are not an adjacent pair of shards eligible for merging"},
		{"merge in the wrong order", merge("shardId-000000000001", "shardId-000000000000"), "InvalidArgumentException",
			"Shards shardId-000000000001 and shardId-000000000000 in stream s under account 000000000000 are not an adjacent pair of shards eligible for merging"},
		{"merge an unknown shard", merge("shardId-000000000000", "shardId-000000000007"), "ResourceNotFoundException",
			"Could not find shard shardId-000000000007 in stream s under account 000000000000."},
		{"scale to more than double", scale(7, types.ScalingTypeUniformScaling), "InvalidArgumentException",
			"UpdateShardCount on stream s under account 000000000000 cannot scale to 7 shards: more than double the current 3 open shards."},
		{"scale to zero", scale(0, types.ScalingTypeUniformScaling), "ValidationException",
			"1 validation error detected: Value '0' at 'targetShardCount' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"scale with an unknown scaling type", scale(2, "RANDOM_SCALING"), "ValidationException",
			"1 validation error detected: Value 'RANDOM_SCALING' at 'scalingType' failed to satisfy constraint: Member must satisfy enum value set: [UNIFORM_SCALING]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkAPIError(t, tt.err, tt.code, tt.msg) })
	}

	// With the account's quota used up, adding shards is refused.
	createStream(t, c, "filler", 1)
	overQuota := "This request would exceed the shard limit for the account 000000000000 in us-east-1. Current shard count for the account: 4. Limit: 4. Number of additional shards that would have resulted from this request: %d. Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits."
	checkAPIError(t, split("shardId-000000000000", "1000"), "LimitExceededException", fmt.Sprintf(overQuota, 1))
	checkAPIError(t, scale(5, types.ScalingTypeUniformScaling), "LimitExceededException", fmt.Sprintf(overQuota, 2))
}

func TestReshardOnDemand(t *testing.T) {
	c, _, _ := newTestServer(t)
	ctx := context.Background()
	_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("od"), StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("od"), ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String("1000")})
	checkAPIError(t, err, "ValidationException", "SplitShard is not supported for stream od under account 000000000000 because it is in ON_DEMAND capacity mode.")
	_, err = c.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("od"), ShardToMerge: aws.String("shardId-000000000000"), AdjacentShardToMerge: aws.String("shardId-000000000001")})
	checkAPIError(t, err, "ValidationException", "MergeShards is not supported for stream od under account 000000000000 because it is in ON_DEMAND capacity mode.")
	_, err = c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("od"), TargetShardCount: aws.Int32(8), ScalingType: types.ScalingTypeUniformScaling})
	checkAPIError(t, err, "ValidationException", "UpdateShardCount is not supported for stream od under account 000000000000 because it is in ON_DEMAND capacity mode.")
}

func TestUpdateShardCount(t *testing.T) {
	c, _, _ := newTestServer(t, kds.WithAccountID(testAccount), kds.WithRegion(testRegion))
	ctx := context.Background()
	createStream(t, c, "s", 2)
	out, err := c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("s"), TargetShardCount: aws.Int32(4), ScalingType: types.ScalingTypeUniformScaling})
	if err != nil {
		t.Fatal(err)
	}
	if *out.StreamName != "s" || *out.StreamARN != "arn:aws:kinesis:eu-west-1:123456789012:stream/s" || *out.CurrentShardCount != 2 || *out.TargetShardCount != 4 {
		t.Errorf("output = %+v", out)
	}
	open, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("s"), ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtLatest}})
	if err != nil {
		t.Fatal(err)
	}
	// The open shards split the space as CreateStream with 4 shards does.
	bounds := []string{"0", "85070591730234615865843651857942052864", halfHashKey, "255211775190703847597530955573826158592"}
	if len(open.Shards) != 4 {
		t.Fatalf("open shards = %v", shardIDs(open.Shards))
	}
	for i, sh := range open.Shards {
		if *sh.HashKeyRange.StartingHashKey != bounds[i] || sh.ParentShardId == nil {
			t.Errorf("open shard %d = %s", i, shardString(sh))
		}
	}

	// Ten scalings in 24 hours; the first one above counts.
	for i := range 9 {
		n := int32(3 + i%2)
		if _, err := c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("s"), TargetShardCount: aws.Int32(n), ScalingType: types.ScalingTypeUniformScaling}); err != nil {
			t.Fatalf("scaling %d: %v", i+2, err)
		}
	}
	_, err = c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("s"), TargetShardCount: aws.Int32(2), ScalingType: types.ScalingTypeUniformScaling})
	checkAPIError(t, err, "LimitExceededException", "UpdateShardCount on stream s under account 123456789012 exceeds the limit of 10 scaling operations in a rolling 24-hour period.")
}
