package trigger

import (
	"context"
	"encoding/json"
	"io"
	"slices"
	"sync"
)

// Destination receives the [OnFailureRecord] of every discarded batch:
// the analog of the SQS queue, SNS topic or S3 bucket of Lambda's
// DestinationConfig.OnFailure. A batch counts as discarded, and its
// shard moves on, only once Send has returned nil; until then Send is
// retried with the same backoff as a failing batch. Implementations must
// be safe for concurrent use (the shards of a stream send concurrently).
type Destination interface {
	Send(ctx context.Context, rec OnFailureRecord) error
}

// MemoryDestination is a [Destination] that keeps the records in memory.
// The zero value is ready to use.
type MemoryDestination struct {
	mu      sync.Mutex
	records []OnFailureRecord
}

// Send appends rec.
func (d *MemoryDestination) Send(ctx context.Context, rec OnFailureRecord) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.records = append(d.records, rec)
	return nil
}

// Records returns the records sent so far, in the order they came.
func (d *MemoryDestination) Records() []OnFailureRecord {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.records)
}

// JSONLinesDestination is a [Destination] that writes each record to an
// io.Writer as one line of JSON, Lambda's shape.
type JSONLinesDestination struct {
	mu sync.Mutex
	w  io.Writer
}

// NewJSONLinesDestination returns a JSONLinesDestination writing to w.
func NewJSONLinesDestination(w io.Writer) *JSONLinesDestination {
	return &JSONLinesDestination{w: w}
}

// Send writes rec and a newline in one Write call, and returns the
// writer's error.
func (d *JSONLinesDestination) Send(ctx context.Context, rec OnFailureRecord) error {
	line, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	_, err = d.w.Write(append(line, '\n'))
	return err
}
