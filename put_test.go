package kds_test

import (
	"crypto/md5"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kdsgo/kds"
)

// Hash keys at the edges of the four shards of a 4-shard stream.
const (
	fourShardBoundary1 = "85070591730234615865843651857942052864"
	fourShardBoundary2 = "170141183460469231731687303715884105728"
	fourShardBoundary3 = "255211775190703847597530955573826158592"
)

func TestPutRecordsValidation(t *testing.T) {
	long := strings.Repeat("k", 257)
	entry := func(key, hk string) kds.PutRecordsRequestEntry {
		return kds.PutRecordsRequestEntry{PartitionKey: key, ExplicitHashKey: hk, Data: []byte("d")}
	}
	ok := entry("k", "")
	tests := []struct {
		name    string
		records []kds.PutRecordsRequestEntry
		want    []string
	}{
		{"records nil", nil, []string{violation("null", "records", notNull)}},
		{"records empty", []kds.PutRecordsRequestEntry{}, []string{violation("'[]'", "records", lengthAtLeast(1))}},
		{"empty key", []kds.PutRecordsRequestEntry{entry("", "")},
			[]string{violation("''", "records.1.member.partitionKey", lengthAtLeast(1))}},
		{"key of 257", []kds.PutRecordsRequestEntry{ok, entry(long, "")},
			[]string{violation("'"+long+"'", "records.2.member.partitionKey", lengthAtMost(256))}},
		{"hash key abc", []kds.PutRecordsRequestEntry{entry("k", "abc")},
			[]string{violation("'abc'", "records.1.member.explicitHashKey", hkPattern)}},
		{"hash key 01", []kds.PutRecordsRequestEntry{ok, ok, entry("k", "01")},
			[]string{violation("'01'", "records.3.member.explicitHashKey", hkPattern)}},
		{"hash key -1", []kds.PutRecordsRequestEntry{entry("k", "-1")},
			[]string{violation("'-1'", "records.1.member.explicitHashKey", hkPattern)}},
		{"hash key of 40 digits", []kds.PutRecordsRequestEntry{entry("k", "1"+strings.Repeat("0", 39))},
			[]string{violation("'1"+strings.Repeat("0", 39)+"'", "records.1.member.explicitHashKey", hkPattern)}},
		{"two bad records", []kds.PutRecordsRequestEntry{entry("", "x"), ok},
			[]string{violation("''", "records.1.member.partitionKey", lengthAtLeast(1)),
				violation("'x'", "records.1.member.explicitHashKey", hkPattern)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, _ := newService(t)
			createStream(t, svc, "s", 2)
			_, err := svc.PutRecords(ctx, kds.PutRecordsInput{StreamName: "s", Records: tt.records})
			wantViolations(t, err, tt.want...)
			wantEmpty(t, svc, "s")
		})
	}
	t.Run("501 records", func(t *testing.T) {
		svc, _ := newService(t)
		createStream(t, svc, "s", 1)
		_, err := svc.PutRecords(ctx, kds.PutRecordsInput{StreamName: "s", Records: make([]kds.PutRecordsRequestEntry, 501)})
		wantErr(t, err, kds.ErrValidation, "")
		msg := err.(*kds.Error).Message
		if !strings.Contains(msg, "at 'records' failed to satisfy constraint: "+lengthAtMost(500)) {
			t.Fatalf("message %q lacks the records length violation", msg)
		}
		// 501 empty keys add per-record violations up to the cap of ten.
		if !strings.HasPrefix(msg, "10 validation errors detected: ") {
			t.Fatalf("message %q does not report ten violations", msg)
		}
		wantEmpty(t, svc, "s")
	})
}

