package kinesisapi_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/kdsgo/kds"
)

func TestUpdateStreamMode(t *testing.T) {
	c, svc, _ := newTestServer(t, kds.WithOnDemandStreamLimit(1))
	ctx := context.Background()
	createStream(t, c, "s", 2)
	createStream(t, c, "t", 1)
	s, _ := svc.Stream("s")
	tt, _ := svc.Stream("t")
	mode := func(arn string, m types.StreamMode) error {
		_, err := c.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: aws.String(arn), StreamModeDetails: &types.StreamModeDetails{StreamMode: m}})
		return err
	}
	if err := mode(s.ARN(), types.StreamModeOnDemand); err != nil {
		t.Fatal(err)
	}
	sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: aws.String(s.ARN())})
	if err != nil {
		t.Fatal(err)
	}
	if d := sum.StreamDescriptionSummary; d.StreamModeDetails.StreamMode != types.StreamModeOnDemand || *d.OpenShardCount != 2 {
		t.Errorf("after switching to on-demand: mode %s, %d open shards", d.StreamModeDetails.StreamMode, *d.OpenShardCount)
	}
	checkAPIError(t, mode(tt.ARN(), types.StreamModeOnDemand), "LimitExceededException", "Limit for on-demand streams has been reached")
	if err := mode(s.ARN(), types.StreamModeProvisioned); err != nil {
		t.Fatal(err)
	}
	checkAPIError(t, mode(s.ARN(), types.StreamModeOnDemand), "LimitExceededException",
		"Stream s under account 000000000000 cannot switch capacity mode more than 2 times in a rolling 24-hour period.")
	checkAPIError(t, mode(s.ARN(), "TURBO"), "ValidationException",
		"1 validation error detected: Value 'TURBO' at 'streamModeDetails.streamMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]")
	checkAPIError(t, mode("arn:aws:kinesis:us-east-1:000000000000:stream/nope", types.StreamModeOnDemand), "ResourceNotFoundException",
		"Stream nope under account 000000000000 not found.")
}
