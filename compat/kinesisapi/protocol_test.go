package kinesisapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"
	"github.com/kdsgo/kds"
)

// rawResponse is what a raw HTTP call got back.
type rawResponse struct {
	status int
	header http.Header
	body   []byte
}

// rawCall sends body to the server at url as a JSON call of operation op
// (its X-Amz-Target), signed unless unsigned is set, and returns the
// answer.
func rawCall(t *testing.T, url, method, op, body string, unsigned bool) rawResponse {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if op != "" {
		req.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
	}
	if !unsigned {
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20240301/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=00")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return rawResponse{status: resp.StatusCode, header: resp.Header, body: b}
}

// errorFields decodes an error body into its members.
func errorFields(t *testing.T, body []byte) map[string]string {
	t.Helper()
	var m map[string]string
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("error body %q: %v", body, err)
	}
	return m
}

// checkErrorResponse checks an error answer: its status, a request ID, and
// a body with __type typ and, unless msg is "", the message msg under the
// member Kinesis uses (Message for SerializationException, message
// otherwise).
func checkErrorResponse(t *testing.T, r rawResponse, status int, typ, msg string) {
	t.Helper()
	if r.status != status {
		t.Errorf("status = %d, want %d (body %s)", r.status, status, r.body)
	}
	if r.header.Get("x-amzn-RequestId") == "" {
		t.Error("no x-amzn-RequestId header")
	}
	if got := r.header.Get("X-Amzn-ErrorType"); got != typ {
		t.Errorf("X-Amzn-ErrorType = %q, want %q", got, typ)
	}
	m := errorFields(t, r.body)
	if m["__type"] != typ {
		t.Errorf("__type = %q, want %q (body %s)", m["__type"], typ, r.body)
	}
	key, other := "message", "Message"
	if typ == "SerializationException" {
		key, other = other, key
	}
	if _, ok := m[other]; ok {
		t.Errorf("body has %q, want %q: %s", other, key, r.body)
	}
	if msg != "" && m[key] != msg {
		t.Errorf("%s = %q\nwant %q", key, m[key], msg)
	}
}

func TestProtocolErrors(t *testing.T) {
	_, _, url := newTestServer(t)
	t.Run("unknown operation", func(t *testing.T) {
		r := rawCall(t, url, http.MethodPost, "Frobnicate", `{}`, false)
		checkErrorResponse(t, r, http.StatusBadRequest, "UnknownOperationException", "")
		if string(r.body) != `{"__type":"UnknownOperationException"}` {
			t.Errorf("body = %s", r.body)
		}
	})
	t.Run("Kinesis operation kds lacks", func(t *testing.T) {
		r := rawCall(t, url, http.MethodPost, "DescribeAccountSettings", `{}`, false)
		checkErrorResponse(t, r, http.StatusBadRequest, "UnknownOperationException",
			"kds does not implement DescribeAccountSettings: account settings are not implemented (see COMPATIBILITY.md)")
	})
	t.Run("no X-Amz-Target", func(t *testing.T) {
		r := rawCall(t, url, http.MethodPost, "", `{}`, false)
		checkErrorResponse(t, r, http.StatusForbidden, "AccessDeniedException", "Unable to determine service/operation name to be authorized")
	})
	t.Run("empty body", func(t *testing.T) {
		r := rawCall(t, url, http.MethodPost, "DescribeLimits", ``, false)
		checkErrorResponse(t, r, http.StatusBadRequest, "SerializationException", "")
	})
	t.Run("GET", func(t *testing.T) {
		r := rawCall(t, url, http.MethodGet, "ListStreams", "", false)
		checkErrorResponse(t, r, http.StatusForbidden, "AccessDeniedException", "Unable to determine service/operation name to be authorized")
	})
	t.Run("unsigned", func(t *testing.T) {
		r := rawCall(t, url, http.MethodPost, "ListStreams", `{}`, true)
		checkErrorResponse(t, r, http.StatusBadRequest, "MissingAuthenticationTokenException", "Missing Authentication Token")
	})
	t.Run("truncated JSON", func(t *testing.T) {
		r := rawCall(t, url, http.MethodPost, "ListStreams", `{"Limit":`, false)
		checkErrorResponse(t, r, http.StatusBadRequest, "SerializationException", "")
		if errorFields(t, r.body)["Message"] == "" {
			t.Errorf("no Message: %s", r.body)
		}
	})
	t.Run("not JSON", func(t *testing.T) {
		r := rawCall(t, url, http.MethodPost, "DescribeLimits", `hello`, false)
		checkErrorResponse(t, r, http.StatusBadRequest, "SerializationException", "")
	})
}

