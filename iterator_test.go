package kds_test

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kdsgo/kds"
)

func TestGetShardIteratorTypes(t *testing.T) {
	svc, _, seqs := fiveRecords(t)
	tests := []struct {
		name string
		in   kds.GetShardIteratorInput
		want []string
	}{
		{"TRIM_HORIZON", kds.GetShardIteratorInput{ShardIteratorType: kds.ShardIteratorTypeTrimHorizon}, []string{"r0", "r1", "r2", "r3", "r4"}},
		{"LATEST", kds.GetShardIteratorInput{ShardIteratorType: kds.ShardIteratorTypeLatest}, nil},
		{"AT_SEQUENCE_NUMBER first", kds.GetShardIteratorInput{ShardIteratorType: kds.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: seqs[0]}, []string{"r0", "r1", "r2", "r3", "r4"}},
		{"AT_SEQUENCE_NUMBER middle", kds.GetShardIteratorInput{ShardIteratorType: kds.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: seqs[2]}, []string{"r2", "r3", "r4"}},
		{"AFTER_SEQUENCE_NUMBER middle", kds.GetShardIteratorInput{ShardIteratorType: kds.ShardIteratorTypeAfterSequenceNumber, StartingSequenceNumber: seqs[2]}, []string{"r3", "r4"}},
		{"AFTER_SEQUENCE_NUMBER last", kds.GetShardIteratorInput{ShardIteratorType: kds.ShardIteratorTypeAfterSequenceNumber, StartingSequenceNumber: seqs[4]}, nil},
		{"AT_TIMESTAMP", kds.GetShardIteratorInput{ShardIteratorType: kds.ShardIteratorTypeAtTimestamp, Timestamp: testStart.Add(3 * time.Second)}, []string{"r3", "r4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.StreamName, tt.in.ShardId = "s", "shardId-000000000000"
			if got := readAll(t, svc, iterator(t, svc, tt.in)); !slices.Equal(got, tt.want) {
				t.Fatalf("read %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLatestSeesOnlyLaterRecords(t *testing.T) {
	svc, _, _ := fiveRecords(t)
	it := iterator(t, svc, kds.GetShardIteratorInput{StreamName: "s", ShardId: "0", ShardIteratorType: kds.ShardIteratorTypeLatest})
	out := getRecords(t, svc, it, 0)
	if len(out.Records) != 0 {
		t.Fatalf("LATEST read %q before any new put", recordData(out.Records))
	}
	put(t, svc, "s", "k", "r5")
	put(t, svc, "s", "k", "r6")
	// Both the first iterator and the one GetRecords returned see the new records.
	if got := readAll(t, svc, it); !slices.Equal(got, []string{"r5", "r6"}) {
		t.Fatalf("LATEST iterator read %q", got)
	}
	if got := readAll(t, svc, out.NextShardIterator); !slices.Equal(got, []string{"r5", "r6"}) {
		t.Fatalf("its NextShardIterator read %q", got)
	}
}

func TestGetShardIteratorErrors(t *testing.T) {
	svc, clock, seqs := fiveRecords(t)
	combo := func(typ, also string) string {
		return "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified " +
			typ + " " + also + " StartingSequenceNumber."
	}
	now := clock.Now()
	tests := []struct {
		name string
		in   kds.GetShardIteratorInput
		code *kds.Error
		msg  string
	}{
		{"TRIM_HORIZON with a number", kds.GetShardIteratorInput{ShardIteratorType: "TRIM_HORIZON", StartingSequenceNumber: seqs[0]},
			kds.ErrInvalidArgument, combo("TRIM_HORIZON", "and also a")},
		{"LATEST with a number", kds.GetShardIteratorInput{ShardIteratorType: "LATEST", StartingSequenceNumber: seqs[0]},
			kds.ErrInvalidArgument, combo("LATEST", "and also a")},
		{"AT_SEQUENCE_NUMBER without one", kds.GetShardIteratorInput{ShardIteratorType: "AT_SEQUENCE_NUMBER"},
			kds.ErrInvalidArgument, combo("AT_SEQUENCE_NUMBER", "and no")},
		{"AFTER_SEQUENCE_NUMBER without one", kds.GetShardIteratorInput{ShardIteratorType: "AFTER_SEQUENCE_NUMBER"},
			kds.ErrInvalidArgument, combo("AFTER_SEQUENCE_NUMBER", "and no")},
		{"AT_TIMESTAMP without timestamp", kds.GetShardIteratorInput{ShardIteratorType: "AT_TIMESTAMP"},
			kds.ErrInvalidArgument, "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter."},
		{"AT_TIMESTAMP in the future", kds.GetShardIteratorInput{ShardIteratorType: "AT_TIMESTAMP", Timestamp: now.Add(time.Millisecond)},
			kds.ErrInvalidArgument, fmt.Sprintf("The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: %d, currentTimestampInMillis: %d",
				now.UnixMilli()+1, now.UnixMilli())},
		{"undecodable number", kds.GetShardIteratorInput{ShardIteratorType: "AT_SEQUENCE_NUMBER", StartingSequenceNumber: "12345"},
			kds.ErrInvalidArgument, "StartingSequenceNumber 12345 used in GetShardIterator on shard shardId-000000000000 in stream s under account 000000000000 is invalid."},
		{"malformed number", kds.GetShardIteratorInput{ShardIteratorType: "AT_SEQUENCE_NUMBER", StartingSequenceNumber: "12x"},
			kds.ErrValidation, oneViolation("'12x'", "startingSequenceNumber", seqPattern)},
		{"no type", kds.GetShardIteratorInput{},
			kds.ErrValidation, oneViolation("null", "shardIteratorType", notNull)},
		{"bad type", kds.GetShardIteratorInput{ShardIteratorType: "OLDEST"},
			kds.ErrValidation, oneViolation("'OLDEST'", "shardIteratorType", "Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP, AT_SEQUENCE_NUMBER, TRIM_HORIZON]")},
		{"missing stream", kds.GetShardIteratorInput{StreamName: "nope", ShardIteratorType: "LATEST"},
			kds.ErrResourceNotFound, notFound("nope")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.in.StreamName == "" {
				tt.in.StreamName = "s"
			}
			tt.in.ShardId = "shardId-000000000000"
			_, err := svc.GetShardIterator(ctx, tt.in)
			wantErr(t, err, tt.code, tt.msg)
		})
	}
}

// TestAtTimestampSubMillisecond: Kinesis timestamps have millisecond
// precision, so a timestamp in the current millisecond is not in the future.
func TestAtTimestampSubMillisecond(t *testing.T) {
	svc, clock, _ := fiveRecords(t)
	_, err := svc.GetShardIterator(ctx, kds.GetShardIteratorInput{StreamName: "s", ShardId: "0",
		ShardIteratorType: kds.ShardIteratorTypeAtTimestamp, Timestamp: clock.Now().Add(time.Microsecond)})
	if err != nil {
		t.Fatalf("timestamp within the current millisecond: %v", err)
	}
}

func TestGetShardIteratorShardIDs(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "s", 2)
	putHK(t, svc, "s", "0", "on 0")
	putHK(t, svc, "s", maxHashKey, "on 1")
	tests := []struct {
		id   string
		want string // the data read, or the error message
		code *kds.Error
	}{
		{"0", "on 0", nil},
		{"1", "on 1", nil},
		{"shardId-1", "on 1", nil},
		{"shardId-000000000001", "on 1", nil},
		{"shardId-0000000000000000000001", "on 1", nil},
		{"9", shardNotFound("shardId-000000000009", "s"), kds.ErrResourceNotFound},
		{"shardId-000000000009", shardNotFound("shardId-000000000009", "s"), kds.ErrResourceNotFound},
		{"shardId-2147483647", shardNotFound("shardId-002147483647", "s"), kds.ErrResourceNotFound},
		{"abc", "Could not find shard abc in stream s under account 000000000000.", kds.ErrResourceNotFound},
		{"shardId-abc", "Could not find shard shardId-abc in stream s under account 000000000000.", kds.ErrResourceNotFound},
		{"shardId-2147483648", "Could not find shard shardId-2147483648 in stream s under account 000000000000.", kds.ErrResourceNotFound},
		{"shard 1", oneViolation("'shard 1'", "shardId", namePattern), kds.ErrValidation},
		{"", oneViolation("null", "shardId", notNull), kds.ErrValidation},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			out, err := svc.GetShardIterator(ctx, kds.GetShardIteratorInput{StreamName: "s", ShardId: tt.id, ShardIteratorType: kds.ShardIteratorTypeTrimHorizon})
			if tt.code != nil {
				wantErr(t, err, tt.code, tt.want)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := readAll(t, svc, out.ShardIterator); !slices.Equal(got, []string{tt.want}) {
				t.Fatalf("read %q, want %q", got, tt.want)
			}
		})
	}
}

func TestGetShardIteratorForeignSequenceNumber(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "s", 2)
	onShard1 := putHK(t, svc, "s", maxHashKey, "x").SequenceNumber.String()
	_, err := svc.GetShardIterator(ctx, kds.GetShardIteratorInput{StreamName: "s", ShardId: "shardId-000000000000",
		ShardIteratorType: kds.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: onShard1})
	wantErr(t, err, kds.ErrInvalidArgument,
		"Invalid StartingSequenceNumber. It encodes shardId-000000000001, while it was used in a call to a shard with shardId-000000000000")

	t.Run("deleted and re-created stream", func(t *testing.T) {
		svc, _ := newService(t)
		createStream(t, svc, "s", 1)
		old := put(t, svc, "s", "k", "old").SequenceNumber.String()
		if _, err := svc.DeleteStream(ctx, kds.DeleteStreamInput{StreamName: "s"}); err != nil {
			t.Fatal(err)
		}
		createStream(t, svc, "s", 1)
		put(t, svc, "s", "k", "new")
		for _, typ := range []kds.ShardIteratorType{kds.ShardIteratorTypeAtSequenceNumber, kds.ShardIteratorTypeAfterSequenceNumber} {
			_, err := svc.GetShardIterator(ctx, kds.GetShardIteratorInput{StreamName: "s", ShardId: "0", ShardIteratorType: typ, StartingSequenceNumber: old})
			wantErr(t, err, kds.ErrInvalidArgument, "StartingSequenceNumber "+old+
				" used in GetShardIterator on shard shardId-000000000000 in stream s under account 000000000000 is invalid because it did not come from this stream.")
		}
	})
}

// TestSequenceNumberOfOldIncarnationAfterManyStreams: DeleteStream promises
// that sequence numbers of a deleted stream are never accepted by a new
// stream of the same name, however many streams were made in between.
func TestSequenceNumberOfOldIncarnationAfterManyStreams(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "s", 1)
	old := put(t, svc, "s", "k", "old").SequenceNumber.String()
	if _, err := svc.DeleteStream(ctx, kds.DeleteStreamInput{StreamName: "s"}); err != nil {
		t.Fatal(err)
	}
	for range 255 {
		if _, err := svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: "other", ShardCount: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.DeleteStream(ctx, kds.DeleteStreamInput{StreamName: "other"}); err != nil {
			t.Fatal(err)
		}
	}
	createStream(t, svc, "s", 1)
	put(t, svc, "s", "k", "new")
	_, err := svc.GetShardIterator(ctx, kds.GetShardIteratorInput{StreamName: "s", ShardId: "0",
		ShardIteratorType: kds.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: old})
	wantErr(t, err, kds.ErrInvalidArgument, "StartingSequenceNumber "+old+
		" used in GetShardIterator on shard shardId-000000000000 in stream s under account 000000000000 is invalid because it did not come from this stream.")
}

