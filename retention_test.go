package kds_test

import (
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kdsgo/kds"
)

// Tests of the retention window (KINESIS.md §7): its validation, what
// reads see as records age out, and that trimming releases memory.

func TestRetentionPeriodValidation(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "s", 1)
	const (
		inc = true
		dec = false
	)
	short := func(h, cur int) string {
		return fmt.Sprintf("Requested retention period (%d hours) for stream s can not be shorter than existing retention period (%d hours). Use DecreaseRetentionPeriod API.", h, cur)
	}
	long := func(h, cur int) string {
		return fmt.Sprintf("Requested retention period (%d hours) for stream s can not be longer than existing retention period (%d hours). Use IncreaseRetentionPeriod API.", h, cur)
	}
	null := oneViolation("null", "retentionPeriodHours", notNull)
	steps := []struct {
		increase bool
		hours    int
		code     *kds.Error // nil: success
		msg      string
		current  int // RetentionPeriodHours afterwards
	}{
		{inc, 0, kds.ErrValidation, null, 24},
		{dec, 0, kds.ErrValidation, null, 24},
		{inc, -1, kds.ErrValidation, oneViolation("'-1'", "retentionPeriodHours", valueAtLeast(1)), 24},
		{inc, 23, kds.ErrInvalidArgument, "Minimum allowed retention period is 24 hours. Requested retention period (23 hours) is too short.", 24},
		{dec, 23, kds.ErrInvalidArgument, "Minimum allowed retention period is 24 hours. Requested retention period (23 hours) is too short.", 24},
		{inc, 8761, kds.ErrInvalidArgument, "Maximum allowed retention period is 8760 hours. Requested retention period (8761 hours) is too long.", 24},
		{dec, 8761, kds.ErrInvalidArgument, "Maximum allowed retention period is 8760 hours. Requested retention period (8761 hours) is too long.", 24},
		{inc, 24, nil, "", 24},
		{dec, 24, nil, "", 24},
		{inc, 48, nil, "", 48},
		{inc, 24, kds.ErrInvalidArgument, short(24, 48), 48},
		{inc, 47, kds.ErrInvalidArgument, short(47, 48), 48},
		{inc, 48, nil, "", 48},
		{dec, 48, nil, "", 48},
		{dec, 49, kds.ErrInvalidArgument, long(49, 48), 48},
		{dec, 24, nil, "", 24},
		{dec, 48, kds.ErrInvalidArgument, long(48, 24), 24},
		{inc, 8760, nil, "", 8760},
		{dec, 168, nil, "", 168},
		{dec, 24, nil, "", 24},
	}
	for i, st := range steps {
		var err error
		op := "Decrease"
		if st.increase {
			op = "Increase"
			_, err = svc.IncreaseStreamRetentionPeriod(ctx, kds.IncreaseStreamRetentionPeriodInput{StreamName: "s", RetentionPeriodHours: st.hours})
		} else {
			_, err = svc.DecreaseStreamRetentionPeriod(ctx, kds.DecreaseStreamRetentionPeriodInput{StreamName: "s", RetentionPeriodHours: st.hours})
		}
		t.Run(fmt.Sprintf("%d_%s_%d", i, op, st.hours), func(t *testing.T) {
			if st.code == nil {
				if err != nil {
					t.Fatalf("%s to %d: %v", op, st.hours, err)
				}
			} else {
				wantErr(t, err, st.code, st.msg)
			}
			if got := retentionHours(t, svc, "s"); got != st.current {
				t.Fatalf("RetentionPeriodHours = %d, want %d", got, st.current)
			}
		})
	}
	_, err := svc.IncreaseStreamRetentionPeriod(ctx, kds.IncreaseStreamRetentionPeriodInput{StreamName: "nope", RetentionPeriodHours: 48})
	wantErr(t, err, kds.ErrResourceNotFound, notFound("nope"))
	_, err = svc.IncreaseStreamRetentionPeriod(ctx, kds.IncreaseStreamRetentionPeriodInput{StreamARN: streamARN("s"), RetentionPeriodHours: 72})
	if err != nil || retentionHours(t, svc, "s") != 72 {
		t.Fatalf("Increase by ARN: %v, RetentionPeriodHours %d", err, retentionHours(t, svc, "s"))
	}
}

