package lambdaadapter

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/consumergroup"
	"github.com/kdsgo/kds/trigger"
)

var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// stream is a one-shard stream on a ManualClock.
type stream struct {
	t     *testing.T
	clock *kds.ManualClock
	svc   *kds.Service
	arn   string
}

func newStream(t *testing.T) *stream {
	t.Helper()
	clock := kds.NewManualClock(t0)
	svc, err := kds.NewService(kds.WithClock(clock), kds.WithThroughputLimits(kds.NoLimits), kds.WithStatusDelay(0), kds.WithRegion("eu-west-1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateStream(context.Background(), kds.CreateStreamInput{StreamName: "fixes", ShardCount: 1}); err != nil {
		t.Fatal(err)
	}
	sum, err := svc.DescribeStreamSummary(context.Background(), kds.DescribeStreamSummaryInput{StreamName: "fixes"})
	if err != nil {
		t.Fatal(err)
	}
	return &stream{t: t, clock: clock, svc: svc, arn: sum.StreamDescriptionSummary.StreamARN}
}

func (s *stream) put(key string, data []byte) string {
	s.t.Helper()
	out, err := s.svc.PutRecord(context.Background(), kds.PutRecordInput{StreamName: "fixes", PartitionKey: key, Data: data})
	if err != nil {
		s.t.Fatal(err)
	}
	return out.SequenceNumber.String()
}

// run runs a mapping of cfg (filled in with the stream) until the test
// ends.
func (s *stream) run(cfg trigger.Config) {
	s.t.Helper()
	cfg.EventSourceArn, cfg.FunctionName, cfg.StartingPosition = s.arn, "fn", trigger.TrimHorizon
	cfg.Client, cfg.Store, cfg.Clock = s.svc, consumergroup.NewMemStore(), s.clock
	m, err := trigger.New(cfg)
	if err != nil {
		s.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- m.Run(ctx) }()
	s.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			s.t.Errorf("Run: %v", err)
		}
	})
	synctest.Wait()
}

// TestHandler runs a Lambda handler of events.KinesisEvent through a
// mapping and checks every member of what it gets, and that its batch
// item failures make the mapping retry from the failed record.
func TestHandler(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newStream(t)
		s.clock.Advance(1500 * time.Millisecond)
		data := [][]byte{{0, 1, 2, 0xff}, []byte("fix 2")}
		seqs := []string{s.put("truck-1", data[0]), s.put("truck-2", data[1])}

		var (
			mu  sync.Mutex
			got []events.KinesisEvent
		)
		handler := func(ctx context.Context, e events.KinesisEvent) (events.KinesisEventResponse, error) {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, e)
			if len(got) == 1 {
				return events.KinesisEventResponse{BatchItemFailures: []events.KinesisBatchItemFailure{{ItemIdentifier: e.Records[1].Kinesis.SequenceNumber}}}, nil
			}
			return events.KinesisEventResponse{}, nil
		}
		s.run(trigger.Config{Handler: Handler(handler), FunctionResponseTypes: []trigger.FunctionResponseType{trigger.ReportBatchItemFailures}})
		s.clock.Advance(time.Second) // the retry
		synctest.Wait()

		mu.Lock()
		defer mu.Unlock()
		if len(got) != 2 || len(got[0].Records) != 2 || len(got[1].Records) != 1 {
			t.Fatalf("events %+v, want both records, then the second alone", got)
		}
		for i, r := range got[0].Records {
			want := events.KinesisEventRecord{
				AwsRegion:         "eu-west-1",
				EventID:           "shardId-000000000000:" + seqs[i],
				EventName:         "aws:kinesis:record",
				EventSource:       "aws:kinesis",
				EventSourceArn:    "arn:aws:kinesis:eu-west-1:000000000000:stream/fixes",
				EventVersion:      "1.0",
				InvokeIdentityArn: "arn:aws:iam::000000000000:role/fn-role",
				Kinesis: events.KinesisRecord{
					ApproximateArrivalTimestamp: r.Kinesis.ApproximateArrivalTimestamp,
					Data:                        data[i],
					PartitionKey:                "truck-" + strconv.Itoa(i+1),
					SequenceNumber:              seqs[i],
					KinesisSchemaVersion:        "1.0",
				},
			}
			if !reflect.DeepEqual(r, want) {
				t.Errorf("record %d:\n got %+v\nwant %+v", i, r, want)
			}
			if at := r.Kinesis.ApproximateArrivalTimestamp.Time; !at.Equal(t0.Add(1500 * time.Millisecond)) {
				t.Errorf("record %d arrived at %v, want %v", i, at, t0.Add(1500*time.Millisecond))
			}
		}
		if r := got[1].Records[0]; r.Kinesis.SequenceNumber != seqs[1] || !bytes.Equal(r.Kinesis.Data, data[1]) {
			t.Errorf("retry: %+v, want the second record", r)
		}
	})
}

