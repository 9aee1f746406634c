package kinesisapi_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
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