func TestPutRecordValidation(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "s", 1)
	big := 10*mib + 1
	tests := []struct {
		name string
		in   kds.PutRecordInput
		want []string
	}{
		{"empty key", kds.PutRecordInput{Data: []byte("d")},
			[]string{violation("''", "partitionKey", lengthAtLeast(1))}},
		{"bad hash key", kds.PutRecordInput{PartitionKey: "k", ExplicitHashKey: "007"},
			[]string{violation("'007'", "explicitHashKey", hkPattern)}},
		{"data over 10 MiB", kds.PutRecordInput{PartitionKey: "k", Data: make([]byte, big)},
			[]string{violation(fmt.Sprintf("'java.nio.HeapByteBuffer[pos=0 lim=%d cap=%d]'", big, big), "data", lengthAtMost(10*mib))}},
		{"bad ordering number", kds.PutRecordInput{PartitionKey: "k", SequenceNumberForOrdering: "12a"},
			[]string{violation("'12a'", "sequenceNumberForOrdering", seqPattern)}},
		{"everything", kds.PutRecordInput{SequenceNumberForOrdering: "0123", ExplicitHashKey: "x"},
			[]string{violation("'0123'", "sequenceNumberForOrdering", seqPattern),
				violation("''", "partitionKey", lengthAtLeast(1)),
				violation("'x'", "explicitHashKey", hkPattern)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.StreamName = "s"
			_, err := svc.PutRecord(ctx, tt.in)
			wantViolations(t, err, tt.want...)
		})
	}
	wantEmpty(t, svc, "s")
}

// TestPartitionKeyLength checks that key length counts UTF-16 code units.
func TestPartitionKeyLength(t *testing.T) {
	tests := []struct {
		name string
		key  string
		ok   bool
	}{
		{"256 ASCII", strings.Repeat("a", 256), true},
		{"257 ASCII", strings.Repeat("a", 257), false},
		{"256 two-byte runes", strings.Repeat("é", 256), true},
		{"257 two-byte runes", strings.Repeat("é", 257), false},
		{"256 three-byte runes", strings.Repeat("€", 256), true},
		{"128 surrogate pairs", strings.Repeat("😀", 128), true},
		{"129 surrogate pairs", strings.Repeat("😀", 129), false},
		{"255 ASCII and a surrogate pair", strings.Repeat("a", 255) + "😀", false},
	}
	svc, _ := newService(t)
	createStream(t, svc, "s", 1)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.PutRecord(ctx, kds.PutRecordInput{StreamName: "s", PartitionKey: tt.key, Data: []byte("d")})
			_, errs := svc.PutRecords(ctx, kds.PutRecordsInput{StreamName: "s", Records: []kds.PutRecordsRequestEntry{{PartitionKey: tt.key}}})
			if tt.ok {
				if err != nil || errs != nil {
					t.Fatalf("PutRecord: %v; PutRecords: %v", err, errs)
				}
				return
			}
			wantErr(t, err, kds.ErrValidation, oneViolation("'"+tt.key+"'", "partitionKey", lengthAtMost(256)))
			wantErr(t, errs, kds.ErrValidation, oneViolation("'"+tt.key+"'", "records.1.member.partitionKey", lengthAtMost(256)))
		})
	}
}

