package trigger

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// compact returns s without insignificant white space.
func compact(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		t.Fatalf("compact %s: %v", s, err)
	}
	return b.String()
}

// docRecord is the record of the example event in Lambda's Kinesis
// documentation.
func docRecord() KinesisEventRecord {
	return KinesisEventRecord{
		Kinesis: KinesisRecord{
			KinesisSchemaVersion:        "1.0",
			PartitionKey:                "1",
			SequenceNumber:              "49590338271490256608559692538361571095921575989136588898",
			Data:                        []byte("Hello, this is a test."),
			ApproximateArrivalTimestamp: EpochSeconds{time.UnixMilli(1545084650987)},
		},
		EventSource:       "aws:kinesis",
		EventVersion:      "1.0",
		EventID:           "shardId-000000000006:49590338271490256608559692538361571095921575989136588898",
		EventName:         "aws:kinesis:record",
		InvokeIdentityArn: "arn:aws:iam::123456789012:role/lambda-role",
		AwsRegion:         "us-east-2",
		EventSourceARN:    "arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream",
	}
}

const docRecordJSON = `{
  "kinesis": {
    "kinesisSchemaVersion": "1.0",
    "partitionKey": "1",
    "sequenceNumber": "49590338271490256608559692538361571095921575989136588898",
    "data": "SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==",
    "approximateArrivalTimestamp": 1545084650.987
  },
  "eventSource": "aws:kinesis",
  "eventVersion": "1.0",
  "eventID": "shardId-000000000006:49590338271490256608559692538361571095921575989136588898",
  "eventName": "aws:kinesis:record",
  "invokeIdentityArn": "arn:aws:iam::123456789012:role/lambda-role",
  "awsRegion": "us-east-2",
  "eventSourceARN": "arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream"
}`

