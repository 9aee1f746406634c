package awsadapter_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/compat/awsadapter"
	"github.com/kdsgo/kds/compat/internal/sdkhttp"
	"github.com/kdsgo/kds/compat/kinesisapi"
)

// sdkClient is an AWS SDK Kinesis client for the server at url.
func sdkClient(url string, optFns ...func(*kinesis.Options)) *kinesis.Client {
	return kinesis.New(kinesis.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		HTTPClient:   sdkhttp.OwnBody{Client: http.DefaultClient},
	}, optFns...)
}

// noRetries turns the SDK's own retries off, so that the adapter sees
// every failure at once.
func noRetries(o *kinesis.Options) { o.RetryMaxAttempts = 1 }

// serve starts a Service with opts behind the wire server and returns it
// with an adapter that reaches it through the SDK: Service ← kinesisapi ←
// HTTP ← SDK ← adapter.
func serve(t *testing.T, opts ...kds.Option) (*kds.Service, *awsadapter.Client) {
	t.Helper()
	svc, err := kds.NewService(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return svc, adapterFor(t, svc)
}

// adapterFor serves svc over HTTP and returns an adapter over an SDK
// client of that server, made with optFns.
func adapterFor(t *testing.T, svc *kds.Service, optFns ...func(*kinesis.Options)) *awsadapter.Client {
	t.Helper()
	srv := httptest.NewServer(kinesisapi.NewHandler(svc))
	t.Cleanup(srv.Close)
	return awsadapter.New(sdkClient(srv.URL, optFns...))
}

// createStream creates stream name with n shards, in-process.
func createStream(t *testing.T, svc *kds.Service, name string, n int) {
	t.Helper()
	if _, err := svc.CreateStream(context.Background(), kds.CreateStreamInput{StreamName: name, ShardCount: n}); err != nil {
		t.Fatal(err)
	}
}
