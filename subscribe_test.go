package kds_test

import (
	"context"
	"errors"
	"iter"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kdsgo/kds"
)

// Tests of SubscribeToShard. Every test runs in a synctest bubble with its
// Service and ManualClock made inside it: a subscription that should have
// pushed an event but blocks instead deadlocks the bubble and fails the
// test rather than hanging it, and synctest.Wait lets a subscription's
// goroutine settle before the test looks at what it yielded.

// subFollower collects a subscription's events from its own goroutine,
// so a test can look at them between clock moves.
type subFollower struct {
	mu     sync.Mutex
	events []kds.SubscribeToShardEvent
	err    error
	done   bool
	after  int // items yielded after an error (there should be none)
}

func (f *subFollower) follow(seq iter.Seq2[kds.SubscribeToShardEvent, error]) {
	for ev, err := range seq {
		f.mu.Lock()
		if f.err != nil {
			f.after++
		}
		if err != nil {
			f.err = err
		} else {
			f.events = append(f.events, ev)
		}
		f.mu.Unlock()
	}
	f.mu.Lock()
	f.done = true
	f.mu.Unlock()
}

// state waits until every goroutine of the bubble is blocked, then
// returns the events so far, the error the stream ended with, and
// whether it has ended.
func (f *subFollower) state(t *testing.T) ([]kds.SubscribeToShardEvent, error, bool) {
	t.Helper()
	synctest.Wait()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.after != 0 {
		t.Errorf("the event stream yielded %d items after its error %v", f.after, f.err)
	}
	return slices.Clone(f.events), f.err, f.done
}

// data returns the data of every record the follower has, in order.
func (f *subFollower) data(t *testing.T) []string {
	t.Helper()
	evs, _, _ := f.state(t)
	return eventData(evs)
}

// wantLive fails the test unless the subscription is still running,
// with n events and the given record data.
func (f *subFollower) wantLive(t *testing.T, when string, n int, data ...string) []kds.SubscribeToShardEvent {
	t.Helper()
	evs, err, done := f.state(t)
	if done || err != nil {
		t.Fatalf("%s: the subscription ended (error %v), want it running", when, err)
	}
	if len(evs) != n || !slices.Equal(eventData(evs), data) {
		t.Fatalf("%s: %d events with records %q, want %d events with %q", when, len(evs), eventData(evs), n, data)
	}
	return evs
}

// wantEnded fails the test unless the subscription's stream has ended
// with an error matching target (nil: no error).
func (f *subFollower) wantEnded(t *testing.T, when string, target error) {
	t.Helper()
	_, err, done := f.state(t)
	switch {
	case !done:
		t.Fatalf("%s: the subscription is still running", when)
	case target == nil && err != nil:
		t.Fatalf("%s: the subscription ended with %v, want no error", when, err)
	case target != nil && !errors.Is(err, target):
		t.Fatalf("%s: the subscription ended with %v, want %v", when, err, target)
	}
}

// eventData returns the data of the records of events, in order.
func eventData(evs []kds.SubscribeToShardEvent) []string {
	data := []string{}
	for _, ev := range evs {
		data = append(data, recordData(ev.Records)...)
	}
	return data
}

// efoSubscribe calls SubscribeToShard, failing the test on error.
func efoSubscribe(t *testing.T, svc *kds.Service, sctx context.Context, arn, shard string, pos kds.StartingPosition) iter.Seq2[kds.SubscribeToShardEvent, error] {
	t.Helper()
	out, err := svc.SubscribeToShard(sctx, kds.SubscribeToShardInput{ConsumerARN: arn, ShardId: shard, StartingPosition: pos})
	if err != nil {
		t.Fatalf("SubscribeToShard(%s, %s, %+v): %v", arn, shard, pos, err)
	}
	return out.EventStream
}

// efoFollow subscribes and follows the subscription from a goroutine.
func efoFollow(t *testing.T, svc *kds.Service, sctx context.Context, arn, shard string, pos kds.StartingPosition) *subFollower {
	t.Helper()
	f := &subFollower{}
	go f.follow(efoSubscribe(t, svc, sctx, arn, shard, pos))
	return f
}

// efoFirst subscribes, takes the first n events, and stops ranging.
func efoFirst(t *testing.T, svc *kds.Service, arn, shard string, pos kds.StartingPosition, n int) []kds.SubscribeToShardEvent {
	t.Helper()
	var evs []kds.SubscribeToShardEvent
	for ev, err := range efoSubscribe(t, svc, ctx, arn, shard, pos) {
		if err != nil {
			t.Fatalf("event %d: %v", len(evs), err)
		}
		if evs = append(evs, ev); len(evs) == n {
			return evs
		}
	}
	t.Fatalf("the event stream ended after %d events, want %d", len(evs), n)
	return nil
}

// efoAll subscribes and ranges until the event stream ends.
func efoAll(t *testing.T, svc *kds.Service, arn, shard string, pos kds.StartingPosition) ([]kds.SubscribeToShardEvent, error) {
	t.Helper()
	var evs []kds.SubscribeToShardEvent
	for ev, err := range efoSubscribe(t, svc, ctx, arn, shard, pos) {
		if err != nil {
			return evs, err
		}
		evs = append(evs, ev)
	}
	return evs, nil
}

