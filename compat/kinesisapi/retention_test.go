package kinesisapi_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/kdsgo/kds"
)

// retentionHours returns the stream's retention period as
// DescribeStreamSummary reports it.
func retentionHours(t *testing.T, c *kinesis.Client, name string) int32 {
	t.Helper()
	out, err := c.DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return *out.StreamDescriptionSummary.RetentionPeriodHours
}

func TestRetentionChanges(t *testing.T) {
	clk := kds.NewManualClock(testStart)
	c, _, _ := newTestServer(t, kds.WithClock(clk))
	ctx := context.Background()
	createStream(t, c, "s", 1)
	_, err := c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("s"), ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String(halfHashKey)})
	if err != nil {
		t.Fatal(err)
	}

	if _, err := c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("s"), RetentionPeriodHours: aws.Int32(48)}); err != nil {
		t.Fatal(err)
	}
	if got := retentionHours(t, c, "s"); got != 48 {
		t.Errorf("retention after increase = %d", got)
	}
	// The closed parent stays listed while it is inside the window.
	clk.Advance(25 * time.Hour)
	if got := shardIDs(describeShards(t, c, "s")); len(got) != 3 {
		t.Errorf("shards 25 h after the split with 48 h retention = %v", got)
	}
	if _, err := c.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: aws.String("s"), RetentionPeriodHours: aws.Int32(24)}); err != nil {
		t.Fatal(err)
	}
	if got := retentionHours(t, c, "s"); got != 24 {
		t.Errorf("retention after decrease = %d", got)
	}
	if got := shardIDs(describeShards(t, c, "s")); len(got) != 2 {
		t.Errorf("shards 25 h after the split with 24 h retention = %v", got)
	}
	// Setting the current period again is allowed both ways.
	if _, err := c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("s"), RetentionPeriodHours: aws.Int32(24)}); err != nil {
		t.Errorf("increase to the current period: %v", err)
	}

	increase := func(h int32) error {
		_, err := c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("s"), RetentionPeriodHours: aws.Int32(h)})
		return err
	}
	decrease := func(h int32) error {
		_, err := c.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: aws.String("s"), RetentionPeriodHours: aws.Int32(h)})
		return err
	}
	tests := []struct {
		name      string
		err       error
		code, msg string
	}{
		{"increase below the minimum", increase(12), "InvalidArgumentException",
			"Minimum allowed retention period is 24 hours. Requested retention period (12 hours) is too short."},
		{"increase above the maximum", increase(8761), "InvalidArgumentException",
			"Maximum allowed retention period is 8760 hours. Requested retention period (8761 hours) is too long."},
		{"decrease above the current period", decrease(100), "InvalidArgumentException",
			"Requested retention period (100 hours) for stream s can not be longer than existing retention period (24 hours). Use IncreaseRetentionPeriod API."},
		{"increase to zero", increase(0), "ValidationException",
			"1 validation error detected: Value '0' at 'retentionPeriodHours' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"decrease to a negative period", decrease(-5), "ValidationException",
			"1 validation error detected: Value '-5' at 'retentionPeriodHours' failed to satisfy constraint: Member must have value greater than or equal to 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkAPIError(t, tt.err, tt.code, tt.msg) })
	}

	if err := increase(72); err != nil {
		t.Fatal(err)
	}
	checkAPIError(t, increase(48), "InvalidArgumentException",
		"Requested retention period (48 hours) for stream s can not be shorter than existing retention period (72 hours). Use DecreaseRetentionPeriod API.")
	_, err = c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("nope"), RetentionPeriodHours: aws.Int32(48)})
	checkAPIError(t, err, "ResourceNotFoundException", "Stream nope under account 000000000000 not found.")
}