// retentionHours returns a stream's RetentionPeriodHours from
// DescribeStreamSummary.
func retentionHours(t *testing.T, svc *kds.Service, name string) int {
	t.Helper()
	out, err := svc.DescribeStreamSummary(ctx, kds.DescribeStreamSummaryInput{StreamName: name})
	if err != nil {
		t.Fatalf("DescribeStreamSummary: %v", err)
	}
	return out.StreamDescriptionSummary.RetentionPeriodHours
}

// setRetention moves a stream's retention period to hours.
func setRetention(t *testing.T, svc *kds.Service, name string, hours int) {
	t.Helper()
	var err error
	if hours >= retentionHours(t, svc, name) {
		_, err = svc.IncreaseStreamRetentionPeriod(ctx, kds.IncreaseStreamRetentionPeriodInput{StreamName: name, RetentionPeriodHours: hours})
	} else {
		_, err = svc.DecreaseStreamRetentionPeriod(ctx, kds.DecreaseStreamRetentionPeriodInput{StreamName: name, RetentionPeriodHours: hours})
	}
	if err != nil {
		t.Fatalf("retention of %s to %d hours: %v", name, hours, err)
	}
}

// replayData returns the data of the records Stream.Replay yields.
func replayData(t *testing.T, svc *kds.Service, name string, from kds.StartPosition) []string {
	t.Helper()
	var out []string
	for r, err := range capStream(t, svc, name).Replay(ctx, from) {
		if err != nil {
			t.Fatalf("Replay: %v", err)
		}
		out = append(out, string(r.Data))
	}
	return out
}

// wantLive fails the test unless exactly want (in order) is readable from
// TRIM_HORIZON with GetRecords and with Replay.
func wantLive(t *testing.T, svc *kds.Service, name string, want ...string) {
	t.Helper()
	got := readAll(t, svc, trimHorizon(t, svc, name, shard0))
	if !slices.Equal(got, want) {
		t.Fatalf("GetRecords from TRIM_HORIZON = %q, want %q", got, want)
	}
	if got := replayData(t, svc, name, kds.TrimHorizon()); !slices.Equal(got, want) {
		t.Fatalf("Replay from TRIM_HORIZON = %q, want %q", got, want)
	}
}

// atSeq returns the data GetRecords reads from an iterator of type typ at
// sequence number seq.
func atSeq(t *testing.T, svc *kds.Service, name string, typ kds.ShardIteratorType, seq kds.SequenceNumber) []string {
	t.Helper()
	return readAll(t, svc, iterator(t, svc, kds.GetShardIteratorInput{StreamName: name, ShardId: shard0, ShardIteratorType: typ, StartingSequenceNumber: seq.String()}))
}