// seqOf is a sequence number as a string.
func seqOf(n kds.SequenceNumber) string { return n.String() }

// startingSeq returns a shard's StartingSequenceNumber.
func startingSeq(t *testing.T, svc *kds.Service, stream, shard string) string {
	t.Helper()
	for _, sh := range shards(t, svc, stream) {
		if sh.ShardId == shard {
			return seqOf(sh.SequenceNumberRange.StartingSequenceNumber)
		}
	}
	t.Fatalf("stream %s has no shard %s", stream, shard)
	return ""
}

var (
	trimHorizonPos = kds.StartingPosition{Type: kds.ShardIteratorTypeTrimHorizon}
	latestPos      = kds.StartingPosition{Type: kds.ShardIteratorTypeLatest}
)

func afterPos(seq string) kds.StartingPosition {
	return kds.StartingPosition{Type: kds.ShardIteratorTypeAfterSequenceNumber, SequenceNumber: seq}
}

func TestSubscribeToShardStartingPositions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// r0..r4, put a second apart from testStart on; the clock is
		// then at testStart+5s.
		svc, clock := newService(t)
		efoStream(t, svc, "s", 1)
		var seqs []string
		for i := range 5 {
			seqs = append(seqs, seqOf(put(t, svc, "s", "k"+strconv.Itoa(i), "r"+strconv.Itoa(i)).SequenceNumber))
			clock.Advance(time.Second)
		}
		all := []string{"r0", "r1", "r2", "r3", "r4"}
		at := func(d time.Duration) kds.StartingPosition {
			return kds.StartingPosition{Type: kds.ShardIteratorTypeAtTimestamp, Timestamp: testStart.Add(d)}
		}
		tests := []struct {
			name string
			pos  kds.StartingPosition
			want []string
		}{
			{"TRIM_HORIZON", trimHorizonPos, all},
			{"AT_SEQUENCE_NUMBER first", kds.StartingPosition{Type: kds.ShardIteratorTypeAtSequenceNumber, SequenceNumber: seqs[0]}, all},
			{"AT_SEQUENCE_NUMBER", kds.StartingPosition{Type: kds.ShardIteratorTypeAtSequenceNumber, SequenceNumber: seqs[2]}, all[2:]},
			{"AFTER_SEQUENCE_NUMBER", afterPos(seqs[2]), all[3:]},
			{"AFTER_SEQUENCE_NUMBER last", afterPos(seqs[4]), nil},
			{"LATEST", latestPos, nil},
			{"AT_TIMESTAMP of a record", at(2 * time.Second), all[2:]},
			{"AT_TIMESTAMP between records", at(1500 * time.Millisecond), all[2:]},
			{"AT_TIMESTAMP before all", at(-time.Hour), all},
			{"AT_TIMESTAMP now", at(5 * time.Second), nil},
		}
		for i, tt := range tests {
			// A consumer per case: one may subscribe to a shard only
			// every 5 s.
			arn := efoRegister(t, svc, "s", "c"+strconv.Itoa(i)).ConsumerARN
			ev := efoFirst(t, svc, arn, "shardId-000000000000", tt.pos, 1)[0]
			if got := recordData(ev.Records); !slices.Equal(got, tt.want) {
				t.Errorf("%s: first event holds %q, want %q", tt.name, got, tt.want)
				continue
			}
			for j, r := range ev.Records {
				k := len(all) - len(tt.want) + j
				if seqOf(r.SequenceNumber) != seqs[k] || r.PartitionKey != "k"+strconv.Itoa(k) || !r.ApproximateArrivalTimestamp.Equal(testStart.Add(time.Duration(k)*time.Second)) {
					t.Errorf("%s: record %d is %+v, want r%d with sequence number %s", tt.name, j, r, k, seqs[k])
				}
			}
			// Whatever the start, the event reaches the end of the
			// shard: the continuation is the last record's.
			if seqOf(ev.ContinuationSequenceNumber) != seqs[4] || ev.MillisBehindLatest != 0 || ev.ChildShards != nil {
				t.Errorf("%s: continuation %s, %d ms behind, child shards %v; want %s, 0, none", tt.name, ev.ContinuationSequenceNumber, ev.MillisBehindLatest, ev.ChildShards, seqs[4])
			}
		}
	})
}

func TestSubscribeToShardEmptyShard(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc, clock := newService(t)
		efoStream(t, svc, "s", 1)
		starting := startingSeq(t, svc, "s", "shardId-000000000000")
		positions := []kds.StartingPosition{
			trimHorizonPos,
			latestPos,
			{Type: kds.ShardIteratorTypeAtTimestamp, Timestamp: testStart},
			afterPos(starting),
		}
		var arns []string
		for i, pos := range positions {
			arns = append(arns, efoRegister(t, svc, "s", "c"+strconv.Itoa(i)).ConsumerARN)
			// The first event comes at once, though there is nothing
			// to push, and it says where to resume.
			ev := efoFirst(t, svc, arns[i], "shardId-000000000000", pos, 1)[0]
			if len(ev.Records) != 0 || seqOf(ev.ContinuationSequenceNumber) != starting || ev.MillisBehindLatest != 0 || ev.ChildShards != nil {
				t.Errorf("%s: first event %+v, want no records and continuation %s", pos.Type, ev, starting)
			}
		}
		// Resuming after the continuation, the shard's starting
		// sequence number, yields the shard's first record.
		r0 := seqOf(put(t, svc, "s", "k", "r0").SequenceNumber)
		put(t, svc, "s", "k", "r1")
		clock.Advance(kds.ResubscribeInterval)
		ev := efoFirst(t, svc, arns[0], "shardId-000000000000", afterPos(starting), 1)[0]
		if got := recordData(ev.Records); !slices.Equal(got, []string{"r0", "r1"}) || seqOf(ev.Records[0].SequenceNumber) != r0 {
			t.Fatalf("resumed after the starting sequence number: %q, want [r0 r1]", got)
		}
	})
}

