package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kdsgo/kds"
)

// stored returns the stream's records, in the order of each shard, shard
// after shard.
func stored(t *testing.T, ts *testServer, stream string) []kds.Record {
	t.Helper()
	var recs []kds.Record
	for rec, err := range ts.stream(t, stream).Replay(context.Background(), kds.TrimHorizon()) {
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	return recs
}

// TestPutKeys puts lines with each way of choosing partition keys and
// reads them back with the core.
func TestPutKeys(t *testing.T) {
	input := "{\"id\":\"a\",\"n\":1}\n\n{\"id\":\"b\",\"n\":2}\r\n{\"id\":7,\"n\":3}"
	tests := []struct {
		flags []string
		keys  []string // nil: random, all different
	}{
		{[]string{"--key-field", "id"}, []string{"a", "b", "7"}},
		{[]string{"--key", "fixed"}, []string{"fixed", "fixed", "fixed"}},
		{nil, nil},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.flags, " "), func(t *testing.T) {
			ts := newTestServer(t, map[string]int{"s": 1})
			r := runKDS(t, input, append([]string{"put", "s", "--endpoint-url", ts.url}, tt.flags...)...).must(t)
			if !strings.HasPrefix(r.stdout, "3 records put to s") {
				t.Errorf("stdout %q, want a count of 3", r.stdout)
			}
			if strings.Contains(r.stderr, "\r") {
				t.Errorf("progress on a non-terminal has \\r: %q", r.stderr)
			}
			recs := stored(t, ts, "s")
			var data, keys []string
			for _, rec := range recs {
				data = append(data, string(rec.Data))
				keys = append(keys, rec.PartitionKey)
			}
			if want := []string{`{"id":"a","n":1}`, `{"id":"b","n":2}`, `{"id":7,"n":3}`}; !slices.Equal(data, want) {
				t.Errorf("stored data %q, want %q (no line ends, no empty line)", data, want)
			}
			if tt.keys != nil && !slices.Equal(keys, tt.keys) {
				t.Errorf("keys %q, want %q", keys, tt.keys)
			}
			if tt.keys == nil && len(slices.Compact(slices.Sorted(slices.Values(keys)))) != 3 {
				t.Errorf("random keys %q are not all different", keys)
			}
		})
	}
}

// TestPutBatches puts more lines than one call takes, and lines that
// together exceed the bytes a call carries.
func TestPutBatches(t *testing.T) {
	ts := newTestServer(t, map[string]int{"s": 2}, kds.WithThroughputLimits(kds.NoLimits))
	var in strings.Builder
	for i := range 1201 {
		fmt.Fprintf(&in, "record-%d\n", i)
	}
	// Six lines of 900 KiB: at most five fit in 5 MiB.
	big := strings.Repeat("x", 900<<10)
	for range 6 {
		in.WriteString(big + "\n")
	}
	r := runKDS(t, in.String(), "put", "s", "--key", "k", "--endpoint-url", ts.url).must(t)
	if !strings.HasPrefix(r.stdout, "1207 records put to s") {
		t.Errorf("stdout %q, want 1207 records", r.stdout)
	}
	// Calls are sent when full, or early when the input is slow, so only
	// the limits are sure: 500 records, and 5 MiB of data in base64
	// (plus a little JSON).
	calls, maxRecords, maxBody := ts.putRecordsCalls()
	if calls < 4 || maxRecords > 500 || maxBody > 5<<20*4/3+64<<10 {
		t.Errorf("%d PutRecords calls, the largest of %d records and %d bytes; want at least 4, none over 500 records and 5 MiB of data", calls, maxRecords, maxBody)
	}
	recs := stored(t, ts, "s")
	if len(recs) != 1207 {
		t.Fatalf("stored %d records, want 1207", len(recs))
	}
	// One key, one shard: the order of the input.
	for i, rec := range recs[:1201] {
		if want := fmt.Sprintf("record-%d", i); string(rec.Data) != want {
			t.Fatalf("record %d is %q, want %q", i, rec.Data, want)
		}
	}
}

