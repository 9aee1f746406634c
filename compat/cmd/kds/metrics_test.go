package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// TestServeMetrics runs kds serve with --metrics-addr, puts a record
// through the API and scrapes /metrics on the other listener.
func TestServeMetrics(t *testing.T) {
	// The API's, the dashboard's and the metrics' URLs.
	urls := serveInBackground(t, 3, "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--stream", "orders", "--log-level", "warn")
	api, metrics := urls[0], urls[2]
	if !strings.HasPrefix(metrics, "http://127.0.0.1:") || !strings.HasSuffix(metrics, "/metrics") || strings.HasPrefix(metrics, api) {
		t.Fatalf("metrics URL %q (API at %q)", metrics, api)
	}

	req, _ := http.NewRequest(http.MethodPost, api, strings.NewReader(`{"StreamName":"orders","PartitionKey":"k","Data":"aGVsbG8="}`))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "Kinesis_20131202.PutRecord")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/kinesis/aws4_request")
	if resp, err := http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	} else if resp.Body.Close(); resp.StatusCode != http.StatusOK {
		t.Fatalf("PutRecord answered %s", resp.Status)
	}

	resp, err := http.Get(metrics)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("/metrics answered %s, %q", resp.Status, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		"# TYPE kinesis_incoming_bytes_total counter\n",
		"kinesis_incoming_bytes_total{stream_name=\"orders\"} 6\n", // "k" and "hello"
		"kinesis_put_record_success_count{stream_name=\"orders\"} 1\n",
	} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("/metrics lacks %q:\n%s", want, body)
		}
	}
	if resp, err := http.Get(strings.TrimSuffix(metrics, "metrics")); err != nil {
		t.Error(err)
	} else if resp.Body.Close(); resp.StatusCode != http.StatusNotFound {
		t.Errorf("/ on the metrics listener answered %s, want 404", resp.Status)
	}
}

// TestServeMetricsAddrInUse checks that a metrics address that cannot be
// listened on fails kds serve at start-up.
func TestServeMetricsAddrInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--metrics-addr", ln.Addr().String()}, strings.NewReader(""), &stdout, &stderr)
	if code != exitFail || !strings.Contains(stderr.String(), "address already in use") {
		t.Errorf("exit code %d, stderr %q; want %d and the listen error", code, stderr.String(), exitFail)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout %q, want nothing", stdout.String())
	}
}