// TestPutRecordsWholeRequestFailures checks failures that reject the whole
// call and must store none of its records.
func TestPutRecordsWholeRequestFailures(t *testing.T) {
	rec := func(key string, dataLen int, hk string) kds.PutRecordsRequestEntry {
		return kds.PutRecordsRequestEntry{PartitionKey: key, Data: make([]byte, dataLen), ExplicitHashKey: hk}
	}
	oneMiB := rec("k", mib-1, "") // key plus data is exactly 1 MiB
	tests := []struct {
		name    string
		records []kds.PutRecordsRequestEntry
		msg     string
	}{
		{"hash key 2^128", []kds.PutRecordsRequestEntry{rec("a", 1, ""), rec("b", 1, twoTo128)},
			"Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was " + twoTo128},
		{"hash key of 39 nines", []kds.PutRecordsRequestEntry{rec("a", 1, "0"), rec("b", 1, strings.Repeat("9", 39))},
			"Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was " + strings.Repeat("9", 39)},
		{"over 10 MiB in total", slices.Repeat([]kds.PutRecordsRequestEntry{oneMiB}, 11), "Records size exceeds 10 MB limit"},
		{"10 MiB and one byte", append(slices.Repeat([]kds.PutRecordsRequestEntry{oneMiB}, 10), rec("x", 0, "")),
			"Records size exceeds 10 MB limit"},
		{"key plus data over 1 MiB", []kds.PutRecordsRequestEntry{rec("a", 1, ""), rec("kk", mib-1, "")}, ""},
		{"multibyte key plus data over 1 MiB", []kds.PutRecordsRequestEntry{rec("é", mib-1, "")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, _ := newService(t)
			createStream(t, svc, "s", 2)
			out, err := svc.PutRecords(ctx, kds.PutRecordsInput{StreamName: "s", Records: tt.records})
			wantErr(t, err, kds.ErrInvalidArgument, tt.msg)
			if out.Records != nil {
				t.Fatalf("a failed call returned results %+v", out.Records)
			}
			wantEmpty(t, svc, "s")
		})
	}
	t.Run("limits themselves are accepted", func(t *testing.T) {
		svc, _ := newService(t)
		createStream(t, svc, "s", 2)
		out, err := svc.PutRecords(ctx, kds.PutRecordsInput{StreamName: "s", Records: slices.Repeat([]kds.PutRecordsRequestEntry{oneMiB}, 10)})
		if err != nil || out.FailedRecordCount != 0 || len(out.Records) != 10 {
			t.Fatalf("ten records of exactly 1 MiB: %+v, %v", out.FailedRecordCount, err)
		}
		if n := replayCount(t, svc, "s"); n != 10 {
			t.Fatalf("stream holds %d records, want 10", n)
		}
	})
	t.Run("PutRecord", func(t *testing.T) {
		svc, _ := newService(t)
		createStream(t, svc, "s", 1)
		_, err := svc.PutRecord(ctx, kds.PutRecordInput{StreamName: "s", PartitionKey: "k", ExplicitHashKey: twoTo128})
		wantErr(t, err, kds.ErrInvalidArgument, "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was "+twoTo128)
		_, err = svc.PutRecord(ctx, kds.PutRecordInput{StreamName: "s", PartitionKey: "kk", Data: make([]byte, mib-1)})
		wantErr(t, err, kds.ErrInvalidArgument, "")
		wantEmpty(t, svc, "s")
		if _, err := svc.PutRecord(ctx, kds.PutRecordInput{StreamName: "s", PartitionKey: "k", Data: make([]byte, mib-1)}); err != nil {
			t.Fatalf("record of exactly 1 MiB: %v", err)
		}
	})
	t.Run("missing stream", func(t *testing.T) {
		svc, _ := newService(t)
		_, err := svc.PutRecords(ctx, kds.PutRecordsInput{StreamName: "nope", Records: []kds.PutRecordsRequestEntry{rec("a", 1, "")}})
		wantErr(t, err, kds.ErrResourceNotFound, notFound("nope"))
	})
}

func TestPutRecordsResults(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "s", 2)
	in := []kds.PutRecordsRequestEntry{
		{PartitionKey: "a", ExplicitHashKey: "0", Data: []byte("r0")},
		{PartitionKey: "b", ExplicitHashKey: maxHashKey, Data: []byte("r1")},
		{PartitionKey: "c", ExplicitHashKey: "1", Data: []byte("r2")},
	}
	out, err := svc.PutRecords(ctx, kds.PutRecordsInput{StreamName: "s", Records: in})
	if err != nil {
		t.Fatal(err)
	}
	if out.FailedRecordCount != 0 || len(out.Records) != 3 || out.EncryptionType != kds.EncryptionNone {
		t.Fatalf("PutRecords = %+v", out)
	}
	wantShards := []string{"shardId-000000000000", "shardId-000000000001", "shardId-000000000000"}
	for i, r := range out.Records {
		if r.ShardId != wantShards[i] || r.SequenceNumber.IsZero() || r.ErrorCode != "" || r.ErrorMessage != "" {
			t.Errorf("result %d = %+v, want shard %s and a sequence number", i, r, wantShards[i])
		}
		if len(r.SequenceNumber.String()) != 56 {
			t.Errorf("result %d: sequence number %q is not 56 digits", i, r.SequenceNumber)
		}
		// Each result points at its own record.
		it := iterator(t, svc, kds.GetShardIteratorInput{StreamName: "s", ShardId: r.ShardId,
			ShardIteratorType: kds.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: r.SequenceNumber.String()})
		got := getRecords(t, svc, it, 1).Records
		if len(got) != 1 || string(got[0].Data) != string(in[i].Data) || got[0].PartitionKey != in[i].PartitionKey || got[0].SequenceNumber != r.SequenceNumber {
			t.Errorf("record at result %d's sequence number = %+v", i, got)
		}
	}
}

