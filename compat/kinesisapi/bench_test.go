package kinesisapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kdsgo/kds"
)

// benchHandler serves, with opts, a Service without throughput limits that
// has one stream, "bench", of shards shards.
func benchHandler(b *testing.B, shards int, opts ...Option) (*Handler, *kds.Service) {
	b.Helper()
	svc, err := kds.NewService(kds.WithThroughputLimits(kds.NoLimits))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { svc.Close() })
	if _, err := svc.CreateStream(b.Context(), kds.CreateStreamInput{StreamName: "bench", ShardCount: shards}); err != nil {
		b.Fatal(err)
	}
	return NewHandler(svc, opts...), svc
}

// call sends one JSON request to h, with a signature that only a handler
// without credentials accepts, and fails b unless it answers 200.
func call(b *testing.B, h http.Handler, op string, body []byte) {
	callWith(b, h, op, body, http.Header{"Authorization": {"AWS4-HMAC-SHA256 Credential=AKID/20261126/us-east-1/kinesis/aws4_request"}})
}

// callWith sends one JSON request with the headers hdr (a signature) to h
// and fails b unless it answers 200.
func callWith(b *testing.B, h http.Handler, op string, body []byte, hdr http.Header) {
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	maps.Copy(req.Header, hdr)
	req.Header.Set("Content-Type", contentTypeJSON11)
	req.Header.Set("X-Amz-Target", targetPrefix+op)
	w := &discardWriter{header: http.Header{}}
	h.ServeHTTP(w, req)
	if w.status != http.StatusOK {
		b.Fatalf("%s answered %d", op, w.status)
	}
}

// discardWriter is a ResponseWriter that keeps only the status, so that a
// benchmark measures the handler rather than a recorder's buffer.
type discardWriter struct {
	header http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.header }
func (w *discardWriter) WriteHeader(status int)      { w.status = status }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }

// putRecordsBody is a PutRecords request of n records of size bytes with
// distinct partition keys.
func putRecordsBody(n, size int) []byte {
	data := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{'x'}, size))
	var buf bytes.Buffer
	buf.WriteString(`{"StreamName":"bench","Records":[`)
	for i := range n {
		if i > 0 {
			buf.WriteByte(',')
		}
		fmt.Fprintf(&buf, `{"PartitionKey":"key-%d","Data":"%s"}`, i, data)
	}
	buf.WriteString(`]}`)
	return buf.Bytes()
}

// BenchmarkHandlerPutRecords measures the handler's work for one
// PutRecords call of 500 records of 100 bytes on 4 shards, without the
// network: decode, store, encode.
func BenchmarkHandlerPutRecords(b *testing.B) {
	h, _ := benchHandler(b, 4)
	body := putRecordsBody(500, 100)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		call(b, h, "PutRecords", body)
	}
	b.ReportMetric(float64(b.N)*500/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkHandlerGetRecords measures the handler's work for GetRecords
// calls of 10,000 records of 100 bytes, without the network.
func BenchmarkHandlerGetRecords(b *testing.B) {
	h, svc := benchHandler(b, 1)
	body := putRecordsBody(500, 100)
	for range 20 {
		call(b, h, "PutRecords", body)
	}
	it, err := svc.GetShardIterator(b.Context(), kds.GetShardIteratorInput{StreamName: "bench", ShardId: "shardId-000000000000", ShardIteratorType: kds.ShardIteratorTypeTrimHorizon})
	if err != nil {
		b.Fatal(err)
	}
	req, _ := json.Marshal(map[string]any{"ShardIterator": it.ShardIterator})
	for b.Loop() {
		call(b, h, "GetRecords", req)
	}
	b.ReportMetric(float64(b.N)*10000/b.Elapsed().Seconds(), "records/s")
}

// putRecord100 is a PutRecord request of 100 bytes.
var putRecord100 = []byte(`{"StreamName":"bench","PartitionKey":"key","Data":"` + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{'x'}, 100)) + `"}`)

// BenchmarkHandlerPutRecord measures the handler's work for one PutRecord
// call of 100 bytes.
func BenchmarkHandlerPutRecord(b *testing.B) {
	h, _ := benchHandler(b, 4)
	for b.Loop() {
		call(b, h, "PutRecord", putRecord100)
	}
}

// BenchmarkHandlerPutRecordSigned is BenchmarkHandlerPutRecord with
// credentials configured, so that the handler verifies every call's
// signature. The signature is made once, before the loop: only the
// server's side is measured.
func BenchmarkHandlerPutRecordSigned(b *testing.B) {
	h, svc := benchHandler(b, 4, WithCredentials(alice))
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(putRecord100))
	r.Header.Set("Content-Type", contentTypeJSON11)
	r.Header.Set("X-Amz-Target", targetPrefix+"PutRecord")
	sign(b, r, string(putRecord100), alice, signingService, svc.Region(), time.Now())
	for b.Loop() {
		callWith(b, h, "PutRecord", putRecord100, r.Header)
	}
}