func TestWrongTypes(t *testing.T) {
	_, _, url := newTestServer(t)
	tests := []struct {
		op, body, msg string
	}{
		{"DescribeStream", `{"StreamName":"s","Limit":"ten"}`, "class java.lang.String can not be converted to an Integer"},
		{"ListStreams", `{"Limit":true}`, "class java.lang.Boolean can not be converted to an Integer"},
		{"ListShards", `{"StreamName":"s","MaxResults":{}}`, "Start of structure or map found where not expected."},
		{"CreateStream", `{"StreamName":{}}`, "Start of structure or map found where not expected."},
		{"CreateStream", `{"StreamName":"s","ShardCount":[1]}`, "Start of list found where not expected"},
		{"CreateStream", `{"StreamName":"s","ShardCount":"1"}`, "class java.lang.String can not be converted to an Integer"},
		{"CreateStream", `{"StreamName":"s","StreamModeDetails":"ON_DEMAND"}`, "class java.lang.String can not be converted to a structure"},
		{"DeleteStream", `{"StreamName":"s","EnforceConsumerDeletion":"yes"}`, "class java.lang.String can not be converted to a Boolean"},
		{"DescribeStreamSummary", `{"StreamARN":true}`, "class java.lang.Boolean can not be converted to a String"},
		{"SplitShard", `{"StreamName":"s","ShardToSplit":["shardId-000000000000"]}`, "Start of list found where not expected"},
		{"MergeShards", `{"StreamName":"s","ShardToMerge":{}}`, "Start of structure or map found where not expected."},
		{"UpdateShardCount", `{"StreamName":"s","TargetShardCount":"2","ScalingType":"UNIFORM_SCALING"}`, "class java.lang.String can not be converted to an Integer"},
		{"IncreaseStreamRetentionPeriod", `{"StreamName":"s","RetentionPeriodHours":"48"}`, "class java.lang.String can not be converted to an Integer"},
		{"DecreaseStreamRetentionPeriod", `{"StreamName":"s","RetentionPeriodHours":false}`, "class java.lang.Boolean can not be converted to an Integer"},
		{"AddTagsToStream", `{"StreamName":"s","Tags":["a"]}`, "Start of list found where not expected"},
		{"RemoveTagsFromStream", `{"StreamName":"s","TagKeys":"a"}`, "class java.lang.String can not be converted to a list"},
		{"ListTagsForStream", `{"StreamName":"s","Limit":"5"}`, "class java.lang.String can not be converted to an Integer"},
		{"UpdateStreamMode", `{"StreamARN":"a","StreamModeDetails":{"StreamMode":{}}}`, "Start of structure or map found where not expected."},
		{"UpdateMaxRecordSize", `{"StreamARN":"a","MaxRecordSizeInKiB":"big"}`, "class java.lang.String can not be converted to an Integer"},
		{"ListShards", `{"StreamName":"s","StreamCreationTimestamp":"yesterday"}`, `class java.lang.String can not be converted to milliseconds since epoch: "yesterday"`},
		{"DescribeLimits", `[]`, "Start of list found where not expected"},
	}
	for _, tt := range tests {
		t.Run(tt.op+" "+tt.body, func(t *testing.T) {
			r := rawCall(t, url, http.MethodPost, tt.op, tt.body, false)
			checkErrorResponse(t, r, http.StatusBadRequest, "SerializationException", tt.msg)
		})
	}
}

