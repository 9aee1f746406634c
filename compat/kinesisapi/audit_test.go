package kinesisapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/kdsgo/kds"
)

// TestAuditTrailOverTheWire makes calls through the AWS SDK and checks
// that the audit trail's events carry the client's address, the SDK's
// user agent and the request ID the response carried.
func TestAuditTrailOverTheWire(t *testing.T) {
	var log bytes.Buffer
	c, svc, _ := newTestServer(t, kds.WithAuditTrail(kds.NewAuditJSONLinesSink(&log), kds.AuditDataEvents()))
	ctx := context.Background()

	var ids []string
	created, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("audited"), ShardCount: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	id, _ := awsmiddleware.GetRequestIDMetadata(created.ResultMetadata)
	ids = append(ids, id)
	put, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("audited"), PartitionKey: aws.String("k"), Data: []byte("WIRE-PAYLOAD-5e1f")})
	if err != nil {
		t.Fatal(err)
	}
	id, _ = awsmiddleware.GetRequestIDMetadata(put.ResultMetadata)
	ids = append(ids, id)
	_, err = c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("missing")})
	wantAPIError[*types.ResourceNotFoundException](t, err)
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("error %T has no response", err)
	}
	ids = append(ids, re.ServiceRequestID())
	svc.Close() // writes out the trail's queue

	var events []kds.AuditEvent
	for line := range bytes.Lines(log.Bytes()) {
		var e kds.AuditEvent
		if err := json.Unmarshal(line, &e); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		events = append(events, e)
	}
	if len(events) != 3 {
		t.Fatalf("%d events for 3 calls", len(events))
	}
	for i, name := range []string{"CreateStream", "PutRecord", "DescribeStreamSummary"} {
		e := events[i]
		if e.EventName != name || e.SourceIPAddress != "127.0.0.1" || !strings.Contains(e.UserAgent, "aws-sdk-go-v2") {
			t.Errorf("event %d: %s from %q agent %q", i, e.EventName, e.SourceIPAddress, e.UserAgent)
		}
		if ids[i] == "" || e.RequestID != ids[i] {
			t.Errorf("%s: requestID %q, the response's x-amzn-RequestId %q", name, e.RequestID, ids[i])
		}
	}
	if e := events[2]; e.ErrorCode != "ResourceNotFoundException" || e.ErrorMessage == "" {
		t.Errorf("failed call: errorCode %q errorMessage %q", e.ErrorCode, e.ErrorMessage)
	}
	if bytes.Contains(log.Bytes(), []byte("WIRE-PAYLOAD")) || bytes.Contains(log.Bytes(), []byte("V0lSRS1QQVlMT0FE")) {
		t.Error("the audit log holds the record's data")
	}
}
