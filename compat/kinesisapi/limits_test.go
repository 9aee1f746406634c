package kinesisapi_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/kdsgo/kds"
)

func TestDescribeLimits(t *testing.T) {
	c, _, _ := newTestServer(t, kds.WithShardLimit(10), kds.WithOnDemandStreamLimit(3))
	ctx := context.Background()
	createStream(t, c, "p", 2)
	_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("od"), StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.DescribeLimits(ctx, &kinesis.DescribeLimitsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *out.ShardLimit != 10 || *out.OpenShardCount != 6 || *out.OnDemandStreamCount != 1 || *out.OnDemandStreamCountLimit != 3 {
		t.Errorf("limits = shard %d, open %d, on-demand %d of %d", *out.ShardLimit, *out.OpenShardCount, *out.OnDemandStreamCount, *out.OnDemandStreamCountLimit)
	}
}

func TestUpdateMaxRecordSize(t *testing.T) {
	c, svc, _ := newTestServer(t, kds.WithAccountID(testAccount), kds.WithRegion(testRegion))
	ctx := context.Background()
	createStream(t, c, "s", 1)
	st, _ := svc.Stream("s")
	if _, err := c.UpdateMaxRecordSize(ctx, &kinesis.UpdateMaxRecordSizeInput{StreamARN: aws.String(st.ARN()), MaxRecordSizeInKiB: aws.Int32(4096)}); err != nil {
		t.Fatal(err)
	}
	s, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")})
	if err != nil {
		t.Fatal(err)
	}
	if got := *s.StreamDescriptionSummary.MaxRecordSizeInKiB; got != 4096 {
		t.Errorf("MaxRecordSizeInKiB = %d, want 4096", got)
	}

	tests := []struct {
		name      string
		arn       string
		kib       int32
		code, msg string
	}{
		{"zero", st.ARN(), 0, "ValidationException",
			"1 validation error detected: Value '0' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member must have value greater than or equal to 1024"},
		{"too small", st.ARN(), 1023, "ValidationException",
			"1 validation error detected: Value '1023' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member must have value greater than or equal to 1024"},
		{"too big", st.ARN(), 10241, "ValidationException",
			"1 validation error detected: Value '10241' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member must have value less than or equal to 10240"},
		{"missing stream", "arn:aws:kinesis:eu-west-1:123456789012:stream/nope", 2048, "ResourceNotFoundException",
			"Stream nope under account 123456789012 not found."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.UpdateMaxRecordSize(ctx, &kinesis.UpdateMaxRecordSizeInput{StreamARN: aws.String(tt.arn), MaxRecordSizeInKiB: aws.Int32(tt.kib)})
			checkAPIError(t, err, tt.code, tt.msg)
		})
	}
}
