package kinesisapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	"github.com/kdsgo/kds"
)

// contentTypeEventStream is the media type of SubscribeToShard's answer.
const contentTypeEventStream = "application/vnd.amazon.eventstream"

type startingPosition struct {
	Type           kds.ShardIteratorType `json:"Type"`
	SequenceNumber string                `json:"SequenceNumber"`
	Timestamp      *timestamp            `json:"Timestamp"`
}

type subscribeToShardInput struct {
	ConsumerARN      string            `json:"ConsumerARN"`
	ShardId          string            `json:"ShardId"`
	StartingPosition *startingPosition `json:"StartingPosition"`
}

// subscribeToShardEvent is the payload of one SubscribeToShardEvent
// message.
type subscribeToShardEvent struct {
	Records                    wireRecords  `json:"Records"`
	ContinuationSequenceNumber string       `json:"ContinuationSequenceNumber"`
	MillisBehindLatest         int64        `json:"MillisBehindLatest"`
	ChildShards                []childShard `json:"ChildShards,omitempty"`
}

// subscribeToShard answers with an event stream: an initial-response
// event, then one SubscribeToShardEvent per event of the core's
// subscription, each flushed at once. Failures before the stream starts
// are ordinary error responses; later ones end it with an exception
// message. The payloads are JSON, labelled so in :content-type, whatever
// the request's codec: whether Kinesis answers CBOR clients (the Java
// SDK) with CBOR payloads is not established.
func subscribeToShard(ctx context.Context, svc *kds.Service, req *request) (any, error) {
	var in subscribeToShardInput
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	var v violations
	v.required(in.StartingPosition != nil, "startingPosition")
	if err := v.err(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(req.streams, cancel)()
	pos := in.StartingPosition
	out, err := svc.SubscribeToShard(ctx, kds.SubscribeToShardInput{
		ConsumerARN: in.ConsumerARN,
		ShardId:     in.ShardId,
		StartingPosition: kds.StartingPosition{
			Type:           pos.Type,
			SequenceNumber: pos.SequenceNumber,
			Timestamp:      pos.Timestamp.time(),
		},
	})
	if err != nil {
		return nil, err
	}
	w := &eventWriter{w: req.w, rc: http.NewResponseController(req.w), enc: eventstream.NewEncoder()}
	req.w.Header().Set("Content-Type", contentTypeEventStream)
	req.w.WriteHeader(http.StatusOK)
	if !w.event("initial-response", struct{}{}) {
		return responded, nil
	}
	for ev, err := range out.EventStream {
		if err != nil {
			if !isContextError(err) {
				w.exception(err)
			}
			break
		}
		if !w.event("SubscribeToShardEvent", subscribeToShardEvent{
			Records:                    ev.Records,
			ContinuationSequenceNumber: ev.ContinuationSequenceNumber.String(),
			MillisBehindLatest:         ev.MillisBehindLatest,
			ChildShards:                toChildShards(ev.ChildShards),
		}) {
			break // the client went away
		}
	}
	return responded, nil
}

// eventWriter writes event-stream messages to a response, flushing each.
type eventWriter struct {
	w   http.ResponseWriter
	rc  *http.ResponseController
	enc *eventstream.Encoder
}

// event writes an event message of type eventType with payload as JSON,
// and reports whether it reached the connection.
func (w *eventWriter) event(eventType string, payload any) bool {
	var msg eventstream.Message
	msg.Headers.Set(":message-type", eventstream.StringValue("event"))
	msg.Headers.Set(":event-type", eventstream.StringValue(eventType))
	return w.write(msg, payload)
}

// streamExceptions are the exceptions SubscribeToShard's event stream
// models; others are sent as unmodelled errors.
var streamExceptions = map[string]bool{
	"ResourceNotFoundException": true,
	"ResourceInUseException":    true,
	"KMSDisabledException":      true,
	"KMSInvalidStateException":  true,
	"KMSAccessDeniedException":  true,
	"KMSNotFoundException":      true,
	"KMSOptInRequired":          true,
	"KMSThrottlingException":    true,
	"InternalFailureException":  true,
}

// exception ends the stream with err: an exception message with a JSON
// {"message"} payload if the stream models err's exception, else an
// error message with the code and message in headers.
func (w *eventWriter) exception(err error) {
	code, message := "InternalFailureException", err.Error()
	var ke *kds.Error
	if errors.As(err, &ke) {
		code, message = ke.Code, ke.Message
	}
	var msg eventstream.Message
	if !streamExceptions[code] {
		msg.Headers.Set(":message-type", eventstream.StringValue("error"))
		msg.Headers.Set(":error-code", eventstream.StringValue(code))
		msg.Headers.Set(":error-message", eventstream.StringValue(message))
		w.write(msg, nil)
		return
	}
	msg.Headers.Set(":message-type", eventstream.StringValue("exception"))
	msg.Headers.Set(":exception-type", eventstream.StringValue(code))
	w.write(msg, struct {
		Message string `json:"message"`
	}{message})
}

// write encodes msg with payload (if not nil) as its JSON body, sends it
// and reports whether it reached the connection.
func (w *eventWriter) write(msg eventstream.Message, payload any) bool {
	if payload != nil {
		b, err := appendJSON(nil, payload)
		if err != nil {
			return false
		}
		msg.Headers.Set(":content-type", eventstream.StringValue("application/json"))
		msg.Payload = b
	}
	if err := w.enc.Encode(w.w, msg); err != nil {
		return false
	}
	return w.rc.Flush() == nil
}

// appendJSON writes the event without reflection: see [jsonAppender].
func (e subscribeToShardEvent) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"Records":`...)
	dst = appendRecordsJSON(dst, e.Records)
	dst = append(dst, `,"ContinuationSequenceNumber":`...)
	dst = appendJSONString(dst, e.ContinuationSequenceNumber)
	dst = append(dst, `,"MillisBehindLatest":`...)
	dst = strconv.AppendInt(dst, e.MillisBehindLatest, 10)
	dst = appendChildShardsJSON(dst, e.ChildShards)
	return append(dst, '}')
}
