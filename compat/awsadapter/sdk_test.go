package awsadapter_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/compat/awsadapter"
)

// canned answers every request with status and body.
func canned(t *testing.T, status int, body string) *awsadapter.Client {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return awsadapter.New(sdkClient(srv.URL, noRetries))
}

// What the SDK decodes from the wire reaches kds's shapes intact: epoch
// second timestamps to the millisecond, base64 data, ChildShards.
func TestGetRecordsDecodesTheWire(t *testing.T) {
	c := canned(t, 200, `{"Records":[{"SequenceNumber":"49590338271490256608559692538361571095921575989136588898",
		"ApproximateArrivalTimestamp":1.764151200123E9,"Data":"aGVsbG8=","PartitionKey":"k","EncryptionType":"NONE"}],
		"MillisBehindLatest":2500,"ChildShards":[{"ShardId":"shardId-000000000002","ParentShards":["shardId-000000000000"],
		"HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"170141183460469231731687303715884105727"}}]}`)
	out, err := c.GetRecords(context.Background(), kds.GetRecordsInput{ShardIterator: "it"})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Records) != 1 {
		t.Fatalf("%d records", len(out.Records))
	}
	r := out.Records[0]
	if want := time.UnixMilli(1764151200123); !r.ApproximateArrivalTimestamp.Equal(want) {
		t.Errorf("ApproximateArrivalTimestamp %v, want %v", r.ApproximateArrivalTimestamp, want)
	}
	if string(r.Data) != "hello" || r.PartitionKey != "k" || r.EncryptionType != kds.EncryptionNone ||
		r.SequenceNumber.String() != "49590338271490256608559692538361571095921575989136588898" {
		t.Errorf("record %+v", r)
	}
	if out.NextShardIterator != "" || out.MillisBehindLatest != 2500 || len(out.ChildShards) != 1 ||
		out.ChildShards[0].HashKeyRange.EndingHashKey.String() != "170141183460469231731687303715884105727" {
		t.Errorf("output %+v", out)
	}
}

func TestErrorsThroughTheSDK(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	tests := []struct {
		name      string
		c         *awsadapter.Client
		is        error
		retriable bool
	}{
		{"expired iterator", canned(t, 400, `{"__type":"ExpiredIteratorException","message":"Iterator expired."}`), kds.ErrExpiredIterator, false},
		{"throttled", canned(t, 400, `{"__type":"ProvisionedThroughputExceededException","message":"Rate exceeded for shard shardId-000000000000"}`),
			kds.ErrProvisionedThroughputExceeded, true},
		{"internal failure", canned(t, 500, `{"__type":"InternalFailure"}`), kds.ErrInternalFailure, true},
		{"unavailable", canned(t, 503, `{"__type":"ServiceUnavailable","message":"context canceled"}`), kds.ErrInternalFailure, true},
		{"garbage", canned(t, 200, `{"Records":[`), kds.ErrInternalFailure, true},
		{"bad sequence number", canned(t, 200, `{"Records":[{"SequenceNumber":"1","Data":"","PartitionKey":"k"}]}`), kds.ErrInternalFailure, true},
		{"connection refused", awsadapter.New(sdkClient(closed.URL, noRetries)), kds.ErrInternalFailure, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.c.GetRecords(context.Background(), kds.GetRecordsInput{ShardIterator: "it"})
			if !errors.Is(err, tt.is) {
				t.Fatalf("errors.Is(%v, %v) = false", err, tt.is)
			}
			if kds.IsRetriable(err) != tt.retriable {
				t.Errorf("IsRetriable(%v) = %v", err, !tt.retriable)
			}
		})
	}
	// The typed exception of the SDK is still there.
	_, err := tests[0].c.GetRecords(context.Background(), kds.GetRecordsInput{ShardIterator: "it"})
	var ee *types.ExpiredIteratorException
	if !errors.As(err, &ee) {
		t.Errorf("errors.As(%v, *types.ExpiredIteratorException) = false", err)
	}
}

// A call whose context has ended fails with the context's error, not
// with a kds error.
func TestCancelledCall(t *testing.T) {
	c := canned(t, 200, `{}`)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.ListShards(ctx, kds.ListShardsInput{StreamName: "s"})
	var ke *kds.Error
	if !errors.Is(err, context.Canceled) || errors.As(err, &ke) {
		t.Errorf("got %v", err)
	}
}