func TestAtTimestampPicksFirstRecordAtOrAfter(t *testing.T) {
	svc, clock := newService(t)
	createStream(t, svc, "s", 1)
	// r0 at +0, r1 and r2 at +1s, r3 at +2.5s; now is +3s.
	put(t, svc, "s", "k", "r0")
	clock.Advance(time.Second)
	put(t, svc, "s", "k", "r1")
	put(t, svc, "s", "k", "r2")
	clock.Advance(1500 * time.Millisecond)
	put(t, svc, "s", "k", "r3")
	clock.Advance(500 * time.Millisecond)
	tests := []struct {
		at   time.Duration
		want []string
	}{
		{-time.Hour, []string{"r0", "r1", "r2", "r3"}},
		{0, []string{"r0", "r1", "r2", "r3"}},
		{time.Millisecond, []string{"r1", "r2", "r3"}},
		{time.Second, []string{"r1", "r2", "r3"}},
		{time.Second + 999*time.Microsecond, []string{"r1", "r2", "r3"}}, // same millisecond
		{time.Second + time.Millisecond, []string{"r3"}},
		{2500 * time.Millisecond, []string{"r3"}},
		{2501 * time.Millisecond, nil},
		{3 * time.Second, nil},
	}
	for _, tt := range tests {
		t.Run(tt.at.String(), func(t *testing.T) {
			it := iterator(t, svc, kds.GetShardIteratorInput{StreamName: "s", ShardId: "0",
				ShardIteratorType: kds.ShardIteratorTypeAtTimestamp, Timestamp: testStart.Add(tt.at)})
			if got := readAll(t, svc, it); !slices.Equal(got, tt.want) {
				t.Fatalf("read %q, want %q", got, tt.want)
			}
		})
	}
}