// TestWireOnlyValidation covers what only the wire can tell apart: members
// sent as 0 (which the core reads as absent) and required members missing
// from structures that were sent.
func TestWireOnlyValidation(t *testing.T) {
	c, svc, url := newTestServer(t)
	createStream(t, c, "s", 1)
	st, _ := svc.Stream("s")
	arn := st.ARN()
	const (
		atLeast1    = "failed to satisfy constraint: Member must have value greater than or equal to 1"
		atLeast1024 = "failed to satisfy constraint: Member must have value greater than or equal to 1024"
		notNull     = "failed to satisfy constraint: Member must not be null"
	)
	tests := []struct {
		op, body, msg string
	}{
		{"DescribeStream", `{"StreamName":"s","Limit":0}`, "1 validation error detected: Value '0' at 'limit' " + atLeast1},
		{"ListStreams", `{"Limit":0}`, "1 validation error detected: Value '0' at 'limit' " + atLeast1},
		{"ListShards", `{"StreamName":"s","MaxResults":0}`, "1 validation error detected: Value '0' at 'maxResults' " + atLeast1},
		{"ListShards", `{"StreamName":"s","ShardFilter":{}}`, "1 validation error detected: Value null at 'shardFilter.type' " + notNull},
		{"ListTagsForStream", `{"StreamName":"s","Limit":0}`, "1 validation error detected: Value '0' at 'limit' " + atLeast1},
		{"CreateStream", `{"StreamName":"x","ShardCount":0,"MaxRecordSizeInKiB":0}`, "2 validation errors detected: Value '0' at 'shardCount' " + atLeast1 +
			"; Value '0' at 'maxRecordSizeInKiB' " + atLeast1024},
		{"CreateStream", `{"StreamName":"x","ShardCount":1,"StreamModeDetails":{}}`, "1 validation error detected: Value null at 'streamModeDetails.streamMode' " + notNull},
		{"UpdateShardCount", `{"StreamName":"s","TargetShardCount":0,"ScalingType":"UNIFORM_SCALING"}`, "1 validation error detected: Value '0' at 'targetShardCount' " + atLeast1},
		{"IncreaseStreamRetentionPeriod", `{"StreamName":"s","RetentionPeriodHours":0}`, "1 validation error detected: Value '0' at 'retentionPeriodHours' " + atLeast1},
		{"DecreaseStreamRetentionPeriod", `{"StreamName":"s","RetentionPeriodHours":0}`, "1 validation error detected: Value '0' at 'retentionPeriodHours' " + atLeast1},
		{"UpdateMaxRecordSize", `{"StreamARN":"` + arn + `","MaxRecordSizeInKiB":0}`, "1 validation error detected: Value '0' at 'maxRecordSizeInKiB' " + atLeast1024},
		{"UpdateStreamMode", `{"StreamARN":"` + arn + `"}`, "1 validation error detected: Value null at 'streamModeDetails' " + notNull},
		// Absent members, for contrast, are the core's to judge.
		{"UpdateShardCount", `{"StreamName":"s","ScalingType":"UNIFORM_SCALING"}`, "1 validation error detected: Value null at 'targetShardCount' " + notNull},
		{"IncreaseStreamRetentionPeriod", `{"StreamName":"s","RetentionPeriodHours":null}`, "1 validation error detected: Value null at 'retentionPeriodHours' " + notNull},
	}
	for _, tt := range tests {
		t.Run(tt.op+" "+tt.body, func(t *testing.T) {
			r := rawCall(t, url, http.MethodPost, tt.op, tt.body, false)
			checkErrorResponse(t, r, http.StatusBadRequest, "ValidationException", tt.msg)
		})
	}
}

func TestVoidOutputs(t *testing.T) {
	_, svc, url := newTestServer(t)
	tests := []struct{ op, body string }{
		{"CreateStream", `{"StreamName":"s","ShardCount":2}`},
		{"AddTagsToStream", `{"StreamName":"s","Tags":{"a":"b"}}`},
		{"RemoveTagsFromStream", `{"StreamName":"s","TagKeys":["a"]}`},
		{"IncreaseStreamRetentionPeriod", `{"StreamName":"s","RetentionPeriodHours":48}`},
		{"DecreaseStreamRetentionPeriod", `{"StreamName":"s","RetentionPeriodHours":24}`},
		{"SplitShard", `{"StreamName":"s","ShardToSplit":"shardId-000000000000","NewStartingHashKey":"1000"}`},
		{"MergeShards", `{"StreamName":"s","ShardToMerge":"shardId-000000000002","AdjacentShardToMerge":"shardId-000000000003"}`},
		{"UpdateMaxRecordSize", `{"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s","MaxRecordSizeInKiB":2048}`},
		{"UpdateStreamMode", `{"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s","StreamModeDetails":{"StreamMode":"ON_DEMAND"}}`},
		{"DeleteStream", `{"StreamName":"s"}`},
	}
	for _, tt := range tests {
		r := rawCall(t, url, http.MethodPost, tt.op, tt.body, false)
		if r.status != http.StatusOK || len(r.body) != 0 || r.header.Get("Content-Type") != "application/x-amz-json-1.1" {
			t.Errorf("%s: status %d, Content-Type %q, body %q; want 200, application/x-amz-json-1.1, empty",
				tt.op, r.status, r.header.Get("Content-Type"), r.body)
		}
	}
	if _, ok := svc.Stream("s"); ok {
		t.Error("stream still there after DeleteStream")
	}
}

