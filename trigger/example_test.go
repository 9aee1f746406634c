package trigger_test

import (
	"context"
	"fmt"
	"log"
	"strconv"
	"sync"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/consumergroup"
	"github.com/kdsgo/kds/trigger"
)

// A function sums the amounts of a stream of orders. It reports the
// record it cannot parse as a batch item failure; with bisection and no
// retries the mapping isolates that record, discards it to the
// on-failure destination, and goes on with the rest.
func Example() {
	ctx := context.Background()
	svc, err := kds.NewService(kds.WithThroughputLimits(kds.NoLimits))
	if err != nil {
		log.Fatal(err)
	}
	if _, err := svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: "orders", ShardCount: 1}); err != nil {
		log.Fatal(err)
	}
	for _, amount := range []string{"12.50", "3.20", "oops", "7.30"} {
		if _, err := svc.PutRecord(ctx, kds.PutRecordInput{StreamName: "orders", PartitionKey: "customer-1", Data: []byte(amount)}); err != nil {
			log.Fatal(err)
		}
	}
	sum, err := svc.DescribeStreamSummary(ctx, kds.DescribeStreamSummaryInput{StreamName: "orders"})
	if err != nil {
		log.Fatal(err)
	}

	var (
		mu    sync.Mutex
		total float64
		last  = make(chan struct{}) // closed when the last order is summed
	)
	handler := func(ctx context.Context, event trigger.KinesisEvent) (trigger.KinesisEventResponse, error) {
		mu.Lock()
		defer mu.Unlock()
		for _, rec := range event.Records {
			amount, err := strconv.ParseFloat(string(rec.Kinesis.Data), 64)
			if err != nil {
				// Retry from this record; the ones before it are done.
				return trigger.KinesisEventResponse{BatchItemFailures: []trigger.BatchItemFailure{{ItemIdentifier: rec.Kinesis.SequenceNumber}}}, nil
			}
			total += amount
			if string(rec.Kinesis.Data) == "7.30" {
				close(last)
			}
		}
		return trigger.KinesisEventResponse{}, nil
	}

	failures := &trigger.MemoryDestination{}
	mapping, err := trigger.New(trigger.Config{
		EventSourceArn:             sum.StreamDescriptionSummary.StreamARN,
		FunctionName:               "sum-orders",
		Handler:                    handler,
		StartingPosition:           trigger.TrimHorizon,
		BisectBatchOnFunctionError: true,
		MaximumRetryAttempts:       trigger.Int(0),
		FunctionResponseTypes:      []trigger.FunctionResponseType{trigger.ReportBatchItemFailures},
		DestinationConfig:          trigger.DestinationConfig{OnFailure: failures},
		Client:                     svc,
		Store:                      consumergroup.NewMemStore(),
	})
	if err != nil {
		log.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	result := make(chan error, 1)
	go func() { result <- mapping.Run(runCtx) }()
	<-last
	stop()
	if err := <-result; err != nil {
		log.Fatal(err)
	}

	fmt.Printf("total %.2f\n", total)
	for _, f := range failures.Records() {
		fmt.Printf("discarded %d record(s) of %s: %s after %d invocations\n",
			f.KinesisBatchInfo.BatchSize, f.KinesisBatchInfo.ShardID, f.RequestContext.Condition, f.RequestContext.ApproximateInvokeCount)
	}
	// Output:
	// total 23.00
	// discarded 1 record(s) of shardId-000000000000: RetryAttemptsExhausted after 3 invocations
}