func TestSubscribeToShardResume(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc, clock := newService(t)
		efoStream(t, svc, "s", 1)
		arn := efoRegister(t, svc, "s", "c").ConsumerARN
		var seqs []string
		for _, d := range []string{"r0", "r1", "r2"} {
			seqs = append(seqs, seqOf(put(t, svc, "s", "k", d).SequenceNumber))
		}
		ev := efoFirst(t, svc, arn, "0", trimHorizonPos, 1)[0]
		if got := recordData(ev.Records); !slices.Equal(got, []string{"r0", "r1", "r2"}) || seqOf(ev.ContinuationSequenceNumber) != seqs[2] {
			t.Fatalf("first subscription: %q, continuation %s; want [r0 r1 r2], %s", got, ev.ContinuationSequenceNumber, seqs[2])
		}
		put(t, svc, "s", "k", "r3")
		r4 := seqOf(put(t, svc, "s", "k", "r4").SequenceNumber)
		clock.Advance(kds.ResubscribeInterval)
		next := efoFirst(t, svc, arn, "0", afterPos(seqOf(ev.ContinuationSequenceNumber)), 1)[0]
		if got := recordData(next.Records); !slices.Equal(got, []string{"r3", "r4"}) || seqOf(next.ContinuationSequenceNumber) != r4 {
			t.Fatalf("resumed: %q, continuation %s; want [r3 r4], %s", got, next.ContinuationSequenceNumber, r4)
		}
	})
}

func TestSubscribeToShardRenewAfterLifetime(t *testing.T) {
	// A client's loop: follow a subscription until it ends, then
	// subscribe again after the last event's continuation. It sees
	// every record exactly once, although the last event before the
	// end was an empty heartbeat.
	synctest.Test(t, func(t *testing.T) {
		svc, clock := newService(t)
		efoStream(t, svc, "s", 1)
		arn := efoRegister(t, svc, "s", "c").ConsumerARN
		sctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		f := efoFollow(t, svc, sctx, arn, "0", trimHorizonPos)
		f.wantLive(t, "subscribed", 1)
		put(t, svc, "s", "k", "r0")
		f.wantLive(t, "after r0", 2, "r0")
		clock.Advance(time.Minute)
		f.wantLive(t, "a minute later", 3, "r0") // one heartbeat
		r1 := seqOf(put(t, svc, "s", "k", "r1").SequenceNumber)
		f.wantLive(t, "after r1", 4, "r0", "r1")
		clock.Advance(1500 * time.Millisecond) // a heartbeat
		evs := f.wantLive(t, "after r1 and a heartbeat", 5, "r0", "r1")
		if last := evs[len(evs)-1]; len(last.Records) != 0 || seqOf(last.ContinuationSequenceNumber) != r1 {
			t.Fatalf("heartbeat %+v, want no records and continuation %s", last, r1)
		}
		clock.Advance(kds.SubscriptionLifetime)
		f.wantEnded(t, "after its lifetime", nil)
		put(t, svc, "s", "k", "r2")
		put(t, svc, "s", "k", "r3")
		evs, _, _ = f.state(t)
		cont := seqOf(evs[len(evs)-1].ContinuationSequenceNumber)
		if cont != r1 {
			t.Fatalf("last continuation %s, want r1's %s", cont, r1)
		}
		g := efoFollow(t, svc, sctx, arn, "0", afterPos(cont))
		g.wantLive(t, "renewed", 1, "r2", "r3")
	})
}

func TestSubscribeToShardMillisBehindLatest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc, clock := newService(t)
		efoStream(t, svc, "s", 1)
		arn := efoRegister(t, svc, "s", "c").ConsumerARN
		// 10,500 records, in batches 100 ms apart: more than one event
		// carries.
		var want []string
		for b := range 21 {
			batch := make([]kds.PutRecordsRequestEntry, 500)
			for i := range batch {
				d := strconv.Itoa(b*500 + i)
				batch[i] = kds.PutRecordsRequestEntry{PartitionKey: "k", Data: []byte(d)}
				want = append(want, d)
			}
			if _, err := svc.PutRecords(ctx, kds.PutRecordsInput{StreamName: "s", Records: batch}); err != nil {
				t.Fatal(err)
			}
			clock.Advance(100 * time.Millisecond)
		}
		clock.Advance(3 * time.Second)
		evs := efoFirst(t, svc, arn, "0", trimHorizonPos, 2)
		if n := len(evs[0].Records); n != kds.MaxGetRecordsLimit {
			t.Fatalf("first event holds %d records, want %d", n, kds.MaxGetRecordsLimit)
		}
		// The next unread record, the first of the last batch, arrived
		// 3.1 s ago (the first record 5.1 s ago).
		if evs[0].MillisBehindLatest != 3100 {
			t.Errorf("first event: %d ms behind, want 3100", evs[0].MillisBehindLatest)
		}
		if seqOf(evs[0].ContinuationSequenceNumber) != seqOf(evs[0].Records[len(evs[0].Records)-1].SequenceNumber) {
			t.Errorf("first event's continuation %s is not its last record's", evs[0].ContinuationSequenceNumber)
		}
		if evs[1].MillisBehindLatest != 0 || len(evs[1].Records) != 500 {
			t.Errorf("second event: %d records, %d ms behind; want 500, caught up", len(evs[1].Records), evs[1].MillisBehindLatest)
		}
		if got := eventData(evs); !slices.Equal(got, want) {
			t.Errorf("the two events do not hold the 10,500 records in order")
		}
	})
}

