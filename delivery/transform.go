package delivery

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/internal/uuid"
)

// TransformFunc transforms records before they are buffered, with the
// contract of a Firehose data-transformation Lambda function: it gets a
// batch of records, each with a RecordID, and must return one
// [TransformResult] per record with the same RecordID, saying Ok (deliver
// Data), Dropped (deliver nothing) or ProcessingFailed (send the original
// record to the error output).
//
// The delivery stream treats a wrong answer as Firehose does: a record
// whose ID is missing from the output fails with Lambda.MissingRecordId,
// one returned twice with Lambda.DuplicatedRecordId, an unknown Result or
// an Ok without Data (nil; use []byte{} for an empty record) with
// Lambda.JsonProcessingException; an output naming a RecordID that was
// not in the input is rejected as a whole, every record of the call
// failing with Lambda.JsonProcessingException. A returned error (or a
// panic) fails the call: it is tried 4 times in all (Firehose's default
// of 3 retries), then every record fails with Lambda.FunctionError.
// Failed records go to the error output as processing-failed.
//
// The function is called from the shards' goroutines, so calls may run
// concurrently. Each call gets the records of one GetRecords batch, or a
// run of them holding at most Config.TransformBufferSizeInMBs (1 MiB by
// default, as Firehose's) and at most a buffer's size of data; a record
// bigger than that is sent alone. Firehose also waits up to its
// processor's BufferIntervalInSeconds (60 s) to fill a call; kds does not
// hold records back for that, and calls the function with what each read
// brought.
type TransformFunc func(ctx context.Context, in TransformInput) (TransformOutput, error)

// TransformInput is the event a [TransformFunc] gets, shaped like
// Firehose's event for a Lambda function.
type TransformInput struct {
	// InvocationID identifies the call; retries of a call get new ones.
	InvocationID string
	// DeliveryStreamName is the delivery stream's name.
	DeliveryStreamName string
	// SourceKinesisStreamName is the stream the records were read from.
	SourceKinesisStreamName string
	// Records are the records to transform, in shard order.
	Records []TransformRecord
}

// TransformRecord is one record of a [TransformInput].
type TransformRecord struct {
	// RecordID identifies the record in the call's output.
	RecordID string
	// ApproximateArrivalTimestamp is when the stream accepted the record.
	ApproximateArrivalTimestamp time.Time
	// Data is the record's data, read-only.
	Data []byte
	// KinesisRecordMetadata describes where the record came from.
	KinesisRecordMetadata KinesisRecordMetadata
}

// KinesisRecordMetadata is what Firehose tells a transform function about
// a record read from a Kinesis stream.
type KinesisRecordMetadata struct {
	// ShardID is the shard the record was read from.
	ShardID string
	// PartitionKey is the key the producer gave.
	PartitionKey string
	// SequenceNumber is the record's sequence number in the shard.
	SequenceNumber string
	// SubsequenceNumber is the record's position in its KPL aggregate (0
	// for a plain record).
	SubsequenceNumber int64
	// ApproximateArrivalTimestamp is when the stream accepted the record.
	ApproximateArrivalTimestamp time.Time
}

// TransformOutput is what a [TransformFunc] returns.
type TransformOutput struct {
	// Records holds one result per input record, in any order.
	Records []TransformResult
}

// TransformResult is the outcome for one record.
type TransformResult struct {
	// RecordID is the input record's RecordID.
	RecordID string
	// Result is Ok, Dropped or ProcessingFailed.
	Result Result
	// Data is what to deliver for an Ok record.
	Data []byte
	// Metadata carries the record's partition keys for
	// !{partitionKeyFromLambda:name} expressions.
	Metadata TransformMetadata
}

// TransformMetadata is the metadata a [TransformFunc] may return with a
// record, as Firehose's Lambda functions return metadata.partitionKeys.
type TransformMetadata struct {
	// PartitionKeys maps each key name of the Prefix's
	// !{partitionKeyFromLambda:name} expressions to the record's value.
	// A key the Prefix uses but the map lacks fails the record as
	// partitioning-failed; keys the Prefix does not use are ignored.
	PartitionKeys map[string]string
}

// Result is the status of one transformed record.
type Result string

// The results of Firehose's data-transformation contract.
const (
	// Ok delivers the result's Data in place of the record.
	Ok Result = "Ok"
	// Dropped delivers nothing; the record counts as done.
	Dropped Result = "Dropped"
	// ProcessingFailed sends the original record to the error output as
	// processing-failed.
	ProcessingFailed Result = "ProcessingFailed"
)

// transformAttempts is how many times a failing call is made: Firehose's
// default NumberOfRetries (3) plus the first.
const transformAttempts = 4

// outcome is what became of one record in the transform step.
type outcome struct {
	result   Result // Ok, Dropped or ProcessingFailed
	data     []byte
	keys     map[string]string // partitionKeyFromLambda values
	code     string            // for ProcessingFailed
	message  string
	attempts int
}