func TestIteratorExpiry(t *testing.T) {
	tests := []struct {
		start          time.Time
		issued, expiry string
	}{
		{testStart, "Thu Jan 22 01:22:02 UTC 2015", "Thu Jan 22 01:27:02 UTC 2015"},
		{time.Date(2024, time.March, 3, 23, 58, 30, 0, time.UTC), "Sun Mar 03 23:58:30 UTC 2024", "Mon Mar 04 00:03:30 UTC 2024"},
	}
	for _, tt := range tests {
		t.Run(tt.issued, func(t *testing.T) {
			svc, clock := newServiceAt(t, tt.start)
			createStream(t, svc, "s", 1)
			put(t, svc, "s", "k", "r0")
			it := trimHorizon(t, svc, "s", "0")
			clock.Advance(5 * time.Minute)
			if got := recordData(getRecords(t, svc, it, 0).Records); !slices.Equal(got, []string{"r0"}) {
				t.Fatalf("at exactly 5 minutes the iterator read %q", got)
			}
			clock.Advance(time.Millisecond)
			_, err := svc.GetRecords(ctx, kds.GetRecordsInput{ShardIterator: it})
			wantErr(t, err, kds.ErrExpiredIterator, "Iterator expired. The iterator was created at time "+tt.issued+
				" while right now it is "+tt.expiry+" which is further in the future than the tolerated delay of 300000 milliseconds.")
			if kds.IsRetriable(err) {
				t.Errorf("ExpiredIteratorException is retriable")
			}
		})
	}
}