func TestSubscribeToShardPushesNewRecords(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc, clock := newService(t)
		efoStream(t, svc, "s", 2)
		arn := efoRegister(t, svc, "s", "c").ConsumerARN
		sctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		f := efoFollow(t, svc, sctx, arn, "shardId-000000000000", latestPos)
		f.wantLive(t, "subscribed", 1)
		a := putHK(t, svc, "s", "0", "a")
		evs := f.wantLive(t, "after a put", 2, "a")
		if ev := evs[1]; seqOf(ev.ContinuationSequenceNumber) != seqOf(a.SequenceNumber) || ev.MillisBehindLatest != 0 {
			t.Fatalf("event %+v, want continuation %s, caught up", ev, a.SequenceNumber)
		}
		batch := []kds.PutRecordsRequestEntry{{PartitionKey: "k", ExplicitHashKey: "1", Data: []byte("b")}, {PartitionKey: "k", ExplicitHashKey: "2", Data: []byte("c")}}
		if _, err := svc.PutRecords(ctx, kds.PutRecordsInput{StreamName: "s", Records: batch}); err != nil {
			t.Fatal(err)
		}
		putHK(t, svc, "s", maxHashKey, "other shard")
		putHK(t, svc, "s", "3", "d")
		evs, _, _ = f.state(t)
		if got := eventData(evs); !slices.Equal(got, []string{"a", "b", "c", "d"}) {
			t.Fatalf("pushed %q, want [a b c d] and nothing of the other shard", got)
		}
		// No clock moved: every event but the first carries records.
		for i, ev := range evs[1:] {
			if len(ev.Records) == 0 {
				t.Errorf("event %d is empty though the clock is still at %v", i+1, clock.Now())
			}
		}
	})
}

func TestSubscribeToShardHeartbeat(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc, clock := newService(t)
		efoStream(t, svc, "s", 1)
		starting := startingSeq(t, svc, "s", "shardId-000000000000")
		arn := efoRegister(t, svc, "s", "c").ConsumerARN
		sctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		f := efoFollow(t, svc, sctx, arn, "0", latestPos)
		f.wantLive(t, "subscribed", 1)
		clock.Advance(kds.SubscriptionHeartbeat - time.Millisecond)
		f.wantLive(t, "just before the heartbeat", 1)
		clock.Advance(time.Millisecond)
		evs := f.wantLive(t, "at the heartbeat", 2)
		if ev := evs[1]; len(ev.Records) != 0 || seqOf(ev.ContinuationSequenceNumber) != starting || ev.MillisBehindLatest != 0 {
			t.Fatalf("heartbeat %+v, want empty with continuation %s", ev, starting)
		}
		clock.Advance(kds.SubscriptionHeartbeat)
		f.wantLive(t, "at the second heartbeat", 3)
		// An event with records restarts the heartbeat's count.
		clock.Advance(kds.SubscriptionHeartbeat / 2)
		a := put(t, svc, "s", "k", "a")
		f.wantLive(t, "after a put", 4, "a")
		clock.Advance(kds.SubscriptionHeartbeat - time.Millisecond)
		f.wantLive(t, "a heartbeat after the put", 4, "a")
		clock.Advance(time.Millisecond)
		evs = f.wantLive(t, "a heartbeat after the put", 5, "a")
		if ev := evs[4]; len(ev.Records) != 0 || seqOf(ev.ContinuationSequenceNumber) != seqOf(a.SequenceNumber) || ev.MillisBehindLatest != 0 {
			t.Fatalf("heartbeat %+v, want empty with continuation %s", ev, a.SequenceNumber)
		}
	})
}

func TestSubscribeToShardLifetime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc, clock := newService(t)
		efoStream(t, svc, "s", 1)
		arn := efoRegister(t, svc, "s", "c").ConsumerARN
		sctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		f := efoFollow(t, svc, sctx, arn, "0", trimHorizonPos)
		clock.Advance(kds.SubscriptionLifetime - time.Millisecond)
		if _, err, done := f.state(t); done || err != nil {
			t.Fatalf("1 ms before the end of its lifetime the subscription ended (%v)", err)
		}
		clock.Advance(time.Millisecond)
		f.wantEnded(t, "at the end of its lifetime", nil)
		// Records put later reach only a new subscription, which may
		// start at once.
		put(t, svc, "s", "k", "late")
		if got := f.data(t); len(got) != 0 {
			t.Fatalf("the ended subscription got %q", got)
		}
		g := efoFollow(t, svc, sctx, arn, "0", trimHorizonPos)
		g.wantLive(t, "renewed", 1, "late")
	})
}