// recordID is the ID of rec in a transform call: its sequence number, a
// dot and its sub-sequence number, like the dataId of Firehose's error
// records.
func recordID(rec kds.Record) string {
	return rec.SequenceNumber.String() + "." + strconv.FormatInt(rec.SubSequenceNumber, 10)
}

// transform runs the Transform over recs from shardID, in calls of at
// most TransformBufferSizeInMBs and a buffer's size of data, and returns
// one outcome per record. It returns ctx's error if ctx ends first.
func (d *DeliveryStream) transform(ctx context.Context, shardID string, recs []kds.Record) ([]outcome, error) {
	limit := min(d.cfg.transformBytes, d.cfg.bufferBytes)
	out := make([]outcome, 0, len(recs))
	for start := 0; start < len(recs); {
		end, size := start+1, len(recs[start].Data)
		for end < len(recs) && size+len(recs[end].Data) <= limit {
			size += len(recs[end].Data)
			end++
		}
		chunk, err := d.transformCall(ctx, shardID, recs[start:end])
		if err != nil {
			return nil, err
		}
		out = append(out, chunk...)
		start = end
	}
	return out, nil
}

// transformCall makes one call, with retries, and checks its output.
func (d *DeliveryStream) transformCall(ctx context.Context, shardID string, recs []kds.Record) ([]outcome, error) {
	in := TransformInput{DeliveryStreamName: d.cfg.DeliveryStreamName, SourceKinesisStreamName: d.cfg.StreamName, Records: make([]TransformRecord, len(recs))}
	index := make(map[string]int, len(recs))
	for i, r := range recs {
		id := recordID(r)
		index[id] = i
		in.Records[i] = TransformRecord{
			RecordID:                    id,
			ApproximateArrivalTimestamp: r.ApproximateArrivalTimestamp,
			Data:                        r.Data,
			KinesisRecordMetadata: KinesisRecordMetadata{
				ShardID:                     shardID,
				PartitionKey:                r.PartitionKey,
				SequenceNumber:              r.SequenceNumber.String(),
				SubsequenceNumber:           r.SubSequenceNumber,
				ApproximateArrivalTimestamp: r.ApproximateArrivalTimestamp,
			},
		}
	}
	var lastErr error
	for attempt := 1; attempt <= transformAttempts; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		in.InvocationID = uuid.New()
		res, err := callTransform(ctx, d.cfg.Transform, in)
		if err == nil {
			return checkTransformOutput(res, index, attempt), nil
		}
		lastErr = err
		d.report(fmt.Errorf("delivery: transform of %d records from %s, attempt %d: %w", len(recs), shardID, attempt, err))
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return failAll(len(recs), "Lambda.FunctionError", "the transform function failed: "+lastErr.Error(), transformAttempts), nil
}

// callTransform calls fn, turning a panic into an error.
func callTransform(ctx context.Context, fn TransformFunc, in TransformInput) (out TransformOutput, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return fn(ctx, in)
}

// checkTransformOutput matches a call's output to its input records
// (index: record ID → position) under Firehose's rules.
func checkTransformOutput(res TransformOutput, index map[string]int, attempts int) []outcome {
	out := make([]outcome, len(index))
	seen := make([]int, len(index))
	for _, r := range res.Records {
		i, ok := index[r.RecordID]
		if !ok {
			return failAll(len(index), "Lambda.JsonProcessingException", fmt.Sprintf("the transform returned record ID %q, which was not in its input", r.RecordID), attempts)
		}
		seen[i]++
		switch {
		case r.Result == Ok && r.Data == nil:
			out[i] = failed("Lambda.JsonProcessingException", "the transform returned Ok without data", attempts)
		case r.Result == Ok || r.Result == Dropped:
			out[i] = outcome{result: r.Result, data: r.Data, keys: r.Metadata.PartitionKeys}
		case r.Result == ProcessingFailed:
			out[i] = failed("Lambda.ProcessingFailedStatus", "the transform returned ProcessingFailed for the record", attempts)
		default:
			out[i] = failed("Lambda.JsonProcessingException", fmt.Sprintf("the transform returned result %q (want Ok, Dropped or ProcessingFailed)", r.Result), attempts)
		}
	}
	for i, n := range seen {
		switch {
		case n == 0:
			out[i] = failed("Lambda.MissingRecordId", "the transform returned no result for the record", attempts)
		case n > 1:
			out[i] = failed("Lambda.DuplicatedRecordId", fmt.Sprintf("the transform returned %d results for the record", n), attempts)
		}
	}
	return out
}

func failed(code, message string, attempts int) outcome {
	return outcome{result: ProcessingFailed, code: code, message: message, attempts: attempts}
}

// failAll returns n failed outcomes.
func failAll(n int, code, message string, attempts int) []outcome {
	out := make([]outcome, n)
	for i := range out {
		out[i] = failed(code, message, attempts)
	}
	return out
}
