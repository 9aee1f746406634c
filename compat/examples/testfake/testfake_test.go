package testfake_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/compat/examples/testfake"
	"github.com/kdsgo/kds/compat/kdstest"
)

var epoch = time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)

// virtualTime is a Backoff.Sleep that waits on the fake's manual clock
// by moving it, so that throttled shards regain capacity at once in real
// time. It keeps the waits asked for.
type virtualTime struct {
	clock *kds.ManualClock
	stand bool // when set, waits return without moving the clock
	slept []time.Duration
}

// Sleep moves the clock by d, unless the clock is made to stand still.
func (v *virtualTime) Sleep(_ context.Context, d time.Duration) error {
	v.slept = append(v.slept, d)
	if !v.stand {
		v.clock.Advance(d)
	}
	return nil
}

// setup starts kds on a manual clock with Kinesis's per-shard limits and
// a stream "events" of the given shard count, and returns a Publisher
// and a Reader of it that wait on that clock. The client does not retry,
// so every throttling error reaches the code under test.
func setup(t *testing.T, shards int) (*kdstest.Fake, *testfake.Publisher, *testfake.Reader, *virtualTime) {
	f := kdstest.New(t,
		kdstest.WithManualClock(epoch),
		kdstest.WithServiceOptions(kds.WithThroughputLimits(kds.KinesisLimits())),
		kdstest.WithStream("events", shards),
		kdstest.WithMaxAttempts(1),
	)
	vt := &virtualTime{clock: f.Clock()}
	b := testfake.Backoff{Sleep: vt.Sleep}
	return f,
		&testfake.Publisher{Client: f.Client(), Stream: "events", Backoff: b},
		&testfake.Reader{Client: f.Client(), Stream: "events", Backoff: b},
		vt
}

// events returns n events for each of the keys, interleaved, with data
// that names the key, the batch and the event's place among its key's.
func events(batch string, n int, keys ...string) []testfake.Event {
	var es []testfake.Event
	for i := range n {
		for _, k := range keys {
			es = append(es, testfake.Event{Key: k, Data: fmt.Appendf(nil, "%s/%s/%04d", k, batch, i)})
		}
	}
	return es
}

// drain reads the whole stream with r.
func drain(t *testing.T, r *testfake.Reader) []types.Record {
	t.Helper()
	var got []types.Record
	err := r.Drain(t.Context(), func(rec types.Record) error {
		got = append(got, rec)
		return nil
	})
	if err != nil {
		t.Fatalf("Drain: %v", err)
	}
	return got
}

// checkDelivered checks that got holds every event of want exactly once,
// and the events of each key in want's order.
func checkDelivered(t *testing.T, got []types.Record, want []testfake.Event) {
	t.Helper()
	byKey := func(key func(int) string, data func(int) string, n int) map[string][]string {
		m := map[string][]string{}
		for i := range n {
			m[key(i)] = append(m[key(i)], data(i))
		}
		return m
	}
	g := byKey(func(i int) string { return aws.ToString(got[i].PartitionKey) }, func(i int) string { return string(got[i].Data) }, len(got))
	w := byKey(func(i int) string { return want[i].Key }, func(i int) string { return string(want[i].Data) }, len(want))
	if len(got) != len(want) {
		t.Errorf("read %d records, want %d", len(got), len(want))
	}
	for k, ws := range w {
		if gs := g[k]; !slices.Equal(gs, ws) {
			t.Errorf("key %s: read %d records, want %d in order; first difference at %d", k, len(gs), len(ws), firstDiff(gs, ws))
		}
	}
}

// firstDiff returns the first index where a and b differ.
func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestPublishAndDrain(t *testing.T) {
	_, p, r, vt := setup(t, 2)
	want := events("a", 100, "alice", "bob", "carol")
	if err := p.Publish(t.Context(), want); err != nil {
		t.Fatal(err)
	}
	if len(vt.slept) != 0 {
		t.Errorf("publishing within the limits waited %v", vt.slept)
	}
	checkDelivered(t, drain(t, r), want)
}

func TestPublishResendsThrottledEntries(t *testing.T) {
	f, p, r, vt := setup(t, 1)
	// 2,500 records for a shard that takes 1,000 a second: the third
	// PutRecords call is refused, and the rest must wait for capacity.
	want := events("a", 625, "k1", "k2", "k3", "k4")
	if err := p.Publish(t.Context(), want); err != nil {
		t.Fatal(err)
	}
	if len(vt.slept) == 0 {
		t.Fatal("Publish never waited: the shard did not throttle it")
	}
	if took := f.Clock().Now().Sub(epoch); took < 1500*time.Millisecond {
		t.Errorf("2,500 records took %v of the shard's time, want at least 1.5 s at 1,000 a second", took)
	}
	for i, d := range vt.slept {
		if d > 5*time.Second {
			t.Errorf("wait %d is %v, above the 5 s cap", i, d)
		}
	}
	checkDelivered(t, drain(t, r), want)
}

