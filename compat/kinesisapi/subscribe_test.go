package kinesisapi_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/kdsgo/kds"
)

// eventTimeout bounds the wait for an event that must come, so that a
// broken stream fails the test instead of hanging it.
const eventTimeout = 10 * time.Second

// efoSetup serves a Service on a manual clock with a one-shard stream
// "s" and an ACTIVE consumer "app", and returns the client, the Service,
// the server URL, the clock and the consumer's ARN.
func efoSetup(t *testing.T) (*kinesis.Client, *kds.Service, string, *kds.ManualClock, string) {
	t.Helper()
	clock := kds.NewManualClock(testEpoch)
	c, svc, url := newTestServer(t, kds.WithClock(clock), kds.WithThroughputLimits(kds.NoLimits))
	arn := createStream(t, c, "s", 1)
	reg, err := c.RegisterStreamConsumer(context.Background(), &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(arn), ConsumerName: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	return c, svc, url, clock, *reg.Consumer.ConsumerARN
}

// subscribe starts a subscription to shard 0 at TRIM_HORIZON through the
// SDK; it ends with the test. Each subscription has a client of its own,
// as the SDK's clients share one event-stream decoder among all their
// streams (a data race, aws/smithy-go#714). newTestServer's clients
// already hand the transport request bodies of their own (sdkhttp.OwnBody).
func subscribe(t *testing.T, c *kinesis.Client, consumerARN string) *kinesis.SubscribeToShardEventStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	efo := kinesis.New(c.Options())
	out, err := efo.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{
		ConsumerARN:      aws.String(consumerARN),
		ShardId:          aws.String("shardId-000000000000"),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon},
	})
	if err != nil {
		t.Fatal(err)
	}
	s := out.GetStream()
	t.Cleanup(func() { s.Close() })
	return s
}

// nextEvent returns the stream's next event, or ok false once the stream
// has ended.
func nextEvent(t *testing.T, s *kinesis.SubscribeToShardEventStream) (ev types.SubscribeToShardEvent, ok bool) {
	t.Helper()
	select {
	case e, ok := <-s.Events():
		if !ok {
			return ev, false
		}
		m, isEvent := e.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
		if !isEvent {
			t.Fatalf("unexpected event %T", e)
		}
		return m.Value, true
	case <-time.After(eventTimeout):
		t.Fatal("no event")
	}
	return ev, false
}

// mustEvent returns the stream's next event, failing the test if the
// stream has ended.
func mustEvent(t *testing.T, s *kinesis.SubscribeToShardEventStream) types.SubscribeToShardEvent {
	t.Helper()
	ev, ok := nextEvent(t, s)
	if !ok {
		t.Fatalf("the stream ended early (%v)", s.Err())
	}
	return ev
}

// put writes records with the given data to stream "s" and returns their
// sequence numbers.
func put(t *testing.T, c *kinesis.Client, datas ...string) []string {
	t.Helper()
	var seqs []string
	for _, d := range datas {
		out, err := c.PutRecord(context.Background(), &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte(d)})
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, *out.SequenceNumber)
	}
	return seqs
}

