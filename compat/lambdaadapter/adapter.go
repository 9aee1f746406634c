package lambdaadapter

import (
	"context"

	"github.com/aws/aws-lambda-go/events"

	"github.com/kdsgo/kds/trigger"
)

// Handler adapts a Lambda handler of Kinesis events to a trigger.Handler.
func Handler(h func(context.Context, events.KinesisEvent) (events.KinesisEventResponse, error)) trigger.Handler {
	return func(ctx context.Context, e trigger.KinesisEvent) (trigger.KinesisEventResponse, error) {
		resp, err := h(ctx, Event(e))
		return trigger.KinesisEventResponse{BatchItemFailures: failures(resp.BatchItemFailures)}, err
	}
}

// TimeWindowHandler adapts a Lambda handler of Kinesis time-window events
// to a trigger.Handler, for a mapping with a tumbling window.
func TimeWindowHandler(h func(context.Context, events.KinesisTimeWindowEvent) (events.KinesisTimeWindowEventResponse, error)) trigger.Handler {
	return func(ctx context.Context, e trigger.KinesisEvent) (trigger.KinesisEventResponse, error) {
		resp, err := h(ctx, TimeWindowEvent(e))
		return trigger.KinesisEventResponse{BatchItemFailures: failures(resp.BatchItemFailures), State: resp.State}, err
	}
}

// Event returns e as aws-lambda-go's KinesisEvent. The records' data is
// shared with e.
func Event(e trigger.KinesisEvent) events.KinesisEvent {
	out := events.KinesisEvent{Records: make([]events.KinesisEventRecord, len(e.Records))}
	for i, r := range e.Records {
		out.Records[i] = events.KinesisEventRecord{
			AwsRegion:         r.AwsRegion,
			EventID:           r.EventID,
			EventName:         r.EventName,
			EventSource:       r.EventSource,
			EventSourceArn:    r.EventSourceARN,
			EventVersion:      r.EventVersion,
			InvokeIdentityArn: r.InvokeIdentityArn,
			Kinesis: events.KinesisRecord{
				ApproximateArrivalTimestamp: events.SecondsEpochTime{Time: r.Kinesis.ApproximateArrivalTimestamp.Time},
				Data:                        r.Kinesis.Data,
				EncryptionType:              r.Kinesis.EncryptionType,
				PartitionKey:                r.Kinesis.PartitionKey,
				SequenceNumber:              r.Kinesis.SequenceNumber,
				KinesisSchemaVersion:        r.Kinesis.KinesisSchemaVersion,
			},
		}
	}
	return out
}

// TimeWindowEvent returns e as aws-lambda-go's KinesisTimeWindowEvent; its
// time-window members are zero if e has no TimeWindow. The records' data
// and the state are shared with e.
func TimeWindowEvent(e trigger.KinesisEvent) events.KinesisTimeWindowEvent {
	out := events.KinesisTimeWindowEvent{KinesisEvent: Event(e)}
	if w := e.TimeWindow; w != nil {
		out.TimeWindowProperties = events.TimeWindowProperties{
			Window: events.Window{
				Start: events.RFC3339EpochTime{Time: w.Window.Start},
				End:   events.RFC3339EpochTime{Time: w.Window.End},
			},
			State:                   w.State,
			ShardID:                 w.ShardID,
			EventSourceARN:          w.EventSourceARN,
			IsFinalInvokeForWindow:  w.IsFinalInvokeForWindow,
			IsWindowTerminatedEarly: w.IsWindowTerminatedEarly,
		}
	}
	return out
}

// failures converts a response's batch item failures.
func failures(in []events.KinesisBatchItemFailure) []trigger.BatchItemFailure {
	if in == nil {
		return nil
	}
	out := make([]trigger.BatchItemFailure, len(in))
	for i, f := range in {
		out[i] = trigger.BatchItemFailure{ItemIdentifier: f.ItemIdentifier}
	}
	return out
}