func TestRetentionWindow(t *testing.T) {
	svc, clock := newService(t)
	createStream(t, svc, "s", 1)
	t0 := clock.Now()
	var seqs []kds.SequenceNumber
	for i := range 3 {
		clock.Set(t0.Add(time.Duration(i) * time.Hour))
		seqs = append(seqs, put(t, svc, "s", "k", fmt.Sprint("r", i)).SequenceNumber)
	}
	// An iterator taken while r0 is live, used after it expired.
	clock.Set(t0.Add(24*time.Hour - time.Minute))
	early := trimHorizon(t, svc, "s", shard0)
	steps := []struct {
		at   time.Duration // since r0 was put
		want []string
	}{
		{24 * time.Hour, []string{"r0", "r1", "r2"}}, // exactly 24 h old: still in the window
		{24*time.Hour + time.Millisecond, []string{"r1", "r2"}},
		{25 * time.Hour, []string{"r1", "r2"}},
		{25*time.Hour + time.Millisecond, []string{"r2"}},
		{26*time.Hour + time.Millisecond, nil},
	}
	for _, st := range steps {
		clock.Set(t0.Add(st.at))
		wantLive(t, svc, "s", st.want...)
		if st.at == 24*time.Hour+time.Millisecond {
			if got := readAll(t, svc, early); !slices.Equal(got, st.want) {
				t.Fatalf("an iterator taken before r0 expired reads %q, want %q", got, st.want)
			}
			for _, typ := range []kds.ShardIteratorType{kds.ShardIteratorTypeAtSequenceNumber, kds.ShardIteratorTypeAfterSequenceNumber} {
				if got := atSeq(t, svc, "s", typ, seqs[0]); !slices.Equal(got, st.want) {
					t.Fatalf("%s of the expired r0 reads %q, want the trim horizon on: %q", typ, got, st.want)
				}
			}
			if got := replayData(t, svc, "s", kds.AtSequence(seqs[0])); !slices.Equal(got, st.want) {
				t.Fatalf("Replay at the expired r0 = %q, want %q", got, st.want)
			}
			if got := replayData(t, svc, "s", kds.AtTimestamp(t0)); !slices.Equal(got, st.want) {
				t.Fatalf("Replay at r0's timestamp = %q, want %q", got, st.want)
			}
		}
	}
	put(t, svc, "s", "k", "r3")
	wantLive(t, svc, "s", "r3")
}

func TestDecreaseRetentionHidesAtOnce(t *testing.T) {
	svc, clock := newService(t)
	createStream(t, svc, "s", 1)
	setRetention(t, svc, "s", 48)
	put(t, svc, "s", "k", "old")
	clock.Advance(30 * time.Hour)
	put(t, svc, "s", "k", "new")
	wantLive(t, svc, "s", "old", "new")
	setRetention(t, svc, "s", 24)
	wantLive(t, svc, "s", "new")
}

func TestIncreaseRetentionDoesNotRevive(t *testing.T) {
	svc, clock := newService(t)
	createStream(t, svc, "s", 1)
	t0 := clock.Now()
	a := put(t, svc, "s", "k", "a").SequenceNumber
	clock.Set(t0.Add(20 * time.Hour))
	put(t, svc, "s", "k", "b")
	clock.Set(t0.Add(30 * time.Hour)) // a is 30 h old, b 10 h
	wantLive(t, svc, "s", "b")
	setRetention(t, svc, "s", 48)
	wantLive(t, svc, "s", "b")
	if got := atSeq(t, svc, "s", kds.ShardIteratorTypeAtSequenceNumber, a); !slices.Equal(got, []string{"b"}) {
		t.Fatalf("AT_SEQUENCE_NUMBER of the expired record reads %q, want [b]", got)
	}
	put(t, svc, "s", "k", "c")
	steps := []struct {
		at   time.Duration
		want []string
	}{
		{47 * time.Hour, []string{"b", "c"}}, // a would be back if the window were applied afresh
		{68 * time.Hour, []string{"b", "c"}}, // b is exactly 48 h old
		{68*time.Hour + time.Millisecond, []string{"c"}},
		{78 * time.Hour, []string{"c"}},
		{78*time.Hour + time.Millisecond, nil},
	}
	for _, st := range steps {
		clock.Set(t0.Add(st.at))
		wantLive(t, svc, "s", st.want...)
	}
}

func TestRetentionOneYear(t *testing.T) {
	svc, clock := newService(t)
	createStream(t, svc, "s", 1)
	setRetention(t, svc, "s", 8760)
	want := make([]string, 365)
	for day := range want {
		want[day] = fmt.Sprintf("day%03d", day)
		put(t, svc, "s", "k", want[day])
		clock.Advance(24 * time.Hour)
	}
	wantLive(t, svc, "s", want...) // day000 is exactly 8760 h old
	clock.Advance(24 * time.Hour)
	wantLive(t, svc, "s", want[1:]...)
}