// TestEventJSON checks that events marshal byte for byte as Lambda's
// documented examples, field order included, and read back unchanged.
func TestEventJSON(t *testing.T) {
	windowStart := time.Date(2020, 12, 9, 7, 4, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		event KinesisEvent
		want  string
	}{
		{"plain", KinesisEvent{Records: []KinesisEventRecord{docRecord()}}, `{"Records": [` + docRecordJSON + `]}`},
		{"time window", KinesisEvent{
			Records: []KinesisEventRecord{docRecord()},
			TimeWindow: &TimeWindow{
				Window:         Window{Start: windowStart, End: windowStart.Add(2 * time.Minute)},
				State:          map[string]string{"1": "282", "2": "715"},
				ShardID:        "shardId-000000000006",
				EventSourceARN: "arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream",
			},
		}, `{"Records": [` + docRecordJSON + `],
			"window": {"start": "2020-12-09T07:04:00Z", "end": "2020-12-09T07:06:00Z"},
			"state": {"1": "282", "2": "715"},
			"shardId": "shardId-000000000006",
			"eventSourceARN": "arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream",
			"isFinalInvokeForWindow": false,
			"isWindowTerminatedEarly": false}`},
		{"final invocation", KinesisEvent{
			Records: []KinesisEventRecord{},
			TimeWindow: &TimeWindow{
				Window:                 Window{Start: windowStart, End: windowStart.Add(2 * time.Minute)},
				State:                  map[string]string{},
				ShardID:                "shardId-000000000006",
				EventSourceARN:         "arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream",
				IsFinalInvokeForWindow: true,
			},
		}, `{"Records": [], "window": {"start": "2020-12-09T07:04:00Z", "end": "2020-12-09T07:06:00Z"},
			"state": {}, "shardId": "shardId-000000000006",
			"eventSourceARN": "arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream",
			"isFinalInvokeForWindow": true, "isWindowTerminatedEarly": false}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := json.Marshal(tc.event)
			if err != nil {
				t.Fatal(err)
			}
			if want := compact(t, tc.want); string(got) != want {
				t.Errorf("json.Marshal:\n got %s\nwant %s", got, want)
			}
			var back KinesisEvent
			if err := json.Unmarshal(got, &back); err != nil {
				t.Fatal(err)
			}
			if again, _ := json.Marshal(back); !bytes.Equal(again, got) {
				t.Errorf("read back and marshalled again:\n got %s\nwant %s", again, got)
			}
			if len(back.Records) > 0 && !bytes.Equal(back.Records[0].Kinesis.Data, tc.event.Records[0].Kinesis.Data) {
				t.Errorf("data read back: %q", back.Records[0].Kinesis.Data)
			}
		})
	}
}

// TestResponseJSON reads the responses Lambda documents.
func TestResponseJSON(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want KinesisEventResponse
	}{
		{`{"batchItemFailures": [{"itemIdentifier": "49590338271490256608559692538361571095921575989136588898"}]}`,
			KinesisEventResponse{BatchItemFailures: []BatchItemFailure{{ItemIdentifier: "49590338271490256608559692538361571095921575989136588898"}}}},
		{`{"batchItemFailures": []}`, KinesisEventResponse{BatchItemFailures: []BatchItemFailure{}}},
		{`{"state": {"1": "282", "2": "715"}, "batchItemFailures": []}`,
			KinesisEventResponse{BatchItemFailures: []BatchItemFailure{}, State: map[string]string{"1": "282", "2": "715"}}},
	} {
		var got KinesisEventResponse
		if err := json.Unmarshal([]byte(tc.in), &got); err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %+v, want %+v", tc.in, got, tc.want)
		}
	}
	// Without a window, a response marshals as Lambda's StreamsEventResponse.
	b, _ := json.Marshal(KinesisEventResponse{BatchItemFailures: []BatchItemFailure{{ItemIdentifier: "1"}}})
	if want := `{"batchItemFailures":[{"itemIdentifier":"1"}]}`; string(b) != want {
		t.Errorf("json.Marshal: got %s, want %s", b, want)
	}
}

// TestOnFailureRecordJSON checks an on-failure record against the example
// in Lambda's documentation.
func TestOnFailureRecordJSON(t *testing.T) {
	ms := func(s string) ISOMillis {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return ISOMillis{tm}
	}
	rec := OnFailureRecord{
		RequestContext: RequestContext{
			RequestID:              "c9b8fa9f-5a7f-xmpl-af9c-0c604cde93a5",
			FunctionArn:            "arn:aws:lambda:us-east-2:123456789012:function:myfunction",
			Condition:              RetryAttemptsExhausted,
			ApproximateInvokeCount: 1,
		},
		ResponseContext: ResponseContext{StatusCode: 200, ExecutedVersion: "$LATEST", FunctionError: "Unhandled"},
		Version:         "1.0",
		Timestamp:       ms("2019-11-14T00:38:06.021Z"),
		KinesisBatchInfo: KinesisBatchInfo{
			ShardID:                         "shardId-000000000001",
			StartSequenceNumber:             "49601189658422359378836298521827638475320189012309704722",
			EndSequenceNumber:               "49601189658422359378836298522902373528957594348623495186",
			ApproximateArrivalOfFirstRecord: ms("2019-11-14T00:38:04.835Z"),
			ApproximateArrivalOfLastRecord:  ms("2019-11-14T00:38:05.580Z"),
			BatchSize:                       500,
			StreamArn:                       "arn:aws:kinesis:us-east-2:123456789012:stream/mystream",
		},
	}
	want := compact(t, `{
    "requestContext": {
        "requestId": "c9b8fa9f-5a7f-xmpl-af9c-0c604cde93a5",
        "functionArn": "arn:aws:lambda:us-east-2:123456789012:function:myfunction",
        "condition": "RetryAttemptsExhausted",
        "approximateInvokeCount": 1
    },
    "responseContext": {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled"
    },
    "version": "1.0",
    "timestamp": "2019-11-14T00:38:06.021Z",
    "KinesisBatchInfo": {
        "shardId": "shardId-000000000001",
        "startSequenceNumber": "49601189658422359378836298521827638475320189012309704722",
        "endSequenceNumber": "49601189658422359378836298522902373528957594348623495186",
        "approximateArrivalOfFirstRecord": "2019-11-14T00:38:04.835Z",
        "approximateArrivalOfLastRecord": "2019-11-14T00:38:05.580Z",
        "batchSize": 500,
        "streamArn": "arn:aws:kinesis:us-east-2:123456789012:stream/mystream"
    }
}`)
	got, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("json.Marshal:\n got %s\nwant %s", got, want)
	}
	var back OnFailureRecord
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	if again, _ := json.Marshal(back); string(again) != want {
		t.Errorf("read back and marshalled again:\n got %s\nwant %s", again, want)
	}
}

// TestEpochSeconds checks the arrival timestamp's rendering at the edges.
func TestEpochSeconds(t *testing.T) {
	for _, tc := range []struct {
		ms   int64
		want string
	}{
		{1545084650987, "1545084650.987"},
		{1607497475000, "1607497475.000"},
		{5, "0.005"},
		{-1500, "-1.500"},
	} {
		got, err := json.Marshal(EpochSeconds{time.UnixMilli(tc.ms)})
		if err != nil || string(got) != tc.want {
			t.Errorf("%d ms: got %s, %v; want %s", tc.ms, got, err, tc.want)
		}
		var back EpochSeconds
		if err := json.Unmarshal(got, &back); err != nil || back.UnixMilli() != tc.ms {
			t.Errorf("%s read back as %d ms, %v", got, back.UnixMilli(), err)
		}
	}
}