func TestExplicitHashKeyRouting(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "s", 4)
	minus1 := func(s string) string {
		v, _ := new(big.Int).SetString(s, 10)
		return v.Sub(v, big.NewInt(1)).String()
	}
	tests := []struct {
		hashKey string
		shard   string
	}{
		{"0", "shardId-000000000000"},
		{"1", "shardId-000000000000"},
		{minus1(fourShardBoundary1), "shardId-000000000000"},
		{fourShardBoundary1, "shardId-000000000001"},
		{minus1(fourShardBoundary2), "shardId-000000000001"},
		{fourShardBoundary2, "shardId-000000000002"},
		{minus1(fourShardBoundary3), "shardId-000000000002"},
		{fourShardBoundary3, "shardId-000000000003"},
		{maxHashKey, "shardId-000000000003"},
	}
	for _, tt := range tests {
		t.Run(tt.hashKey, func(t *testing.T) {
			if got := putHK(t, svc, "s", tt.hashKey, tt.hashKey).ShardId; got != tt.shard {
				t.Fatalf("PutRecord routed to %s, want %s", got, tt.shard)
			}
			out, err := svc.PutRecords(ctx, kds.PutRecordsInput{StreamName: "s", Records: []kds.PutRecordsRequestEntry{
				{PartitionKey: "k", ExplicitHashKey: tt.hashKey}}})
			if err != nil || out.Records[0].ShardId != tt.shard {
				t.Fatalf("PutRecords routed to %+v (%v), want %s", out.Records, err, tt.shard)
			}
		})
	}
}

func TestPutRecordsOrderWithinShard(t *testing.T) {
	svc, clock := newService(t)
	createStream(t, svc, "s", 2)
	var in []kds.PutRecordsRequestEntry
	for i := range 40 {
		hk := "0"
		if i%3 == 0 {
			hk = maxHashKey
		}
		in = append(in, kds.PutRecordsRequestEntry{PartitionKey: "k", ExplicitHashKey: hk, Data: fmt.Appendf(nil, "%02d", i)})
	}
	// Two calls, a second apart, to span an arrival-time change too.
	var results []kds.PutRecordsResultEntry
	for _, half := range [][]kds.PutRecordsRequestEntry{in[:20], in[20:]} {
		out, err := svc.PutRecords(ctx, kds.PutRecordsInput{StreamName: "s", Records: half})
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, out.Records...)
		clock.Advance(time.Second)
	}
	want := map[string][]string{}
	last := map[string]kds.SequenceNumber{}
	for i, r := range results {
		if prev, ok := last[r.ShardId]; ok && prev.Compare(r.SequenceNumber) >= 0 {
			t.Fatalf("record %d on %s: sequence number %s not above the previous %s", i, r.ShardId, r.SequenceNumber, prev)
		}
		last[r.ShardId] = r.SequenceNumber
		want[r.ShardId] = append(want[r.ShardId], string(in[i].Data))
	}
	for shard, data := range want {
		if got := readAll(t, svc, trimHorizon(t, svc, "s", shard)); !slices.Equal(got, data) {
			t.Fatalf("%s holds %q, want %q", shard, got, data)
		}
	}
}

func TestSequenceNumberForOrdering(t *testing.T) {
	svc, clock := newService(t)
	createStream(t, svc, "s", 1)
	first := put(t, svc, "s", "k", "first")
	invalid := func(v string) string {
		return "ExclusiveMinimumSequenceNumber " + v + " used in PutRecord on stream s under account 000000000000 is invalid."
	}
	tests := []struct {
		name, seq string
		code      *kds.Error
		msg       string
	}{
		{"letters", "abc", kds.ErrValidation, oneViolation("'abc'", "sequenceNumberForOrdering", seqPattern)},
		{"leading zero", "0" + first.SequenceNumber.String(), kds.ErrValidation, ""},
		{"130 digits", "1" + strings.Repeat("0", 129), kds.ErrValidation, ""},
		{"short number", "123", kds.ErrInvalidArgument, invalid("123")},
		{"56 digits of no version", "1" + strings.Repeat("0", 55), kds.ErrInvalidArgument, invalid("1" + strings.Repeat("0", 55))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.PutRecord(ctx, kds.PutRecordInput{StreamName: "s", PartitionKey: "k", Data: []byte("x"), SequenceNumberForOrdering: tt.seq})
			wantErr(t, err, tt.code, tt.msg)
		})
	}
	clock.Advance(time.Second)
	next, err := svc.PutRecord(ctx, kds.PutRecordInput{StreamName: "s", PartitionKey: "k", Data: []byte("second"), SequenceNumberForOrdering: first.SequenceNumber.String()})
	if err != nil {
		t.Fatalf("valid SequenceNumberForOrdering: %v", err)
	}
	if next.SequenceNumber.Compare(first.SequenceNumber) <= 0 {
		t.Fatalf("ordered record got %s, not above %s", next.SequenceNumber, first.SequenceNumber)
	}
	if got := streamData(t, svc, "s"); !slices.Equal(got, []string{"first", "second"}) {
		t.Fatalf("stream holds %q", got)
	}
}

