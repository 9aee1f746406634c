package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kdsgo/kds"
)

// benchFigures parses the figures of kds bench's report.
var (
	benchRecords = regexp.MustCompile(`(?m)^records:  (\d+) put, (\d+) records/s, ([\d.]+) MiB/s; (\d+) failed$`)
	benchCalls   = regexp.MustCompile(`(?m)^calls:    (\d+), (\d+) failed$`)
	benchLatency = regexp.MustCompile(`(?m)^latency:  p50 (\S+)  p90 (\S+)  p99 (\S+)  max (\S+)$`)
)

// checkBenchReport checks the report's structure and the sanity of its
// figures, not their values, and returns the records put.
func checkBenchReport(t *testing.T, r result) int {
	t.Helper()
	m := benchRecords.FindStringSubmatch(r.stdout)
	c := benchCalls.FindStringSubmatch(r.stdout)
	l := benchLatency.FindStringSubmatch(r.stdout)
	if m == nil || c == nil || l == nil {
		t.Fatalf("report lacks a line:\n%s", r.stdout)
	}
	records, _ := strconv.Atoi(m[1])
	perSec, _ := strconv.Atoi(m[2])
	mibPerSec, _ := strconv.ParseFloat(m[3], 64)
	if records == 0 || perSec == 0 || mibPerSec <= 0 || m[4] != "0" || c[2] != "0" {
		t.Errorf("figures %q %q: want records put at a rate, none failed", m[0], c[0])
	}
	var lat []time.Duration
	for _, s := range l[1:] {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			t.Fatalf("latency %q: %v", s, err)
		}
		lat = append(lat, d)
	}
	for i := 1; i < len(lat); i++ {
		if lat[i] < lat[i-1] {
			t.Errorf("latencies %q are not in increasing order", l[0])
		}
	}
	if strings.Contains(r.stderr, "\r") {
		t.Errorf("progress on a non-terminal has \\r: %q", r.stderr)
	}
	return records
}

// TestBench puts load on an existing stream briefly.
func TestBench(t *testing.T) {
	ts := newTestServer(t, map[string]int{"s": 2}, kds.WithThroughputLimits(kds.NoLimits))
	r := runKDS(t, "", "bench", "s", "--duration", "300ms", "--concurrency", "2", "--batch", "20", "--size", "64", "--endpoint-url", ts.url).must(t)
	if !strings.HasPrefix(r.stdout, "kds bench s: ") || !strings.Contains(r.stdout, "2 calls in flight, calls of 20 records of 64 bytes") {
		t.Errorf("first line of:\n%s", r.stdout)
	}
	records := checkBenchReport(t, r)
	if got := len(stored(t, ts, "s")); got != records {
		t.Errorf("the stream holds %d records, the report says %d", got, records)
	}
}

// TestBenchRate checks that --rate shrinks the calls to a tenth of a
// second's records.
func TestBenchRate(t *testing.T) {
	ts := newTestServer(t, map[string]int{"s": 1}, kds.WithThroughputLimits(kds.NoLimits))
	r := runKDS(t, "", "bench", "s", "--duration", "300ms", "--rate", "200", "--endpoint-url", ts.url).must(t)
	if !strings.Contains(r.stdout, "calls of 20 records") {
		t.Errorf("report:\n%s\nwant calls of 20 records", r.stdout)
	}
	// The burst of one call, and 200 a second for about 0.3 s.
	if records := checkBenchReport(t, r); records > 20+200 {
		t.Errorf("%d records in 300ms at 200/s", records)
	}
}

// TestBenchCreatesAndDeletesItsStream runs kds bench with --create-shards
// and no stream name.
func TestBenchCreatesAndDeletesItsStream(t *testing.T) {
	ts := newTestServer(t, nil, kds.WithThroughputLimits(kds.NoLimits))
	r := runKDS(t, "", "bench", "--create-shards", "3", "--duration", "200ms", "--endpoint-url", ts.url).must(t)
	if !strings.HasPrefix(r.stdout, "kds bench kds-bench-") {
		t.Errorf("report:\n%s\nwant a kds-bench-... stream", r.stdout)
	}
	checkBenchReport(t, r)
	for range ts.svc.Streams() {
		t.Error("the stream is still there after the run")
	}

	// A stream that exists is not taken over, and not deleted.
	if _, err := ts.svc.CreateStream(t.Context(), kds.CreateStreamInput{StreamName: "mine", ShardCount: 1}); err != nil {
		t.Fatal(err)
	}
	r = runKDS(t, "", "bench", "mine", "--create-shards", "1", "--duration", "100ms", "--endpoint-url", ts.url)
	if r.code != exitFail || !strings.Contains(r.stderr, "ResourceInUseException") {
		t.Errorf("%v; want exit 1 as the stream exists", r)
	}
	if _, ok := ts.svc.Stream("mine"); !ok {
		t.Error("kds bench deleted a stream it did not create")
	}
}