// heapAlloc returns the live heap after a full collection.
func heapAlloc() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// fillKiB puts n records of 1 KiB (key plus data) into stream name.
func fillKiB(t *testing.T, svc *kds.Service, name string, n int) {
	t.Helper()
	batch := make([]kds.PutRecordsRequestEntry, 500)
	for i := range batch {
		batch[i] = kds.PutRecordsRequestEntry{PartitionKey: "k", Data: make([]byte, 1023)}
	}
	for n > 0 {
		m := min(n, len(batch))
		if out := putRecords(t, svc, name, batch[:m]); out.FailedRecordCount != 0 {
			t.Fatalf("%d records throttled", out.FailedRecordCount)
		}
		n -= m
	}
}

const memRecords = 50_000 // 1 KiB each: about 51 MB

func TestTrimExpiredReleasesMemory(t *testing.T) {
	svc, clock := newService(t)
	createStream(t, svc, "s", 1)
	base := heapAlloc()
	fillKiB(t, svc, "s", memRecords)
	clock.Advance(25 * time.Hour)
	wantEmpty(t, svc, "s")
	held := heapAlloc()
	if held < base+45e6 {
		t.Fatalf("heap grew by %d bytes for 51 MB of records; before trimming they must still be held", int64(held)-int64(base))
	}
	svc.TrimExpired()
	after := heapAlloc()
	if held-min(after, held) < 40e6 {
		t.Fatalf("TrimExpired released %d bytes of %d, want at least 40 MB", int64(held)-int64(after), held-base)
	}
	wantEmpty(t, svc, "s")
	put(t, svc, "s", "k", "fresh")
	wantLive(t, svc, "s", "fresh")
	runtime.KeepAlive(svc)
}

func TestTrimExpiredReleasesIdleTail(t *testing.T) {
	svc, clock := newService(t)
	createStream(t, svc, "s", 3)
	if _, err := svc.UpdateMaxRecordSize(ctx, kds.UpdateMaxRecordSizeInput{StreamARN: streamARN("s"), MaxRecordSizeInKiB: 10240}); err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 8*mib-1)
	for _, hk := range []string{"0", "170141183460469231731687303715884105728", maxHashKey} {
		putHK(t, svc, "s", hk, string(data))
	}
	data = nil
	clock.Advance(25 * time.Hour)
	held := heapAlloc()
	svc.TrimExpired()
	after := heapAlloc()
	if held-min(after, held) < 20e6 {
		t.Fatalf("TrimExpired released %d bytes of three idle shards' 8 MiB tails, want at least 20 MB", int64(held)-int64(after))
	}
	if n := replayCount(t, svc, "s"); n != 0 {
		t.Fatalf("%d records readable", n)
	}
	runtime.KeepAlive(svc)
}

// spyClock is a ManualClock that reports every After call on waits, so a
// test can tell when the janitor has armed its next wake-up.
type spyClock struct {
	*kds.ManualClock
	waits chan time.Duration
}

func (c *spyClock) After(d time.Duration) <-chan time.Time {
	ch := c.ManualClock.After(d)
	select {
	case c.waits <- d:
	default:
	}
	return ch
}

// armed waits until the janitor calls After again. The real-time bound
// only guards against a janitor that never comes back.
func (c *spyClock) armed(t *testing.T) {
	t.Helper()
	select {
	case d := <-c.waits:
		if d != time.Hour {
			t.Fatalf("janitor waits %v, want 1h", d)
		}
	case <-time.After(time.Minute):
		t.Fatal("the janitor did not arm its timer")
	}
}

