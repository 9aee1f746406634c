package testfake

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// maxBatch is the most entries one PutRecords call takes.
const maxBatch = 500

// Event is one record to publish: its partition key and its payload.
type Event struct {
	Key  string // partition key: events of one key go to one shard
	Data []byte
}

// Publisher sends events to a stream with PutRecords.
//
// PutRecords is not all-or-nothing: a shard over its write limit refuses
// some entries and stores the others. The Publisher re-sends only the
// refused entries, in their order and before any later event, waiting
// with Backoff between calls; it retries in the same way a whole call
// that failed for throttling. Records of one key keep their order when a
// shard refuses the tail of its entries in a call, which is what a shard
// out of capacity does with records of similar size; Kinesis does not
// promise more for PutRecords.
//
// The client's own retries (the SDK retries throttling errors three
// times by default, in real time) come before the Publisher's; a client
// with RetryMaxAttempts 1 leaves them all to Backoff.
type Publisher struct {
	Client *kinesis.Client
	Stream string // the stream's name
	// Backoff paces the re-sending of refused entries.
	Backoff Backoff
}

// PublishError is what Publish returns when it gives up: the events not
// stored, in their order, and the last error that refused them.
type PublishError struct {
	Unsent []Event // the events not stored, in order
	Err    error   // the last refusal or failure
}

// Error says how many events were not sent and why.
func (e *PublishError) Error() string {
	return fmt.Sprintf("publish to stream: %d events not sent: %v", len(e.Unsent), e.Err)
}

// Unwrap returns the cause, for instance a
// *types.ProvisionedThroughputExceededException.
func (e *PublishError) Unwrap() error { return e.Err }

// Publish stores events in the stream. It returns nil once every event is
// stored, or a *PublishError once Backoff.MaxAttempts calls in a row have
// stored nothing, a call fails for anything but throttling, or ctx ends.
func (p *Publisher) Publish(ctx context.Context, events []Event) error {
	pending := events
	retry, idle := 0, 0
	for len(pending) > 0 {
		batch := pending[:min(len(pending), maxBatch)]
		r, err := p.put(ctx, batch)
		switch {
		case err != nil && !throttled(err):
			return &PublishError{Unsent: pending, Err: err}
		case err != nil: // the whole call was throttled: nothing stored
			idle++
		case len(r.events) == 0:
			pending, retry, idle = pending[len(batch):], 0, 0
			continue
		default:
			if len(r.events) < len(batch) {
				idle = 0
			} else {
				idle++
			}
			pending = append(r.events, pending[len(batch):]...)
			err = r.cause
		}
		if idle >= p.Backoff.maxAttempts() {
			return &PublishError{Unsent: pending, Err: err}
		}
		if err := p.Backoff.wait(ctx, retry); err != nil {
			return &PublishError{Unsent: pending, Err: err}
		}
		retry++
	}
	return nil
}

// refusal is what a PutRecords call did not store: the refused events in
// their order, and the first entry's error.
type refusal struct {
	events []Event
	cause  error
}

// put sends one PutRecords call and returns the entries it refused for
// throttling. An entry refused for another reason makes it fail.
func (p *Publisher) put(ctx context.Context, batch []Event) (refusal, error) {
	entries := make([]types.PutRecordsRequestEntry, len(batch))
	for i, e := range batch {
		entries[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String(e.Key), Data: e.Data}
	}
	out, err := p.Client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(p.Stream), Records: entries})
	if err != nil {
		return refusal{}, err
	}
	if len(out.Records) != len(batch) {
		return refusal{}, fmt.Errorf("PutRecords answered %d entries for %d records", len(out.Records), len(batch))
	}
	var r refusal
	for i, e := range out.Records {
		var cause error
		switch code := aws.ToString(e.ErrorCode); code {
		case "":
			continue
		case "ProvisionedThroughputExceededException":
			cause = &types.ProvisionedThroughputExceededException{Message: e.ErrorMessage}
		case "InternalFailure":
			cause = &types.InternalFailureException{Message: e.ErrorMessage}
		default:
			return refusal{}, fmt.Errorf("PutRecords refused an entry: %s: %s", code, aws.ToString(e.ErrorMessage))
		}
		if r.cause == nil {
			r.cause = cause
		}
		r.events = append(r.events, batch[i])
	}
	return r, nil
}
