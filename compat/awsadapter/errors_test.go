package awsadapter

import (
	"context"
	"errors"
	"net"
	"net/http"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/kdsgo/kds"
)

// sdkError wraps err as the SDK returns the failure of a call that got an
// HTTP response with status.
func sdkError(status int, err error) error {
	return &smithy.OperationError{ServiceID: "Kinesis", OperationName: "GetRecords", Err: &awshttp.ResponseError{
		ResponseError: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: err},
		RequestID:     "req-1",
	}}
}

func TestCallFailed(t *testing.T) {
	refused := &smithy.OperationError{ServiceID: "Kinesis", OperationName: "PutRecords",
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name      string
		ctx       context.Context
		err       error
		code      string // of the *kds.Error; "" if there must be none
		message   string
		is        error // a kds sentinel errors.Is must match
		retriable bool
	}{
		{"expired iterator", context.Background(), sdkError(400, &types.ExpiredIteratorException{Message: aws.String("Iterator expired.")}),
			"ExpiredIteratorException", "Iterator expired.", kds.ErrExpiredIterator, false},
		{"throughput", context.Background(), sdkError(400, &types.ProvisionedThroughputExceededException{Message: aws.String("Rate exceeded for shard shardId-000000000000")}),
			"ProvisionedThroughputExceededException", "Rate exceeded for shard shardId-000000000000", kds.ErrProvisionedThroughputExceeded, true},
		{"not found", context.Background(), sdkError(400, &types.ResourceNotFoundException{Message: aws.String("Stream s not found.")}),
			"ResourceNotFoundException", "Stream s not found.", kds.ErrResourceNotFound, false},
		{"limit", context.Background(), sdkError(400, &types.LimitExceededException{Message: aws.String("Rate exceeded")}),
			"LimitExceededException", "Rate exceeded", kds.ErrLimitExceeded, true},
		{"KMS throttling", context.Background(), sdkError(400, &types.KMSThrottlingException{Message: aws.String("m")}),
			"KMSThrottlingException", "m", nil, true},
		{"validation", context.Background(), sdkError(400, &smithy.GenericAPIError{Code: "ValidationException", Message: "1 validation error detected"}),
			"ValidationException", "1 validation error detected", kds.ErrValidation, false},
		{"refused by the SDK before sending", context.Background(), func() error {
			var v smithy.InvalidParamsError
			v.Context = "GetShardIteratorInput"
			v.Add(smithy.NewErrParamRequired("ShardIteratorType"))
			return &smithy.OperationError{ServiceID: "Kinesis", OperationName: "GetShardIterator", Err: v}
		}(), "ValidationException", "1 validation error(s) found.\n- missing required field, GetShardIteratorInput.ShardIteratorType.\n", kds.ErrValidation, false},
		{"modelled internal failure", context.Background(), sdkError(400, &types.InternalFailureException{Message: aws.String("m")}),
			"InternalFailureException", "m", kds.ErrInternalFailure, true},
		{"wire InternalFailure", context.Background(), sdkError(500, &smithy.GenericAPIError{Code: "InternalFailure", Message: "boom"}),
			"InternalFailureException", "boom", kds.ErrInternalFailure, true},
		{"service unavailable", context.Background(), sdkError(503, &smithy.GenericAPIError{Code: "ServiceUnavailable", Message: "try later"}),
			"InternalFailureException", "ServiceUnavailable: try later", kds.ErrInternalFailure, true},
		{"bad gateway without a code", context.Background(), sdkError(502, &smithy.GenericAPIError{Code: "UnknownError", Message: "UnknownError"}),
			"InternalFailureException", "UnknownError: UnknownError", kds.ErrInternalFailure, true},
		{"server fault keeps a retriable code", context.Background(), sdkError(500, &types.LimitExceededException{Message: aws.String("m")}),
			"LimitExceededException", "m", kds.ErrLimitExceeded, true},
		{"AWS throttling", context.Background(), sdkError(400, &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}),
			"LimitExceededException", "Rate exceeded", kds.ErrLimitExceeded, true},
		{"client fault with unknown code", context.Background(), sdkError(404, &smithy.GenericAPIError{Code: "UnknownError", Message: "UnknownError"}),
			"UnknownError", "UnknownError", nil, false},
		{"API error without a response", context.Background(), &smithy.GenericAPIError{Code: "ResourceInUseException", Message: "m"},
			"ResourceInUseException", "m", kds.ErrResourceInUse, false},
		{"API error after cancellation", cancelled, sdkError(400, &types.ExpiredIteratorException{Message: aws.String("m")}),
			"ExpiredIteratorException", "m", kds.ErrExpiredIterator, false},
		{"connection refused", context.Background(), refused,
			"InternalFailureException", refused.Error(), kds.ErrInternalFailure, true},
		{"unreadable response", context.Background(), &smithy.OperationError{Err: &smithy.DeserializationError{Err: errors.New("unexpected EOF")}},
			"InternalFailureException", "operation error : , deserialization failed, unexpected EOF", kds.ErrInternalFailure, true},
		{"cancelled", cancelled, &smithy.OperationError{Err: context.Canceled}, "", "", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := callFailed(tt.ctx, tt.err)
			if !errors.Is(err, tt.err) {
				t.Errorf("%v does not wrap the SDK's error", err)
			}
			if err.Error() != tt.err.Error() {
				t.Errorf("text %q, want the SDK's %q", err, tt.err)
			}
			var ke *kds.Error
			if !errors.As(err, &ke) {
				if tt.code != "" {
					t.Fatalf("%v: no *kds.Error", err)
				}
				return
			}
			if tt.code == "" {
				t.Fatalf("%v: unexpected *kds.Error %v", err, ke)
			}
			if ke.Code != tt.code || ke.Message != tt.message {
				t.Errorf("kds error %q / %q, want %q / %q", ke.Code, ke.Message, tt.code, tt.message)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
			}
			if got := kds.IsRetriable(err); got != tt.retriable {
				t.Errorf("IsRetriable = %v, want %v", got, tt.retriable)
			}
		})
	}
}

// The SDK's typed exception stays reachable next to the kds error.
func TestCallFailedKeepsSDKTypes(t *testing.T) {
	err := callFailed(context.Background(), sdkError(400, &types.ExpiredIteratorException{Message: aws.String("m")}))
	var ee *types.ExpiredIteratorException
	if !errors.As(err, &ee) {
		t.Errorf("errors.As(%v, *types.ExpiredIteratorException) = false", err)
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.ServiceRequestID() != "req-1" {
		t.Errorf("errors.As(%v, *awshttp.ResponseError) lost the request ID", err)
	}
}

func TestMalformed(t *testing.T) {
	_, cause := fromGetRecordsOutput(&kinesis.GetRecordsOutput{Records: []types.Record{{SequenceNumber: aws.String("007")}}})
	err := malformed("GetRecords", cause)
	if !errors.Is(err, kds.ErrInternalFailure) || !kds.IsRetriable(err) {
		t.Errorf("%v: not a retriable internal failure", err)
	}
	if !errors.Is(err, kds.ErrSequenceNumberFormat) {
		t.Errorf("%v does not wrap ErrSequenceNumberFormat", err)
	}
	t.Log(err)
}