func TestOutputShapes(t *testing.T) {
	clk := kds.NewManualClock(testStart)
	_, _, url := newTestServer(t, kds.WithClock(clk))
	ok := func(op, body string) []byte {
		t.Helper()
		r := rawCall(t, url, http.MethodPost, op, body, false)
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d %s", op, r.status, r.body)
		}
		return r.body
	}
	if got := string(ok("ListStreams", `{}`)); got != `{"StreamNames":[],"HasMoreStreams":false,"StreamSummaries":[]}` {
		t.Errorf("empty ListStreams = %s", got)
	}
	ok("CreateStream", `{"StreamName":"s","ShardCount":1}`)
	ok("SplitShard", `{"StreamName":"s","ShardToSplit":"shardId-000000000000","NewStartingHashKey":"1000"}`)

	var d struct {
		StreamDescription struct {
			StreamCreationTimestamp json.Number
			Shards                  []map[string]any
			EnhancedMonitoring      []map[string][]string
		}
	}
	dec := json.NewDecoder(strings.NewReader(string(ok("DescribeStream", `{"StreamName":"s","StreamId":"abcdefghij0123456789-abc"}`))))
	dec.UseNumber()
	if err := dec.Decode(&d); err != nil {
		t.Fatal(err)
	}
	if got := d.StreamDescription.StreamCreationTimestamp.String(); got != "1709294400.123" {
		t.Errorf("StreamCreationTimestamp = %s, want 1709294400.123", got)
	}
	shards := d.StreamDescription.Shards
	if len(shards) != 3 {
		t.Fatalf("shards = %v", shards)
	}
	parent, child := shards[0], shards[2]
	if _, has := parent["ParentShardId"]; has {
		t.Errorf("shard without parents has ParentShardId: %v", parent)
	}
	if _, has := child["AdjacentParentShardId"]; has {
		t.Errorf("split child has AdjacentParentShardId: %v", child)
	}
	if child["ParentShardId"] != "shardId-000000000000" {
		t.Errorf("split child's ParentShardId = %v", child["ParentShardId"])
	}
	if seq := child["SequenceNumberRange"].(map[string]any); len(seq) != 1 || seq["StartingSequenceNumber"] == nil {
		t.Errorf("open shard's SequenceNumberRange = %v", seq)
	}
	if seq := parent["SequenceNumberRange"].(map[string]any); seq["EndingSequenceNumber"] == nil {
		t.Errorf("closed shard's SequenceNumberRange = %v", seq)
	}
	if hk := child["HashKeyRange"].(map[string]any); hk["StartingHashKey"] != "1000" || hk["EndingHashKey"] != maxHashKey {
		t.Errorf("child HashKeyRange = %v (hash keys must be decimal strings)", hk)
	}
	if em := d.StreamDescription.EnhancedMonitoring; len(em) != 1 || em[0]["ShardLevelMetrics"] == nil {
		t.Errorf("EnhancedMonitoring = %v, want [{ShardLevelMetrics: []}]", em)
	}

	var tags map[string]any
	if err := json.Unmarshal(ok("ListTagsForStream", `{"StreamName":"s"}`), &tags); err != nil {
		t.Fatal(err)
	}
	if list, isList := tags["Tags"].([]any); !isList || len(list) != 0 || tags["HasMoreTags"] != false {
		t.Errorf("ListTagsForStream of an untagged stream = %v", tags)
	}
}

