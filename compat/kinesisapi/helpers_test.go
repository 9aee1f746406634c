package kinesisapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/compat/internal/sdkhttp"
	"github.com/kdsgo/kds/compat/kinesisapi"
)

// newTestServer serves a new Service made with opts over HTTP and returns
// an AWS SDK v2 client for it (signing with static credentials in the
// Service's region, never retrying, so every error reaches the test), the
// Service, and the server's URL. Both are closed when the test ends.
func newTestServer(t testing.TB, opts ...kds.Option) (*kinesis.Client, *kds.Service, string) {
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
		Region:       svc.Region(),
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   sdkhttp.OwnBody{Client: srv.Client()},
	})
	return c, svc, srv.URL
}

// createStream creates a provisioned stream of n shards through c, fails
// the test if that fails, and returns the stream's ARN. With the default
// status delays it is ACTIVE at once.
func createStream(t testing.TB, c *kinesis.Client, name string, n int32) string {
	t.Helper()
	ctx := context.Background()
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(n)}); err != nil {
		t.Fatalf("CreateStream %s: %v", name, err)
	}
	d, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatalf("DescribeStreamSummary %s: %v", name, err)
	}
	return *d.StreamDescriptionSummary.StreamARN
}

// wantAPIError fails the test unless err is (or wraps) an E, the SDK's
// typed exception, and returns it.
func wantAPIError[E error](t testing.TB, err error) E {
	t.Helper()
	var e E
	if !errors.As(err, &e) {
		t.Fatalf("error = %v (%T), want %T", err, err, e)
	}
	return e
}

// checkAPIError fails the test unless err is the SDK's typed exception
// *types.<code> (so the SDK recognised it as that modelled exception)
// with message msg.
func checkAPIError(t testing.TB, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v (%T), want %s", err, err, code)
	}
	if got := fmt.Sprintf("%T", ae); got != "*types."+code {
		t.Errorf("SDK error type = %s (code %s), want *types.%s", got, ae.ErrorCode(), code)
	}
	if ae.ErrorMessage() != msg {
		t.Errorf("%s message = %q\nwant %q", ae.ErrorCode(), ae.ErrorMessage(), msg)
	}
}

// shardString renders a shard for failure messages.
func shardString(sh types.Shard) string {
	return fmt.Sprintf("{%s parent=%s adjacent=%s range=[%s, %s] seq=[%s, %s]}",
		aws.ToString(sh.ShardId), aws.ToString(sh.ParentShardId), aws.ToString(sh.AdjacentParentShardId),
		aws.ToString(sh.HashKeyRange.StartingHashKey), aws.ToString(sh.HashKeyRange.EndingHashKey),
		aws.ToString(sh.SequenceNumberRange.StartingSequenceNumber), aws.ToString(sh.SequenceNumberRange.EndingSequenceNumber))
}

// testEpoch is where the tests' manual clocks start.
var testEpoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
