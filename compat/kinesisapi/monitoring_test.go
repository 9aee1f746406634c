package kinesisapi_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

func TestEnhancedMonitoringThroughSDK(t *testing.T) {
	c, _, _ := newTestServer(t)
	ctx := context.Background()
	createStream(t, c, "m", 1)
	out, err := c.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: aws.String("m"), ShardLevelMetrics: []types.MetricsName{types.MetricsNameAll}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.CurrentShardLevelMetrics) != 0 || len(out.DesiredShardLevelMetrics) != 7 {
		t.Fatalf("enable ALL = %v -> %v", out.CurrentShardLevelMetrics, out.DesiredShardLevelMetrics)
	}
	dis, err := c.DisableEnhancedMonitoring(ctx, &kinesis.DisableEnhancedMonitoringInput{StreamName: aws.String("m"), ShardLevelMetrics: []types.MetricsName{types.MetricsNameIncomingBytes}})
	if err != nil {
		t.Fatal(err)
	}
	if len(dis.DesiredShardLevelMetrics) != 6 || *dis.StreamName != "m" {
		t.Fatalf("disable = %+v", dis)
	}
	d, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("m")})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.StreamDescriptionSummary.EnhancedMonitoring[0].ShardLevelMetrics; len(got) != 6 {
		t.Fatalf("DescribeStreamSummary shows %v, want the 6 left enabled", got)
	}
	_, err = c.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: aws.String("m"), ShardLevelMetrics: []types.MetricsName{"Nope"}})
	wantAPIError[*types.ValidationException](t, err)
}
