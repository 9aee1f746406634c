package kinesisapi_test

import (
	"bytes"
	"encoding/binary"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/compat/kinesisapi"
)

// javaCBOR builds a request body the way the AWS SDK for Java's Jackson
// CBOR generator writes one: an indefinite-length map of text keys, blobs
// as byte strings, timestamps as tag 1 followed by epoch milliseconds.
type javaCBOR struct{ bytes.Buffer }

func (b *javaCBOR) head(major byte, n uint64) {
	switch {
	case n < 24:
		b.WriteByte(major<<5 | byte(n))
	case n <= 0xff:
		b.WriteByte(major<<5 | 24)
		b.WriteByte(byte(n))
	case n <= 0xffff:
		b.WriteByte(major<<5 | 25)
		b.Write(binary.BigEndian.AppendUint16(nil, uint16(n)))
	case n <= 0xffffffff:
		b.WriteByte(major<<5 | 26)
		b.Write(binary.BigEndian.AppendUint32(nil, uint32(n)))
	default:
		b.WriteByte(major<<5 | 27)
		b.Write(binary.BigEndian.AppendUint64(nil, n))
	}
}
func (b *javaCBOR) startMap()             { b.WriteByte(0xbf) }
func (b *javaCBOR) end()                  { b.WriteByte(0xff) }
func (b *javaCBOR) text(s string)         { b.head(3, uint64(len(s))); b.WriteString(s) }
func (b *javaCBOR) bytes(p []byte)        { b.head(2, uint64(len(p))); b.Write(p) }
func (b *javaCBOR) uint(n uint64)         { b.head(0, n) }
func (b *javaCBOR) timestamp(t time.Time) { b.head(6, 1); b.uint(uint64(t.UnixMilli())) }

// postCBOR sends body as operation op in CBOR and decodes the CBOR answer.
func postCBOR(t *testing.T, url, op string, body []byte) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-cbor-1.1")
	req.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20261126/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=00")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-amz-cbor-1.1" {
		t.Fatalf("%s answered Content-Type %q, want application/x-amz-cbor-1.1", op, ct)
	}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	if len(raw) > 0 {
		if err := cbor.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s: the answer is not CBOR: %v (% x)", op, err, raw)
		}
	}
	return resp.StatusCode, out
}