// TestPutRetriesRefusedRecords puts into a shard that takes 10 records a
// second on a clock that the test moves: the refused records are sent
// again, and each line is stored once.
func TestPutRetriesRefusedRecords(t *testing.T) {
	clock := kds.NewManualClock(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	ts := newTestServer(t, map[string]int{"s": 1}, kds.WithClock(clock),
		kds.WithThroughputLimits(kds.ThroughputLimits{WriteRecordsPerSecond: 10}))
	var in strings.Builder
	for i := range 35 {
		fmt.Fprintf(&in, "line-%d\n", i)
	}
	cmd := start(t.Context(), in.String(), "put", "s", "--endpoint-url", ts.url)
	// A second a tick, while the command retries.
	for running := true; running; {
		select {
		case <-cmd.done:
			running = false
		case <-time.After(20 * time.Millisecond):
			clock.Advance(time.Second)
		}
	}
	r := cmd.wait(t).must(t)
	if !strings.HasPrefix(r.stdout, "35 records put") || strings.Contains(r.stdout, " 0 records sent again") {
		t.Errorf("stdout %q, want 35 records put and some sent again", r.stdout)
	}
	var got []string
	for _, rec := range stored(t, ts, "s") {
		got = append(got, string(rec.Data))
	}
	slices.Sort(got)
	var want []string
	for i := range 35 {
		want = append(want, fmt.Sprintf("line-%d", i))
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("stored %d records %q, want each line once", len(got), got)
	}
}

// TestPutBadLines checks that a line too long for a record, or without
// the key field, stops kds put with an error naming the line, after the
// lines before it were put.
func TestPutBadLines(t *testing.T) {
	tests := []struct {
		name   string
		input  string
		flags  []string
		errMsg string
	}{
		{"too long", "a\nb\n" + strings.Repeat("x", 1<<20+1) + "\nc\n", nil, "line 3: 1048577 bytes, more than the 1048576 a record holds"},
		{"far too long", "a\nb\n" + strings.Repeat("x", 3<<20) + "\nc\n", nil, "line 3: longer than 1048576 bytes"},
		{"too long with its key", "a\nb\n" + strings.Repeat("x", 1<<20-2) + "\n", []string{"--key", "abc"}, "line 3: 1048577 bytes with its partition key, more than the 1048576"},
		{"no key field", "{\"id\":\"a\"}\n{\"id\":\"b\"}\n{\"x\":1}\n", []string{"--key-field", "id"}, `line 3: no field "id"`},
		{"not JSON", "{\"id\":\"a\"}\n{\"id\":\"b\"}\nplain text\n", []string{"--key-field", "id"}, "line 3: not a JSON object"},
		{"null key", "{\"id\":\"a\"}\n{\"id\":\"b\"}\n{\"id\":null}\n", []string{"--key-field", "id"}, `line 3: field "id" is null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, map[string]int{"s": 1})
			r := runKDS(t, tt.input, append([]string{"put", "s", "--endpoint-url", ts.url}, tt.flags...)...)
			if r.code != exitFail || !strings.Contains(r.stderr, tt.errMsg) {
				t.Errorf("%v\nwant exit 1 and %q", r, tt.errMsg)
			}
			if got := len(stored(t, ts, "s")); got != 2 || !strings.HasPrefix(r.stdout, "2 records put") {
				t.Errorf("stored %d records, stdout %q; want the 2 lines before the bad one", got, r.stdout)
			}
		})
	}
}

// TestPutSendsWhileTheInputPauses checks that a batch does not wait for
// more input than there is: a line written to an open pipe is put.
func TestPutSendsWhileTheInputPauses(t *testing.T) {
	ts := newTestServer(t, map[string]int{"s": 1})
	pr, pw := io.Pipe()
	done := make(chan result, 1)
	go func() {
		var stdout, stderr syncBuffer
		code := run(t.Context(), []string{"put", "s", "--endpoint-url", ts.url}, pr, &stdout, &stderr)
		done <- result{code, stdout.String(), stderr.String()}
	}()
	fmt.Fprintln(pw, "first")
	waitFor(t, "the first line to be put while the input stays open", func() bool { return len(stored(t, ts, "s")) == 1 })
	fmt.Fprintln(pw, "second")
	pw.Close()
	if r := <-done; r.code != exitOK || !strings.HasPrefix(r.stdout, "2 records put") {
		t.Errorf("%v", r)
	}
}
