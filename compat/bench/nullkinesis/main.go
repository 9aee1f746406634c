// Command nullkinesis is the floor of the wire benchmarks: a net/http
// server, configured as kds serve configures its own, that answers the
// calls kdsload's putrecord scenario makes (CreateStream,
// DescribeStreamSummary, PutRecord, DeleteStream) with fixed answers and
// stores nothing. What it costs per call is what Go's HTTP server and the
// operating system cost before any Kinesis work; see BENCHMARKS.md.
//
//	go run ./compat/bench/nullkinesis --addr 127.0.0.1:4610
package main

import (
	"flag"
	"io"
	"log"
	"net/http"
	"strings"
)

// answers are the fixed response bodies, by operation.
var answers = map[string]string{
	"CreateStream": ``,
	"DeleteStream": ``,
	"DescribeStreamSummary": `{"StreamDescriptionSummary":{"StreamName":"s","StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s",` +
		`"StreamStatus":"ACTIVE","StreamModeDetails":{"StreamMode":"PROVISIONED"},"RetentionPeriodHours":24,` +
		`"StreamCreationTimestamp":1764000000,"EnhancedMonitoring":[{"ShardLevelMetrics":[]}],"OpenShardCount":4,"ConsumerCount":0}}`,
	"PutRecord": `{"ShardId":"shardId-000000000000","SequenceNumber":"49680580742357931594419737850725144352435541814859005970","EncryptionType":"NONE"}`,
}

func main() {
	addr := flag.String("addr", "127.0.0.1:4610", "listen on host:port")
	flag.Parse()
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true)
	srv := &http.Server{Addr: *addr, Protocols: &protocols, Handler: http.HandlerFunc(answer)}
	log.Fatal(srv.ListenAndServe())
}

// answer reads the request and sends the fixed answer of its operation.
func answer(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	_, op, _ := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
	body, ok := answers[op]
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if !ok {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"__type":"UnknownOperationException"}`)
		return
	}
	io.WriteString(w, body)
}
