package delivery

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kdsgo/kds"
)

// endpoint is a test HTTP endpoint that keeps every request and answers
// with respond (default: Firehose's success response).
type endpoint struct {
	srv     *httptest.Server
	mu      sync.Mutex
	reqs    []received
	respond func(n int, w http.ResponseWriter, requestID string)
}

// received is one request as the endpoint got it.
type received struct {
	header http.Header
	body   []byte // as sent (compressed if gzip)
	req    struct {
		RequestID string `json:"requestId"`
		Timestamp int64  `json:"timestamp"`
		Records   []struct {
			Data []byte `json:"data"`
		} `json:"records"`
	}
}

func newEndpoint(t *testing.T) *endpoint {
	e := &endpoint{}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var got received
		got.header = r.Header.Clone()
		got.body, _ = io.ReadAll(r.Body)
		body := got.body
		if r.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			body, _ = io.ReadAll(zr)
		}
		json.Unmarshal(body, &got.req)
		e.mu.Lock()
		e.reqs = append(e.reqs, got)
		n, respond := len(e.reqs), e.respond
		e.mu.Unlock()
		if respond == nil {
			respond = ok
		}
		respond(n, w, got.req.RequestID)
	}))
	t.Cleanup(e.srv.Close)
	return e
}

func (e *endpoint) requests() []received {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.reqs)
}

// ok answers as a Firehose endpoint does on success.
func ok(n int, w http.ResponseWriter, requestID string) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"requestId": %q, "timestamp": 1578090903599}`, requestID)
}

// failWith answers status with Firehose's error body.
func failWith(status int, message string) func(int, http.ResponseWriter, string) {
	return func(n int, w http.ResponseWriter, requestID string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"requestId": %q, "timestamp": 1578090903599, "errorMessage": %q}`, requestID, message)
	}
}

