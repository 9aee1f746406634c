package kinesisapi_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/kdsgo/kds"
)

// shardIDs returns the IDs of shards.
func shardIDs(shards []types.Shard) []string {
	ids := make([]string, len(shards))
	for i, sh := range shards {
		ids[i] = aws.ToString(sh.ShardId)
	}
	return ids
}

func TestListShardsPaging(t *testing.T) {
	clk := kds.NewManualClock(testStart)
	c, _, _ := newTestServer(t, kds.WithClock(clk))
	ctx := context.Background()
	createStream(t, c, "s", 5)

	var ids []string
	in := &kinesis.ListShardsInput{StreamName: aws.String("s"), MaxResults: aws.Int32(2)}
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		out, err := c.ListShards(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Shards) > 2 {
			t.Fatalf("page of %d shards with MaxResults 2", len(out.Shards))
		}
		ids = append(ids, shardIDs(out.Shards)...)
		if out.NextToken == nil {
			break
		}
		in = &kinesis.ListShardsInput{NextToken: out.NextToken, MaxResults: aws.Int32(2)}
	}
	want := []string{"shardId-000000000000", "shardId-000000000001", "shardId-000000000002", "shardId-000000000003", "shardId-000000000004"}
	if !slices.Equal(ids, want) {
		t.Errorf("shards = %v, want %v", ids, want)
	}

	out, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("s"), ExclusiveStartShardId: aws.String("shardId-000000000002")})
	if err != nil {
		t.Fatal(err)
	}
	if got := shardIDs(out.Shards); !slices.Equal(got, want[3:]) || out.NextToken != nil {
		t.Errorf("after shard 2: %v, token %v", got, out.NextToken)
	}

	out, err = c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("s"), StreamCreationTimestamp: aws.Time(testStart)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Shards) != 5 {
		t.Errorf("with the right creation time: %d shards", len(out.Shards))
	}
	_, err = c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("s"), StreamCreationTimestamp: aws.Time(testStart.Add(-time.Hour))})
	wantAPIError[*types.ResourceNotFoundException](t, err)

	// A NextToken lives 300 seconds.
	first, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("s"), MaxResults: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(300 * time.Second)
	if _, err := c.ListShards(ctx, &kinesis.ListShardsInput{NextToken: first.NextToken}); err != nil {
		t.Fatalf("NextToken 300 s old: %v", err)
	}
	clk.Advance(time.Second)
	_, err = c.ListShards(ctx, &kinesis.ListShardsInput{NextToken: first.NextToken})
	e := wantAPIError[*types.ExpiredNextTokenException](t, err)
	if want := "The NextToken has expired. It was issued at Fri Mar 01 12:00:00 UTC 2024, and NextTokens are valid for 300 seconds."; e.ErrorMessage() != want {
		t.Errorf("message = %q\nwant %q", e.ErrorMessage(), want)
	}
}

func TestListShardsErrors(t *testing.T) {
	c, _, _ := newTestServer(t)
	ctx := context.Background()
	createStream(t, c, "s", 2)
	first, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("s"), MaxResults: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		in        kinesis.ListShardsInput
		code, msg string
	}{
		{"no stream", kinesis.ListShardsInput{}, "InvalidArgumentException", "Either NextToken or StreamName should be provided."},
		{"token and stream", kinesis.ListShardsInput{StreamName: aws.String("s"), NextToken: first.NextToken}, "InvalidArgumentException",
			"NextToken and StreamName cannot be provided together."},
		{"bad token", kinesis.ListShardsInput{NextToken: aws.String("garbage")}, "InvalidArgumentException", "Invalid NextToken."},
		{"missing stream", kinesis.ListShardsInput{StreamName: aws.String("nope")}, "ResourceNotFoundException", "Stream nope under account 000000000000 not found."},
		{"zero max results", kinesis.ListShardsInput{StreamName: aws.String("s"), MaxResults: aws.Int32(0)}, "ValidationException",
			"1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"max results too big", kinesis.ListShardsInput{StreamName: aws.String("s"), MaxResults: aws.Int32(10001)}, "ValidationException",
			"1 validation error detected: Value '10001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 10000"},
		{"filter without shard", kinesis.ListShardsInput{StreamName: aws.String("s"), ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAfterShardId}},
			"InvalidArgumentException", "ShardId must be supplied in a ShardFilter with a Type of AFTER_SHARD_ID"},
		{"filter without time", kinesis.ListShardsInput{StreamName: aws.String("s"), ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtTimestamp}},
			"InvalidArgumentException", "Timestamp must be supplied in a ShardFilter with a Type of FROM_TIMESTAMP or AT_TIMESTAMP"},
		{"bad filter type", kinesis.ListShardsInput{StreamName: aws.String("s"), ShardFilter: &types.ShardFilter{Type: "SOME"}}, "ValidationException",
			"1 validation error detected: Value 'SOME' at 'shardFilter.type' failed to satisfy constraint: Member must satisfy enum value set: [AFTER_SHARD_ID, AT_TRIM_HORIZON, FROM_TRIM_HORIZON, AT_LATEST, AT_TIMESTAMP, FROM_TIMESTAMP]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.ListShards(ctx, &tt.in)
			checkAPIError(t, err, tt.code, tt.msg)
		})
	}
}