func TestIteratorOfDeletedStream(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "s", 1)
	put(t, svc, "s", "k", "old")
	it := trimHorizon(t, svc, "s", "0")
	if _, err := svc.DeleteStream(ctx, kds.DeleteStreamInput{StreamName: "s"}); err != nil {
		t.Fatal(err)
	}
	_, err := svc.GetRecords(ctx, kds.GetRecordsInput{ShardIterator: it})
	wantErr(t, err, kds.ErrResourceNotFound, shardNotFound("shardId-000000000000", "s"))

	createStream(t, svc, "s", 1)
	put(t, svc, "s", "k", "new")
	_, err = svc.GetRecords(ctx, kds.GetRecordsInput{ShardIterator: it})
	wantErr(t, err, kds.ErrResourceNotFound, shardNotFound("shardId-000000000000", "s"))
}

func TestTamperedIterator(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "s", 1)
	put(t, svc, "s", "k", "r0")
	it := trimHorizon(t, svc, "s", "0")

	other, _ := newService(t)
	createStream(t, other, "s", 1)
	foreign := trimHorizon(t, other, "s", "0")
	listToken, err := svc.ListShards(ctx, kds.ListShardsInput{StreamName: "s", MaxResults: 1})
	if err != nil {
		t.Fatal(err)
	}
	createStream(t, svc, "t", 1)
	streamsToken, err := svc.ListStreams(ctx, kds.ListStreamsInput{Limit: 1})
	if err != nil || streamsToken.NextToken == "" {
		t.Fatalf("ListStreams: %+v, %v", streamsToken, err)
	}

	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	// flip changes the character at i to one whose 6-bit value differs in
	// its top bit, which always changes the decoded bytes.
	flip := func(i int) string {
		c := strings.IndexByte(alphabet, it[i])
		return it[:i] + string(alphabet[c^0x20]) + it[i+1:]
	}
	dataChars := strings.TrimRight(it, "=")
	tests := map[string]string{
		"first character":     flip(0),
		"middle character":    flip(len(dataChars) / 2),
		"last data character": flip(len(dataChars) - 1),
		"truncated":           it[:len(it)-8],
		"one character short": it[:len(it)-1],
		"extended":            it + "AAAA",
		"garbage":             "not an iterator",
		"garbage base64":      base64.StdEncoding.EncodeToString(make([]byte, 96)),
		"another Service":     foreign,
		"ListStreams token":   streamsToken.NextToken,
	}
	if listToken.NextToken != "" {
		t.Fatalf("one shard gave a ListShards NextToken")
	}
	for name, tampered := range tests {
		t.Run(name, func(t *testing.T) {
			if tampered == it {
				t.Fatalf("the tampered iterator equals the original")
			}
			_, err := svc.GetRecords(ctx, kds.GetRecordsInput{ShardIterator: tampered})
			wantErr(t, err, kds.ErrInvalidArgument, "Invalid ShardIterator.")
		})
	}
	t.Run("every position", func(t *testing.T) {
		for i := range len(dataChars) {
			if _, err := svc.GetRecords(ctx, kds.GetRecordsInput{ShardIterator: flip(i)}); err == nil {
				t.Fatalf("iterator with character %d flipped was accepted", i)
			}
		}
	})
	if got := readAll(t, svc, it); !slices.Equal(got, []string{"r0"}) {
		t.Fatalf("the untouched iterator read %q", got)
	}
}

