package kds_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/kdsgo/kds"
)

// An audit trail records each call as a CloudTrail-shaped event; here the
// log/slog sink prints them, without the parts that change from run to run.
func ExampleWithAuditTrail() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			switch a.Key {
			case slog.TimeKey, "eventID", "requestID":
				return slog.Attr{}
			}
			return a
		},
	}))
	svc, err := kds.NewService(
		kds.WithClock(kds.NewManualClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))),
		kds.WithAuditTrail(kds.NewAuditSlogSink(logger), kds.AuditDataEvents()),
	)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: "orders", ShardCount: 1})
	svc.PutRecord(ctx, kds.PutRecordInput{StreamName: "orders", PartitionKey: "customer-1", Data: []byte("never in the log")})
	svc.DescribeStreamSummary(ctx, kds.DescribeStreamSummaryInput{StreamName: "invoices"})
	svc.Close() // writes out the queued events
	fmt.Printf("%+v\n", svc.AuditStats())
	// Output:
	// level=INFO msg="kinesis api call" eventName=CreateStream eventCategory=Management readOnly=false userIdentity.type=Root userIdentity.arn=arn:aws:iam::000000000000:root userIdentity.accountId=000000000000 sourceIPAddress="AWS Internal" userAgent="AWS Internal" awsRegion=us-east-1 requestParameters="{\"streamName\":\"orders\",\"shardCount\":1}"
	// level=INFO msg="kinesis api call" eventName=PutRecord eventCategory=Data readOnly=false userIdentity.type=Root userIdentity.arn=arn:aws:iam::000000000000:root userIdentity.accountId=000000000000 sourceIPAddress="AWS Internal" userAgent="AWS Internal" awsRegion=us-east-1 requestParameters="{\"streamName\":\"orders\",\"partitionKey\":\"customer-1\"}" resources=[arn:aws:kinesis:us-east-1:000000000000:stream/orders]
	// level=WARN msg="kinesis api call" eventName=DescribeStreamSummary eventCategory=Management readOnly=true userIdentity.type=Root userIdentity.arn=arn:aws:iam::000000000000:root userIdentity.accountId=000000000000 sourceIPAddress="AWS Internal" userAgent="AWS Internal" awsRegion=us-east-1 errorCode=ResourceNotFoundException errorMessage="Stream invoices under account 000000000000 not found." requestParameters="{\"streamName\":\"invoices\"}"
	// {Written:3 Dropped:0 Failed:0 LastError:<nil>}
}
