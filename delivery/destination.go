package delivery

import (
	"context"
	"fmt"

	"github.com/kdsgo/kds"
)

// Destination is where a delivery stream delivers its buffers: one call
// of Deliver per buffer, as Firehose writes one S3 object or sends one
// HTTP request per buffer. Deliver returns nil once the batch is stored
// for good; the records' checkpoints move past them only then.
//
// An error asks for the batch to be delivered again: the stream retries
// it with backoff (doubling from 1 s to 2 min on its Clock) until it
// succeeds or the stream stops, as Firehose keeps retrying S3. A
// [*DeliveryFailedError] instead gives the batch up: its records go to
// the error output (Config.ErrorOutput) and count as delivered.
//
// The stream calls Deliver from one goroutine at a time; ctx ends when
// the stream stops. [DirectoryDestination] and [HTTPEndpointDestination]
// are the two destinations of this package.
type Destination interface {
	Deliver(ctx context.Context, b *Batch) error
}

// DestinationLimits are what a [Destination] demands of the delivery
// stream that feeds it. The zero value demands nothing.
type DestinationLimits struct {
	// MaxRecords, if not 0, is the most records of one batch: buffers
	// are sealed when they hold that many.
	MaxRecords int
	// MaxSizeInMBs, if not 0, lowers the largest BufferingHints.SizeInMBs
	// New accepts.
	MaxSizeInMBs int
	// NeedsErrorOutput says that the destination gives batches up (with a
	// [*DeliveryFailedError]): Config.ErrorOutput must then be set, and
	// the destination cannot be an error output itself.
	NeedsErrorOutput bool
}

// LimitedDestination is implemented by a [Destination] with
// [DestinationLimits], such as [HTTPEndpointDestination]. New reads the
// limits of Config.Destination and Config.ErrorOutput through it, so a
// Destination that wraps another should implement it too and return the
// wrapped one's limits.
type LimitedDestination interface {
	Limits() DestinationLimits
}

// ClockedDestination is implemented by a [Destination] that reads time
// (for its retries, say), such as [HTTPEndpointDestination]. New hands it
// Config.Clock through SetDefaultClock before the stream runs; the
// destination uses that clock unless it was configured with one of its
// own. A Destination that wraps another should pass the call on.
type ClockedDestination interface {
	SetDefaultClock(c kds.Clock)
}

// limitsOf returns d's limits, the zero value if it has none.
func limitsOf(d Destination) DestinationLimits {
	if l, ok := d.(LimitedDestination); ok {
		return l.Limits()
	}
	return DestinationLimits{}
}

// Batch is one buffer of records for a [Destination]. The destination
// must not keep or change it after Deliver returns.
type Batch struct {
	// Key names the batch as an object store would: the evaluated Prefix
	// (or ErrorOutputPrefix, for error output) followed by the object
	// name <DeliveryStreamName>-<DeliveryStreamVersion>-<yyyy-MM-dd-HH-mm-ss>-<UUID>,
	// without a file extension. Destinations that are not object stores
	// ignore it.
	Key string
	// Records are the records' data in stream order (per shard), as the
	// transform returned it and with Config.RecordDelimiter appended. For
	// error output each record is one JSON [ErrorRecord] followed by a
	// newline.
	Records [][]byte
}

// DeliveryFailedError is returned by a [Destination] that gives a batch
// up for good, as Firehose does when an HTTP endpoint's retry duration
// runs out: the stream writes the batch's records to the error output
// under the error output type ErrorOutputType, one [ErrorRecord] each.
type DeliveryFailedError struct {
	// ErrorOutputType is the value of !{firehose:error-output-type} in
	// ErrorOutputPrefix, such as "http-endpoint-failed". One that is empty
	// or would not make a path segment is replaced by "delivery-failed".
	ErrorOutputType string
	// ErrorCode is copied into each ErrorRecord, e.g.
	// "HttpEndpoint.DestinationException".
	ErrorCode string
	// ErrorMessage is copied into each ErrorRecord, e.g. the endpoint's
	// message.
	ErrorMessage string
	// AttemptsMade is how many times delivery was tried.
	AttemptsMade int
}

// Error returns the failure's code, message and attempt count.
func (e *DeliveryFailedError) Error() string {
	return fmt.Sprintf("delivery: %s after %d attempts: %s", e.ErrorCode, e.AttemptsMade, e.ErrorMessage)
}