// TestSequenceNumberForOrderingFromTheFuture: kinesalite (whose texts are
// AWS's) rejects a SequenceNumberForOrdering whose arrival time lies after
// the present.
func TestSequenceNumberForOrderingFromTheFuture(t *testing.T) {
	later, _ := newServiceAt(t, testStart.Add(time.Hour))
	createStream(t, later, "s", 1)
	future := put(t, later, "s", "k", "later").SequenceNumber.String()

	svc, _ := newService(t)
	createStream(t, svc, "s", 1)
	_, err := svc.PutRecord(ctx, kds.PutRecordInput{StreamName: "s", PartitionKey: "k", SequenceNumberForOrdering: future})
	wantErr(t, err, kds.ErrInvalidArgument,
		"ExclusiveMinimumSequenceNumber "+future+" used in PutRecord on stream s under account 000000000000 is invalid.")
}

func TestPartitionKeyHashRouting(t *testing.T) {
	svc, _ := newService(t)
	createStream(t, svc, "s", 4)
	ranges := shards(t, svc, "s")
	keys := []string{"a", "b", "truck_1", "truck_2", "partition-key-42", "é", strings.Repeat("z", 256)}
	for _, key := range keys {
		t.Run(key[:min(len(key), 16)], func(t *testing.T) {
			sum := md5.Sum([]byte(key))
			want := new(big.Int).SetBytes(sum[:]) // big-endian
			if got := kds.PartitionKeyHash(key).String(); got != want.String() {
				t.Fatalf("PartitionKeyHash = %s, want %s", got, want)
			}
			wantShard := ""
			for _, sh := range ranges {
				lo, _ := new(big.Int).SetString(sh.HashKeyRange.StartingHashKey.String(), 10)
				hi, _ := new(big.Int).SetString(sh.HashKeyRange.EndingHashKey.String(), 10)
				if want.Cmp(lo) >= 0 && want.Cmp(hi) <= 0 {
					wantShard = sh.ShardId
				}
			}
			if got := put(t, svc, "s", key, "d").ShardId; got != wantShard {
				t.Fatalf("key %q went to %s, want %s", key, got, wantShard)
			}
		})
	}
	if got := kds.PartitionKeyHash("a").String(); got != "16955237001963240173058271559858726497" {
		t.Fatalf(`PartitionKeyHash("a") = %s`, got)
	}
}

func TestRecordFields(t *testing.T) {
	svc, clock := newServiceAt(t, testStart.Add(1234567*time.Nanosecond))
	createStream(t, svc, "s", 1)
	seq := put(t, svc, "s", "key-1", "payload").SequenceNumber
	clock.Advance(time.Second)
	recs := getRecords(t, svc, trimHorizon(t, svc, "s", "0"), 0).Records
	want := kds.Record{SequenceNumber: seq, ApproximateArrivalTimestamp: testStart.Add(time.Millisecond),
		Data: []byte("payload"), PartitionKey: "key-1", EncryptionType: kds.EncryptionNone}
	if len(recs) != 1 {
		t.Fatalf("read %d records", len(recs))
	}
	r := recs[0]
	if r.SequenceNumber != want.SequenceNumber || !r.ApproximateArrivalTimestamp.Equal(want.ApproximateArrivalTimestamp) ||
		string(r.Data) != string(want.Data) || r.PartitionKey != want.PartitionKey || r.EncryptionType != want.EncryptionType {
		t.Fatalf("record = %+v\nwant %+v", r, want)
	}
}