func TestGetRecordsValidation(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "s", 1)
	createStream(t, svc, "t", 1)
	it := trimHorizon(t, svc, "s", "0")
	long := strings.Repeat("A", 513)
	tests := []struct {
		name string
		in   kds.GetRecordsInput
		code *kds.Error
		msg  string
	}{
		{"limit -1", kds.GetRecordsInput{ShardIterator: it, Limit: -1}, kds.ErrValidation, oneViolation("'-1'", "limit", valueAtLeast(1))},
		{"limit 10001", kds.GetRecordsInput{ShardIterator: it, Limit: 10001}, kds.ErrValidation, oneViolation("'10001'", "limit", valueAtMost(10000))},
		{"no iterator", kds.GetRecordsInput{}, kds.ErrValidation, oneViolation("null", "shardIterator", notNull)},
		{"iterator of 513", kds.GetRecordsInput{ShardIterator: long}, kds.ErrValidation, oneViolation("'"+long+"'", "shardIterator", lengthAtMost(512))},
		{"other stream's ARN", kds.GetRecordsInput{ShardIterator: it, StreamARN: streamARN("t")}, kds.ErrInvalidArgument, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.GetRecords(ctx, tt.in)
			wantErr(t, err, tt.code, tt.msg)
		})
	}
	put(t, svc, "s", "k", "r0")
	for _, in := range []kds.GetRecordsInput{{ShardIterator: it}, {ShardIterator: it, Limit: 10000}, {ShardIterator: it, StreamARN: streamARN("s")}} {
		out, err := svc.GetRecords(ctx, in)
		if err != nil || len(out.Records) != 1 {
			t.Fatalf("GetRecords(%+v) = %d records, %v", in, len(out.Records), err)
		}
	}
}

func TestGetRecordsPaging(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "s", 1)
	var want []string
	for i := range 10 {
		want = append(want, fmt.Sprint("r", i))
		put(t, svc, "s", "k", want[i])
	}
	it := trimHorizon(t, svc, "s", "0")
	var got []string
	var sizes []int
	for {
		out := getRecords(t, svc, it, 3)
		sizes = append(sizes, len(out.Records))
		if len(out.Records) == 0 {
			break
		}
		got = append(got, recordData(out.Records)...)
		it = out.NextShardIterator
	}
	if !slices.Equal(got, want) || !slices.Equal(sizes, []int{3, 3, 3, 1, 0}) {
		t.Fatalf("read %q in pages %v, want %q in [3 3 3 1 0]", got, sizes, want)
	}
	// The last iterator continues with records put later.
	put(t, svc, "s", "k", "r10")
	if got := readAll(t, svc, it); !slices.Equal(got, []string{"r10"}) {
		t.Fatalf("after the tip, read %q", got)
	}
}

func TestGetRecordsEmptyShard(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "s", 1)
	out := getRecords(t, svc, trimHorizon(t, svc, "s", "0"), 0)
	if out.Records == nil || len(out.Records) != 0 || out.MillisBehindLatest != 0 || out.ChildShards != nil {
		t.Fatalf("empty shard: %+v", out)
	}
}

