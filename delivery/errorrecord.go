package delivery

import (
	"encoding/json"
	"strconv"
	"time"
)

// The error output types a delivery stream writes, the values of
// !{firehose:error-output-type}.
const (
	// ErrorOutputProcessingFailed is for records the transform failed or
	// returned wrongly (Firehose's processing-failed).
	ErrorOutputProcessingFailed = "processing-failed"
	// ErrorOutputPartitioningFailed is for records whose partition keys
	// could not be extracted. Firehose's name for this output was not
	// confirmed; this one is kds's.
	ErrorOutputPartitioningFailed = "partitioning-failed"
	// ErrorOutputHTTPEndpointFailed is for batches an HTTP endpoint did
	// not accept within the retry duration (Firehose's
	// http-endpoint-failed).
	ErrorOutputHTTPEndpointFailed = "http-endpoint-failed"
)

// ErrorRecord is one line of an error output object: a record that was
// not delivered, in the JSON shape Firehose writes to its error prefix.
type ErrorRecord struct {
	// AttemptsMade is how many times the failed step was tried.
	AttemptsMade int `json:"attemptsMade"`
	// ArrivalTimestamp is the record's ApproximateArrivalTimestamp in the
	// Kinesis stream, in milliseconds since the epoch.
	ArrivalTimestamp int64 `json:"arrivalTimestamp"`
	// ErrorCode names the failure, e.g. "Lambda.ProcessingFailedStatus"
	// or "HttpEndpoint.DestinationException".
	ErrorCode string `json:"errorCode"`
	// ErrorMessage explains it.
	ErrorMessage string `json:"errorMessage"`
	// AttemptEndingTimestamp is when the stream gave up, in milliseconds
	// since the epoch.
	AttemptEndingTimestamp int64 `json:"attemptEndingTimestamp"`
	// RawData is the record's data, base64-encoded in JSON: as read from
	// the stream for processing and partitioning failures, as it was to
	// be delivered for delivery failures.
	RawData []byte `json:"rawData"`
	// SubsequenceNumber is the record's position in its KPL aggregate (0
	// for a plain record).
	SubsequenceNumber int64 `json:"subsequenceNumber"`
	// DataID identifies the record: its sequence number, a dot, and its
	// sub-sequence number.
	DataID string `json:"dataId"`
}

// line returns e as one JSON line.
func (e ErrorRecord) line() []byte {
	b, _ := json.Marshal(e) // plain fields: cannot fail
	return append(b, '\n')
}

// errorLine returns r's error output line, with raw as its data.
func (r bufRecord) errorLine(raw []byte, code, message string, attempts int, now time.Time) []byte {
	return ErrorRecord{
		AttemptsMade:           attempts,
		ArrivalTimestamp:       r.arrival.UnixMilli(),
		ErrorCode:              code,
		ErrorMessage:           message,
		AttemptEndingTimestamp: now.UnixMilli(),
		RawData:                raw,
		SubsequenceNumber:      r.sub,
		DataID:                 r.seq + "." + strconv.FormatInt(r.sub, 10),
	}.line()
}
