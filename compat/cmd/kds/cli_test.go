package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/compat/kinesisapi"
)

// isolateAWSConfig gives the test dummy credentials in the environment
// and no AWS configuration otherwise: no files, profile, region or
// endpoint of the machine's user.
func isolateAWSConfig(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	for _, v := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
		"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_KINESIS", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY", "AWS_SECRET_KEY"} {
		t.Setenv(v, "") // restored after the test
		os.Unsetenv(v)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDKDSCLITEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "kds-cli-test-secret")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

// testServer is a kds Service served over HTTP, with a count of the
// error types it answered with and the sizes of PutRecords calls.
type testServer struct {
	svc      *kds.Service
	url      string
	mu       sync.Mutex
	errors   map[string]int
	requests map[string]int // by operation
	puts     []putRecordsCall
	// holdShard, while set, is a shard whose GetShardIterator calls are
	// refused as throttled.
	holdShard atomic.Pointer[string]
}

// putRecordsCall is the size of one PutRecords request.
type putRecordsCall struct{ records, bytes int }

// newTestServer serves a new Service with the options and the streams
// (name:shards) and isolates the AWS configuration.
func newTestServer(t *testing.T, streams map[string]int, opts ...kds.Option) *testServer {
	t.Helper()
	isolateAWSConfig(t)
	svc, err := kds.NewService(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	ts := &testServer{svc: svc, errors: map[string]int{}, requests: map[string]int{}}
	h := kinesisapi.NewHandler(svc)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := r.Header.Get("X-Amz-Target")
		ts.mu.Lock()
		ts.requests[target[strings.LastIndexByte(target, '.')+1:]]++
		ts.mu.Unlock()
		switch {
		case strings.HasSuffix(target, ".PutRecords"):
			ts.notePutRecords(r)
		case strings.HasSuffix(target, ".GetShardIterator") && ts.held(r):
			ec := errorCounter{w, ts}
			ec.Header().Set("Content-Type", "application/x-amz-json-1.1")
			ec.Header().Set("X-Amzn-ErrorType", "ProvisionedThroughputExceededException")
			ec.WriteHeader(http.StatusBadRequest)
			io.WriteString(ec, `{"__type":"ProvisionedThroughputExceededException","message":"held back by the test"}`)
			return
		}
		h.ServeHTTP(errorCounter{w, ts}, r)
	}))
	t.Cleanup(srv.Close)
	ts.url = srv.URL
	for name, shards := range streams {
		if _, err := svc.CreateStream(t.Context(), kds.CreateStreamInput{StreamName: name, ShardCount: shards}); err != nil {
			t.Fatal(err)
		}
	}
	return ts
}

// errorCounter counts the X-Amzn-ErrorType of the answers written.
type errorCounter struct {
	http.ResponseWriter
	ts *testServer
}

func (w errorCounter) WriteHeader(code int) {
	if typ := w.Header().Get("X-Amzn-ErrorType"); typ != "" {
		w.ts.mu.Lock()
		w.ts.errors[typ]++
		w.ts.mu.Unlock()
	}
	w.ResponseWriter.WriteHeader(code)
}

// errorCount returns how many answers had the error type.
func (ts *testServer) errorCount(typ string) int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.errors[typ]
}

// requestCount returns how many requests of the operation op came in.
func (ts *testServer) requestCount(op string) int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.requests[op]
}

// notePutRecords records the size of a PutRecords request and leaves
// its body for the handler.
func (ts *testServer) notePutRecords(r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	// Every entry has one partition key; the data, in base64, has no
	// quotes.
	records := bytes.Count(body, []byte(`"PartitionKey"`))
	ts.mu.Lock()
	ts.puts = append(ts.puts, putRecordsCall{records, len(body)})
	ts.mu.Unlock()
}

// held reports whether a GetShardIterator request is for the shard held
// back, leaving its body for the handler.
func (ts *testServer) held(r *http.Request) bool {
	shard := ts.holdShard.Load()
	if shard == nil {
		return false
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	var in struct{ ShardId string }
	json.Unmarshal(body, &in)
	return in.ShardId == *shard
}

// putRecordsCalls returns the number of PutRecords calls, and the most
// records and bytes of one.
func (ts *testServer) putRecordsCalls() (calls, maxRecords, maxBytes int) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for _, p := range ts.puts {
		maxRecords, maxBytes = max(maxRecords, p.records), max(maxBytes, p.bytes)
	}
	return len(ts.puts), maxRecords, maxBytes
}

// stream returns a stream of the Service.
func (ts *testServer) stream(t *testing.T, name string) *kds.Stream {
	t.Helper()
	s, ok := ts.svc.Stream(name)
	if !ok {
		t.Fatalf("no stream %s", name)
	}
	return s
}

// put puts a record through the Service and returns its sequence number.
func (ts *testServer) put(t *testing.T, stream, key, data string) string {
	t.Helper()
	out, err := ts.svc.PutRecord(context.Background(), kds.PutRecordInput{StreamName: stream, PartitionKey: key, Data: []byte(data)})
	if err != nil {
		t.Error(err)
	}
	return out.SequenceNumber.String()
}

// syncBuffer is a bytes.Buffer safe for a command writing and a test
// reading at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lines returns the complete lines written so far.
func (b *syncBuffer) lines() []string {
	s := b.String()
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return strings.Split(s[:i], "\n")
	}
	return nil
}

// result is a finished command.
type result struct {
	code           int
	stdout, stderr string
}

// kdsCmd is a command run in the background by start.
type kdsCmd struct {
	stdout, stderr syncBuffer
	done           chan struct{}
	code           atomic.Int64
}

// start runs kds with args in the background, with stdin as its input.
func start(ctx context.Context, stdin string, args ...string) *kdsCmd {
	c := &kdsCmd{done: make(chan struct{})}
	go func() {
		defer close(c.done)
		c.code.Store(int64(run(ctx, args, strings.NewReader(stdin), &c.stdout, &c.stderr)))
	}()
	return c
}

// wait waits for the command to end, at most a while, and returns its
// result.
func (c *kdsCmd) wait(t *testing.T) result {
	t.Helper()
	select {
	case <-c.done:
	case <-time.After(20 * time.Second):
		t.Fatalf("still running after 20s; stdout:\n%s\nstderr:\n%s", c.stdout.String(), c.stderr.String())
	}
	return result{int(c.code.Load()), c.stdout.String(), c.stderr.String()}
}

// waitFor polls cond until it holds, failing the test after a while.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// runKDS runs kds with args to its end.
func runKDS(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return start(t.Context(), stdin, args...).wait(t)
}

// must fails the test unless the command succeeded.
func (r result) must(t *testing.T) result {
	t.Helper()
	if r.code != exitOK {
		t.Fatalf("exit code %d; stderr:\n%s", r.code, r.stderr)
	}
	return r
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}
