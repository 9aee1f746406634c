package trigger

// The conditions under which a batch is discarded, as an on-failure
// record's RequestContext.Condition names them.
const (
	// RetryAttemptsExhausted: the batch failed MaximumRetryAttempts
	// retries.
	RetryAttemptsExhausted = "RetryAttemptsExhausted"
	// RecordAgeExceeded: the records grew older than
	// MaximumRecordAgeInSeconds before they were processed.
	RecordAgeExceeded = "RecordAgeExceeded"
)

// OnFailureRecord describes a discarded batch, or a tumbling window whose
// final invocation was given up (see the package documentation), shaped
// as the invocation record Lambda sends to a Kinesis event source
// mapping's on-failure destination. Like Lambda's, it carries no record data: the records are
// in the stream, from StartSequenceNumber to EndSequenceNumber of the
// shard, until they leave the retention window.
type OnFailureRecord struct {
	// RequestContext says why the batch was discarded.
	RequestContext RequestContext `json:"requestContext"`
	// ResponseContext describes the last invocation of the batch; it is
	// empty if the batch was never invoked.
	ResponseContext ResponseContext `json:"responseContext"`
	// Version is always "1.0".
	Version string `json:"version"`
	// Timestamp is when the batch was discarded.
	Timestamp ISOMillis `json:"timestamp"`
	// KinesisBatchInfo locates the discarded records.
	KinesisBatchInfo KinesisBatchInfo `json:"KinesisBatchInfo"`
}

// RequestContext is the requestContext of an [OnFailureRecord].
type RequestContext struct {
	// RequestID is a random UUID identifying this record.
	RequestID string `json:"requestId"`
	// FunctionArn is the ARN of Config.FunctionName.
	FunctionArn string `json:"functionArn"`
	// Condition is [RetryAttemptsExhausted] or [RecordAgeExceeded].
	Condition string `json:"condition"`
	// ApproximateInvokeCount is how many times the handler was invoked
	// with these records: with the discarded batch itself and with the
	// larger batches it was split from. For a window's final invocation,
	// it counts the final invocations.
	ApproximateInvokeCount int `json:"approximateInvokeCount"`
}

// ResponseContext is the responseContext of an [OnFailureRecord].
type ResponseContext struct {
	// StatusCode is 200 once the handler has been invoked (a function
	// error is not an invocation error), and absent otherwise.
	StatusCode int `json:"statusCode,omitempty"`
	// ExecutedVersion is "$LATEST" once the handler has been invoked.
	ExecutedVersion string `json:"executedVersion,omitempty"`
	// FunctionError is "Unhandled" when the last invocation returned an
	// error, and absent when it returned a partial batch failure.
	FunctionError string `json:"functionError,omitempty"`
}

// KinesisBatchInfo is the KinesisBatchInfo of an [OnFailureRecord].
type KinesisBatchInfo struct {
	// ShardID is the shard of the records.
	ShardID string `json:"shardId"`
	// StartSequenceNumber is the sequence number of the batch's first
	// record.
	StartSequenceNumber string `json:"startSequenceNumber"`
	// EndSequenceNumber is the sequence number of the batch's last
	// record.
	EndSequenceNumber string `json:"endSequenceNumber"`
	// ApproximateArrivalOfFirstRecord is the arrival time of the batch's
	// first record.
	ApproximateArrivalOfFirstRecord ISOMillis `json:"approximateArrivalOfFirstRecord"`
	// ApproximateArrivalOfLastRecord is the arrival time of the batch's
	// last record.
	ApproximateArrivalOfLastRecord ISOMillis `json:"approximateArrivalOfLastRecord"`
	// BatchSize is the number of records discarded.
	BatchSize int `json:"batchSize"`
	// StreamArn is Config.EventSourceArn.
	StreamArn string `json:"streamArn"`
}