// TestTimeWindowHandler runs a Lambda handler of time-window events
// through a mapping with a tumbling window: the window, the state carried
// between invocations and the final invocation.
func TestTimeWindowHandler(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newStream(t)
		s.put("truck-1", []byte("a"))
		var (
			mu  sync.Mutex
			got []events.KinesisTimeWindowEvent
		)
		handler := func(ctx context.Context, e events.KinesisTimeWindowEvent) (events.KinesisTimeWindowEventResponse, error) {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, e)
			n, _ := strconv.Atoi(e.State["n"])
			return events.KinesisTimeWindowEventResponse{
				TimeWindowEventResponseProperties: events.TimeWindowEventResponseProperties{State: map[string]string{"n": strconv.Itoa(n + len(e.Records))}},
			}, nil
		}
		s.run(trigger.Config{Handler: TimeWindowHandler(handler), TumblingWindowInSeconds: 60})
		s.clock.Advance(10 * time.Second)
		synctest.Wait()
		s.put("truck-1", []byte("b"))
		s.clock.Advance(time.Second)
		synctest.Wait()
		s.clock.Advance(time.Minute)
		synctest.Wait()
		s.put("truck-1", []byte("c")) // in the next window: closes the first
		s.clock.Advance(time.Second)
		synctest.Wait()

		mu.Lock()
		defer mu.Unlock()
		var summary []string
		for _, e := range got {
			line := e.Window.Start.Format("15:04:05") + "-" + e.Window.End.Format("15:04:05") + " n=" + e.State["n"] + " records=" + strconv.Itoa(len(e.Records))
			if e.IsFinalInvokeForWindow {
				line += " final"
			}
			if e.ShardID != "shardId-000000000000" || e.EventSourceARN != s.arn {
				t.Errorf("shard %q, ARN %q", e.ShardID, e.EventSourceARN)
			}
			summary = append(summary, line)
		}
		want := []string{
			"00:00:00-00:01:00 n= records=1",
			"00:00:00-00:01:00 n=1 records=1",
			"00:00:00-00:01:00 n=2 records=0 final",
			"00:01:00-00:02:00 n= records=1",
		}
		if !slices.Equal(summary, want) {
			t.Errorf("invocations\n got %q\nwant %q", summary, want)
		}
	})
}