// cborCall sends v, CBOR-encoded, as a call of operation op, as the AWS
// SDK for Java does, and decodes the answer into out.
func cborCall(t *testing.T, url, op string, v any, out any) int {
	t.Helper()
	body, err := cbor.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-cbor-1.1")
	req.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20240301/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=00")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-amz-cbor-1.1" {
		t.Errorf("%s answered in %q", op, ct)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if err := cbor.Unmarshal(b, out); err != nil {
		t.Fatalf("%s answer %x: %v", op, b, err)
	}
	return resp.StatusCode
}

func TestCBORControlPlane(t *testing.T) {
	clk := kds.NewManualClock(testStart)
	c, _, url := newTestServer(t, kds.WithClock(clk))
	createStream(t, c, "s", 2)

	var d struct {
		StreamDescription struct {
			StreamName              string
			StreamCreationTimestamp cbor.RawTag
			Shards                  []struct {
				ShardId      string
				HashKeyRange struct{ StartingHashKey, EndingHashKey string }
			}
		}
	}
	if status := cborCall(t, url, "DescribeStream", map[string]any{"StreamName": "s", "Limit": 1}, &d); status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	sd := d.StreamDescription
	if sd.StreamName != "s" || len(sd.Shards) != 1 || sd.Shards[0].HashKeyRange.EndingHashKey != "170141183460469231731687303715884105727" {
		t.Errorf("description = %+v", sd)
	}
	var ms int64
	if err := cbor.Unmarshal(sd.StreamCreationTimestamp.Content, &ms); err != nil || sd.StreamCreationTimestamp.Number != 1 || ms != testStart.UnixMilli() {
		t.Errorf("StreamCreationTimestamp = tag %d, %d ms (%v); want tag 1, %d", sd.StreamCreationTimestamp.Number, ms, err, testStart.UnixMilli())
	}

	var e map[string]string
	if status := cborCall(t, url, "ListShards", map[string]any{"StreamName": "s", "MaxResults": 0}, &e); status != http.StatusBadRequest ||
		e["__type"] != "ValidationException" ||
		e["message"] != "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1" {
		t.Errorf("MaxResults 0 in CBOR: %d %v", status, e)
	}
}

// TestRequestForms checks the forms of request Kinesis accepts besides the
// usual one, and the limits of what it accepts.
func TestRequestForms(t *testing.T) {
	_, _, url := newTestServer(t)
	send := func(t *testing.T, method, path string, header map[string]string, body string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(method, url+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	signed := "AWS4-HMAC-SHA256 Credential=AKID/20240301/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=00"
	for _, ct := range []string{"application/x-amz-json-1.0", "application/json", "application/x-amz-json-1.1; charset=utf-8"} {
		t.Run(ct, func(t *testing.T) {
			resp := send(t, http.MethodPost, "/", map[string]string{"Content-Type": ct, "X-Amz-Target": "Kinesis_20131202.DescribeLimits", "Authorization": signed}, `{}`)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if got, want := resp.Header.Get("Content-Type"), strings.Split(ct, ";")[0]; got != want {
				t.Errorf("answered in %q, want %q", got, want)
			}
		})
	}
	t.Run("presigned", func(t *testing.T) {
		resp := send(t, http.MethodPost, "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID", map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202.DescribeLimits"}, `{}`)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("a request signed in its query got %d", resp.StatusCode)
		}
	})
	t.Run("unknown content type", func(t *testing.T) {
		resp := send(t, http.MethodPost, "/", map[string]string{"Content-Type": "text/plain", "X-Amz-Target": "Kinesis_20131202.DescribeLimits", "Authorization": signed}, `{}`)
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("status %d, want 404", resp.StatusCode)
		}
	})
	t.Run("CORS pre-flight", func(t *testing.T) {
		resp := send(t, http.MethodOptions, "/", map[string]string{"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST",
			"Access-Control-Request-Headers": "content-type,x-amz-target,authorization"}, ``)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		if resp.Header.Get("Access-Control-Allow-Origin") != "*" || resp.Header.Get("Access-Control-Allow-Headers") != "content-type,x-amz-target,authorization" ||
			!strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "POST") {
			t.Fatalf("pre-flight headers %v", resp.Header)
		}
		if !strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "x-amzn-RequestId") {
			t.Fatalf("x-amzn-RequestId is not exposed: %v", resp.Header)
		}
	})
	t.Run("body too large", func(t *testing.T) {
		big := `{"StreamName":"` + strings.Repeat("x", 20<<20) + `"}`
		resp := send(t, http.MethodPost, "/", map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202.DescribeStream", "Authorization": signed}, big)
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d, want 413", resp.StatusCode)
		}
	})
}

// TestIntegersAsKinesisReadsThem checks that integer members drop a
// fraction and clamp to 32 bits, as the Java service does, instead of
// refusing the request.
func TestIntegersAsKinesisReadsThem(t *testing.T) {
	_, svc, url := newTestServer(t)
	if _, err := svc.CreateStream(t.Context(), kds.CreateStreamInput{StreamName: "s", ShardCount: 3}); err != nil {
		t.Fatal(err)
	}
	r := rawCall(t, url, http.MethodPost, "DescribeStream", `{"StreamName":"s","Limit":1.9}`, false)
	if r.status != http.StatusOK {
		t.Fatalf("Limit 1.9: %d %s", r.status, r.body)
	}
	var out struct{ StreamDescription struct{ Shards []any } }
	if err := json.Unmarshal(r.body, &out); err != nil || len(out.StreamDescription.Shards) != 1 {
		t.Fatalf("Limit 1.9 gave %d shards (%v), want 1", len(out.StreamDescription.Shards), err)
	}
	r = rawCall(t, url, http.MethodPost, "ListStreams", `{"Limit":1e12}`, false)
	checkErrorResponse(t, r, http.StatusBadRequest, "ValidationException",
		"1 validation error detected: Value '2147483647' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000")
}