func TestMillisBehindLatest(t *testing.T) {
	svc, clock := newService(t)
	createStream(t, svc, "s", 1)
	put(t, svc, "s", "k", "r0")
	clock.Advance(time.Second)
	put(t, svc, "s", "k", "r1")
	clock.Advance(9 * time.Second)
	put(t, svc, "s", "k", "r2")
	out := getRecords(t, svc, trimHorizon(t, svc, "s", "0"), 1)
	// The next unread record (r1) arrived 9 s ago.
	if got := recordData(out.Records); !slices.Equal(got, []string{"r0"}) || out.MillisBehindLatest != 9000 {
		t.Fatalf("first page %q, MillisBehindLatest %d; want [r0], 9000", got, out.MillisBehindLatest)
	}
	out = getRecords(t, svc, out.NextShardIterator, 0)
	if got := recordData(out.Records); !slices.Equal(got, []string{"r1", "r2"}) || out.MillisBehindLatest != 0 {
		t.Fatalf("second page %q, MillisBehindLatest %d; want [r1 r2], 0", got, out.MillisBehindLatest)
	}
}

func TestRetention(t *testing.T) {
	svc, clock := newService(t)
	createStream(t, svc, "s", 1)
	old := put(t, svc, "s", "k", "old0").SequenceNumber.String()
	put(t, svc, "s", "k", "old1")
	clock.Advance(23 * time.Hour)
	if got := streamData(t, svc, "s"); !slices.Equal(got, []string{"old0", "old1"}) {
		t.Fatalf("after 23 h the stream holds %q", got)
	}
	put(t, svc, "s", "k", "mid")
	clock.Advance(2 * time.Hour) // old0 and old1 are now 25 h old
	put(t, svc, "s", "k", "new")
	if got := streamData(t, svc, "s"); !slices.Equal(got, []string{"mid", "new"}) {
		t.Fatalf("TRIM_HORIZON after 25 h read %q, want [mid new]", got)
	}
	if n := replayCount(t, svc, "s"); n != 2 {
		t.Fatalf("Replay after 25 h yields %d records, want 2", n)
	}
	it := iterator(t, svc, kds.GetShardIteratorInput{StreamName: "s", ShardId: "0",
		ShardIteratorType: kds.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: old})
	if got := readAll(t, svc, it); !slices.Equal(got, []string{"mid", "new"}) {
		t.Fatalf("AT_SEQUENCE_NUMBER of an expired record read %q", got)
	}
	it = iterator(t, svc, kds.GetShardIteratorInput{StreamName: "s", ShardId: "0",
		ShardIteratorType: kds.ShardIteratorTypeAtTimestamp, Timestamp: testStart})
	if got := readAll(t, svc, it); !slices.Equal(got, []string{"mid", "new"}) {
		t.Fatalf("AT_TIMESTAMP before the trim horizon read %q", got)
	}
}

func TestGetRecordsResponseCap(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "s", 1)
	for i := range 12 {
		// key "kNN" plus data is exactly 1 MiB
		if _, err := svc.PutRecord(ctx, kds.PutRecordInput{StreamName: "s", PartitionKey: fmt.Sprintf("k%02d", i), Data: make([]byte, mib-3)}); err != nil {
			t.Fatal(err)
		}
	}
	it := trimHorizon(t, svc, "s", "0")
	var pages []int
	var keys []string
	for {
		out := getRecords(t, svc, it, 0)
		if len(out.Records) == 0 {
			break
		}
		size := 0
		for _, r := range out.Records {
			size += len(r.PartitionKey) + len(r.Data)
			keys = append(keys, r.PartitionKey)
		}
		if size > 10*mib {
			t.Fatalf("one GetRecords returned %d bytes, above 10 MiB", size)
		}
		pages = append(pages, len(out.Records))
		it = out.NextShardIterator
	}
	if !slices.Equal(pages, []int{10, 2}) {
		t.Fatalf("pages of %v records, want [10 2]", pages)
	}
	for i, k := range keys {
		if k != fmt.Sprintf("k%02d", i) {
			t.Fatalf("record %d has key %q: lost or duplicated records %q", i, k, keys)
		}
	}
}

func TestIteratorOfLongStreamName(t *testing.T) {
	svc, _ := newService(t)
	name := strings.Repeat("n", 128)
	createStream(t, svc, name, 1)
	put(t, svc, name, "k", "r0")
	it := trimHorizon(t, svc, name, "0")
	if len(it) > 512 {
		t.Fatalf("iterator of %d characters, above GetRecords' 512", len(it))
	}
	out := getRecords(t, svc, it, 0)
	if got := recordData(out.Records); !slices.Equal(got, []string{"r0"}) || len(out.NextShardIterator) > 512 {
		t.Fatalf("read %q, next iterator of %d characters", got, len(out.NextShardIterator))
	}
}