func TestCBORAsTheJavaSDKSendsIt(t *testing.T) {
	clock := kds.NewManualClock(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
	svc, err := kds.NewService(kds.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(kinesisapi.NewHandler(svc))
	defer srv.Close()

	var b javaCBOR
	b.startMap()
	b.text("StreamName")
	b.text("java")
	b.text("ShardCount")
	b.uint(2)
	b.end()
	if status, out := postCBOR(t, srv.URL, "CreateStream", b.Bytes()); status != http.StatusOK {
		t.Fatalf("CreateStream: %d %v", status, out)
	}

	payload := []byte{0x00, 0xff, 'h', 'i'} // not valid UTF-8: must travel as bytes
	b.Reset()
	b.startMap()
	b.text("StreamName")
	b.text("java")
	b.text("Data")
	b.bytes(payload)
	b.text("PartitionKey")
	b.text("key")
	b.end()
	status, out := postCBOR(t, srv.URL, "PutRecord", b.Bytes())
	if status != http.StatusOK {
		t.Fatalf("PutRecord: %d %v", status, out)
	}
	seq, _ := out["SequenceNumber"].(string)
	if _, err := kds.ParseSequenceNumber(seq); err != nil {
		t.Fatalf("PutRecord answered SequenceNumber %v: %v", out["SequenceNumber"], err)
	}
	if out["ShardId"] == nil {
		t.Fatalf("PutRecord answered no ShardId: %v", out)
	}

	b.Reset()
	b.startMap()
	b.text("StreamName")
	b.text("java")
	b.end()
	status, out = postCBOR(t, srv.URL, "DescribeStreamSummary", b.Bytes())
	if status != http.StatusOK {
		t.Fatalf("DescribeStreamSummary: %d %v", status, out)
	}
	sum, _ := out["StreamDescriptionSummary"].(map[any]any)
	if sum == nil {
		t.Fatalf("DescribeStreamSummary answered %v", out)
	}
	// Timestamps come back as the Java SDK reads them: epoch milliseconds,
	// under tag 1.
	created, ok := sum["StreamCreationTimestamp"].(time.Time)
	if !ok {
		t.Fatalf("StreamCreationTimestamp is %T %v, want a tag-1 value", sum["StreamCreationTimestamp"], sum["StreamCreationTimestamp"])
	}
	if got, want := created.Unix(), clock.Now().UnixMilli(); got != want {
		t.Fatalf("StreamCreationTimestamp carries %d, want the epoch milliseconds %d", got, want)
	}
	if sum["OpenShardCount"] != uint64(2) {
		t.Fatalf("OpenShardCount = %v, want 2", sum["OpenShardCount"])
	}

	b.Reset()
	b.startMap()
	b.text("StreamName")
	b.text("missing")
	b.end()
	status, out = postCBOR(t, srv.URL, "DescribeStreamSummary", b.Bytes())
	if status != http.StatusBadRequest || out["__type"] != "ResourceNotFoundException" ||
		out["message"] != "Stream missing under account 000000000000 not found." {
		t.Fatalf("missing stream: %d %v", status, out)
	}

	// PutRecords, GetShardIterator AT_TIMESTAMP (a tag-1 timestamp in
	// the request) and GetRecords, all in CBOR.
	clock.Advance(time.Second)
	putAt := clock.Now()
	b.Reset()
	b.startMap()
	b.text("StreamName")
	b.text("java")
	b.text("Records")
	b.WriteByte(0x9f) // an indefinite-length array, as Jackson writes one
	for _, key := range []string{"a", "b"} {
		b.startMap()
		b.text("Data")
		b.bytes(payload)
		b.text("PartitionKey")
		b.text(key)
		b.text("ExplicitHashKey")
		b.text("0")
		b.end()
	}
	b.end()
	b.end()
	status, out = postCBOR(t, srv.URL, "PutRecords", b.Bytes())
	if status != http.StatusOK || out["FailedRecordCount"] != uint64(0) {
		t.Fatalf("PutRecords: %d %v", status, out)
	}
	results, _ := out["Records"].([]any)
	if len(results) != 2 || results[0].(map[any]any)["ShardId"] != "shardId-000000000000" {
		t.Fatalf("PutRecords results %v", out["Records"])
	}

	b.Reset()
	b.startMap()
	b.text("StreamName")
	b.text("java")
	b.text("ShardId")
	b.text("shardId-000000000000")
	b.text("ShardIteratorType")
	b.text("AT_TIMESTAMP")
	b.text("Timestamp")
	b.timestamp(putAt)
	b.end()
	status, out = postCBOR(t, srv.URL, "GetShardIterator", b.Bytes())
	it, _ := out["ShardIterator"].(string)
	if status != http.StatusOK || it == "" {
		t.Fatalf("GetShardIterator: %d %v", status, out)
	}
	b.Reset()
	b.startMap()
	b.text("ShardIterator")
	b.text(it)
	b.end()
	status, out = postCBOR(t, srv.URL, "GetRecords", b.Bytes())
	recs, _ := out["Records"].([]any)
	if status != http.StatusOK || len(recs) != 2 {
		t.Fatalf("GetRecords: %d %v", status, out)
	}
	first := recs[0].(map[any]any)
	if data, ok := first["Data"].([]byte); !ok || !bytes.Equal(data, payload) {
		t.Fatalf("GetRecords Data = %#v, want the byte string % x", first["Data"], payload)
	}
	if arrived, ok := first["ApproximateArrivalTimestamp"].(time.Time); !ok || arrived.Unix() != putAt.UnixMilli() {
		t.Fatalf("ApproximateArrivalTimestamp = %#v, want tag 1 with %d", first["ApproximateArrivalTimestamp"], putAt.UnixMilli())
	}

	// Member names are case-sensitive, as in Kinesis.
	b.Reset()
	b.startMap()
	b.text("streamname")
	b.text("java")
	b.end()
	status, out = postCBOR(t, srv.URL, "DescribeStreamSummary", b.Bytes())
	if status != http.StatusBadRequest {
		t.Fatalf("a lower-case member name was taken: %d %v", status, out)
	}

	status, out = postCBOR(t, srv.URL, "PutRecord", []byte{0xbf, 0x63, 'a'})
	if status != http.StatusBadRequest || out["__type"] != "SerializationException" {
		t.Fatalf("truncated CBOR: %d %v", status, out)
	}
}
