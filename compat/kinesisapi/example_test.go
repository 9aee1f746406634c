package kinesisapi_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/compat/kinesisapi"
)

// A Service served over HTTP, and the AWS SDK for Go v2 talking to it.
func ExampleNewHandler() {
	svc, _ := kds.NewService()
	srv := httptest.NewServer(kinesisapi.NewHandler(svc))
	defer srv.Close()

	client := kinesis.New(kinesis.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("any", "any", ""),
	})
	ctx := context.Background()
	if _, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(2)}); err != nil {
		fmt.Println(err)
		return
	}
	out, err := client.PutRecord(ctx, &kinesis.PutRecordInput{
		StreamName: aws.String("orders"), PartitionKey: aws.String("customer-1"), Data: []byte("order 1"),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(*out.ShardId)
	_, err = client.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("nope")})
	fmt.Println(err != nil)
	// Output:
	// shardId-000000000001
	// true
}
