package kinesisapi_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/compat/kinesisapi"
)

func TestSmoke(t *testing.T) {
	svc, err := kds.NewService()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(kinesisapi.NewHandler(svc))
	defer srv.Close()
	c := kinesis.New(kinesis.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
	})
	ctx := context.Background()
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	out, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("hello")})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(*out.ShardId, *out.SequenceNumber)
	d, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(*d.StreamDescriptionSummary.StreamARN, d.StreamDescriptionSummary.StreamCreationTimestamp)
	_, err = c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("nope")})
	t.Log(err)
}

func TestEnhancedMonitoringThroughSDK(t *testing.T) {
	svc, err := kds.NewService()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(kinesisapi.NewHandler(svc))
	defer srv.Close()
	c := kinesis.New(kinesis.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
	})
	ctx := context.Background()
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("m"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
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
	_, err = c.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: aws.String("m"), ShardLevelMetrics: []types.MetricsName{"Nope"}})
	var ve *types.ValidationException
	if !errors.As(err, &ve) {
		t.Fatalf("unknown metric: %v, want ValidationException", err)
	}
}