// TestTimeWindowHandlerWithoutState checks that a response without a
// state reaches the mapping as one (nil State), which fails the
// invocation as Lambda fails it, while an empty state stays a state.
func TestTimeWindowHandlerWithoutState(t *testing.T) {
	for _, tt := range []struct {
		name  string
		state map[string]string
	}{{"no state", nil}, {"empty state", map[string]string{}}} {
		t.Run(tt.name, func(t *testing.T) {
			h := TimeWindowHandler(func(ctx context.Context, e events.KinesisTimeWindowEvent) (events.KinesisTimeWindowEventResponse, error) {
				return events.KinesisTimeWindowEventResponse{TimeWindowEventResponseProperties: events.TimeWindowEventResponseProperties{State: tt.state}}, nil
			})
			resp, err := h(context.Background(), trigger.KinesisEvent{TimeWindow: &trigger.TimeWindow{}})
			if err != nil || (resp.State == nil) != (tt.state == nil) {
				t.Errorf("response state %#v (%v), want %#v", resp.State, err, tt.state)
			}
		})
	}
	synctest.Test(t, func(t *testing.T) {
		s := newStream(t)
		s.put("truck-1", []byte("a"))
		var (
			mu    sync.Mutex
			calls int
		)
		handler := func(ctx context.Context, e events.KinesisTimeWindowEvent) (events.KinesisTimeWindowEventResponse, error) {
			mu.Lock()
			defer mu.Unlock()
			calls++
			if calls == 1 {
				return events.KinesisTimeWindowEventResponse{}, nil // forgot the state
			}
			return events.KinesisTimeWindowEventResponse{TimeWindowEventResponseProperties: events.TimeWindowEventResponseProperties{State: e.State}}, nil
		}
		s.run(trigger.Config{Handler: TimeWindowHandler(handler), TumblingWindowInSeconds: 60})
		s.clock.Advance(time.Second)
		synctest.Wait()
		mu.Lock()
		defer mu.Unlock()
		if calls != 2 {
			t.Errorf("%d invocations, want 2: the one without a state is retried", calls)
		}
	})
}

// TestJSONAgreesWithLambdaGo checks that trigger's JSON of an event reads
// into aws-lambda-go's types as the adapter converts it, and back.
func TestJSONAgreesWithLambdaGo(t *testing.T) {
	start := time.Date(2020, 12, 9, 7, 4, 0, 0, time.UTC)
	e := trigger.KinesisEvent{
		Records: []trigger.KinesisEventRecord{{
			Kinesis: trigger.KinesisRecord{
				KinesisSchemaVersion:        "1.0",
				PartitionKey:                "1",
				SequenceNumber:              "49590338271490256608559692538361571095921575989136588898",
				Data:                        []byte("Hello, this is a test."),
				ApproximateArrivalTimestamp: trigger.EpochSeconds{Time: time.UnixMilli(1607497475000).UTC()},
				EncryptionType:              "KMS",
			},
			EventSource:       "aws:kinesis",
			EventVersion:      "1.0",
			EventID:           "shardId-000000000006:49590338271490256608559692538361571095921575989136588898",
			EventName:         "aws:kinesis:record",
			InvokeIdentityArn: "arn:aws:iam::123456789012:role/lambda-kinesis-role",
			AwsRegion:         "us-east-1",
			EventSourceARN:    "arn:aws:kinesis:us-east-1:123456789012:stream/lambda-stream",
		}},
		TimeWindow: &trigger.TimeWindow{
			Window:                 trigger.Window{Start: start, End: start.Add(2 * time.Minute)},
			State:                  map[string]string{"1": "282"},
			ShardID:                "shardId-000000000006",
			EventSourceARN:         "arn:aws:kinesis:us-east-1:123456789012:stream/lambda-stream",
			IsFinalInvokeForWindow: true,
		},
	}
	ours, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var theirs events.KinesisTimeWindowEvent
	if err := json.Unmarshal(ours, &theirs); err != nil {
		t.Fatal(err)
	}
	converted := TimeWindowEvent(e)
	// aws-lambda-go reads the arrival time through a float: compare it to
	// the millisecond, the rest exactly.
	for _, ev := range []*events.KinesisTimeWindowEvent{&theirs, &converted} {
		at := &ev.Records[0].Kinesis.ApproximateArrivalTimestamp
		at.Time = time.UnixMilli(at.Round(time.Millisecond).UnixMilli()).UTC()
		ev.Window.Start.Time, ev.Window.End.Time = ev.Window.Start.UTC(), ev.Window.End.UTC()
	}
	if !reflect.DeepEqual(theirs, converted) {
		t.Errorf("JSON read by aws-lambda-go:\n got %+v\nwant %+v", theirs, converted)
	}
	// And aws-lambda-go's JSON reads back into trigger's types unchanged.
	b, err := json.Marshal(theirs)
	if err != nil {
		t.Fatal(err)
	}
	var back trigger.KinesisEvent
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if again, _ := json.Marshal(back); !bytes.Equal(again, ours) {
		t.Errorf("through aws-lambda-go and back:\n got %s\nwant %s", again, ours)
	}
}