func TestSubscribeToShardTooSoon(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc, clock := newService(t)
		efoStream(t, svc, "s", 2)
		arn := efoRegister(t, svc, "s", "c").ConsumerARN
		other := efoRegister(t, svc, "s", "d").ConsumerARN
		sctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		old := efoFollow(t, svc, sctx, arn, "0", latestPos)
		old.wantLive(t, "first subscription", 1)
		subscribe := func() (kds.SubscribeToShardOutput, error) {
			return svc.SubscribeToShard(sctx, kds.SubscribeToShardInput{ConsumerARN: arn, ShardId: "shardId-000000000000", StartingPosition: latestPos})
		}
		tooSoon := "Consumer c under stream s under account " + testAccount + " subscribed to shard shardId-000000000000 less than 5 seconds ago."
		_, err := subscribe()
		wantErr(t, err, kds.ErrResourceInUse, tooSoon)
		clock.Advance(kds.ResubscribeInterval - time.Millisecond)
		_, err = subscribe()
		wantErr(t, err, kds.ErrResourceInUse, tooSoon)
		// Another shard, or another consumer, is another subscription.
		efoFollow(t, svc, sctx, arn, "1", latestPos).wantLive(t, "other shard", 1)
		efoFollow(t, svc, sctx, other, "0", latestPos).wantLive(t, "other consumer", 1)
		old.wantLive(t, "after refused subscriptions", 2) // a heartbeat
		// 5 s after the first call (the refused ones do not count) a
		// new subscription takes over; the old one ends.
		clock.Advance(time.Millisecond)
		out, err := subscribe()
		if err != nil {
			t.Fatalf("subscribing 5 s later: %v", err)
		}
		g := &subFollower{}
		go g.follow(out.EventStream)
		g.wantLive(t, "the new subscription", 1)
		old.wantEnded(t, "the old subscription", kds.ErrResourceInUse)
		putHK(t, svc, "s", "0", "x")
		g.wantLive(t, "the new subscription after a put", 2, "x")
		if got := old.data(t); len(got) != 0 {
			t.Fatalf("the old subscription got %q after it ended", got)
		}
	})
}

func TestSubscribeToShardTooSoonAfterStopping(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// A subscription whose caller stopped ranging still counts.
		svc, clock := newService(t)
		efoStream(t, svc, "s", 1)
		arn := efoRegister(t, svc, "s", "c").ConsumerARN
		efoFirst(t, svc, arn, "0", latestPos, 1)
		_, err := svc.SubscribeToShard(ctx, kds.SubscribeToShardInput{ConsumerARN: arn, ShardId: "0", StartingPosition: latestPos})
		wantErr(t, err, kds.ErrResourceInUse, "")
		clock.Advance(kds.ResubscribeInterval)
		efoFirst(t, svc, arn, "0", latestPos, 1)
	})
}

func TestSubscribeToShardEndsOnDeregister(t *testing.T) {
	for _, delay := range []time.Duration{0, 2 * time.Second} {
		t.Run(delay.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				svc, clock := newService(t, kds.WithStatusDelay(delay))
				efoStream(t, svc, "s", 2)
				clock.Advance(delay)
				arn := efoRegister(t, svc, "s", "c").ConsumerARN
				keep := efoRegister(t, svc, "s", "keep").ConsumerARN
				clock.Advance(delay)
				sctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				f0 := efoFollow(t, svc, sctx, arn, "0", latestPos)
				f1 := efoFollow(t, svc, sctx, arn, "1", latestPos)
				k := efoFollow(t, svc, sctx, keep, "0", latestPos)
				f0.wantLive(t, "subscribed", 1)
				efoDeregister(t, svc, arn)
				// At once, also while the consumer is DELETING.
				f0.wantEnded(t, "shard 0 after deregistering", kds.ErrResourceNotFound)
				f1.wantEnded(t, "shard 1 after deregistering", kds.ErrResourceNotFound)
				k.wantLive(t, "another consumer", 1)
				// The consumer cannot subscribe again: it is DELETING,
				// or gone.
				_, err := svc.SubscribeToShard(ctx, kds.SubscribeToShardInput{ConsumerARN: arn, ShardId: "0", StartingPosition: latestPos})
				if delay > 0 {
					wantErr(t, err, kds.ErrResourceInUse, "Consumer c under stream s under account "+testAccount+" is not ACTIVE, instead in state DELETING.")
				} else {
					wantErr(t, err, kds.ErrResourceNotFound, "")
				}
			})
		})
	}
}

