package kds

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

// sampleEvent returns a data event for the sink tests.
func sampleEvent(name string) *AuditEvent {
	return &AuditEvent{
		EventTime: auditStart, EventVersion: "1.11", EventSource: "kinesis.amazonaws.com", EventName: name,
		AWSRegion: "us-east-1", SourceIPAddress: "127.0.0.1", UserAgent: "test",
		UserIdentity:      AuditIdentity{Type: "IAMUser", ARN: "arn:aws:iam::000000000000:user/alice", AccountID: "000000000000", AccessKeyID: "AKID"},
		RequestParameters: json.RawMessage(`{"streamName":"s","partitionKey":"k"}`),
		RequestID:         "req-1", EventID: "ev-" + name, EventType: "AwsApiCall", EventCategory: "Data",
		Resources:          []AuditResource{{AccountID: "000000000000", Type: "AWS::Kinesis::Stream", ARN: "arn:aws:kinesis:us-east-1:000000000000:stream/s"}},
		RecipientAccountID: "000000000000",
	}
}

// writeRecorder keeps each Write call apart.
type writeRecorder struct {
	mu     sync.Mutex
	writes [][]byte
}

func (w *writeRecorder) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes = append(w.writes, bytes.Clone(p))
	return len(p), nil
}

// TestAuditJSONLinesSink writes events from many goroutines and checks
// that each is one Write of one line that parses back to the event.
func TestAuditJSONLinesSink(t *testing.T) {
	w := &writeRecorder{}
	sink := NewAuditJSONLinesSink(w)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 25 {
				if err := sink.WriteAuditEvent(sampleEvent("PutRecord")); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if len(w.writes) != 200 {
		t.Fatalf("%d writes for 200 events", len(w.writes))
	}
	for _, line := range w.writes {
		if bytes.Count(line, []byte("\n")) != 1 || line[len(line)-1] != '\n' {
			t.Fatalf("write %q is not one line", line)
		}
		var e AuditEvent
		if err := json.Unmarshal(line, &e); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		if want := sampleEvent("PutRecord"); e.EventName != want.EventName || !e.EventTime.Equal(want.EventTime) || e.Resources[0] != want.Resources[0] || string(e.RequestParameters) != string(want.RequestParameters) {
			t.Errorf("line parses to %+v", e)
		}
	}
	if err := sink.Close(); err != nil {
		t.Errorf("Close of a writer sink: %v", err)
	}
}

// TestOpenAuditLog checks that the log file is appended to across opens
// and is its owner's only.
func TestOpenAuditLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	for _, name := range []string{"CreateStream", "DeleteStream"} {
		sink, err := OpenAuditLog(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := sink.WriteAuditEvent(sampleEvent(name)); err != nil {
			t.Fatal(err)
		}
		if err := sink.Close(); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for line := range bytes.Lines(b) {
		var e AuditEvent
		if err := json.Unmarshal(line, &e); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		names = append(names, e.EventName)
	}
	if len(names) != 2 || names[0] != "CreateStream" || names[1] != "DeleteStream" {
		t.Errorf("events %q", names)
	}
	if fi, err := os.Stat(path); err != nil || runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, %v", fi.Mode(), err)
	}
	if _, err := OpenAuditLog(filepath.Join(t.TempDir(), "missing", "audit.jsonl")); err == nil {
		t.Error("opened a log in a missing directory")
	}
}

// TestAuditSlogSink checks the slog record of an event: level, time,
// message and attributes, with the JSON fields kept as JSON.
func TestAuditSlogSink(t *testing.T) {
	var buf bytes.Buffer
	sink := NewAuditSlogSink(slog.New(slog.NewJSONHandler(&buf, nil)))
	ok := sampleEvent("PutRecord")
	failed := sampleEvent("DeleteStream")
	failed.ErrorCode, failed.ErrorMessage = "AccessDeniedException", "not authorized"
	failed.ResponseElements, failed.Resources = nil, nil
	for _, e := range []*AuditEvent{ok, failed} {
		if err := sink.WriteAuditEvent(e); err != nil {
			t.Fatal(err)
		}
	}
	type record struct {
		Time              time.Time
		Level, Msg        string
		EventName         string
		EventCategory     string
		ReadOnly          bool
		UserIdentity      map[string]string
		SourceIPAddress   string
		RequestID         string
		EventID           string
		ErrorCode         string
		ErrorMessage      string
		RequestParameters map[string]string
		Resources         []string
	}
	var got []record
	for line := range bytes.Lines(buf.Bytes()) {
		var r record
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("line %s: %v", line, err)
		}
		got = append(got, r)
	}
	if len(got) != 2 {
		t.Fatalf("%d records", len(got))
	}
	r := got[0]
	if r.Level != "INFO" || r.Msg != "kinesis api call" || !r.Time.Equal(auditStart) || r.EventName != "PutRecord" || r.EventCategory != "Data" ||
		r.UserIdentity["arn"] != "arn:aws:iam::000000000000:user/alice" || r.UserIdentity["type"] != "IAMUser" || r.UserIdentity["accessKeyId"] != "AKID" || r.SourceIPAddress != "127.0.0.1" ||
		r.RequestID != "req-1" || r.EventID != "ev-PutRecord" || r.RequestParameters["partitionKey"] != "k" ||
		len(r.Resources) != 1 || r.Resources[0] != ok.Resources[0].ARN || r.ErrorCode != "" {
		t.Errorf("record %+v", r)
	}
	if r := got[1]; r.Level != "WARN" || r.ErrorCode != "AccessDeniedException" || r.ErrorMessage != "not authorized" || r.Resources != nil {
		t.Errorf("failed call's record %+v", r)
	}

	// A logger above Info keeps only the failures.
	buf.Reset()
	sink = NewAuditSlogSink(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn})))
	for _, e := range []*AuditEvent{ok, failed} {
		if err := sink.WriteAuditEvent(e); err != nil {
			t.Fatal(err)
		}
	}
	if n := bytes.Count(buf.Bytes(), []byte("\n")); n != 1 || !bytes.Contains(buf.Bytes(), []byte("eventName=DeleteStream")) {
		t.Errorf("warn-level log:\n%s", buf.Bytes())
	}
}
