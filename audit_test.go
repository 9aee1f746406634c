package kds

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/netip"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// auditStart is the clock of the audit tests' Services.
var auditStart = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// memorySink keeps the events it is given.
type memorySink struct {
	mu     sync.Mutex
	events []*AuditEvent
}

func (s *memorySink) WriteAuditEvent(e *AuditEvent) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, e)
	return nil
}

func (s *memorySink) all() []*AuditEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.events)
}

// newAuditService returns a Service on a ManualClock at auditStart with
// an audit trail writing to sink.
func newAuditService(t *testing.T, sink AuditSink, opts ...AuditOption) *Service {
	t.Helper()
	svc, err := NewService(WithClock(NewManualClock(auditStart)), WithThroughputLimits(NoLimits), WithAuditTrail(sink, opts...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	return svc
}

// auditCall is one call of TestAuditEveryOperation.
type auditCall struct {
	op       string
	readOnly bool
	data     bool
	errCode  string // the error the call is made to fail with, if any
	call     func(ctx context.Context, svc *Service, f *auditFixture) error
}

// auditFixture carries what the calls of TestAuditEveryOperation learn.
type auditFixture struct {
	streamARN, consumerARN, shard, iterator string
}

// auditCalls calls every Kinesis operation of a Service at least once, in
// an order that works on one stream.
var auditCalls = []auditCall{
	{op: "CreateStream", call: func(ctx context.Context, svc *Service, f *auditFixture) error {
		_, err := svc.CreateStream(ctx, CreateStreamInput{StreamName: "s", ShardCount: 2})
		f.streamARN = svc.streamARN("s")
		return err
	}},
	{op: "DescribeStream", readOnly: true, errCode: codeResourceNotFound, call: func(ctx context.Context, svc *Service, _ *auditFixture) error {
		_, err := svc.DescribeStream(ctx, DescribeStreamInput{StreamName: "missing"})
		return err
	}},
	{op: "DescribeStream", readOnly: true, call: func(ctx context.Context, svc *Service, f *auditFixture) error {
		out, err := svc.DescribeStream(ctx, DescribeStreamInput{StreamName: "s"})
		if err == nil {
			f.shard = out.StreamDescription.Shards[0].ShardId
		}
		return err
	}},
	{op: "DescribeStreamSummary", readOnly: true, call: func(ctx context.Context, svc *Service, _ *auditFixture) error {
		_, err := svc.DescribeStreamSummary(ctx, DescribeStreamSummaryInput{StreamName: "s"})
		return err
	}},
	{op: "DescribeLimits", readOnly: true, call: func(ctx context.Context, svc *Service, _ *auditFixture) error {
		_, err := svc.DescribeLimits(ctx, DescribeLimitsInput{})
		return err
	}},
	{op: "ListStreams", readOnly: true, call: func(ctx context.Context, svc *Service, _ *auditFixture) error {
		_, err := svc.ListStreams(ctx, ListStreamsInput{Limit: 10})
		return err
	}},
	{op: "ListShards", readOnly: true, call: func(ctx context.Context, svc *Service, _ *auditFixture) error {
		_, err := svc.ListShards(ctx, ListShardsInput{StreamName: "s"})
		return err
	}},
	{op: "AddTagsToStream", call: func(ctx context.Context, svc *Service, _ *auditFixture) error {
		_, err := svc.AddTagsToStream(ctx, AddTagsToStreamInput{StreamName: "s", Tags: map[string]string{"team": "a"}})
		return err
	}},
	{op: "ListTagsForStream", readOnly: true, call: func(ctx context.Context, svc *Service, _ *auditFixture) error {
		_, err := svc.ListTagsForStream(ctx, ListTagsForStreamInput{StreamName: "s"})
		return err
	}},
	{op: "RemoveTagsFromStream", call: func(ctx context.Context, svc *Service, _ *auditFixture) error {
		_, err := svc.RemoveTagsFromStream(ctx, RemoveTagsFromStreamInput{StreamName: "s", TagKeys: []string{"team"}})
		return err
	}},
	{op: "TagResource", call: func(ctx context.Context, svc *Service, f *auditFixture) error {
		_, err := svc.TagResource(ctx, TagResourceInput{ResourceARN: f.streamARN, Tags: map[string]string{"env": "test"}})
		return err
	}},
	{op: "ListTagsForResource", readOnly: true, call: func(ctx context.Context, svc *Service, f *auditFixture) error {
		_, err := svc.ListTagsForResource(ctx, ListTagsForResourceInput{ResourceARN: f.streamARN})
		return err
	}},
	{op: "UntagResource", call: func(ctx context.Context, svc *Service, f *auditFixture) error {
		_, err := svc.UntagResource(ctx, UntagResourceInput{ResourceARN: f.streamARN, TagKeys: []string{"env"}})
		return err
	}},
	{op: "PutResourcePolicy", call: func(ctx context.Context, svc *Service, f *auditFixture) error {
		_, err := svc.PutResourcePolicy(ctx, PutResourcePolicyInput{ResourceARN: f.streamARN, Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kinesis:DescribeStream","Resource":"` + f.streamARN + `"}]}`})
		return err
	}},
	{op: "GetResourcePolicy", readOnly: true, call: func(ctx context.Context, svc *Service, f *auditFixture) error {
		_, err := svc.GetResourcePolicy(ctx, GetResourcePolicyInput{ResourceARN: f.streamARN})
		return err
	}},
	{op: "DeleteResourcePolicy", call: func(ctx context.Context, svc *Service, f *auditFixture) error {
		_, err := svc.DeleteResourcePolicy(ctx, DeleteResourcePolicyInput{ResourceARN: f.streamARN})
		return err
	}},
	{op: "IncreaseStreamRetentionPeriod", call: func(ctx context.Context, svc *Service, _ *auditFixture) error {
		_, err := svc.IncreaseStreamRetentionPeriod(ctx, IncreaseStreamRetentionPeriodInput{StreamName: "s", RetentionPeriodHours: 48})
		return err
	}},
	{op: "DecreaseStreamRetentionPeriod", call: func(ctx context.Context, svc *Service, _ *auditFixture) error {
		_, err := svc.DecreaseStreamRetentionPeriod(ctx, DecreaseStreamRetentionPeriodInput{StreamName: "s", RetentionPeriodHours: 24})
		return err
	}},
	{op: "EnableEnhancedMonitoring", call: func(ctx context.Context, svc *Service, _ *auditFixture) error {
		_, err := svc.EnableEnhancedMonitoring(ctx, EnableEnhancedMonitoringInput{StreamName: "s", ShardLevelMetrics: []string{"ALL"}})
		return err
	}},
	{op: "DisableEnhancedMonitoring", call: func(ctx context.Context, svc *Service, _ *auditFixture) error {
		_, err := svc.DisableEnhancedMonitoring(ctx, DisableEnhancedMonitoringInput{StreamName: "s", ShardLevelMetrics: []string{"ALL"}})
		return err
	}},
	{op: "UpdateMaxRecordSize", call: func(ctx context.Context, svc *Service, f *auditFixture) error {
		_, err := svc.UpdateMaxRecordSize(ctx, UpdateMaxRecordSizeInput{StreamARN: f.streamARN, MaxRecordSizeInKiB: 2048})
		return err
	}},
	{op: "PutRecord", data: true, call: func(ctx context.Context, svc *Service, _ *auditFixture) error {
		_, err := svc.PutRecord(ctx, PutRecordInput{StreamName: "s", PartitionKey: "k", Data: []byte("one")})
		return err
	}},
	{op: "PutRecords", data: true, call: func(ctx context.Context, svc *Service, _ *auditFixture) error {
		_, err := svc.PutRecords(ctx, PutRecordsInput{StreamName: "s", Records: []PutRecordsRequestEntry{{PartitionKey: "k", Data: []byte("two")}}})
		return err
	}},
	{op: "GetShardIterator", readOnly: true, data: true, call: func(ctx context.Context, svc *Service, f *auditFixture) error {
		out, err := svc.GetShardIterator(ctx, GetShardIteratorInput{StreamName: "s", ShardId: f.shard, ShardIteratorType: ShardIteratorTypeTrimHorizon})
		f.iterator = out.ShardIterator
		return err
	}},
	{op: "GetRecords", readOnly: true, data: true, call: func(ctx context.Context, svc *Service, f *auditFixture) error {
		_, err := svc.GetRecords(ctx, GetRecordsInput{ShardIterator: f.iterator})
		return err
	}},
	{op: "RegisterStreamConsumer", call: func(ctx context.Context, svc *Service, f *auditFixture) error {
		out, err := svc.RegisterStreamConsumer(ctx, RegisterStreamConsumerInput{StreamARN: f.streamARN, ConsumerName: "c"})
		f.consumerARN = out.Consumer.ConsumerARN
		return err
	}},
	{op: "DescribeStreamConsumer", readOnly: true, call: func(ctx context.Context, svc *Service, f *auditFixture) error {
		_, err := svc.DescribeStreamConsumer(ctx, DescribeStreamConsumerInput{ConsumerARN: f.consumerARN})
		return err
	}},
	{op: "ListStreamConsumers", readOnly: true, call: func(ctx context.Context, svc *Service, f *auditFixture) error {
		_, err := svc.ListStreamConsumers(ctx, ListStreamConsumersInput{StreamARN: f.streamARN})
		return err
	}},
	{op: "SubscribeToShard", readOnly: true, data: true, call: func(ctx context.Context, svc *Service, f *auditFixture) error {
		_, err := svc.SubscribeToShard(ctx, SubscribeToShardInput{ConsumerARN: f.consumerARN, ShardId: f.shard, StartingPosition: StartingPosition{Type: ShardIteratorTypeTrimHorizon}})
		return err
	}},
	{op: "DeregisterStreamConsumer", call: func(ctx context.Context, svc *Service, f *auditFixture) error {
		_, err := svc.DeregisterStreamConsumer(ctx, DeregisterStreamConsumerInput{ConsumerARN: f.consumerARN})
		return err
	}},
	{op: "StartStreamEncryption", call: func(ctx context.Context, svc *Service, _ *auditFixture) error {
		_, err := svc.StartStreamEncryption(ctx, StartStreamEncryptionInput{StreamName: "s", EncryptionType: EncryptionKMS, KeyId: AWSManagedKeyAlias})
		return err
	}},
	{op: "StopStreamEncryption", call: func(ctx context.Context, svc *Service, _ *auditFixture) error {
		_, err := svc.StopStreamEncryption(ctx, StopStreamEncryptionInput{StreamName: "s", EncryptionType: EncryptionKMS, KeyId: AWSManagedKeyAlias})
		return err
	}},
	{op: "SplitShard", call: func(ctx context.Context, svc *Service, f *auditFixture) error {
		_, err := svc.SplitShard(ctx, SplitShardInput{StreamName: "s", ShardToSplit: f.shard, NewStartingHashKey: "1000"})
		return err
	}},
	{op: "MergeShards", errCode: codeResourceNotFound, call: func(ctx context.Context, svc *Service, _ *auditFixture) error {
		_, err := svc.MergeShards(ctx, MergeShardsInput{StreamName: "s", ShardToMerge: "shardId-000000000077", AdjacentShardToMerge: "shardId-000000000078"})
		return err
	}},
	{op: "UpdateShardCount", call: func(ctx context.Context, svc *Service, _ *auditFixture) error {
		_, err := svc.UpdateShardCount(ctx, UpdateShardCountInput{StreamName: "s", TargetShardCount: 4, ScalingType: ScalingTypeUniformScaling})
		return err
	}},
	{op: "UpdateStreamMode", call: func(ctx context.Context, svc *Service, f *auditFixture) error {
		_, err := svc.UpdateStreamMode(ctx, UpdateStreamModeInput{StreamARN: f.streamARN, StreamModeDetails: StreamModeDetails{StreamMode: StreamModeOnDemand}})
		return err
	}},
	{op: "DeleteStream", call: func(ctx context.Context, svc *Service, _ *auditFixture) error {
		_, err := svc.DeleteStream(ctx, DeleteStreamInput{StreamName: "s"})
		return err
	}},
}

// TestAuditCallsCoverEveryOperation checks that auditCalls calls every
// method of Service that is a Kinesis operation, so that an operation
// added later without an audit row fails here.
func TestAuditCallsCoverEveryOperation(t *testing.T) {
	ctxType := reflect.TypeFor[context.Context]()
	errType := reflect.TypeFor[error]()
	called := map[string]bool{}
	for _, c := range auditCalls {
		called[c.op] = true
	}
	n := 0
	st := reflect.TypeFor[*Service]()
	for i := range st.NumMethod() {
		m := st.Method(i).Type // with the receiver
		if m.NumIn() != 3 || m.In(1) != ctxType || m.NumOut() != 2 || m.Out(1) != errType {
			continue
		}
		n++
		if !called[st.Method(i).Name] {
			t.Errorf("operation %s has no row in auditCalls", st.Method(i).Name)
		}
	}
	if n < 31 {
		t.Errorf("found %d operations, want at least the 31 of today", n)
	}
}

// TestAuditEveryOperation makes every call of auditCalls and checks that
// each gives exactly one event, with the right name, category, readOnly
// and error, and that data events come only when asked for.
func TestAuditEveryOperation(t *testing.T) {
	for _, dataEvents := range []bool{false, true} {
		name := "management"
		var opts []AuditOption
		if dataEvents {
			name = "with data events"
			opts = append(opts, AuditDataEvents())
		}
		t.Run(name, func(t *testing.T) {
			sink := &memorySink{}
			svc := newAuditService(t, sink, opts...)
			f := &auditFixture{}
			var want []auditCall
			for _, c := range auditCalls {
				err := c.call(t.Context(), svc, f)
				var ke *Error
				switch {
				case c.errCode == "" && err != nil:
					t.Fatalf("%s: %v", c.op, err)
				case c.errCode != "" && (!errors.As(err, &ke) || ke.Code != c.errCode):
					t.Fatalf("%s: error %v, want %s", c.op, err, c.errCode)
				}
				if !c.data || dataEvents {
					want = append(want, c)
				}
			}
			svc.Close()
			got := sink.all()
			if len(got) != len(want) {
				t.Fatalf("%d events for %d calls that should be recorded", len(got), len(want))
			}
			for i, c := range want {
				e := got[i]
				category := "Management"
				if c.data {
					category = "Data"
				}
				if e.EventName != c.op || e.EventCategory != category || e.ReadOnly != c.readOnly || e.ManagementEvent == c.data || e.ErrorCode != c.errCode {
					t.Errorf("event %d = %s %s readOnly=%v management=%v error %q, want %s %s readOnly=%v error %q",
						i, e.EventName, e.EventCategory, e.ReadOnly, e.ManagementEvent, e.ErrorCode, c.op, category, c.readOnly, c.errCode)
				}
				if c.data != (len(e.Resources) > 0) {
					t.Errorf("%s: resources %+v", c.op, e.Resources)
				}
			}
		})
	}
}

// payloadFound reports whether the JSON text out holds payload in any form
// JSON could carry record data in: as it is, in base64 (encoding/json's
// form of a byte slice) or as an array of byte values.
func payloadFound(out []byte, payload string) bool {
	if bytes.Contains(out, []byte(payload)) {
		return true
	}
	var found func(v any) bool
	found = func(v any) bool {
		switch v := v.(type) {
		case string:
			b, err := base64.StdEncoding.DecodeString(v)
			return err == nil && bytes.Contains(b, []byte(payload))
		case map[string]any:
			for _, e := range v {
				if found(e) {
					return true
				}
			}
		case []any:
			var b []byte
			for _, e := range v {
				if found(e) {
					return true
				}
				if n, ok := e.(float64); ok && n >= 0 && n < 256 {
					b = append(b, byte(n))
				}
			}
			return bytes.Contains(b, []byte(payload))
		}
		return false
	}
	for line := range bytes.Lines(out) {
		var v any
		if json.Unmarshal(line, &v) == nil && found(v) {
			return true
		}
	}
	return false
}

// TestAuditRecordsNoPayload puts records with distinctive payloads through
// PutRecord, PutRecords and Stream.Put, reads them back, and scans the JSON
// Lines written for the payloads.
func TestAuditRecordsNoPayload(t *testing.T) {
	var out bytes.Buffer
	svc := newAuditService(t, NewAuditJSONLinesSink(&out), AuditDataEvents())
	ctx := t.Context()
	if _, err := svc.CreateStream(ctx, CreateStreamInput{StreamName: "s", ShardCount: 1}); err != nil {
		t.Fatal(err)
	}
	payloads := []string{"PAYLOAD-PutRecord-7f3a", "PAYLOAD-PutRecords-91c2", "PAYLOAD-PutRecords-b5d0", "PAYLOAD-StreamPut-44e8"}
	put, err := svc.PutRecord(ctx, PutRecordInput{StreamName: "s", PartitionKey: "key-one", Data: []byte(payloads[0])})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PutRecords(ctx, PutRecordsInput{StreamName: "s", Records: []PutRecordsRequestEntry{
		{PartitionKey: "key-two", Data: []byte(payloads[1])}, {PartitionKey: "key-three", Data: []byte(payloads[2])},
	}}); err != nil {
		t.Fatal(err)
	}
	s, _ := svc.Stream("s")
	if _, err := s.Put(ctx, "key-four", []byte(payloads[3])); err != nil {
		t.Fatal(err)
	}
	it, err := svc.GetShardIterator(ctx, GetShardIteratorInput{StreamName: "s", ShardId: put.ShardId, ShardIteratorType: ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.GetRecords(ctx, GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil || len(got.Records) != 4 {
		t.Fatalf("GetRecords: %d records, %v", len(got.Records), err)
	}
	svc.Close()

	// The scan finds a payload wherever JSON would put it.
	base64Form, _ := json.Marshal(PutRecordInput{Data: []byte(payloads[0])})
	arrayForm, _ := json.Marshal(map[string]any{"records": []any{map[string]any{"data": []int{'P', 'A', 'Y'}}}})
	if !payloadFound(base64Form, payloads[0]) || !payloadFound(arrayForm, "PAY") || !payloadFound([]byte(`"`+payloads[3]+`"`), payloads[3]) {
		t.Fatal("the scan misses payloads")
	}
	for _, p := range payloads {
		if payloadFound(out.Bytes(), p) {
			t.Errorf("the audit log holds payload %q", p)
		}
	}
	var names []string
	for line := range bytes.Lines(out.Bytes()) {
		var e AuditEvent
		if err := json.Unmarshal(line, &e); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		names = append(names, e.EventName)
	}
	if want := []string{"CreateStream", "PutRecord", "PutRecords", "PutRecord", "GetShardIterator", "GetRecords"}; !slices.Equal(names, want) {
		t.Errorf("events %q, want %q (Stream.Put is a PutRecord)", names, want)
	}
	// What the puts did say is there: their partition keys.
	for _, key := range []string{"key-one", "key-two", "key-three", "key-four"} {
		if !bytes.Contains(out.Bytes(), []byte(`"partitionKey":"`+key+`"`)) {
			t.Errorf("partition key %s is not in the log", key)
		}
	}
}

// refuser is a hook, like access control, that refuses one operation.
type refuser struct{ op string }

func (r refuser) before(_ context.Context, c *callInfo) error {
	if c.op == r.op {
		return newError(codeAccessDenied, "User: arn:aws:iam::000000000000:user/mallory is not authorized to perform: kinesis:%s", c.op)
	}
	return nil
}

func (refuser) after(context.Context, *callInfo, any, error) {}

func (refuser) observesData() bool { return true }

// TestAuditFailedCalls checks errorCode and errorMessage for a call the
// operation fails and one another hook refuses.
func TestAuditFailedCalls(t *testing.T) {
	sink := &memorySink{}
	svc := newAuditService(t, sink)
	svc.cfg.hooks = append([]callHook{refuser{op: "DeleteStream"}}, svc.cfg.hooks...)
	ctx := t.Context()
	if _, err := svc.CreateStream(ctx, CreateStreamInput{StreamName: "s", ShardCount: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateStream(ctx, CreateStreamInput{StreamName: "s", ShardCount: 1}); !errors.Is(err, ErrResourceInUse) {
		t.Fatalf("second CreateStream: %v", err)
	}
	if _, err := svc.DeleteStream(ctx, DeleteStreamInput{StreamName: "s"}); !errors.Is(err, ErrAccessDenied) {
		t.Fatalf("DeleteStream: %v", err)
	}
	svc.Close()
	got := sink.all()
	if len(got) != 3 {
		t.Fatalf("%d events", len(got))
	}
	for i, want := range []struct{ code, message string }{
		{},
		{"ResourceInUseException", "Stream s under account 000000000000 already exists."},
		{"AccessDeniedException", "User: arn:aws:iam::000000000000:user/mallory is not authorized to perform: kinesis:DeleteStream"},
	} {
		e := got[i]
		if e.ErrorCode != want.code || e.ErrorMessage != want.message {
			t.Errorf("event %d (%s): error %q %q, want %q %q", i, e.EventName, e.ErrorCode, e.ErrorMessage, want.code, want.message)
		}
		if want.code != "" && e.ResponseElements != nil {
			t.Errorf("event %d: responseElements %s for a failed call", i, e.ResponseElements)
		}
	}
	if _, ok := svc.Stream("s"); !ok {
		t.Error("the refused DeleteStream ran")
	}
}

// TestAuditEventJSON checks a whole record for a call from the wire, and
// the fields of an in-process call.
func TestAuditEventJSON(t *testing.T) {
	sink := &memorySink{}
	svc := newAuditService(t, sink, AuditDataEvents())
	ctx := WithCaller(t.Context(), Caller{
		Principal:   "arn:aws:iam::111122223333:user/ops/alice",
		AccessKeyID: "AKIAIOSFODNN7EXAMPLE",
		SourceIP:    netip.MustParseAddr("192.0.2.10"),
		UserAgent:   "aws-cli/2.15.0",
		RequestID:   "f0944d86-c757-11e3-b4ae-25654b1d3136",
	})
	if _, err := svc.CreateStream(ctx, CreateStreamInput{StreamName: "GoodStream", ShardCount: 1, Tags: map[string]string{"b": "2", "a": "1"}}); err != nil {
		t.Fatal(err)
	}
	out, err := svc.RegisterStreamConsumer(t.Context(), RegisterStreamConsumerInput{StreamARN: svc.streamARN("GoodStream"), ConsumerName: "c"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PutRecord(t.Context(), PutRecordInput{StreamName: "GoodStream", PartitionKey: "k", Data: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	svc.Close()
	got := sink.all()
	if len(got) != 3 {
		t.Fatalf("%d events", len(got))
	}
	line, err := json.Marshal(got[0])
	if err != nil {
		t.Fatal(err)
	}
	eventID := regexp.MustCompile(`"eventID":"[0-9a-f-]{36}"`)
	if !eventID.Match(line) {
		t.Fatalf("no UUID eventID in %s", line)
	}
	want := `{"eventTime":"2026-03-01T12:00:00Z","eventVersion":"1.11",` +
		`"userIdentity":{"type":"IAMUser","principalId":"` + uniqueID("AIDA", "arn:aws:iam::111122223333:user/ops/alice") + `","arn":"arn:aws:iam::111122223333:user/ops/alice","accountId":"111122223333","accessKeyId":"AKIAIOSFODNN7EXAMPLE","userName":"alice"},` +
		`"eventSource":"kinesis.amazonaws.com","eventName":"CreateStream","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.10","userAgent":"aws-cli/2.15.0",` +
		`"requestParameters":{"streamName":"GoodStream","shardCount":1,"tags":{"a":"1","b":"2"}},"responseElements":null,` +
		`"requestID":"f0944d86-c757-11e3-b4ae-25654b1d3136","eventID":"X","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,` +
		`"recipientAccountId":"000000000000","eventCategory":"Management"}`
	if s := eventID.ReplaceAllString(string(line), `"eventID":"X"`); s != want {
		t.Errorf("record\n%s\nwant\n%s", s, want)
	}

	// In process, as the account root: AWS Internal, a fresh request ID,
	// and the output of a call that changed something.
	reg := got[1]
	uuidForm := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	if reg.SourceIPAddress != "AWS Internal" || reg.UserAgent != "AWS Internal" || !uuidForm.MatchString(reg.RequestID) || reg.RequestID == reg.EventID {
		t.Errorf("in-process event: source %q agent %q request %q event %q", reg.SourceIPAddress, reg.UserAgent, reg.RequestID, reg.EventID)
	}
	if id := reg.UserIdentity; id.Type != "Root" || id.ARN != "arn:aws:iam::000000000000:root" || id.PrincipalID != "000000000000" || id.AccountID != "000000000000" {
		t.Errorf("root identity %+v", id)
	}
	wantResp := `{"consumer":{"consumerName":"c","consumerARN":"` + out.Consumer.ConsumerARN + `","consumerStatus":"ACTIVE","consumerCreationTimestamp":"2026-03-01T12:00:00Z"}}`
	if string(reg.ResponseElements) != wantResp {
		t.Errorf("responseElements %s, want %s", reg.ResponseElements, wantResp)
	}

	// A data event names its stream and has no responseElements.
	put := got[2]
	wantRes := []AuditResource{{AccountID: "000000000000", Type: "AWS::Kinesis::Stream", ARN: "arn:aws:kinesis:us-east-1:000000000000:stream/GoodStream"}}
	if !slices.Equal(put.Resources, wantRes) || put.ResponseElements != nil || put.ManagementEvent || put.ReadOnly {
		t.Errorf("PutRecord event: resources %+v responseElements %s management %v readOnly %v", put.Resources, put.ResponseElements, put.ManagementEvent, put.ReadOnly)
	}
	if string(put.RequestParameters) != `{"streamName":"GoodStream","partitionKey":"k"}` {
		t.Errorf("PutRecord requestParameters %s", put.RequestParameters)
	}
}

// TestAuditConsumerResource checks the resource type of a call on a
// consumer.
func TestAuditConsumerResource(t *testing.T) {
	if r := auditResource("arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1700000000"); r.Type != "AWS::Kinesis::StreamConsumer" || r.AccountID != "123456789012" {
		t.Errorf("consumer resource %+v", r)
	}
}

// TestAuditIdentity checks userIdentity for each kind of principal ARN.
func TestAuditIdentity(t *testing.T) {
	issuer := &AuditSessionContext{SessionIssuer: AuditSessionIssuer{
		Type: "Role", PrincipalID: uniqueID("AROA", "arn:aws:iam::111122223333:role/Reader"),
		ARN: "arn:aws:iam::111122223333:role/Reader", AccountID: "111122223333", UserName: "Reader",
	}}
	for _, tt := range []struct {
		principal string
		want      AuditIdentity
	}{
		{"", AuditIdentity{Type: "Root", PrincipalID: "000000000000", ARN: "arn:aws:iam::000000000000:root", AccountID: "000000000000"}},
		{"arn:aws:iam::111122223333:root", AuditIdentity{Type: "Root", PrincipalID: "111122223333", ARN: "arn:aws:iam::111122223333:root", AccountID: "111122223333"}},
		{"arn:aws:iam::111122223333:user/Alice", AuditIdentity{Type: "IAMUser", PrincipalID: uniqueID("AIDA", "arn:aws:iam::111122223333:user/Alice"), ARN: "arn:aws:iam::111122223333:user/Alice", AccountID: "111122223333", UserName: "Alice"}},
		{"arn:aws:iam::111122223333:role/app/Writer", AuditIdentity{Type: "Role", PrincipalID: uniqueID("AROA", "arn:aws:iam::111122223333:role/app/Writer"), ARN: "arn:aws:iam::111122223333:role/app/Writer", AccountID: "111122223333", UserName: "Writer"}},
		{"arn:aws:sts::111122223333:assumed-role/Reader/session-1", AuditIdentity{Type: "AssumedRole", PrincipalID: issuer.SessionIssuer.PrincipalID + ":session-1", ARN: "arn:aws:sts::111122223333:assumed-role/Reader/session-1", AccountID: "111122223333", SessionContext: issuer}},
		{"arn:aws:sts::111122223333:federated-user/Bob", AuditIdentity{Type: "FederatedUser", PrincipalID: "111122223333:Bob", ARN: "arn:aws:sts::111122223333:federated-user/Bob", AccountID: "111122223333"}},
		{"arn:aws:sts::111122223333:assumed-role/Reader", AuditIdentity{Type: "Unknown", ARN: "arn:aws:sts::111122223333:assumed-role/Reader", AccountID: "111122223333"}},
		{"arn:aws:iam::111122223333:user/", AuditIdentity{Type: "Unknown", ARN: "arn:aws:iam::111122223333:user/", AccountID: "111122223333"}},
		{"alice", AuditIdentity{Type: "Unknown", ARN: "alice"}},
		{"arn:aws:iam::acct:root", AuditIdentity{Type: "Unknown", ARN: "arn:aws:iam::acct:root"}},
	} {
		got := auditIdentity(Caller{Principal: tt.principal}, "000000000000")
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q:\n got %+v\nwant %+v", tt.principal, got, tt.want)
		}
	}
	if id := uniqueID("AIDA", "arn:aws:iam::1:user/x"); !regexp.MustCompile(`^AIDA[A-Z2-7]{17}$`).MatchString(id) {
		t.Errorf("unique ID %q", id)
	}
}

// TestAuditJSONParameters checks requestParameters for inputs of every
// shape: CloudTrail's member names, only the fields set, maps in key
// order, times in RFC 3339, sequence numbers as text, and no record data.
func TestAuditJSONParameters(t *testing.T) {
	seq := SequenceNumber{hi: 1}
	for _, tt := range []struct {
		in   any
		want string
	}{
		// The fields of CloudTrail's own Kinesis examples.
		{SplitShardInput{StreamName: "GoodStream", ShardToSplit: "shardId-000000000000", NewStartingHashKey: "11111111"},
			`{"streamName":"GoodStream","shardToSplit":"shardId-000000000000","newStartingHashKey":"11111111"}`},
		{ListStreamsInput{Limit: 10}, `{"limit":10}`},
		{DescribeLimitsInput{}, `null`},
		{CreateStreamOutput{}, `null`},
		{CreateStreamInput{StreamName: "s", StreamModeDetails: StreamModeDetails{StreamMode: StreamModeOnDemand}, Tags: map[string]string{"z": "1", "a": "\"q\""}},
			`{"streamName":"s","streamModeDetails":{"streamMode":"ON_DEMAND"},"tags":{"a":"\"q\"","z":"1"}}`},
		{DeleteStreamInput{StreamARN: "arn:aws:kinesis:us-east-1:000000000000:stream/s", EnforceConsumerDeletion: true},
			`{"streamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s","enforceConsumerDeletion":true}`},
		{ListShardsInput{StreamName: "s", ShardFilter: ShardFilter{Type: ShardFilterAtTimestamp, Timestamp: time.Date(2026, 3, 1, 13, 0, 0, 5e8, time.FixedZone("x", 3600))}},
			`{"streamName":"s","shardFilter":{"type":"AT_TIMESTAMP","timestamp":"2026-03-01T12:00:00.5Z"}}`},
		{PutRecordsInput{StreamName: "s", Records: []PutRecordsRequestEntry{{PartitionKey: "a", Data: []byte("secret")}, {PartitionKey: "b", ExplicitHashKey: "7", Data: []byte("secret")}}},
			`{"streamName":"s","records":[{"partitionKey":"a"},{"partitionKey":"b","explicitHashKey":"7"}]}`},
		{PutRecordOutput{ShardId: "shardId-000000000000", SequenceNumber: seq},
			`{"shardId":"shardId-000000000000","sequenceNumber":"` + seq.String() + `"}`},
		{SubscribeToShardInput{ConsumerARN: "c", ShardId: "1", StartingPosition: StartingPosition{Type: ShardIteratorTypeAtSequenceNumber, SequenceNumber: "49"}},
			`{"consumerARN":"c","shardId":"1","startingPosition":{"type":"AT_SEQUENCE_NUMBER","sequenceNumber":"49"}}`},
		{SubscribeToShardOutput{EventStream: func(func(SubscribeToShardEvent, error) bool) {}}, `null`},
		{UntagResourceInput{ResourceARN: "r", TagKeys: []string{"a", "b\n"}}, `{"resourceARN":"r","tagKeys":["a","b\n"]}`},
		{EnhancedMonitoringOutput{StreamName: "s", DesiredShardLevelMetrics: []string{"ALL"}}, `{"streamName":"s","desiredShardLevelMetrics":["ALL"]}`},
		{"not a struct", `null`},
		{nil, `null`},
	} {
		got := auditJSON(tt.in)
		if got == nil {
			got = json.RawMessage("null")
		}
		if string(got) != tt.want {
			t.Errorf("%T:\n got %s\nwant %s", tt.in, got, tt.want)
		}
		if !json.Valid(got) {
			t.Errorf("%T: invalid JSON %s", tt.in, got)
		}
	}
}

// blockingSink blocks in its first write until release is closed.
type blockingSink struct {
	memorySink
	entered, release chan struct{}
	once             sync.Once
}

func (s *blockingSink) WriteAuditEvent(e *AuditEvent) error {
	s.once.Do(func() {
		close(s.entered)
		<-s.release
	})
	return s.memorySink.WriteAuditEvent(e)
}

// fillQueue makes a call whose event the sink blocks on, then a call whose
// event fills a queue of one, then a third call.
func fillQueue(t *testing.T, svc *Service, sink *blockingSink) {
	t.Helper()
	list := func() {
		if _, err := svc.ListStreams(t.Context(), ListStreamsInput{}); err != nil {
			t.Error(err)
		}
	}
	list()
	<-sink.entered
	list()
	list()
}

// TestAuditQueueFull checks that a call does not wait for a slow sink:
// with the queue full its event is dropped, counted and reported.
func TestAuditQueueFull(t *testing.T) {
	sink := &blockingSink{entered: make(chan struct{}), release: make(chan struct{})}
	var reports []string
	svc := newAuditService(t, sink, AuditQueue(1), AuditOnError(func(err error) { reports = append(reports, err.Error()) }))
	fillQueue(t, svc, sink)
	if st := svc.AuditStats(); st.Dropped != 1 {
		t.Errorf("stats %+v with a full queue, want 1 dropped", st)
	}
	close(sink.release)
	svc.Close()
	if st := svc.AuditStats(); st.Written != 2 || st.Dropped != 1 || st.Failed != 0 {
		t.Errorf("stats %+v, want 2 written, 1 dropped", st)
	}
	if len(sink.all()) != 2 {
		t.Errorf("%d events written", len(sink.all()))
	}
	if len(reports) != 1 || !strings.Contains(reports[0], "1 events dropped") {
		t.Errorf("reports %q", reports)
	}
}

// TestAuditWaitWhenFull checks that with AuditWaitWhenFull a full queue
// makes the call wait instead of dropping its event.
func TestAuditWaitWhenFull(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sink := &blockingSink{entered: make(chan struct{}), release: make(chan struct{})}
		svc := newAuditService(t, sink, AuditQueue(1), AuditWaitWhenFull())
		done := make(chan struct{})
		go func() {
			defer close(done)
			fillQueue(t, svc, sink)
		}()
		synctest.Wait() // the sink holds the first event, the queue the second
		select {
		case <-done:
			t.Error("the third call returned while the queue was full")
		default:
		}
		close(sink.release)
		<-done
		svc.Close()
		if st := svc.AuditStats(); st.Written != 3 || st.Dropped != 0 {
			t.Errorf("stats %+v, want 3 written", st)
		}
	})
}

// TestAuditSinkErrors checks that sink errors are counted and reported.
func TestAuditSinkErrors(t *testing.T) {
	boom := errors.New("disk full")
	var reports []error
	svc := newAuditService(t, AuditSinkFunc(func(*AuditEvent) error { return boom }), AuditOnError(func(err error) { reports = append(reports, err) }))
	for range 2 {
		if _, err := svc.ListStreams(t.Context(), ListStreamsInput{}); err != nil {
			t.Fatal(err)
		}
	}
	svc.Close()
	st := svc.AuditStats()
	if st.Failed != 2 || st.Written != 0 || !errors.Is(st.LastError, boom) {
		t.Errorf("stats %+v", st)
	}
	if len(reports) != 2 || !errors.Is(reports[0], boom) {
		t.Errorf("reports %v", reports)
	}
}

// TestAuditAfterClose checks that once the Service is closed, a call
// writes its event before it returns.
func TestAuditAfterClose(t *testing.T) {
	sink := &memorySink{}
	svc := newAuditService(t, sink)
	svc.Close()
	svc.Close()
	if _, err := svc.ListStreams(t.Context(), ListStreamsInput{}); err != nil {
		t.Fatal(err)
	}
	if n := len(sink.all()); n != 1 {
		t.Errorf("%d events right after the call", n)
	}
}

// TestAuditOptionErrors checks the options' validation.
func TestAuditOptionErrors(t *testing.T) {
	if _, err := NewService(WithAuditTrail(nil)); err == nil || !strings.Contains(err.Error(), "sink is nil") {
		t.Errorf("nil sink: %v", err)
	}
	if _, err := NewService(WithAuditTrail(&memorySink{}, AuditQueue(0))); err == nil || !strings.Contains(err.Error(), "AuditQueue: 0") {
		t.Errorf("queue 0: %v", err)
	}
	svc, err := NewService()
	if err != nil {
		t.Fatal(err)
	}
	if st := svc.AuditStats(); st != (AuditStats{}) {
		t.Errorf("stats without a trail: %+v", st)
	}
}

// TestAuditConcurrentCalls makes calls from many goroutines and checks
// every event arrives once.
func TestAuditConcurrentCalls(t *testing.T) {
	sink := &memorySink{}
	svc := newAuditService(t, sink, AuditDataEvents(), AuditWaitWhenFull(), AuditQueue(8))
	if _, err := svc.CreateStream(t.Context(), CreateStreamInput{StreamName: "s", ShardCount: 2}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				if _, err := svc.PutRecord(t.Context(), PutRecordInput{StreamName: "s", PartitionKey: string(rune('a' + g)), Data: []byte{byte(i)}}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	svc.Close()
	ids := map[string]bool{}
	for _, e := range sink.all() {
		ids[e.EventID] = true
	}
	if len(ids) != 401 {
		t.Errorf("%d distinct events, want 401", len(ids))
	}
}