func TestPublishGivesUpWhileThrottled(t *testing.T) {
	f, p, r, vt := setup(t, 1)
	p.Backoff.MaxAttempts = 4
	vt.stand = true // capacity does not come back until the test says so
	want := events("a", 300, "k1", "k2", "k3", "k4")
	err := p.Publish(t.Context(), want)
	var pe *testfake.PublishError
	var throttled *types.ProvisionedThroughputExceededException
	if !errors.As(err, &pe) || !errors.As(err, &throttled) {
		t.Fatalf("Publish on a shard out of capacity: %v, want a PublishError for ProvisionedThroughputExceededException", err)
	}
	if !strings.Contains(err.Error(), "Rate exceeded for shard shardId-000000000000 in stream events") {
		t.Errorf("error %q does not carry the shard's refusal", err)
	}
	if len(pe.Unsent) != 200 || !slices.EqualFunc(pe.Unsent, want[1000:], func(a, b testfake.Event) bool { return string(a.Data) == string(b.Data) }) {
		t.Errorf("%d unsent events, want the last 200 of 1,200 in order", len(pe.Unsent))
	}
	// Three waits between four refused calls, each Base (100 ms) doubled
	// per retry with up to half dropped for jitter.
	if len(vt.slept) != 3 {
		t.Fatalf("waited %d times (%v), want 3", len(vt.slept), vt.slept)
	}
	for i, d := range vt.slept {
		ceiling := 100 * time.Millisecond << i
		if d < ceiling/2 || d > ceiling {
			t.Errorf("wait %d is %v, want between %v and %v", i, d, ceiling/2, ceiling)
		}
	}

	vt.stand = false
	f.Clock().Advance(time.Second)
	if err := p.Publish(t.Context(), pe.Unsent); err != nil {
		t.Fatalf("publishing the unsent events once the shard has capacity: %v", err)
	}
	checkDelivered(t, drain(t, r), want)
}

func TestDrainFollowsChildShards(t *testing.T) {
	f, p, r, vt := setup(t, 1)
	before := events("before", 50, "k1", "k2", "k3", "k4")
	if err := p.Publish(t.Context(), before); err != nil {
		t.Fatal(err)
	}
	// At the first record, split the only shard and publish more: those
	// records go to children that the Reader's shard listing predates.
	after := events("after", 50, "k1", "k2", "k3", "k4")
	var got []types.Record
	err := r.Drain(t.Context(), func(rec types.Record) error {
		if len(got) == 0 {
			split(t, f.Client(), "shardId-000000000000")
			if err := p.Publish(t.Context(), after); err != nil {
				return err
			}
		}
		got = append(got, rec)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	checkDelivered(t, got, append(before, after...))
	// Five GetRecords calls a second per shard, and 10,000 records a call:
	// reading three shards cannot have been throttled, nor need waits.
	if len(vt.slept) != 0 {
		t.Errorf("Drain waited %v", vt.slept)
	}
}

func TestDrainReadsParentsFirst(t *testing.T) {
	f, p, r, vt := setup(t, 1)
	c := f.Client()
	var want []testfake.Event
	publish := func(batch string) {
		es := events(batch, 40, "k1", "k2", "k3", "k4", "k5")
		if err := p.Publish(t.Context(), es); err != nil {
			t.Fatal(err)
		}
		want = append(want, es...)
	}
	publish("first")
	split(t, c, "shardId-000000000000")
	publish("split")
	if _, err := c.MergeShards(t.Context(), &kinesis.MergeShardsInput{
		StreamName:           aws.String("events"),
		ShardToMerge:         aws.String("shardId-000000000001"),
		AdjacentShardToMerge: aws.String("shardId-000000000002"),
	}); err != nil {
		t.Fatal(err)
	}
	publish("merged")
	// A small Limit makes many calls per shard, so the Reader runs into
	// the limit of five GetRecords calls a second and must wait.
	r.Limit = 25
	checkDelivered(t, drain(t, r), want)
	if len(vt.slept) == 0 {
		t.Error("Drain never waited: GetRecords was not throttled")
	}
}

func TestDrainRenewsExpiredIterators(t *testing.T) {
	f, p, r, _ := setup(t, 1)
	want := events("a", 30, "k1", "k2")
	if err := p.Publish(t.Context(), want); err != nil {
		t.Fatal(err)
	}
	r.Limit = 10
	var got []types.Record
	err := r.Drain(t.Context(), func(rec types.Record) error {
		if len(got) == 15 {
			// A slow handler: the iterator in hand expires meanwhile.
			f.Clock().Advance(kds.IteratorLifetime + time.Second)
		}
		got = append(got, rec)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	checkDelivered(t, got, want)
}

// split splits shard id of stream "events" in two at the middle of the
// hash key range it has when the stream is created with one shard.
func split(t *testing.T, c *kinesis.Client, id string) {
	t.Helper()
	if _, err := c.SplitShard(t.Context(), &kinesis.SplitShardInput{
		StreamName:         aws.String("events"),
		ShardToSplit:       aws.String(id),
		NewStartingHashKey: aws.String("170141183460469231731687303715884105728"),
	}); err != nil {
		t.Fatal(err)
	}
}