func TestJanitorReleasesMemory(t *testing.T) {
	clock := &spyClock{ManualClock: kds.NewManualClock(testStart), waits: make(chan time.Duration, 16)}
	svc, err := kds.NewService(kds.WithClock(clock), kds.WithJanitor(time.Hour), kds.WithThroughputLimits(kds.NoLimits))
	if err != nil {
		t.Fatal(err)
	}
	clock.armed(t)
	createStream(t, svc, "s", 1)
	fillKiB(t, svc, "s", memRecords)
	held := heapAlloc()
	clock.Advance(25 * time.Hour) // fires the janitor's 1-hour timer
	clock.armed(t)                // it has trimmed and waits again
	after := heapAlloc()
	if held-min(after, held) < 40e6 {
		t.Fatalf("the janitor released %d bytes, want at least 40 MB", int64(held)-int64(after))
	}
	wantEmpty(t, svc, "s")
	for i := range 2 {
		if err := svc.Close(); err != nil {
			t.Fatalf("Close #%d: %v", i+1, err)
		}
	}
	clock.Advance(2 * time.Hour)
	select {
	case <-clock.waits:
		t.Fatal("the janitor still runs after Close")
	default:
	}
	put(t, svc, "s", "k", "after close")
	wantLive(t, svc, "s", "after close")
}

func TestWithJanitorRejectsBadInterval(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Second} {
		if _, err := kds.NewService(kds.WithJanitor(d)); err == nil || !strings.Contains(err.Error(), "WithJanitor") {
			t.Errorf("WithJanitor(%v): %v, want an error", d, err)
		}
	}
	svc, err := kds.NewService()
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Close(); err != nil { // no janitor: Close is a no-op
		t.Fatal(err)
	}
}

// Records are immutable: the only exported methods that delete, update,
// set, remove or modify anything are these Kinesis operations and knobs,
// none of which touches a stored record. A new method fails this test so
// that it is looked at.
func TestNoRecordMutators(t *testing.T) {
	mutating := []string{"Delete", "Update", "Set", "Remove", "Modify"}
	allowed := map[string]bool{
		"DeleteStream": true, "UpdateShardCount": true, "UpdateMaxRecordSize": true,
		"UpdateStreamMode": true, "SetThroughputLimits": true, "RemoveTagsFromStream": true,
		"UntagResource": true, "DeleteResourcePolicy": true,
	}
	known := map[string][]string{
		"*kds.Service": {
			"AccountID", "AddTagsToStream", "AuditStats", "Clock", "Close", "CreateStream", "DecreaseStreamRetentionPeriod",
			"DeleteStream", "DescribeLimits", "DescribeStream", "DescribeStreamSummary", "GetRecords",
			"GetShardIterator", "IncreaseStreamRetentionPeriod", "ListShards", "ListStreams", "ListTagsForStream",
			"MergeShards", "Metrics", "PutRecord", "PutRecords", "Region", "RemoveTagsFromStream", "SplitShard", "Stream",
			"Streams", "TrimExpired", "UpdateMaxRecordSize", "UpdateShardCount", "UpdateStreamMode",
			"RegisterStreamConsumer", "DeregisterStreamConsumer", "DescribeStreamConsumer", "ListStreamConsumers",
			"SubscribeToShard", "EnableEnhancedMonitoring", "DisableEnhancedMonitoring",
			"TagResource", "UntagResource", "ListTagsForResource",
			"PutResourcePolicy", "GetResourcePolicy", "DeleteResourcePolicy",
			"StartStreamEncryption", "StopStreamEncryption", "Keys", "StorageProblems", "VerifyStorage",
		},
		"*kds.Stream": {
			"ARN", "Metrics", "Name", "Put", "Records", "Replay", "Service", "SetThroughputLimits", "ShardRecords", "ThroughputLimits", "Usage",
		},
	}
	for _, typ := range []reflect.Type{reflect.TypeOf(&kds.Service{}), reflect.TypeOf(&kds.Stream{})} {
		var got []string
		for i := range typ.NumMethod() {
			name := typ.Method(i).Name
			got = append(got, name)
			for _, p := range mutating {
				if strings.HasPrefix(name, p) && !allowed[name] {
					t.Errorf("%s has a mutating method %s", typ, name)
				}
			}
		}
		want := known[typ.String()]
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("exported methods of %s changed\n got: %q\nwant: %q\nCheck that none modifies or deletes a stored record, then update the list.", typ, got, want)
		}
	}
}
