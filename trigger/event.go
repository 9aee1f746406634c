package trigger

import (
	"context"
	"time"
)

// Handler is the function a [Mapping] invokes with each batch, as Lambda
// invokes a function: synchronously, one batch at a time per shard (per
// lane of a shard, see [Config.ParallelizationFactor]).
//
// A non-nil error fails the whole batch. With
// [ReportBatchItemFailures] among Config.FunctionResponseTypes, the
// response's BatchItemFailures fail part of it; without, they are
// ignored. With a tumbling window, the response's State is the window's
// state for the next invocation, and a response without one (nil) fails
// the invocation.
type Handler func(ctx context.Context, event KinesisEvent) (KinesisEventResponse, error)

// KinesisEvent is one invocation's payload, shaped as Lambda's Kinesis
// event: json.Marshal renders it as Lambda sends it.
type KinesisEvent struct {
	// Records is the batch, in shard order. The final invocation of a
	// tumbling window has none (an empty list).
	Records []KinesisEventRecord `json:"Records"`
	// TimeWindow is set only when Config.TumblingWindowInSeconds is;
	// its fields then appear at the event's top level, as in Lambda's
	// time-window event.
	*TimeWindow
}

// KinesisEventRecord is one record of a [KinesisEvent].
type KinesisEventRecord struct {
	// Kinesis is the record itself.
	Kinesis KinesisRecord `json:"kinesis"`
	// EventSource is always "aws:kinesis".
	EventSource string `json:"eventSource"`
	// EventVersion is always "1.0".
	EventVersion string `json:"eventVersion"`
	// EventID is "<shard ID>:<sequence number>".
	EventID string `json:"eventID"`
	// EventName is always "aws:kinesis:record".
	EventName string `json:"eventName"`
	// InvokeIdentityArn is the function's execution role (Config.Role).
	InvokeIdentityArn string `json:"invokeIdentityArn"`
	// AwsRegion is the stream's region, from Config.EventSourceArn.
	AwsRegion string `json:"awsRegion"`
	// EventSourceARN is Config.EventSourceArn.
	EventSourceARN string `json:"eventSourceARN"`
}

// KinesisRecord is the Kinesis part of a [KinesisEventRecord].
type KinesisRecord struct {
	// KinesisSchemaVersion is always "1.0".
	KinesisSchemaVersion string `json:"kinesisSchemaVersion"`
	// PartitionKey is the key the producer gave.
	PartitionKey string `json:"partitionKey"`
	// SequenceNumber is the record's sequence number in its shard.
	SequenceNumber string `json:"sequenceNumber"`
	// Data is the payload: raw bytes in Go, base64 in JSON. It is the
	// handler's own copy.
	Data []byte `json:"data"`
	// ApproximateArrivalTimestamp is when the stream accepted the record;
	// JSON renders it as seconds since the epoch with millisecond
	// decimals.
	ApproximateArrivalTimestamp EpochSeconds `json:"approximateArrivalTimestamp"`
	// EncryptionType is "KMS" for a record encrypted at rest, and empty
	// (absent from the JSON) otherwise.
	EncryptionType string `json:"encryptionType,omitempty"`
}

// TimeWindow is the part of a [KinesisEvent] that a tumbling window adds.
type TimeWindow struct {
	// Window is the tumbling window the records belong to.
	Window Window `json:"window"`
	// State is what the previous invocation of the window returned; empty
	// for the window's first invocation. The handler may modify it and
	// return it.
	State map[string]string `json:"state"`
	// ShardID is the shard of the records.
	ShardID string `json:"shardId"`
	// EventSourceARN is Config.EventSourceArn.
	EventSourceARN string `json:"eventSourceARN"`
	// IsFinalInvokeForWindow marks the invocation after the window has
	// closed: it has no records and carries the window's final state.
	IsFinalInvokeForWindow bool `json:"isFinalInvokeForWindow"`
	// IsWindowTerminatedEarly marks a final invocation made because the
	// state grew beyond [MaxWindowStateBytes]; the window then goes on
	// with an empty state.
	IsWindowTerminatedEarly bool `json:"isWindowTerminatedEarly"`
}

// Window is the span of a tumbling window: Start inclusive, End
// exclusive, both whole seconds in UTC (RFC 3339 in JSON).
type Window struct {
	// Start is the first instant of the window, a multiple of
	// TumblingWindowInSeconds since the Unix epoch.
	Start time.Time `json:"start"`
	// End is Start plus TumblingWindowInSeconds, the first instant after
	// the window.
	End time.Time `json:"end"`
}

// KinesisEventResponse is what a [Handler] returns, shaped as Lambda's
// StreamsEventResponse (plus the time-window state).
type KinesisEventResponse struct {
	// BatchItemFailures name the records that failed, when
	// Config.FunctionResponseTypes has [ReportBatchItemFailures]: the
	// batch is retried from the failed record with the lowest sequence
	// number, and the records before it count as processed. An empty
	// list means success; an empty or unknown ItemIdentifier fails the
	// whole batch.
	BatchItemFailures []BatchItemFailure `json:"batchItemFailures"`
	// State is the tumbling window's state after this batch. With a
	// tumbling window every response must carry one, as Lambda requires
	// a state property: nil (absent from the JSON) fails the invocation
	// as an error would, while an empty map is an empty state. The final
	// invocation's state is not kept, but it must be there too. Ignored
	// without a tumbling window.
	State map[string]string `json:"state,omitzero"`
}

// BatchItemFailure names one failed record of a batch.
type BatchItemFailure struct {
	// ItemIdentifier is the record's sequence number.
	ItemIdentifier string `json:"itemIdentifier"`
}
