package lambdaadapter

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/compat/awsadapter"
	"github.com/kdsgo/kds/compat/internal/sdkhttp"
	"github.com/kdsgo/kds/compat/kinesisapi"
	"github.com/kdsgo/kds/consumergroup"
	"github.com/kdsgo/kds/trigger"
)

// TestThroughAWSSDK runs a Lambda handler on a mapping that reads through
// the AWS SDK (awsadapter) from a Kinesis endpoint: the code path of a
// mapping reading a stream on AWS. It runs on the real clock; the
// deadline only bounds a failure.
func TestThroughAWSSDK(t *testing.T) {
	svc, err := kds.NewService(kds.WithThroughputLimits(kds.NoLimits), kds.WithStatusDelay(0))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: "fixes", ShardCount: 2}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{} // sequence number → data
	for _, d := range []string{"a", "b", "c", "d"} {
		out, err := svc.PutRecord(ctx, kds.PutRecordInput{StreamName: "fixes", PartitionKey: "truck-" + d, Data: []byte(d)})
		if err != nil {
			t.Fatal(err)
		}
		want[out.SequenceNumber.String()] = d
	}
	srv := httptest.NewServer(kinesisapi.NewHandler(svc))
	defer srv.Close()
	client := awsadapter.New(kinesis.New(kinesis.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		HTTPClient:   sdkhttp.OwnBody{Client: http.DefaultClient},
	}))

	var (
		mu   sync.Mutex
		got  = map[string]string{}
		done = make(chan struct{})
	)
	handler := func(ctx context.Context, e events.KinesisEvent) (events.KinesisEventResponse, error) {
		mu.Lock()
		defer mu.Unlock()
		for _, r := range e.Records {
			if r.EventSourceArn != "arn:aws:kinesis:us-east-1:000000000000:stream/fixes" || r.AwsRegion != "us-east-1" || r.EventName != "aws:kinesis:record" {
				t.Errorf("record %+v", r)
			}
			got[r.Kinesis.SequenceNumber] = string(r.Kinesis.Data)
		}
		if len(got) == len(want) {
			close(done)
		}
		return events.KinesisEventResponse{}, nil
	}
	m, err := trigger.New(trigger.Config{
		EventSourceArn:   "arn:aws:kinesis:us-east-1:000000000000:stream/fixes",
		FunctionName:     "fn",
		Handler:          Handler(handler),
		StartingPosition: trigger.TrimHorizon,
		Client:           client,
		Store:            consumergroup.NewMemStore(),
	})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	result := make(chan error, 1)
	go func() { result <- m.Run(runCtx) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Error("the handler did not get every record within 30 s")
	}
	stop()
	if err := <-result; err != nil {
		t.Errorf("Run: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	for seq, d := range want {
		if got[seq] != d {
			t.Errorf("record %s: got %q, want %q", seq, got[seq], d)
		}
	}
}