func TestSubscribeToShard(t *testing.T) {
	c, svc, _, clock, consumerARN := efoSetup(t)
	ctx := context.Background()
	before := put(t, c, "a", "b")
	s := subscribe(t, c, consumerARN)

	ev := mustEvent(t, s)
	if len(ev.Records) != 2 || string(ev.Records[0].Data) != "a" || string(ev.Records[1].Data) != "b" || *ev.Records[1].SequenceNumber != before[1] {
		t.Fatalf("first event: %+v", ev.Records)
	}
	if !ev.Records[0].ApproximateArrivalTimestamp.Equal(testEpoch) || *ev.Records[0].PartitionKey != "k" {
		t.Errorf("first record: %v %q", ev.Records[0].ApproximateArrivalTimestamp, *ev.Records[0].PartitionKey)
	}
	if *ev.ContinuationSequenceNumber != before[1] || *ev.MillisBehindLatest != 0 || ev.ChildShards != nil {
		t.Errorf("first event: continuation %s, behind %d, children %v", *ev.ContinuationSequenceNumber, *ev.MillisBehindLatest, ev.ChildShards)
	}

	after := put(t, c, "c")
	ev = mustEvent(t, s)
	if len(ev.Records) != 1 || string(ev.Records[0].Data) != "c" || *ev.ContinuationSequenceNumber != after[0] {
		t.Fatalf("second event: %+v, continuation %s", ev.Records, *ev.ContinuationSequenceNumber)
	}

	// Within 5 s the consumer may not subscribe to the shard again.
	_, err := c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{
		ConsumerARN:      aws.String(consumerARN),
		ShardId:          aws.String("shardId-000000000000"),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest},
	})
	wantAPIError[*types.ResourceInUseException](t, err)

	clock.Advance(kds.SubscriptionHeartbeat)
	ev = mustEvent(t, s)
	if len(ev.Records) != 0 || *ev.ContinuationSequenceNumber != after[0] {
		t.Fatalf("heartbeat: %d records, continuation %s", len(ev.Records), *ev.ContinuationSequenceNumber)
	}

	if _, err := svc.SplitShard(ctx, kds.SplitShardInput{StreamName: "s", ShardToSplit: "shardId-000000000000", NewStartingHashKey: "170141183460469231731687303715884105728"}); err != nil {
		t.Fatal(err)
	}
	for {
		ev, ok := nextEvent(t, s)
		if !ok {
			t.Fatal("the stream ended without ChildShards")
		}
		if len(ev.Records) != 0 {
			t.Fatalf("records after the split: %+v", ev.Records)
		}
		if ev.ChildShards != nil {
			checkChildren(t, ev.ChildShards, []types.ChildShard{
				{ShardId: aws.String("shardId-000000000001"), ParentShards: []string{"shardId-000000000000"}},
				{ShardId: aws.String("shardId-000000000002"), ParentShards: []string{"shardId-000000000000"}},
			})
			break
		}
	}
	if _, ok := nextEvent(t, s); ok {
		t.Fatal("an event after ChildShards")
	}
	if err := s.Err(); err != nil {
		t.Fatalf("the stream ended with %v", err)
	}
}

func TestSubscribeToShardErrors(t *testing.T) {
	c, _, _, clock, consumerARN := efoSetup(t)
	ctx := context.Background()
	_, err := c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{
		ConsumerARN:      aws.String(consumerARN + "0"),
		ShardId:          aws.String("shardId-000000000000"),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest},
	})
	wantAPIError[*types.ResourceNotFoundException](t, err)
	_, err = c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{
		ConsumerARN:      aws.String(consumerARN),
		ShardId:          aws.String("shardId-000000000000"),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeAtSequenceNumber},
	})
	wantAPIError[*types.InvalidArgumentException](t, err)

	// A newer subscription takes over after 5 s: the older one ends with
	// ResourceInUseException.
	first := subscribe(t, c, consumerARN)
	mustEvent(t, first)
	clock.Advance(kds.ResubscribeInterval)
	second := subscribe(t, c, consumerARN)
	for {
		if _, ok := nextEvent(t, first); !ok {
			break
		}
	}
	wantAPIError[*types.ResourceInUseException](t, first.Err())

	// Deregistering the consumer ends its subscriptions.
	mustEvent(t, second)
	if _, err := c.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: aws.String(consumerARN)}); err != nil {
		t.Fatal(err)
	}
	for {
		if _, ok := nextEvent(t, second); !ok {
			break
		}
	}
	wantAPIError[*types.ResourceNotFoundException](t, second.Err())
}

// frameReader decodes the event-stream frames of a raw response.
type frameReader struct {
	t    *testing.T
	body io.Reader
	dec  *eventstream.Decoder
}

// next returns the next frame, or ok false at the end of the response.
func (r *frameReader) next() (msg eventstream.Message, ok bool) {
	r.t.Helper()
	msg, err := r.dec.Decode(r.body, nil)
	if err == io.EOF {
		return msg, false
	}
	if err != nil {
		r.t.Fatal(err)
	}
	return msg, true
}

// header returns the string value of msg's header name, or "".
func header(msg eventstream.Message, name string) string {
	if v := msg.Headers.Get(name); v != nil {
		return v.String()
	}
	return ""
}