func TestSubscribeToShardEndsOnStreamDelete(t *testing.T) {
	for _, delay := range []time.Duration{0, 2 * time.Second} {
		t.Run(delay.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				svc, clock := newService(t, kds.WithStatusDelay(delay))
				efoStream(t, svc, "s", 1)
				clock.Advance(delay)
				arn := efoRegister(t, svc, "s", "c").ConsumerARN
				clock.Advance(delay)
				sctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				f := efoFollow(t, svc, sctx, arn, "0", latestPos)
				f.wantLive(t, "subscribed", 1)
				if _, err := svc.DeleteStream(ctx, kds.DeleteStreamInput{StreamName: "s", EnforceConsumerDeletion: true}); err != nil {
					t.Fatal(err)
				}
				// EnforceConsumerDeletion deregisters the consumers at
				// once, which ends their subscriptions.
				f.wantEnded(t, "after the stream was deleted", kds.ErrResourceNotFound)
				_, err, _ := f.state(t)
				wantErr(t, err, kds.ErrResourceNotFound, "Consumer c under stream s under account "+testAccount+" was deregistered.")
				if delay > 0 {
					out, err := svc.DescribeStreamConsumer(ctx, kds.DescribeStreamConsumerInput{ConsumerARN: arn})
					if err != nil || out.ConsumerDescription.ConsumerStatus != kds.ConsumerStatusDeleting {
						t.Errorf("consumer of a DELETING stream: %+v, %v; want DELETING", out.ConsumerDescription, err)
					}
				}
			})
		})
	}
}

func TestSubscribeToShardContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc, clock := newService(t)
		efoStream(t, svc, "s", 2)
		arn := efoRegister(t, svc, "s", "c").ConsumerARN
		sctx, cancel := context.WithCancel(context.Background())
		f := efoFollow(t, svc, sctx, arn, "0", latestPos)
		f.wantLive(t, "subscribed", 1)
		cancel()
		f.wantEnded(t, "after cancelling", context.Canceled)
		// A context that has ended before ranging: the stream yields
		// its error and nothing else.
		clock.Advance(kds.ResubscribeInterval)
		g := efoFollow(t, svc, sctx, arn, "1", latestPos)
		g.wantEnded(t, "ranging with an ended context", context.Canceled)
		if evs, _, _ := g.state(t); len(evs) != 0 {
			t.Fatalf("an ended context yielded %d events", len(evs))
		}
	})
}

func TestSubscribeToShardClosedShard(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc, _ := newService(t)
		efoStream(t, svc, "s", 1)
		a := efoRegister(t, svc, "s", "a").ConsumerARN
		sctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		f := efoFollow(t, svc, sctx, a, "0", trimHorizonPos)
		f.wantLive(t, "subscribed", 1)
		put(t, svc, "s", "k", "r0")
		f.wantLive(t, "after r0", 2, "r0")
		r1 := seqOf(put(t, svc, "s", "k", "r1").SequenceNumber)
		f.wantLive(t, "before the split", 3, "r0", "r1")
		if _, err := svc.SplitShard(ctx, kds.SplitShardInput{StreamName: "s", ShardToSplit: "0", NewStartingHashKey: "170141183460469231731687303715884105728"}); err != nil {
			t.Fatal(err)
		}
		late := putHK(t, svc, "s", maxHashKey, "late")
		if late.ShardId != "shardId-000000000002" {
			t.Fatalf("the record after the split went to %s", late.ShardId)
		}
		// GetRecords's view of the end of the shard.
		it := trimHorizon(t, svc, "s", "0")
		var children []kds.ChildShard
		for range 10 {
			out, err := svc.GetRecords(ctx, kds.GetRecordsInput{ShardIterator: it})
			if err != nil {
				t.Fatal(err)
			}
			if out.NextShardIterator == "" {
				children = out.ChildShards
				break
			}
			it = out.NextShardIterator
		}
		if len(children) != 2 || children[0].ShardId != "shardId-000000000001" || !slices.Equal(children[1].ParentShards, []string{"shardId-000000000000"}) {
			t.Fatalf("GetRecords's child shards: %+v", children)
		}
		// The live subscription: a last event with the children, then
		// the end.
		f.wantEnded(t, "after the split", nil)
		evs, _, _ := f.state(t)
		last := evs[len(evs)-1]
		if len(evs) != 4 || len(last.Records) != 0 || !slices.EqualFunc(last.ChildShards, children, childShardEqual) || seqOf(last.ContinuationSequenceNumber) != r1 {
			t.Fatalf("events %+v; want 4, the last empty with the child shards %+v and continuation %s", evs, children, r1)
		}
		for _, ev := range evs[:len(evs)-1] {
			if ev.ChildShards != nil {
				t.Fatalf("an event before the last has child shards: %+v", ev)
			}
		}
		if got := eventData(evs); !slices.Equal(got, []string{"r0", "r1"}) {
			t.Fatalf("pushed %q, want [r0 r1] and nothing of the children", got)
		}
		// New subscriptions to the closed shard: one event, with the
		// children, and the end.
		tests := []struct {
			pos  kds.StartingPosition
			want []string
		}{
			{trimHorizonPos, []string{"r0", "r1"}},
			{afterPos(r1), nil},
			{latestPos, nil},
		}
		for i, tt := range tests {
			arn := efoRegister(t, svc, "s", "c"+strconv.Itoa(i)).ConsumerARN
			evs, err := efoAll(t, svc, arn, "0", tt.pos)
			if err != nil || len(evs) != 1 {
				t.Fatalf("%s: %d events, error %v; want one event and the end", tt.pos.Type, len(evs), err)
			}
			ev := evs[0]
			if got := recordData(ev.Records); !slices.Equal(got, tt.want) {
				t.Errorf("%s: records %q, want %q", tt.pos.Type, got, tt.want)
			}
			if !slices.EqualFunc(ev.ChildShards, children, childShardEqual) || seqOf(ev.ContinuationSequenceNumber) != r1 {
				t.Errorf("%s: child shards %+v, continuation %s; want %+v, %s", tt.pos.Type, ev.ChildShards, ev.ContinuationSequenceNumber, children, r1)
			}
		}
		// The child is an open shard like any other.
		g := efoFollow(t, svc, sctx, a, "shardId-000000000002", trimHorizonPos)
		g.wantLive(t, "child shard", 1, "late")
	})
}

