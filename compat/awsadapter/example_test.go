package awsadapter_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/compat/awsadapter"
	"github.com/kdsgo/kds/compat/kinesisapi"
)

// The KPL-style Producer sending through the AWS SDK. Here the SDK talks
// to kds's wire server; with a client for AWS it talks to Kinesis.
func ExampleNew() {
	svc, _ := kds.NewService()
	ctx := context.Background()
	svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: "orders", ShardCount: 2})
	srv := httptest.NewServer(kinesisapi.NewHandler(svc))
	defer srv.Close()
	sdk := kinesis.New(kinesis.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("any", "any", ""),
	})

	p, err := kds.NewProducer(kds.ProducerConfig{StreamName: "orders", Client: awsadapter.New(sdk)})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := range 100 {
		p.PutAsync(ctx, fmt.Sprint("customer-", i%10), []byte("order"))
	}
	if err := p.Close(ctx); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Metrics().UserRecordsPut, "user records stored")
	// Output: 100 user records stored
}