// checkHeaders fails the test unless msg has exactly the headers want.
func checkHeaders(t *testing.T, msg eventstream.Message, want map[string]string) {
	t.Helper()
	if len(msg.Headers) != len(want) {
		t.Errorf("%d headers, want %d", len(msg.Headers), len(want))
	}
	for name, v := range want {
		if got := header(msg, name); got != v {
			t.Errorf("header %s = %q, want %q", name, got, v)
		}
	}
}

// rawSubscribe subscribes to shard 0 at TRIM_HORIZON in plain HTTP and
// returns a reader of the response's frames.
func rawSubscribe(t *testing.T, url, consumerARN string) *frameReader {
	t.Helper()
	resp := rawPost(t, url, "SubscribeToShard", fmt.Sprintf(`{"ConsumerARN":%q,"ShardId":"shardId-000000000000","StartingPosition":{"Type":"TRIM_HORIZON"}}`, consumerARN))
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/vnd.amazon.eventstream" {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("%d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	r := &frameReader{t: t, body: resp.Body, dec: eventstream.NewDecoder()}
	msg, ok := r.next()
	if !ok {
		t.Fatal("no initial-response")
	}
	checkHeaders(t, msg, map[string]string{":message-type": "event", ":event-type": "initial-response", ":content-type": "application/json"})
	if string(msg.Payload) != "{}" {
		t.Errorf("initial-response payload %q", msg.Payload)
	}
	return r
}

func TestSubscribeToShardFrames(t *testing.T) {
	c, _, url, clock, consumerARN := efoSetup(t)
	seqs := put(t, c, "hello")
	r := rawSubscribe(t, url, consumerARN)

	msg, _ := r.next()
	checkHeaders(t, msg, map[string]string{":message-type": "event", ":event-type": "SubscribeToShardEvent", ":content-type": "application/json"})
	var ev map[string]any
	if err := json.Unmarshal(msg.Payload, &ev); err != nil {
		t.Fatalf("%s: %v", msg.Payload, err)
	}
	recs, _ := ev["Records"].([]any)
	if len(recs) != 1 || ev["ContinuationSequenceNumber"] != seqs[0] || ev["MillisBehindLatest"] != 0.0 || ev["ChildShards"] != nil {
		t.Fatalf("event payload %s", msg.Payload)
	}
	rec := recs[0].(map[string]any)
	if rec["Data"] != base64.StdEncoding.EncodeToString([]byte("hello")) || rec["SequenceNumber"] != seqs[0] || rec["PartitionKey"] != "k" ||
		rec["ApproximateArrivalTimestamp"] != float64(testEpoch.Unix()) {
		t.Errorf("record %s", msg.Payload)
	}

	// After five minutes on the clock the response ends.
	clock.Advance(kds.SubscriptionLifetime)
	for {
		msg, ok := r.next()
		if !ok {
			break
		}
		if header(msg, ":message-type") != "event" {
			t.Fatalf("frame %v %s before the end", msg.Headers, msg.Payload)
		}
	}
}

func TestSubscribeToShardExceptionFrame(t *testing.T) {
	c, _, url, clock, consumerARN := efoSetup(t)
	r := rawSubscribe(t, url, consumerARN)
	r.next() // the first (empty) event
	clock.Advance(kds.ResubscribeInterval)
	subscribe(t, c, consumerARN) // takes over
	for {
		msg, ok := r.next()
		if !ok {
			t.Fatal("the response ended without an exception")
		}
		if header(msg, ":message-type") == "event" {
			continue
		}
		checkHeaders(t, msg, map[string]string{":message-type": "exception", ":exception-type": "ResourceInUseException", ":content-type": "application/json"})
		var body map[string]string
		if err := json.Unmarshal(msg.Payload, &body); err != nil || len(body) != 1 || !strings.Contains(body["message"], "took over") {
			t.Errorf("exception payload %s (%v)", msg.Payload, err)
		}
		break
	}
	if msg, ok := r.next(); ok {
		t.Errorf("frame %v after the exception", msg.Headers)
	}
}