func childShardEqual(a, b kds.ChildShard) bool {
	return a.ShardId == b.ShardId && slices.Equal(a.ParentShards, b.ParentShards) && a.HashKeyRange == b.HashKeyRange
}

func TestSubscribeToShardOwnReadBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Each shard serves 1 KiB/s of reads; each record is 1 KiB with
		// its key.
		svc, clock := newService(t, kds.WithThroughputLimits(kds.ThroughputLimits{ReadBytesPerSecond: 1024}))
		efoStream(t, svc, "s", 1)
		arnA := efoRegister(t, svc, "s", "a").ConsumerARN
		arnB := efoRegister(t, svc, "s", "b").ConsumerARN
		arnC := efoRegister(t, svc, "s", "c").ConsumerARN
		kib := strings.Repeat("x", 1023)
		for range 3 {
			put(t, svc, "s", "k", kib)
		}
		clock.Advance(10 * time.Second)
		sctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		// (a) A takes its 1 KiB budget; B, subscribing at the same
		// instant, still has its own.
		fa := efoFollow(t, svc, sctx, arnA, "0", trimHorizonPos)
		evs := fa.wantLive(t, "A at once", 1, kib)
		// The next unread record arrived 10 s ago.
		if evs[0].MillisBehindLatest != 10000 {
			t.Errorf("A's first event: %d ms behind, want 10000", evs[0].MillisBehindLatest)
		}
		fb := efoFollow(t, svc, sctx, arnB, "0", trimHorizonPos)
		fb.wantLive(t, "B at once, after A", 1, kib)
		// (c) Polling readers have a budget of their own: the shard's
		// 1 KiB is whole, so GetRecords gets all 3 KiB (going into debt,
		// as on Kinesis, so that the next call is throttled)...
		it := trimHorizon(t, svc, "s", "0")
		out, err := svc.GetRecords(ctx, kds.GetRecordsInput{ShardIterator: it})
		if err != nil {
			t.Fatalf("GetRecords after the EFO reads: %v", err)
		}
		if len(out.Records) != 3 {
			t.Fatalf("GetRecords returned %d records, want 3", len(out.Records))
		}
		_, err = svc.GetRecords(ctx, kds.GetRecordsInput{ShardIterator: out.NextShardIterator})
		wantErr(t, err, kds.ErrProvisionedThroughputExceeded, "")
		// ... and the polling debt does not slow a consumer either.
		fc := efoFollow(t, svc, sctx, arnC, "0", trimHorizonPos)
		fc.wantLive(t, "C at once, after polling", 1, kib)
		// (b) The rest waits for each consumer's budget to refill on
		// the clock, not for anything else.
		put(t, svc, "s", "k", "new")
		for _, f := range []*subFollower{fa, fb, fc} {
			f.wantLive(t, "without the clock moving", 1, kib)
		}
		clock.Advance(time.Second)
		for _, f := range []*subFollower{fa, fb, fc} {
			if got := f.data(t); len(got) != 2 {
				t.Fatalf("1 s later a consumer has %d records, want 2", len(got))
			}
		}
		clock.Advance(time.Second)
		for _, f := range []*subFollower{fa, fb, fc} {
			if got := f.data(t); !slices.Equal(got, []string{kib, kib, kib}) {
				t.Fatalf("2 s later a consumer has %d records, want the 3 of 1 KiB", len(got))
			}
		}
		clock.Advance(time.Second)
		for _, f := range []*subFollower{fa, fb, fc} {
			if got := f.data(t); !slices.Equal(got, []string{kib, kib, kib, "new"}) {
				t.Fatalf("3 s later a consumer has %d records, want all 4", len(got))
			}
		}
	})
}

