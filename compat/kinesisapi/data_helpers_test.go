package kinesisapi_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/compat/kinesisapi"
)

// newDataTestServer serves a new Service made with opts over HTTP and
// returns an SDK client for it, the Service and the server's URL. Both are
// closed when the test ends.
func newDataTestServer(t *testing.T, opts ...kds.Option) (*kinesis.Client, *kds.Service, string) {
	t.Helper()
	svc, err := kds.NewService(opts...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(kinesisapi.NewHandler(svc))
	t.Cleanup(func() {
		// Event streams stay open until their client goes away.
		srv.CloseClientConnections()
		srv.Close()
		svc.Close()
	})
	c := kinesis.New(kinesis.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
	})
	return c, svc, srv.URL
}

// testEpoch is where the tests' manual clocks start.
var testEpoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// noRetry makes the SDK send a call once, so a throttling error reaches
// the test instead of being retried.
func noRetry(o *kinesis.Options) { o.RetryMaxAttempts = 1 }

// createStream creates a stream of n shards through the SDK and returns
// its ARN.
func createStream(t *testing.T, c *kinesis.Client, name string, n int32) string {
	t.Helper()
	ctx := context.Background()
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(n)}); err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return *d.StreamDescriptionSummary.StreamARN
}

// wantError fails the test unless err is, or wraps, a *T.
func wantError[T error](t *testing.T, err error) T {
	t.Helper()
	var target T
	if !errors.As(err, &target) {
		t.Fatalf("error = %v (%T), want %T", err, err, target)
	}
	return target
}
