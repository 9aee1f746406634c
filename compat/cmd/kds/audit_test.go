package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kdsgo/kds"
)

// serveAndPut runs kds serve with args, puts one record through the API
// and stops the server. It returns what the server wrote to stderr.
func serveAndPut(t *testing.T, args ...string) string {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	out, outW := io.Pipe()
	var stderr bytes.Buffer // read only once run has returned
	exit := make(chan int, 1)
	go func() {
		exit <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--dashboard=false", "--stream", "orders", "--log-level", "warn"}, args...), strings.NewReader(""), outW, &stderr)
		outW.Close()
	}()
	lines := bufio.NewScanner(out)
	if !lines.Scan() {
		stop()
		<-exit
		t.Fatalf("no start-up line; stderr:\n%s", stderr.String())
	}
	fields := strings.Fields(lines.Text())
	api := fields[len(fields)-1]
	go io.Copy(io.Discard, out)

	req, _ := http.NewRequest(http.MethodPost, api, strings.NewReader(`{"StreamName":"orders","PartitionKey":"k","Data":"U0VDUkVULURBVEE="}`)) // SECRET-DATA
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "Kinesis_20131202.PutRecord")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/kinesis/aws4_request")
	req.Header.Set("User-Agent", "audit-test/1.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PutRecord answered %s", resp.Status)
	}
	stop()
	if code := <-exit; code != exitOK {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr.String())
	}
	return stderr.String()
}

// auditEvents parses the JSON Lines in log, skipping other lines, and
// returns the events by name.
func auditEvents(t *testing.T, log string) map[string]kds.AuditEvent {
	t.Helper()
	events := map[string]kds.AuditEvent{}
	for _, line := range strings.Split(log, "\n") {
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var e kds.AuditEvent
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		events[e.EventName] = e
	}
	return events
}

// TestServeAuditLog runs kds serve with an audit log file and with the
// audit log on stderr, and finds the events of the start-up stream and of
// a put in them.
func TestServeAuditLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	serveAndPut(t, "--audit-log", path, "--audit-data-events")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	events := auditEvents(t, string(b))
	if _, ok := events["CreateStream"]; !ok {
		t.Errorf("no CreateStream event in\n%s", b)
	}
	put, ok := events["PutRecord"]
	if !ok || put.SourceIPAddress != "127.0.0.1" || put.UserAgent != "audit-test/1.0" || put.EventCategory != "Data" {
		t.Errorf("PutRecord event %+v", put)
	}
	if bytes.Contains(b, []byte("U0VDUkVULURBVEE")) || bytes.Contains(b, []byte("SECRET-DATA")) {
		t.Error("the audit log holds the record's data")
	}

	// On stderr, management events only.
	events = auditEvents(t, serveAndPut(t, "--audit-log", "-"))
	if _, ok := events["CreateStream"]; !ok {
		t.Error("no CreateStream event on stderr")
	}
	if _, ok := events["PutRecord"]; ok {
		t.Error("a data event without -audit-data-events")
	}
}

// TestServeAuditLogUnopenable checks that an audit log that cannot be
// opened fails kds serve at start-up.
func TestServeAuditLogUnopenable(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--audit-log", filepath.Join(t.TempDir(), "missing", "audit.jsonl")}, strings.NewReader(""), &stdout, &stderr)
	if code != exitFail || !strings.Contains(stderr.String(), "no such file or directory") {
		t.Errorf("exit code %d, stderr %q", code, stderr.String())
	}
}