func TestSubscribeToShardValidation(t *testing.T) {
	// Not in a bubble, for the subtests: nothing here waits.
	const delay = time.Second
	svc, clock := newService(t, kds.WithStatusDelay(delay))
	efoStream(t, svc, "s", 2)
	clock.Advance(delay)
	arn := efoRegister(t, svc, "s", "active").ConsumerARN
	clock.Advance(delay)
	creating := efoRegister(t, svc, "s", "creating").ConsumerARN
	seq0 := seqOf(putHK(t, svc, "s", "0", "r0").SequenceNumber)
	seq1 := seqOf(putHK(t, svc, "s", maxHashKey, "r1").SequenceNumber)
	enum := "Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP, AT_SEQUENCE_NUMBER, TRIM_HORIZON]"
	in := func(arn, shard string, typ kds.ShardIteratorType, seq string) kds.SubscribeToShardInput {
		return kds.SubscribeToShardInput{ConsumerARN: arn, ShardId: shard, StartingPosition: kds.StartingPosition{Type: typ, SequenceNumber: seq}}
	}
	th := kds.ShardIteratorTypeTrimHorizon
	invalid := []struct {
		name string
		in   kds.SubscribeToShardInput
		want []string
	}{
		{"no consumer", in("", shard0, th, ""), []string{violation("null", "consumerARN", notNull)}},
		{"no shard", in(arn, "", th, ""), []string{violation("null", "shardId", notNull)}},
		{"no type", in(arn, shard0, "", ""), []string{violation("null", "startingPosition.type", notNull)}},
		{"nothing", kds.SubscribeToShardInput{}, []string{
			violation("null", "consumerARN", notNull), violation("null", "shardId", notNull), violation("null", "startingPosition.type", notNull)}},
		{"bad type", in(arn, shard0, "FIRST", ""), []string{violation("'FIRST'", "startingPosition.type", enum)}},
		{"lower-case type", in(arn, shard0, "latest", ""), []string{violation("'latest'", "startingPosition.type", enum)}},
		{"bad sequence number", in(arn, shard0, kds.ShardIteratorTypeAtSequenceNumber, "12a"), []string{violation("'12a'", "startingPosition.sequenceNumber", seqPattern)}},
		{"leading zero", in(arn, shard0, kds.ShardIteratorTypeAfterSequenceNumber, "01"), []string{violation("'01'", "startingPosition.sequenceNumber", seqPattern)}},
		{"bad consumer ARN", in("c", shard0, th, ""), []string{violation("'c'", "consumerARN", consumerARNConstraint)}},
		{"stream ARN", in(streamARN("s"), shard0, th, ""), []string{violation("'"+streamARN("s")+"'", "consumerARN", consumerARNConstraint)}},
		{"bad shard ID", in(arn, "shard 0", th, ""), []string{violation("'shard 0'", "shardId", namePattern)}},
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.SubscribeToShard(ctx, tt.in)
			wantViolations(t, err, tt.want...)
		})
	}
	future := kds.StartingPosition{Type: kds.ShardIteratorTypeAtTimestamp, Timestamp: clock.Now().Add(time.Second)}
	failing := []struct {
		name   string
		in     kds.SubscribeToShardInput
		target *kds.Error
		msg    string
	}{
		{"sequence number of another shard", in(arn, shard0, kds.ShardIteratorTypeAtSequenceNumber, seq1), kds.ErrInvalidArgument, ""},
		{"sequence number of another shard, after", in(arn, "shardId-000000000001", kds.ShardIteratorTypeAfterSequenceNumber, seq0), kds.ErrInvalidArgument, ""},
		{"not a sequence number", in(arn, shard0, kds.ShardIteratorTypeAtSequenceNumber, "123"), kds.ErrInvalidArgument, ""},
		{"AT_SEQUENCE_NUMBER without one", in(arn, shard0, kds.ShardIteratorTypeAtSequenceNumber, ""), kds.ErrInvalidArgument, ""},
		{"TRIM_HORIZON with a sequence number", in(arn, shard0, th, seq0), kds.ErrInvalidArgument, ""},
		{"AT_TIMESTAMP without one", in(arn, shard0, kds.ShardIteratorTypeAtTimestamp, ""), kds.ErrInvalidArgument, ""},
		{"AT_TIMESTAMP in the future", kds.SubscribeToShardInput{ConsumerARN: arn, ShardId: shard0, StartingPosition: future}, kds.ErrInvalidArgument, ""},
		{"CREATING consumer", in(creating, shard0, th, ""), kds.ErrResourceInUse,
			"Consumer creating under stream s under account " + testAccount + " is not ACTIVE, instead in state CREATING."},
		{"unknown shard", in(arn, "shardId-000000000009", th, ""), kds.ErrResourceNotFound, shardNotFound("shardId-000000000009", "s")},
		{"shard without an index", in(arn, "shard", th, ""), kds.ErrResourceNotFound, ""},
		{"unknown consumer", in(efoARN("s", "x", testStart), shard0, th, ""), kds.ErrResourceNotFound, ""},
		{"consumer ARN of another time", in(strings.TrimSuffix(arn, strconv.FormatInt(testStart.Unix()+1, 10))+"1", shard0, th, ""), kds.ErrResourceNotFound, ""},
		{"consumer of an unknown stream", in(efoARN("nope", "active", testStart), shard0, th, ""), kds.ErrResourceNotFound, notFound("nope")},
	}
	for _, tt := range failing {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.SubscribeToShard(ctx, tt.in)
			wantErr(t, err, tt.target, tt.msg)
		})
	}
	// None of the failed calls counts as a subscription.
	for _, shard := range []string{shard0, "shardId-000000000001"} {
		if ev := efoFirst(t, svc, arn, shard, trimHorizonPos, 1)[0]; len(ev.Records) != 1 {
			t.Fatalf("%s: first event %+v, want one record", shard, ev)
		}
	}
	// Once ACTIVE, the other consumer subscribes too.
	clock.Advance(delay)
	efoFirst(t, svc, creating, shard0, trimHorizonPos, 1)
}
