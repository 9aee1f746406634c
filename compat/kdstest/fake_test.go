package kdstest_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/compat/kdstest"
)

var start = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func TestClientTalksToTheService(t *testing.T) {
	f := kdstest.New(t,
		kdstest.WithServiceOptions(kds.WithRegion("eu-west-1"), kds.WithAccountID("123456789012")),
		kdstest.WithStream("orders", 2),
		kdstest.WithStream("clicks", 1),
	)
	c := f.Client()
	if got := c.Options().Region; got != "eu-west-1" {
		t.Errorf("client region %q, want the Service's, eu-west-1", got)
	}
	d, err := c.DescribeStreamSummary(t.Context(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	s := d.StreamDescriptionSummary
	if s.StreamStatus != types.StreamStatusActive || aws.ToInt32(s.OpenShardCount) != 2 {
		t.Errorf("orders is %s with %d shards, want ACTIVE with 2", s.StreamStatus, aws.ToInt32(s.OpenShardCount))
	}
	if got, want := aws.ToString(s.StreamARN), "arn:aws:kinesis:eu-west-1:123456789012:stream/orders"; got != want {
		t.Errorf("ARN %s, want %s", got, want)
	}
	out, err := c.PutRecord(t.Context(), &kinesis.PutRecordInput{StreamName: aws.String("clicks"), PartitionKey: aws.String("k"), Data: []byte("hello")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.ShardId) != "shardId-000000000000" {
		t.Errorf("put to shard %s, want shardId-000000000000", aws.ToString(out.ShardId))
	}
	_, err = c.DescribeStreamSummary(t.Context(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("absent")})
	var notFound *types.ResourceNotFoundException
	if !errors.As(err, &notFound) {
		t.Errorf("describing an absent stream: %v, want ResourceNotFoundException", err)
	}
	if f.Clock() != nil {
		t.Error("Clock() is not nil without WithManualClock")
	}
}

func TestCleanupClosesTheServer(t *testing.T) {
	var url string
	var client *kinesis.Client
	t.Run("uses a fake", func(t *testing.T) {
		f := kdstest.New(t)
		url, client = f.URL(), f.Client()
		if _, err := client.CreateStream(t.Context(), &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)}); err != nil {
			t.Fatal(err)
		}
	})
	if resp, err := http.Post(url, "application/x-amz-json-1.1", strings.NewReader("{}")); err == nil {
		resp.Body.Close()
		t.Fatalf("the server at %s still answers after its test ended", url)
	}
	_, err := client.DescribeStreamSummary(t.Context(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")},
		func(o *kinesis.Options) { o.RetryMaxAttempts = 1 })
	if err == nil {
		t.Fatal("the client still gets answers after the test ended")
	}
}

func TestManualClockDrivesIteratorExpiry(t *testing.T) {
	f := kdstest.New(t, kdstest.WithManualClock(start), kdstest.WithStream("s", 1))
	if _, err := f.Client().PutRecord(t.Context(), &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	svc := f.Service()
	it, err := svc.GetShardIterator(t.Context(), kds.GetShardIteratorInput{StreamName: "s", ShardId: "shardId-000000000000", ShardIteratorType: kds.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.GetRecords(t.Context(), kds.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Records) != 1 || !got.Records[0].ApproximateArrivalTimestamp.Equal(start) {
		t.Fatalf("records %+v, want one that arrived at the clock's %v", got.Records, start)
	}

	f.Clock().Advance(kds.IteratorLifetime + time.Millisecond)
	_, err = svc.GetRecords(t.Context(), kds.GetRecordsInput{ShardIterator: got.NextShardIterator})
	if !errors.Is(err, kds.ErrExpiredIterator) {
		t.Errorf("GetRecords after the iterator's lifetime: %v, want ExpiredIteratorException", err)
	}
}

func TestManualClockDrivesStatusOverTheWire(t *testing.T) {
	f := kdstest.New(t,
		kdstest.WithManualClock(start),
		kdstest.WithServiceOptions(kds.WithStatusDelays(kds.StatusDelays{Create: time.Minute})),
	)
	c := f.Client()
	if _, err := c.CreateStream(t.Context(), &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	status := func() types.StreamStatus {
		d, err := c.DescribeStreamSummary(t.Context(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")})
		if err != nil {
			t.Fatal(err)
		}
		return d.StreamDescriptionSummary.StreamStatus
	}
	if s := status(); s != types.StreamStatusCreating {
		t.Fatalf("status %s right after CreateStream, want CREATING", s)
	}
	f.Clock().Advance(time.Minute)
	if s := status(); s != types.StreamStatusActive {
		t.Fatalf("status %s after the create delay, want ACTIVE", s)
	}
}

func TestMaxAttempts(t *testing.T) {
	if got := kdstest.New(t).Client().Options().Retryer.MaxAttempts(); got != retry.DefaultMaxAttempts {
		t.Errorf("default client makes %d attempts, want the SDK's %d", got, retry.DefaultMaxAttempts)
	}

	// One record per second and a clock that stands still: the second put
	// is throttled on every attempt.
	f := kdstest.New(t,
		kdstest.WithManualClock(start),
		kdstest.WithServiceOptions(kds.WithThroughputLimits(kds.ThroughputLimits{WriteRecordsPerSecond: 1})),
		kdstest.WithStream("s", 1),
		kdstest.WithMaxAttempts(2),
		kdstest.WithClientOptions(func(o *kinesis.Options) {
			o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) { so.Backoff = noBackoff{} })
		}),
	)
	put := func(c *kinesis.Client) error {
		_, err := c.PutRecord(t.Context(), &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("x")})
		return err
	}
	if err := put(f.Client()); err != nil {
		t.Fatal(err)
	}
	err := put(f.Client())
	var throttled *types.ProvisionedThroughputExceededException
	var attempts *retry.MaxAttemptsError
	if !errors.As(err, &throttled) || !errors.As(err, &attempts) || attempts.Attempt != 2 {
		t.Errorf("throttled put: %v, want ProvisionedThroughputExceededException after 2 attempts", err)
	}

	err = put(f.NewClient(func(o *kinesis.Options) { o.RetryMaxAttempts = 1 }))
	if !errors.As(err, &throttled) || !errors.As(err, &attempts) || attempts.Attempt != 1 {
		t.Errorf("throttled put without retries: %v, want ProvisionedThroughputExceededException after 1 attempt", err)
	}
}

// noBackoff retries at once.
type noBackoff struct{}

func (noBackoff) BackoffDelay(int, error) (time.Duration, error) { return 0, nil }

// fatalRecorder is a testing.TB whose Fatalf records the failure and ends
// its goroutine, so that a test can check that New fails.
type fatalRecorder struct {
	testing.TB
	mu     sync.Mutex
	failed string
}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.mu.Lock()
	r.failed = fmt.Sprintf(format, args...)
	r.mu.Unlock()
	runtime.Goexit()
}

func TestNewFails(t *testing.T) {
	tests := []struct {
		name string
		opts []kdstest.Option
		want string
	}{
		{"bad service option", []kdstest.Option{kdstest.WithServiceOptions(kds.WithShardLimit(0))}, "WithShardLimit"},
		{"bad stream", []kdstest.Option{kdstest.WithStream("bad name", 1)}, "ValidationException"},
		{"stream CREATING on a manual clock", []kdstest.Option{
			kdstest.WithManualClock(start),
			kdstest.WithServiceOptions(kds.WithStatusDelays(kds.StatusDelays{Create: time.Second})),
			kdstest.WithStream("s", 1),
		}, "stream s is CREATING on a manual clock"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &fatalRecorder{TB: t}
			done := make(chan struct{})
			go func() {
				defer close(done)
				kdstest.New(r, tt.opts...)
			}()
			<-done
			r.mu.Lock()
			defer r.mu.Unlock()
			if !strings.Contains(r.failed, tt.want) {
				t.Errorf("New failed with %q, want it to mention %q", r.failed, tt.want)
			}
		})
	}
}

// outputRecorder is a testing.TB whose output is kept for the test to read.
type outputRecorder struct {
	testing.TB
	mu  sync.Mutex
	out strings.Builder
}

func (r *outputRecorder) Output() io.Writer { return r }

func (r *outputRecorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out.Write(p)
}

func TestRequestLog(t *testing.T) {
	r := &outputRecorder{TB: t}
	f := kdstest.New(r, kdstest.WithRequestLog())
	f.Client().DescribeStreamSummary(t.Context(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("absent")})
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, want := range []string{"op=DescribeStreamSummary", "status=400", "error=ResourceNotFoundException"} {
		if !strings.Contains(r.out.String(), want) {
			t.Errorf("request log does not contain %q:\n%s", want, r.out.String())
		}
	}
}
