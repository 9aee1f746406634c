package dashboard

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kdsgo/kds"
)

// start is the fixture's clock at creation: 30 s into a minute.
var start = time.Date(2025, 6, 1, 12, 0, 30, 0, time.UTC)

// fixture is a Service on a ManualClock with a dashboard over it.
type fixture struct {
	t     *testing.T
	clock *kds.ManualClock
	svc   *kds.Service
	h     *Handler
}

// newFixture starts a fixture; the dashboard's sampler is off unless opts
// turn it on.
func newFixture(t *testing.T, opts ...Option) *fixture {
	t.Helper()
	clock := kds.NewManualClock(start)
	svc, err := kds.NewService(kds.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	h := New(svc, append([]Option{WithSampleInterval(0)}, opts...)...)
	t.Cleanup(func() { h.Close() })
	return &fixture{t: t, clock: clock, svc: svc, h: h}
}

// createStream creates an ACTIVE stream with shards shards.
func (f *fixture) createStream(name string, shards int) {
	f.t.Helper()
	if _, err := f.svc.CreateStream(f.t.Context(), kds.CreateStreamInput{StreamName: name, ShardCount: shards}); err != nil {
		f.t.Fatal(err)
	}
}

// put puts n records of size bytes (partition key included) to the
// stream and returns how many were throttled.
func (f *fixture) put(name string, n, size int) (throttled int) {
	f.t.Helper()
	for n > 0 {
		batch := min(n, kds.MaxPutRecordsEntries)
		entries := make([]kds.PutRecordsRequestEntry, batch)
		for i := range entries {
			key := "k" + strconv.Itoa(n-i)
			entries[i] = kds.PutRecordsRequestEntry{PartitionKey: key, Data: make([]byte, size-len(key))}
		}
		out, err := f.svc.PutRecords(f.t.Context(), kds.PutRecordsInput{StreamName: name, Records: entries})
		if err != nil {
			f.t.Fatal(err)
		}
		throttled += out.FailedRecordCount
		n -= batch
	}
	return throttled
}

// get answers a GET of path and returns the status and body.
func (f *fixture) get(path string) (int, string) {
	f.t.Helper()
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(body)
}

// getJSON GETs path, wants 200, and decodes the answer into v.
func (f *fixture) getJSON(path string, v any) {
	f.t.Helper()
	code, body := f.get(path)
	if code != http.StatusOK {
		f.t.Fatalf("GET %s: %d %s", path, code, body)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		f.t.Fatalf("GET %s: %v\n%s", path, err, body)
	}
}

// wantHTML GETs path, wants status code and HTML that contains each of
// want, and returns the body.
func (f *fixture) wantHTML(path string, code int, want ...string) string {
	f.t.Helper()
	got, body := f.get(path)
	if got != code {
		f.t.Fatalf("GET %s: status %d, want %d\n%s", path, got, code, body)
	}
	for _, w := range want {
		if !strings.Contains(body, w) {
			f.t.Errorf("GET %s: no %q in\n%s", path, w, body)
		}
	}
	return body
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

func TestOverviewListsStreamsWithRates(t *testing.T) {
	f := newFixture(t)
	f.createStream("orders", 2)
	f.createStream("clicks", 1)
	f.put("orders", 120, 100)
	// 45 s later, 15 s into the next minute: three quarters of the
	// previous minute's 120 records are inside the window.
	f.clock.Advance(45 * time.Second)

	var o Overview
	f.getJSON("/api/streams", &o)
	if !o.Time.Equal(start.Add(45 * time.Second)) {
		t.Errorf("time %v, want the clock's", o.Time)
	}
	if len(o.Streams) != 2 || o.Streams[0].Name != "clicks" || o.Streams[1].Name != "orders" {
		t.Fatalf("streams %+v, want clicks and orders", o.Streams)
	}
	orders := o.Streams[1]
	if orders.OpenShards != 2 || orders.Status != "ACTIVE" || orders.Mode != "PROVISIONED" || orders.RetentionHours != 24 {
		t.Errorf("orders %+v", orders)
	}
	if got := orders.Traffic.Put; !near(got.RecordsPerSecond, 120*0.75/60) || !near(got.BytesPerSecond, 120*100*0.75/60) {
		t.Errorf("orders put %+v, want 1.5 records/s and 150 bytes/s", got)
	}
	if got := o.Streams[0].Traffic.Put; got != (Rate{}) {
		t.Errorf("clicks put %+v, want nothing", got)
	}

	f.wantHTML("/", http.StatusOK,
		`<a href="stream?name=orders">orders</a>`,
		`<a href="stream?name=clicks">clicks</a>`,
		`<td class="num" data-field="openShards">2</td>`,
		`<td class="num" data-field="putRecords">1.50</td>`,
		"150 B/s",
	)
}

func TestOverviewWithoutStreams(t *testing.T) {
	f := newFixture(t)
	f.wantHTML("/", http.StatusOK, "No streams yet")
	code, body := f.get("/api/streams")
	if code != http.StatusOK || !strings.Contains(body, `"streams": []`) {
		t.Errorf("GET /api/streams: %d %s, want an empty list", code, body)
	}
}

func TestThrottlesAreCounted(t *testing.T) {
	f := newFixture(t)
	f.createStream("s", 1)
	// Kinesis's limits: 1,000 records/s a shard, 5 GetRecords calls/s.
	throttled := f.put("s", 1500, 10)
	if throttled == 0 {
		t.Fatal("no record was throttled; the test needs some")
	}
	it, err := f.svc.GetShardIterator(t.Context(), kds.GetShardIteratorInput{StreamName: "s", ShardId: "shardId-000000000000", ShardIteratorType: kds.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	refused := 0
	for range 8 {
		_, err := f.svc.GetRecords(t.Context(), kds.GetRecordsInput{ShardIterator: it.ShardIterator, Limit: 1})
		if err != nil {
			refused++
		}
	}
	if refused == 0 {
		t.Fatal("no read was throttled; the test needs some")
	}

	var o Overview
	f.getJSON("/api/streams", &o)
	tr := o.Streams[0].Traffic
	if tr.WriteThrottled != float64(throttled) || tr.ReadThrottled != float64(refused) {
		t.Errorf("throttled %v writes and %v reads, want %d and %d", tr.WriteThrottled, tr.ReadThrottled, throttled, refused)
	}
	f.wantHTML("/stream?name=s", http.StatusOK,
		`data-field="writeThrottled">`+strconv.Itoa(throttled)+`<`,
		`data-field="readThrottled">`+strconv.Itoa(refused)+`<`,
	)
}

func TestStreamShowsShardsAndLineage(t *testing.T) {
	f := newFixture(t)
	f.createStream("s", 1)
	half := kds.NewHashKey(1<<63, 0).String()
	if _, err := f.svc.SplitShard(t.Context(), kds.SplitShardInput{StreamName: "s", ShardToSplit: "shardId-000000000000", NewStartingHashKey: half}); err != nil {
		t.Fatal(err)
	}

	var d StreamDetail
	f.getJSON("/api/stream?name=s", &d)
	if d.OpenShards != 2 || len(d.Shards) != 3 {
		t.Fatalf("%d open of %d shards, want 2 of 3: %+v", d.OpenShards, len(d.Shards), d.Shards)
	}
	parent, low, high := d.Shards[0], d.Shards[1], d.Shards[2]
	if parent.Open || !low.Open || !high.Open {
		t.Errorf("open: parent %v, children %v %v; want false, true, true", parent.Open, low.Open, high.Open)
	}
	for _, c := range []ShardInfo{low, high} {
		if c.ParentShardID != parent.ID || c.AdjacentParentShardID != "" {
			t.Errorf("%s: parents %q and %q, want %q alone", c.ID, c.ParentShardID, c.AdjacentParentShardID, parent.ID)
		}
	}
	if low.EndingHashKey != kds.NewHashKey(1<<63-1, 1<<64-1).String() || high.StartingHashKey != half {
		t.Errorf("children split at %s / %s, want at %s", low.EndingHashKey, high.StartingHashKey, half)
	}

	f.wantHTML("/stream?name=s", http.StatusOK,
		`<tr id="shardId-000000000000" class="closed">`,
		`<tr id="shardId-000000000001" class="open">`,
		`<a href="#shardId-000000000000">shardId-000000000000</a>`,
		// The bars: the parent covers the space, the children a half each.
		`<rect class="covered" x="0" width="100" height="6"/>`,
		`<rect class="covered" x="0" width="50" height="6"/>`,
		`<rect class="covered" x="50" width="50" height="6"/>`,
		`0.0% – 50.0%`, `50.0% – 100.0%`,
	)
}

func TestSpanOf(t *testing.T) {
	quarter := kds.NewHashKey(1<<62, 0)
	tests := []struct {
		r    kds.HashKeyRange
		want Span
	}{
		{kds.HashKeyRange{StartingHashKey: kds.NewHashKey(0, 0), EndingHashKey: kds.NewHashKey(1<<64-1, 1<<64-1)}, Span{0, 100}},
		{kds.HashKeyRange{StartingHashKey: quarter, EndingHashKey: kds.NewHashKey(1<<63-1, 1<<64-1)}, Span{25, 25}},
		{kds.HashKeyRange{StartingHashKey: quarter, EndingHashKey: quarter}, Span{25, 100 / 0x1p128}},
	}
	for _, tt := range tests {
		got := spanOf(tt.r)
		if !near(got.Start, tt.want.Start) || !near(got.Width, tt.want.Width) {
			t.Errorf("spanOf(%v) = %+v, want %+v", tt.r, got, tt.want)
		}
	}
	if w := (Span{Width: 1e-20}).DrawnWidth(); w != minDrawnWidth {
		t.Errorf("a tiny span is drawn %v wide, want %v", w, minDrawnWidth)
	}
}

func TestReadersShowIteratorAge(t *testing.T) {
	f := newFixture(t)
	f.createStream("s", 1)
	f.put("s", 10, 50)
	reg, err := f.svc.RegisterStreamConsumer(t.Context(), kds.RegisterStreamConsumerInput{StreamARN: arnOf(t, f.svc, "s"), ConsumerName: "audit"})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(4 * time.Second)

	// A polling reader 4 s behind, and the consumer's first event.
	it, err := f.svc.GetShardIterator(t.Context(), kds.GetShardIteratorInput{StreamName: "s", ShardId: "shardId-000000000000", ShardIteratorType: kds.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.GetRecords(t.Context(), kds.GetRecordsInput{ShardIterator: it.ShardIterator, Limit: 1}); err != nil {
		t.Fatal(err)
	}
	sub, err := f.svc.SubscribeToShard(t.Context(), kds.SubscribeToShardInput{
		ConsumerARN: reg.Consumer.ConsumerARN, ShardId: "shardId-000000000000",
		StartingPosition: kds.StartingPosition{Type: kds.ShardIteratorTypeTrimHorizon},
	})
	if err != nil {
		t.Fatal(err)
	}
	var event kds.SubscribeToShardEvent
	for e, err := range sub.EventStream {
		if err != nil {
			t.Fatal(err)
		}
		event = e
		break
	}
	if len(event.Records) != 10 {
		t.Fatalf("first event has %d records, want 10", len(event.Records))
	}

	var d StreamDetail
	f.getJSON("/api/stream?name=s", &d)
	if len(d.Readers) != 2 {
		t.Fatalf("readers %+v, want polling and audit", d.Readers)
	}
	polling, audit := d.Readers[0], d.Readers[1]
	if polling.Consumer != "" || polling.IteratorAgeMilliseconds == nil || *polling.IteratorAgeMilliseconds != 4000 {
		t.Errorf("polling reader %+v, want an iterator age of 4000 ms", polling)
	}
	if audit.Consumer != "audit" || audit.Status != "ACTIVE" || audit.IteratorAgeMilliseconds == nil || *audit.IteratorAgeMilliseconds != float64(event.MillisBehindLatest) {
		t.Errorf("consumer %+v, want audit with the event's MillisBehindLatest %d", audit, event.MillisBehindLatest)
	}
	if !near(audit.RecordsPerSecond, 10.0/60) || !near(d.Traffic.FanOut.RecordsPerSecond, 10.0/60) {
		t.Errorf("fan-out %v records/s (stream %v), want 10 in the window", audit.RecordsPerSecond, d.Traffic.FanOut.RecordsPerSecond)
	}
	f.wantHTML("/stream?name=s", http.StatusOK, `data-reader="audit"`, `data-field="iteratorAge">4.0 s<`)

	// Two minutes without reads: no age to show.
	f.clock.Advance(2 * time.Minute)
	f.getJSON("/api/stream?name=s", &d)
	if d.Readers[0].IteratorAgeMilliseconds != nil {
		t.Errorf("polling age %v two minutes after the last read, want none", *d.Readers[0].IteratorAgeMilliseconds)
	}
	f.wantHTML("/stream?name=s", http.StatusOK, `data-field="iteratorAge">–<`)
}

// arnOf is the stream's ARN.
func arnOf(t *testing.T, svc *kds.Service, name string) string {
	t.Helper()
	s, ok := svc.Stream(name)
	if !ok {
		t.Fatalf("no stream %s", name)
	}
	return s.ARN()
}

func TestShardCountHistoryFromPageViews(t *testing.T) {
	f := newFixture(t)
	f.createStream("s", 2)
	var d StreamDetail
	f.getJSON("/api/stream?name=s", &d)
	if want := []ShardCount{{start, 2}}; !equalCounts(d.ShardCounts, want) {
		t.Errorf("first view: shard counts %+v, want %+v", d.ShardCounts, want)
	}
	f.clock.Advance(time.Minute)
	f.getJSON("/api/stream?name=s", &d) // unchanged: adds nothing
	f.clock.Advance(time.Minute)
	if _, err := f.svc.UpdateShardCount(t.Context(), kds.UpdateShardCountInput{StreamName: "s", TargetShardCount: 4, ScalingType: kds.ScalingTypeUniformScaling}); err != nil {
		t.Fatal(err)
	}
	f.getJSON("/api/streams", &Overview{}) // the overview records too
	f.clock.Advance(30 * time.Second)
	f.getJSON("/api/stream?name=s", &d)

	want := []ShardCount{
		{start, 2},
		{start.Add(2 * time.Minute), 4},
		{start.Add(150 * time.Second), 4},
	}
	if !equalCounts(d.ShardCounts, want) {
		t.Errorf("shard counts %+v, want %+v", d.ShardCounts, want)
	}
	f.wantHTML("/stream?name=s", http.StatusOK,
		`<svg class="chart"`,
		`<polyline class="line" points="`,
		"12:00:30 UTC: 2 open",
		"12:02:30 UTC: 4 open",
	)
}

func TestSamplerRecordsOnTheClock(t *testing.T) {
	f := newFixture(t)
	f.createStream("s", 1)
	h := New(f.svc, WithSampleInterval(10*time.Second))
	defer h.Close()
	f.clock.BlockUntil(1) // the sampler took its first round and waits
	if _, err := f.svc.UpdateShardCount(t.Context(), kds.UpdateShardCountInput{StreamName: "s", TargetShardCount: 2, ScalingType: kds.ScalingTypeUniformScaling}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(10 * time.Second)
	f.clock.BlockUntil(1) // it took the second and waits again
	f.clock.Advance(25 * time.Second)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/stream?name=s", nil))
	var d StreamDetail
	if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	want := []ShardCount{{start, 1}, {start.Add(10 * time.Second), 2}, {start.Add(35 * time.Second), 2}}
	if !equalCounts(d.ShardCounts, want) {
		t.Errorf("shard counts %+v, want %+v", d.ShardCounts, want)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
}

// equalCounts reports whether two shard count histories are the same.
func equalCounts(a, b []ShardCount) bool {
	return slices.EqualFunc(a, b, func(x, y ShardCount) bool { return x.Time.Equal(y.Time) && x.OpenShards == y.OpenShards })
}

func TestTagsAreShown(t *testing.T) {
	f := newFixture(t)
	f.createStream("s", 1)
	if _, err := f.svc.AddTagsToStream(t.Context(), kds.AddTagsToStreamInput{StreamName: "s", Tags: map[string]string{"Équipe": "données @ Zürich / +1", "empty": ""}}); err != nil {
		t.Fatal(err)
	}
	f.wantHTML("/stream?name=s", http.StatusOK,
		`<li><span class="key">empty</span></li>`,
		`<li><span class="key">Équipe</span> = <span class="value">données @ Zürich / &#43;1</span></li>`,
	)
	var d StreamDetail
	f.getJSON("/api/stream?name=s", &d)
	if want := []Tag{{"empty", ""}, {"Équipe", "données @ Zürich / +1"}}; !slices.Equal(d.Tags, want) {
		t.Errorf("tags %+v, want %+v", d.Tags, want)
	}
}

// Names and tags of streams keep to harmless characters, but the name
// asked for comes from the URL, and the error about it may repeat it.
func TestHostileNameIsEscaped(t *testing.T) {
	f := newFixture(t)
	for _, name := range []string{`<script>alert("x")</script>`, `"><img src=x onerror=alert(1)>`} {
		path := "/stream?name=" + url.QueryEscape(name)
		body := f.wantHTML(path, http.StatusBadRequest, html.EscapeString(name))
		if strings.Contains(body, name) {
			t.Errorf("GET %s: the page carries the name unescaped:\n%s", path, body)
		}
		code, body := f.get("/api/stream?name=" + url.QueryEscape(name))
		var p problem
		if err := json.Unmarshal([]byte(body), &p); code != http.StatusBadRequest || err != nil || p.Stream != name {
			t.Errorf("GET /api/stream?name=%s: %d %s", name, code, body)
		}
	}
}

func TestMissingStream(t *testing.T) {
	f := newFixture(t)
	f.wantHTML("/stream?name=nope", http.StatusNotFound, "<h1>nope</h1>", "ResourceNotFoundException")
	code, body := f.get("/api/stream?name=nope")
	var p problem
	if err := json.Unmarshal([]byte(body), &p); code != http.StatusNotFound || err != nil || p.Stream != "nope" || !strings.Contains(p.Error, "not found") {
		t.Errorf("GET /api/stream?name=nope: %d %s", code, body)
	}
}

func TestRoutes(t *testing.T) {
	f := newFixture(t)
	for _, tt := range []struct {
		method, path string
		code         int
		contentType  string
	}{
		{http.MethodGet, "/assets/style.css", http.StatusOK, "text/css; charset=utf-8"},
		{http.MethodGet, "/assets/dashboard.js", http.StatusOK, "text/javascript; charset=utf-8"},
		{http.MethodHead, "/", http.StatusOK, "text/html; charset=utf-8"},
		{http.MethodGet, "/api/streams", http.StatusOK, "application/json"},
		{http.MethodGet, "/nothing", http.StatusNotFound, "text/plain; charset=utf-8"},
		{http.MethodPost, "/", http.StatusMethodNotAllowed, "text/plain; charset=utf-8"},
	} {
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
		if rec.Code != tt.code || rec.Header().Get("Content-Type") != tt.contentType {
			t.Errorf("%s %s: %d %q, want %d %q", tt.method, tt.path, rec.Code, rec.Header().Get("Content-Type"), tt.code, tt.contentType)
		}
	}
}