func newHTTPDest(t *testing.T, cfg HTTPEndpointConfig) *HTTPEndpointDestination {
	t.Helper()
	d, err := NewHTTPEndpointDestination(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestHTTPEndpointRequest checks the request Firehose's contract
// describes: headers, body, base64 records, GZIP content encoding.
func TestHTTPEndpointRequest(t *testing.T) {
	for _, gz := range []bool{false, true} {
		t.Run(fmt.Sprintf("gzip=%v", gz), func(t *testing.T) {
			e := newEndpoint(t)
			cfg := HTTPEndpointConfig{
				URL:              e.srv.URL + "/ingest?x=1",
				AccessKey:        "secret-key",
				CommonAttributes: map[string]string{"env": "test", "empty": ""},
				Clock:            kds.NewManualClock(epoch),
			}
			if gz {
				cfg.ContentEncoding = ContentEncodingGZIP
			}
			d := newHTTPDest(t, cfg)
			records := [][]byte{[]byte("hello\n"), {0, 1, 2, 255}, {}}
			if err := d.Deliver(context.Background(), &Batch{Key: "ignored", Records: records}); err != nil {
				t.Fatalf("Deliver: %v", err)
			}
			reqs := e.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests", len(reqs))
			}
			r := reqs[0]
			h := r.header
			for name, want := range map[string]string{
				"Content-Type":                    "application/json",
				"X-Amz-Firehose-Protocol-Version": "1.0",
				"X-Amz-Firehose-Access-Key":       "secret-key",
			} {
				if got := h.Get(name); got != want {
					t.Errorf("%s: %q, want %q", name, got, want)
				}
			}
			var attrs map[string]map[string]string
			if err := json.Unmarshal([]byte(h.Get("X-Amz-Firehose-Common-Attributes")), &attrs); err != nil || len(attrs["commonAttributes"]) != 2 || attrs["commonAttributes"]["env"] != "test" {
				t.Errorf("X-Amz-Firehose-Common-Attributes: %q", h.Get("X-Amz-Firehose-Common-Attributes"))
			}
			if id := h.Get("X-Amz-Firehose-Request-Id"); !uuidPattern.MatchString(id) || r.req.RequestID != id {
				t.Errorf("request ID header %q, body %q", id, r.req.RequestID)
			}
			if r.req.Timestamp != epoch.UnixMilli() {
				t.Errorf("timestamp %d, want %d", r.req.Timestamp, epoch.UnixMilli())
			}
			if len(r.req.Records) != 3 {
				t.Fatalf("%d records", len(r.req.Records))
			}
			for i, rec := range r.req.Records {
				if !bytes.Equal(rec.Data, records[i]) {
					t.Errorf("record %d: %q, want %q", i, rec.Data, records[i])
				}
			}
			if !bytes.Contains(r.body, []byte(`"data":"AAEC/w=="`)) != gz {
				t.Errorf("body %q: base64 data visible = %v with gzip %v", r.body, !gz, gz)
			}
			if got := h.Get("Content-Encoding"); (got == "gzip") != gz || (!gz && got != "") {
				t.Errorf("Content-Encoding %q with gzip %v", got, gz)
			}
		})
	}
}

// TestHTTPEndpointOptionalHeaders: no access key or common attributes, no
// headers.
func TestHTTPEndpointOptionalHeaders(t *testing.T) {
	e := newEndpoint(t)
	d := newHTTPDest(t, HTTPEndpointConfig{URL: e.srv.URL})
	if err := d.Deliver(context.Background(), &Batch{Records: [][]byte{[]byte("x")}}); err != nil {
		t.Fatal(err)
	}
	h := e.requests()[0].header
	for _, name := range []string{"X-Amz-Firehose-Access-Key", "X-Amz-Firehose-Common-Attributes", "Content-Encoding"} {
		if v, ok := h[name]; ok {
			t.Errorf("%s sent: %q", name, v)
		}
	}
}

// TestHTTPEndpointResponses: what counts as success, and the error code
// of each failure. With a retry duration of 0 every failure ends the
// delivery at the first attempt.
func TestHTTPEndpointResponses(t *testing.T) {
	tests := []struct {
		name     string
		respond  func(int, http.ResponseWriter, string)
		wantCode string // "" for success
		wantMsg  string
	}{
		{"200", ok, "", ""},
		{"200 with charset", func(n int, w http.ResponseWriter, id string) {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			fmt.Fprintf(w, `{"requestId": %q, "timestamp": 1}`, id)
		}, "", ""},
		{"other request ID", func(n int, w http.ResponseWriter, id string) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"requestId": "ed4acda5-034f-9f42-bba1-f29aea6d7d8f", "timestamp": 1}`)
		}, "HttpEndpoint.InvalidResponseFromDestination", "does not match"},
		{"no request ID", func(n int, w http.ResponseWriter, id string) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"timestamp": 1}`)
		}, "HttpEndpoint.InvalidResponseFromDestination", "does not match"},
		{"timestamp as a string", func(n int, w http.ResponseWriter, id string) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"requestId": %q, "timestamp": "1578090903599"}`, id)
		}, "HttpEndpoint.InvalidResponseFromDestination", "numeric timestamp"},
		{"no timestamp", func(n int, w http.ResponseWriter, id string) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"requestId": %q}`, id)
		}, "HttpEndpoint.InvalidResponseFromDestination", "numeric timestamp"},
		{"text/plain", func(n int, w http.ResponseWriter, id string) {
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprintf(w, `{"requestId": %q, "timestamp": 1}`, id)
		}, "HttpEndpoint.InvalidResponseFromDestination", "Content-Type"},
		{"not JSON", func(n int, w http.ResponseWriter, id string) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `OK`)
		}, "HttpEndpoint.InvalidResponseFromDestination", "not the expected JSON"},
		{"202", func(n int, w http.ResponseWriter, id string) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusAccepted)
			fmt.Fprintf(w, `{"requestId": %q, "timestamp": 1}`, id)
		}, "HttpEndpoint.DestinationException", "answered 202"},
		{"500", failWith(500, "Unable to deliver records due to unknown error."), "HttpEndpoint.DestinationException", "answered 500: Unable to deliver records due to unknown error."},
		{"401 plain body", func(n int, w http.ResponseWriter, id string) { http.Error(w, "who are you", 401) }, "HttpEndpoint.DestinationException", "answered 401: who are you"},
		{"redirect not followed", func(n int, w http.ResponseWriter, id string) {
			w.Header().Set("Location", "/elsewhere")
			w.WriteHeader(http.StatusFound)
		}, "HttpEndpoint.DestinationException", "answered 302"},
		{"response too large", func(n int, w http.ResponseWriter, id string) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"requestId": %q, "timestamp": 1, "pad": "%s"}`, id, strings.Repeat("x", 1<<20))
		}, "HttpEndpoint.ResponseTooLarge", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEndpoint(t)
			e.respond = tt.respond
			d := newHTTPDest(t, HTTPEndpointConfig{URL: e.srv.URL, RetryOptions: RetryOptions{DurationInSeconds: Int(0)}, Clock: kds.NewManualClock(epoch)})
			err := d.Deliver(context.Background(), &Batch{Records: [][]byte{[]byte("x")}})
			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("Deliver: %v", err)
				}
				return
			}
			var failed *DeliveryFailedError
			if !errors.As(err, &failed) {
				t.Fatalf("Deliver: %v, want a DeliveryFailedError", err)
			}
			if failed.ErrorCode != tt.wantCode || !strings.Contains(failed.ErrorMessage, tt.wantMsg) || failed.AttemptsMade != 1 || failed.ErrorOutputType != ErrorOutputHTTPEndpointFailed {
				t.Errorf("got %+v, want code %s, message with %q, 1 attempt", failed, tt.wantCode, tt.wantMsg)
			}
		})
	}
}

func TestHTTPEndpointConnectionFailed(t *testing.T) {
	e := newEndpoint(t)
	url := e.srv.URL
	e.srv.Close()
	d := newHTTPDest(t, HTTPEndpointConfig{URL: url, RetryOptions: RetryOptions{DurationInSeconds: Int(0)}})
	var failed *DeliveryFailedError
	if err := d.Deliver(context.Background(), &Batch{Records: [][]byte{[]byte("x")}}); !errors.As(err, &failed) || failed.ErrorCode != "HttpEndpoint.ConnectionFailed" {
		t.Errorf("Deliver to a closed server: %v", err)
	}
}

// deliverAsync runs Deliver in a goroutine.
func deliverAsync(d *HTTPEndpointDestination, b *Batch) <-chan error {
	res := make(chan error, 1)
	go func() { res <- d.Deliver(context.Background(), b) }()
	return res
}

// waitResult returns Deliver's result, failing the test if it takes more
// than 10 real seconds (a hang, not a timing assumption).
func waitResult(t *testing.T, res <-chan error) error {
	t.Helper()
	select {
	case err := <-res:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("Deliver did not return")
		return nil
	}
}

// TestHTTPEndpointRetriesThenSucceeds: 500s are retried after about 1 s
// and 2 s with the same request ID, until a 200.
func TestHTTPEndpointRetriesThenSucceeds(t *testing.T) {
	e := newEndpoint(t)
	e.respond = func(n int, w http.ResponseWriter, id string) {
		if n <= 2 {
			failWith(500, "busy")(n, w, id)
			return
		}
		ok(n, w, id)
	}
	clock := kds.NewManualClock(epoch)
	d := newHTTPDest(t, HTTPEndpointConfig{URL: e.srv.URL, Clock: clock})
	res := deliverAsync(d, &Batch{Records: [][]byte{[]byte("x")}})
	for _, wait := range []time.Duration{time.Second, 2 * time.Second} {
		clock.BlockUntil(1) // the backoff after a failed attempt
		if n := len(e.requests()); n != int(wait/time.Second) {
			t.Fatalf("%d requests before the wait of %v", n, wait)
		}
		clock.Advance(wait * 85 / 100) // jitter is at most 15%
		if n := len(e.requests()); n != int(wait/time.Second) {
			t.Fatalf("retried before 85%% of %v", wait)
		}
		clock.Advance(wait * 30 / 100)
	}
	if err := waitResult(t, res); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	reqs := e.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	for _, r := range reqs {
		if r.header.Get("X-Amz-Firehose-Request-Id") != reqs[0].req.RequestID {
			t.Errorf("request IDs differ between attempts")
		}
	}
}

// TestHTTPEndpointRetriesExhausted: with DurationInSeconds 10 the
// attempts come at 0 s and after backoffs of about 1, 2 and 4 s, the last
// wait is cut to end at 10 s, and the failure of that attempt gives up.
func TestHTTPEndpointRetriesExhausted(t *testing.T) {
	e := newEndpoint(t)
	e.respond = failWith(503, "overloaded")
	clock := kds.NewManualClock(epoch)
	d := newHTTPDest(t, HTTPEndpointConfig{URL: e.srv.URL, Clock: clock, RetryOptions: RetryOptions{DurationInSeconds: Int(10)}})
	res := deliverAsync(d, &Batch{Records: [][]byte{[]byte("x")}})
	// Move the clock by each backoff's most (115%): the attempts come at
	// 1.15 s, 3.45 s and 8.05 s; the next backoff (8 s ± 15%) is cut to
	// the 1.95 s left, so the fifth attempt comes at 10 s.
	for i, step := range []time.Duration{1150 * time.Millisecond, 2300 * time.Millisecond, 4600 * time.Millisecond, 1950 * time.Millisecond} {
		clock.BlockUntil(1)
		if n := len(e.requests()); n != i+1 {
			t.Fatalf("%d requests before wait %d", n, i)
		}
		clock.Advance(step)
	}
	err := waitResult(t, res)
	var failed *DeliveryFailedError
	if !errors.As(err, &failed) {
		t.Fatalf("Deliver: %v, want a DeliveryFailedError", err)
	}
	if failed.AttemptsMade != 5 || failed.ErrorCode != "HttpEndpoint.DestinationException" || !strings.Contains(failed.ErrorMessage, "503: overloaded") || failed.ErrorOutputType != ErrorOutputHTTPEndpointFailed {
		t.Errorf("got %+v", failed)
	}
	if got := clock.Now().Sub(epoch); got != 10*time.Second {
		t.Errorf("gave up at +%v, want +10s", got)
	}
}

// TestHTTPEndpoint413IsNotRetried: a 413 goes to the error output at once.
func TestHTTPEndpoint413IsNotRetried(t *testing.T) {
	e := newEndpoint(t)
	e.respond = failWith(413, "Payload too large")
	d := newHTTPDest(t, HTTPEndpointConfig{URL: e.srv.URL, Clock: kds.NewManualClock(epoch)})
	var failed *DeliveryFailedError
	if err := d.Deliver(context.Background(), &Batch{Records: [][]byte{[]byte("x")}}); !errors.As(err, &failed) || failed.AttemptsMade != 1 {
		t.Errorf("Deliver: %v, want a DeliveryFailedError after 1 attempt", err)
	}
}

func TestHTTPEndpointConfigValidation(t *testing.T) {
	many := map[string]string{}
	for i := range 51 {
		many[fmt.Sprint(i)] = ""
	}
	tests := []struct {
		name string
		cfg  HTTPEndpointConfig
		want string
	}{
		{"valid", HTTPEndpointConfig{URL: "https://example.com/x"}, ""},
		{"http", HTTPEndpointConfig{URL: "http://localhost:8080"}, ""},
		{"no URL", HTTPEndpointConfig{}, "URL"},
		{"ftp", HTTPEndpointConfig{URL: "ftp://example.com"}, "URL"},
		{"access key 4096", HTTPEndpointConfig{URL: "https://e", AccessKey: strings.Repeat("k", 4096)}, ""},
		{"access key 4097", HTTPEndpointConfig{URL: "https://e", AccessKey: strings.Repeat("k", 4097)}, "AccessKey"},
		{"51 attributes", HTTPEndpointConfig{URL: "https://e", CommonAttributes: many}, "51 attributes"},
		{"blank name", HTTPEndpointConfig{URL: "https://e", CommonAttributes: map[string]string{"  ": "v"}}, "name"},
		{"long name", HTTPEndpointConfig{URL: "https://e", CommonAttributes: map[string]string{strings.Repeat("n", 257): "v"}}, "name"},
		{"long value", HTTPEndpointConfig{URL: "https://e", CommonAttributes: map[string]string{"n": strings.Repeat("v", 1025)}}, "value of 1025"},
		{"value 1024", HTTPEndpointConfig{URL: "https://e", CommonAttributes: map[string]string{"n": strings.Repeat("v", 1024)}}, ""},
		{"encoding", HTTPEndpointConfig{URL: "https://e", ContentEncoding: "BROTLI"}, "ContentEncoding"},
		{"retry 0", HTTPEndpointConfig{URL: "https://e", RetryOptions: RetryOptions{Int(0)}}, ""},
		{"retry 7200", HTTPEndpointConfig{URL: "https://e", RetryOptions: RetryOptions{Int(7200)}}, ""},
		{"retry 7201", HTTPEndpointConfig{URL: "https://e", RetryOptions: RetryOptions{Int(7201)}}, "DurationInSeconds: 7201 is outside [0, 7200]"},
		{"retry -1", HTTPEndpointConfig{URL: "https://e", RetryOptions: RetryOptions{Int(-1)}}, "DurationInSeconds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := NewHTTPEndpointDestination(tt.cfg)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("%v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error %v, want one with %q", err, tt.want)
			case tt.want == "" && tt.cfg.RetryOptions.DurationInSeconds == nil && d.duration != 300*time.Second:
				t.Errorf("default retry duration %v, want 300 s", d.duration)
			}
		})
	}
}

// TestHTTPEndpointThroughStream runs a delivery stream into an HTTP
// endpoint that fails every request: after the retry duration the
// records are in the backup directory as http-endpoint-failed, and the
// checkpoint has moved past them.
func TestHTTPEndpointThroughStream(t *testing.T) {
	e := newEndpoint(t) // outside the bubble: its goroutines are not part of it
	e.respond = failWith(500, "down for maintenance")
	synctest.Test(t, func(t *testing.T) {
		backup := t.TempDir()
		h := newHarness(t, 1, nil)
		dest := newHTTPDest(t, HTTPEndpointConfig{
			URL:          e.srv.URL,
			Client:       &http.Client{Transport: &http.Transport{DisableKeepAlives: true}},
			RetryOptions: RetryOptions{DurationInSeconds: Int(30)},
			Clock:        h.clock,
		})
		dir, err := NewDirectoryDestination(DirectoryConfig{Dir: backup})
		if err != nil {
			t.Fatal(err)
		}
		h.cfg.Destination, h.cfg.ErrorOutput = dest, dir
		h.cfg.Prefix = "data/"
		h.start()
		h.put("k", "a")
		last := h.put("k", "b")
		h.read()
		h.advance(time.Minute) // the buffer is sent and fails
		if n := len(e.requests()); n == 0 {
			t.Fatal("nothing sent")
		}
		if got := h.checkpoints()["shardId-000000000000"]; got == last {
			t.Fatal("checkpointed while the endpoint was still being retried")
		}
		h.advance(30 * time.Second)
		objects := readObjects(t, backup)
		if len(objects) != 1 {
			t.Fatalf("backup objects %v", objects)
		}
		for name, lines := range objects {
			if !strings.HasPrefix(name, "data/http-endpoint-failed/2026/03/01/12/orders-1-2026-03-01-12-00-00-") || len(lines) != 2 {
				t.Errorf("backup %s: %q", name, lines)
			}
			var rec ErrorRecord
			if err := json.Unmarshal([]byte(lines[1]), &rec); err != nil || string(rec.RawData) != "b" || !strings.Contains(rec.ErrorMessage, "down for maintenance") || rec.AttemptsMade < 2 {
				t.Errorf("error record %+v (%v)", rec, err)
			}
		}
		if got := h.checkpoints()["shardId-000000000000"]; got != last {
			t.Errorf("checkpoint %s, want %s", got, last)
		}
		reqs := e.requests()
		if got := reqs[len(reqs)-1].req.Records; len(got) != 2 || string(got[0].Data) != "a" {
			t.Errorf("records sent %v", got)
		}
	})
}

// TestHTTPEndpointTakesStreamClock: an HTTP endpoint configured without
// a Clock retries on the delivery stream's ManualClock.
func TestHTTPEndpointTakesStreamClock(t *testing.T) {
	e := newEndpoint(t) // outside the bubble: its goroutines are not part of it
	e.respond = func(n int, w http.ResponseWriter, id string) {
		if n == 1 {
			failWith(500, "busy")(n, w, id)
			return
		}
		ok(n, w, id)
	}
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, 1, nil)
		h.cfg.Destination, h.cfg.ErrorOutput = newHTTPDest(t, HTTPEndpointConfig{
			URL:    e.srv.URL,
			Client: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}},
		}), &recorder{}
		h.start()
		h.put("k", "a")
		h.read()
		h.advance(time.Minute) // the buffer is sent and fails
		if n := len(e.requests()); n != 1 {
			t.Fatalf("%d requests after the interval, want 1", n)
		}
		h.advance(2 * time.Second) // the backoff, 1 s ± 15%, on the stream's clock
		if n := len(e.requests()); n != 2 {
			t.Fatalf("%d requests 2 s after the failure, want 2", n)
		}
		if s := h.ds.Stats(); s.DeliveredRecords != 1 {
			t.Errorf("Stats %+v, want the record delivered", s)
		}
	})
}
