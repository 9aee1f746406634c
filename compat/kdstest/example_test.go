package kdstest_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/compat/kdstest"
)

// The examples need a test's *testing.T, so they are compiled but not run.

func ExampleNew() {
	var t *testing.T // the test\'s own, in a real test
	f := kdstest.New(t, kdstest.WithStream("orders", 2))
	out, err := f.Client().PutRecord(t.Context(), &kinesis.PutRecordInput{
		StreamName:   aws.String("orders"),
		PartitionKey: aws.String("customer-42"),
		Data:         []byte(`{"total": 12.5}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(*out.ShardId)
}

func ExampleWithManualClock() {
	var t *testing.T // the test\'s own, in a real test
	f := kdstest.New(t,
		kdstest.WithManualClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)),
		kdstest.WithServiceOptions(kds.WithStatusDelays(kds.StatusDelays{Create: 30 * time.Second})),
	)
	c := f.Client()
	if _, err := c.CreateStream(t.Context(), &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	// The stream is CREATING until the test moves the clock on.
	f.Clock().Advance(30 * time.Second)
	d, err := c.DescribeStreamSummary(t.Context(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(d.StreamDescriptionSummary.StreamStatus) // ACTIVE
}

func ExampleWithMaxAttempts() {
	var t *testing.T // the test\'s own, in a real test
	// A shard that takes one record a second, and a client that does not
	// retry: the second put is refused.
	f := kdstest.New(t,
		kdstest.WithManualClock(time.Now()),
		kdstest.WithServiceOptions(kds.WithThroughputLimits(kds.ThroughputLimits{WriteRecordsPerSecond: 1})),
		kdstest.WithStream("s", 1),
		kdstest.WithMaxAttempts(1),
	)
	in := &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("x")}
	f.Client().PutRecord(t.Context(), in)
	_, err := f.Client().PutRecord(t.Context(), in)
	var throttled *types.ProvisionedThroughputExceededException
	fmt.Println(errors.As(err, &throttled)) // true
}

func ExampleFake_NewClient() {
	var t *testing.T // the test\'s own, in a real test
	f := kdstest.New(t, kdstest.WithStream("s", 1))
	// A second client, next to f.Client(), that does not retry.
	impatient := f.NewClient(func(o *kinesis.Options) {
		o.RetryMaxAttempts = 1
	})
	_, err := impatient.DescribeStreamSummary(t.Context(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")})
	fmt.Println(err)
}
