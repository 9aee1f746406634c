package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kdsgo/kds"
)

// TestStreamsListsEveryPage lists more streams than one ListStreams page
// holds (100).
func TestStreamsListsEveryPage(t *testing.T) {
	streams := map[string]int{}
	var want []string
	for i := range 105 {
		name := fmt.Sprintf("s%03d", i)
		streams[name] = 1
		want = append(want, name)
	}
	ts := newTestServer(t, streams)
	r := runKDS(t, "", "streams", "--endpoint-url", ts.url).must(t)
	if got := strings.Fields(r.stdout); !slices.Equal(got, want) {
		t.Errorf("listed %d streams, want %d: %v", len(got), len(want), got)
	}
}

// TestDescribeShowsLineage describes a stream after a split: the closed
// parent, and two open children that name it.
func TestDescribeShowsLineage(t *testing.T) {
	ts := newTestServer(t, map[string]int{"orders": 1})
	if _, err := ts.svc.SplitShard(t.Context(), kds.SplitShardInput{StreamName: "orders",
		ShardToSplit: "shardId-000000000000", NewStartingHashKey: "170141183460469231731687303715884105728"}); err != nil {
		t.Fatal(err)
	}

	r := runKDS(t, "", "describe", "orders", "--endpoint-url", ts.url).must(t)
	for _, want := range []string{
		"Stream:", "orders", "Status:", "ACTIVE", "Open shards:", "2 of 3",
		"arn:aws:kinesis:us-east-1:",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, r.stdout)
		}
	}
	rows := map[string][]string{}
	for _, line := range strings.Split(r.stdout, "\n") {
		if f := strings.Fields(line); len(f) == 6 && strings.HasPrefix(f[0], "shardId-") {
			rows[f[0]] = f[1:]
		}
	}
	wantRows := map[string][]string{
		"shardId-000000000000": {"closed", "-", "-", "0", "340282366920938463463374607431768211455"},
		"shardId-000000000001": {"open", "shardId-000000000000", "-", "0", "170141183460469231731687303715884105727"},
		"shardId-000000000002": {"open", "shardId-000000000000", "-", "170141183460469231731687303715884105728", "340282366920938463463374607431768211455"},
	}
	for id, want := range wantRows {
		if !slices.Equal(rows[id], want) {
			t.Errorf("row of %s: %v, want %v\n%s", id, rows[id], want, r.stdout)
		}
	}

	r = runKDS(t, "", "describe", "--json", "orders", "--endpoint-url", ts.url).must(t)
	var v streamView
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("--json output: %v\n%s", err, r.stdout)
	}
	if v.Name != "orders" || v.Status != "ACTIVE" || v.OpenShardCount != 2 || len(v.Shards) != 3 {
		t.Fatalf("--json: %+v", v)
	}
	if s := v.Shards[0]; s.Open || s.EndingSequence == "" {
		t.Errorf("parent in --json: %+v, want closed with an ending sequence number", s)
	}
	if s := v.Shards[2]; !s.Open || s.ParentShardID != "shardId-000000000000" || s.StartingHashKey != "170141183460469231731687303715884105728" {
		t.Errorf("second child in --json: %+v", s)
	}
}

// TestDescribeAbsentStream checks that a failed call is exit code 1 with
// Kinesis's message.
func TestDescribeAbsentStream(t *testing.T) {
	ts := newTestServer(t, nil)
	r := runKDS(t, "", "describe", "nope", "--endpoint-url", ts.url)
	if r.code != exitFail || !strings.Contains(r.stderr, "ResourceNotFoundException") {
		t.Errorf("%v; want exit 1 with ResourceNotFoundException", r)
	}
}
