package kds

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The tests build protobufs byte by byte from the wire format, so that they
// do not depend on the encoder under test.

// aggCat concatenates byte strings.
func aggCat(parts ...[]byte) []byte { return slices.Concat(parts...) }

// aggSeal wraps a protobuf in the magic prefix and its MD5 digest.
func aggSeal(pb []byte) []byte {
	sum := md5.Sum(pb)
	return aggCat([]byte(aggMagic), pb, sum[:])
}

// aggRec returns a records field (3, length-delimited) holding body.
func aggRec(body ...byte) []byte {
	return append([]byte{0x1a, byte(len(body))}, body...)
}

// aggKey returns the varint encoding of a field key.
func aggKey(num, wireType uint64) []byte {
	return binary.AppendUvarint(nil, num<<3|wireType)
}

// aggEqual reports whether two user record lists hold the same records,
// treating nil and empty Data alike.
func aggEqual(a, b []UserRecord) bool {
	return slices.EqualFunc(a, b, func(x, y UserRecord) bool {
		return x.PartitionKey == y.PartitionKey &&
			x.ExplicitHashKey == y.ExplicitHashKey &&
			bytes.Equal(x.Data, y.Data)
	})
}

// aggMustDeaggregate decodes data or fails the test.
func aggMustDeaggregate(t testing.TB, data []byte) []UserRecord {
	t.Helper()
	recs, ok := Deaggregate(data)
	if !ok {
		t.Fatalf("Deaggregate(% x): not an aggregate", data)
	}
	return recs
}

func TestAppendAggregateKnownBytes(t *testing.T) {
	data200 := bytes.Repeat([]byte{0xab}, 200)
	tests := []struct {
		name string
		recs []UserRecord
		pb   []byte // the expected protobuf between magic and digest
	}{
		{
			name: "two records",
			recs: []UserRecord{
				{PartitionKey: "a", Data: []byte("x")},
				{PartitionKey: "b", Data: []byte("yz")},
			},
			pb: []byte{
				0x0a, 0x01, 'a', // partition_key_table "a"
				0x0a, 0x01, 'b', // partition_key_table "b"
				0x1a, 0x05, // record, 5 bytes
				0x08, 0x00, // partition_key_index 0
				0x1a, 0x01, 'x', // data "x"
				0x1a, 0x06, // record, 6 bytes
				0x08, 0x01, // partition_key_index 1
				0x1a, 0x02, 'y', 'z', // data "yz"
			},
		},
		{
			name: "shared keys and explicit hash keys",
			recs: []UserRecord{
				{PartitionKey: "a", Data: []byte("x")},
				{PartitionKey: "b", ExplicitHashKey: "5", Data: []byte("yz")},
				{PartitionKey: "a", ExplicitHashKey: "5", Data: nil},
			},
			pb: []byte{
				0x0a, 0x01, 'a',
				0x0a, 0x01, 'b',
				0x12, 0x01, '5', // explicit_hash_key_table "5"
				0x1a, 0x05, 0x08, 0x00, 0x1a, 0x01, 'x',
				0x1a, 0x08, 0x08, 0x01, 0x10, 0x00, 0x1a, 0x02, 'y', 'z',
				0x1a, 0x06, 0x08, 0x00, 0x10, 0x00, 0x1a, 0x00, // empty data is still written
			},
		},
		{
			name: "two-byte lengths",
			recs: []UserRecord{{PartitionKey: "k", Data: data200}},
			pb: aggCat(
				[]byte{0x0a, 0x01, 'k'},
				[]byte{0x1a, 0xcd, 0x01}, // record, 205 bytes
				[]byte{0x08, 0x00},
				[]byte{0x1a, 0xc8, 0x01}, // data, 200 bytes
				data200,
			),
		},
		{
			name: "no records",
			recs: nil,
			pb:   nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := aggSeal(tt.pb)
			got := AppendAggregate(nil, tt.recs)
			if !bytes.Equal(got, want) {
				t.Fatalf("AppendAggregate:\n got % x\nwant % x", got, want)
			}
			if n := AggregateSize(tt.recs); n != len(want) {
				t.Errorf("AggregateSize = %d, want %d", n, len(want))
			}
			prefix := []byte("prefix")
			got = AppendAggregate(prefix[:len(prefix):len(prefix)], tt.recs)
			if !bytes.Equal(got, aggCat(prefix, want)) {
				t.Errorf("AppendAggregate after a prefix:\n got % x\nwant % x", got, aggCat(prefix, want))
			}
			if len(tt.recs) == 0 {
				return
			}
			if dec := aggMustDeaggregate(t, want); !aggEqual(dec, tt.recs) {
				t.Errorf("Deaggregate = %q, want %q", dec, tt.recs)
			}
		})
	}
}

func TestDeaggregateRejects(t *testing.T) {
	valid := aggSeal([]byte{0x0a, 0x01, 'a', 0x1a, 0x05, 0x08, 0x00, 0x1a, 0x01, 'x'})
	aggMustDeaggregate(t, valid)
	flip := func(b []byte, i int) []byte {
		b = slices.Clone(b)
		b[(i+len(b))%len(b)] ^= 0x01
		return b
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"nil", nil},
		{"empty", []byte{}},
		{"part of the magic", []byte(aggMagic[:3])},
		{"magic only", []byte(aggMagic)},
		{"magic and 15 bytes", aggCat([]byte(aggMagic), make([]byte, 15))},
		{"empty protobuf", aggSeal(nil)},
		{"wrong magic", flip(valid, 0)},
		{"last magic byte wrong", flip(valid, 3)},
		{"digest wrong", flip(valid, -1)},
		{"protobuf byte changed", flip(valid, 6)},
		{"extra byte after digest", aggCat(valid, []byte{0})},
		{"digest cut short", valid[:len(valid)-1]},
		{"digest missing", valid[:len(valid)-md5.Size]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if recs, ok := Deaggregate(tt.data); ok || recs != nil {
				t.Fatalf("Deaggregate(% x) = %q, %v; want nil, false", tt.data, recs, ok)
			}
		})
	}
}

func TestDeaggregateMalformedProtobuf(t *testing.T) {
	pkA := []byte{0x0a, 0x01, 'a'}
	tests := []struct {
		name string
		pb   []byte
		want error
	}{
		{"key varint truncated", []byte{0x80}, errAggTruncated},
		{"key varint past 64 bits", bytes.Repeat([]byte{0xff}, 11), errAggVarint},
		{"field number 0", []byte{0x02, 0x00}, errAggFieldNumber},
		{"field number 0 varint", []byte{0x00, 0x00}, errAggFieldNumber},
		{"field number 2^29", aggCat(aggKey(1<<29, wireVarint), []byte{0}), errAggFieldNumber},
		{"field number past 32 bits", aggCat(aggKey(1<<40, wireVarint), []byte{0}), errAggFieldNumber},
		{"group start", []byte{0x4b, 0x4c}, errAggWireType},
		{"group end", []byte{0x4c}, errAggWireType},
		{"wire type 6", []byte{0x4e, 0x00}, errAggWireType},
		{"wire type 7", []byte{0x4f, 0x00}, errAggWireType},
		{"varint value truncated", []byte{0x48, 0x80}, errAggTruncated},
		{"varint value past 64 bits", aggCat([]byte{0x48}, bytes.Repeat([]byte{0x80}, 10), []byte{0x01}), errAggVarint},
		{"varint value missing", []byte{0x48}, errAggTruncated},
		{"fixed64 truncated", []byte{0x49, 1, 2, 3, 4, 5, 6, 7}, errAggTruncated},
		{"fixed32 truncated", []byte{0x4d, 1, 2, 3}, errAggTruncated},
		{"length past the end", []byte{0x0a, 0x05, 'a'}, errAggTruncated},
		{"length varint truncated", []byte{0x0a, 0x80}, errAggTruncated},
		{"length missing", []byte{0x0a}, errAggTruncated},
		{"length 2^64-1", aggCat([]byte{0x0a}, binary.AppendUvarint(nil, ^uint64(0)), []byte("abc")), errAggTruncated},
		{"valid table then truncated field", aggCat(pkA, []byte{0x12, 0x02, '5'}), errAggTruncated},
		{"record length past its body", aggCat(pkA, aggRec(0x08, 0x00, 0x1a, 0x05, 'x')), errAggTruncated},
		{"record varint truncated", aggCat(pkA, aggRec(0x1a, 0x00, 0x08, 0x80)), errAggTruncated},
		{"record group", aggCat(pkA, aggRec(0x08, 0x00, 0x1a, 0x00, 0x0b, 0x0c)), errAggWireType},
		{"record field number 0", aggCat(pkA, aggRec(0x08, 0x00, 0x1a, 0x00, 0x00, 0x00)), errAggFieldNumber},
		{"record fixed64 truncated", aggCat(pkA, aggRec(0x08, 0x00, 0x1a, 0x00, 0x49, 0x00)), errAggTruncated},
		{"partition key index past table", aggCat(pkA, aggRec(0x08, 0x01, 0x1a, 0x00)), errAggKeyIndex},
		{"partition key index without table", aggRec(0x08, 0x00, 0x1a, 0x00), errAggKeyIndex},
		{"partition key index 2^32", aggCat(pkA, aggRec(0x08, 0x80, 0x80, 0x80, 0x80, 0x10, 0x1a, 0x00)), errAggKeyIndex},
		{"partition key index 2^64-1", aggCat(pkA, aggRec(aggCat([]byte{0x08}, binary.AppendUvarint(nil, ^uint64(0)), []byte{0x1a, 0x00})...)), errAggKeyIndex},
		{"explicit hash key index past table", aggCat(pkA, []byte{0x12, 0x01, '5'}, aggRec(0x08, 0x00, 0x10, 0x01, 0x1a, 0x00)), errAggKeyIndex},
		{"explicit hash key index without table", aggCat(pkA, aggRec(0x08, 0x00, 0x10, 0x00, 0x1a, 0x00)), errAggKeyIndex},
		{"empty record", aggCat(pkA, aggRec()), errAggMissingField},
		{"partition key index missing", aggCat(pkA, aggRec(0x1a, 0x01, 'x')), errAggMissingField},
		{"data missing", aggCat(pkA, aggRec(0x08, 0x00)), errAggMissingField},
		{"data missing with explicit hash key", aggCat(pkA, []byte{0x12, 0x01, '5'}, aggRec(0x08, 0x00, 0x10, 0x00)), errAggMissingField},
		{"data as fixed32", aggCat(pkA, aggRec(0x08, 0x00, 0x1d, 'x', 'y', 'z', 'w')), errAggMissingField},
		{"partition key index as bytes", aggCat(pkA, aggRec(0x0a, 0x00, 0x1a, 0x00)), errAggMissingField},
		{"tag without key", aggCat(pkA, aggRec(0x08, 0x00, 0x1a, 0x00, 0x22, 0x03, 0x12, 0x01, 'v')), errAggMissingField},
		{"empty tag", aggCat(pkA, aggRec(0x08, 0x00, 0x1a, 0x00, 0x22, 0x00)), errAggMissingField},
		{"tag truncated", aggCat(pkA, aggRec(0x08, 0x00, 0x1a, 0x00, 0x22, 0x02, 0x0a, 0x05)), errAggTruncated},
		{"tag group", aggCat(pkA, aggRec(0x08, 0x00, 0x1a, 0x00, 0x22, 0x04, 0x0a, 0x00, 0x13, 0x14)), errAggWireType},
		{"second record bad", aggCat(pkA, aggRec(0x08, 0x00, 0x1a, 0x00), aggRec(0x08, 0x01, 0x1a, 0x00)), errAggKeyIndex},
		{"bad record before its table", aggCat(aggRec(0x08, 0x01, 0x1a, 0x00), pkA), errAggKeyIndex},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if recs, err := decodeAggregate(tt.pb); !errors.Is(err, tt.want) || recs != nil {
				t.Errorf("decodeAggregate(% x) = %q, %v; want nil, %v", tt.pb, recs, err, tt.want)
			}
			if recs, ok := Deaggregate(aggSeal(tt.pb)); ok || recs != nil {
				t.Errorf("Deaggregate = %q, %v; want nil, false", recs, ok)
			}
		})
	}
}

func TestDeaggregateSkipsUnknownFields(t *testing.T) {
	pkA := []byte{0x0a, 0x01, 'a'}
	x := []UserRecord{{PartitionKey: "a", Data: []byte("x")}}
	unknown := map[string][]byte{
		"varint":  {0x48, 0x96, 0x01},
		"fixed64": {0x49, 1, 2, 3, 4, 5, 6, 7, 8},
		"bytes":   {0x4a, 0x03, 'a', 'b', 'c'},
		"fixed32": {0x4d, 1, 2, 3, 4},
	}
	type test struct {
		name string
		pb   []byte
		want []UserRecord
	}
	var tests []test
	for _, wt := range []string{"varint", "fixed64", "bytes", "fixed32"} {
		u := unknown[wt]
		tests = append(tests,
			test{"field 9 " + wt + " first", aggCat(u, pkA, aggRec(0x08, 0x00, 0x1a, 0x01, 'x')), x},
			test{"field 9 " + wt + " last", aggCat(pkA, aggRec(0x08, 0x00, 0x1a, 0x01, 'x'), u), x},
			test{"record field 9 " + wt, aggCat(pkA, aggRec(aggCat([]byte{0x08, 0x00}, u, []byte{0x1a, 0x01, 'x'})...)), x},
			test{"tag field 9 " + wt, aggCat(pkA, aggRec(aggCat([]byte{0x08, 0x00, 0x1a, 0x01, 'x', 0x22, byte(3 + len(u)), 0x0a, 0x01, 'k'}, u)...)), x},
		)
	}
	tests = append(tests, []test{
		{"tag with key and value", aggCat(pkA, aggRec(0x08, 0x00, 0x1a, 0x01, 'x', 0x22, 0x06, 0x0a, 0x01, 'k', 0x12, 0x01, 'v')), x},
		{"tag with key only", aggCat(pkA, aggRec(0x22, 0x03, 0x0a, 0x01, 'k', 0x08, 0x00, 0x1a, 0x01, 'x')), x},
		{"tag with empty key", aggCat(pkA, aggRec(0x08, 0x00, 0x22, 0x02, 0x0a, 0x00, 0x1a, 0x01, 'x')), x},
		{"two tags", aggCat(pkA, aggRec(0x08, 0x00, 0x1a, 0x01, 'x', 0x22, 0x03, 0x0a, 0x01, 'k', 0x22, 0x03, 0x0a, 0x01, 'l')), x},
		{"largest field number", aggCat(aggKey(maxFieldNumber, wireBytes), []byte{0x01, 'z'}, pkA, aggRec(0x08, 0x00, 0x1a, 0x01, 'x')), x},
		{"table field as varint", aggCat([]byte{0x08, 0x05, 0x10, 0x05}, pkA, aggRec(0x08, 0x00, 0x1a, 0x01, 'x')), x},
		{"records field as fixed32", aggCat(pkA, []byte{0x1d, 1, 2, 3, 4}, aggRec(0x08, 0x00, 0x1a, 0x01, 'x')), x},
		{"explicit hash key index as bytes", aggCat(pkA, aggRec(0x08, 0x00, 0x12, 0x01, 0x00, 0x1a, 0x01, 'x')), x},
		{"tables after records", aggCat(aggRec(0x08, 0x00, 0x1a, 0x01, 'x'), pkA), x},
		{"fields of a record reversed", aggCat(pkA, aggRec(0x1a, 0x01, 'x', 0x08, 0x00)), x},
		{"non-minimal varints", aggCat(pkA, aggRec(0x08, 0x80, 0x00, 0x1a, 0x81, 0x00, 'x')), x},
		{"last scalar wins", aggCat(pkA, []byte{0x0a, 0x01, 'b'}, aggRec(0x08, 0x01, 0x1a, 0x01, 'y', 0x08, 0x00, 0x1a, 0x01, 'x')), x},
		{
			"interleaved tables",
			aggCat(pkA, []byte{0x12, 0x01, '5'}, aggRec(0x08, 0x01, 0x10, 0x01, 0x1a, 0x00), []byte{0x0a, 0x01, 'b', 0x12, 0x01, '7'}),
			[]UserRecord{{PartitionKey: "b", ExplicitHashKey: "7", Data: []byte{}}},
		},
		{
			"explicit hash key entry empty",
			aggCat(pkA, []byte{0x12, 0x00}, aggRec(0x08, 0x00, 0x10, 0x00, 0x1a, 0x01, 'x')),
			x,
		},
		{"only a table", pkA, []UserRecord{}},
		{"only an unknown field", unknown["fixed32"], []UserRecord{}},
	}...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := aggMustDeaggregate(t, aggSeal(tt.pb))
			if got == nil || !aggEqual(got, tt.want) {
				t.Fatalf("Deaggregate = %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestDeaggregateAliasing(t *testing.T) {
	recs := []UserRecord{
		{PartitionKey: "p", ExplicitHashKey: "42", Data: []byte("first")},
		{PartitionKey: "q", Data: []byte("second")},
	}
	data := AppendAggregate(nil, recs)
	got := aggMustDeaggregate(t, data)
	for i, r := range got {
		if cap(r.Data) != len(r.Data) {
			t.Errorf("record %d: cap(Data) = %d, want %d", i, cap(r.Data), len(r.Data))
		}
	}
	// Data aliases the input; keys do not.
	clear(data)
	for i, r := range got {
		if !bytes.Equal(r.Data, make([]byte, len(recs[i].Data))) {
			t.Errorf("record %d: Data = %q after clearing the input, want zeros", i, r.Data)
		}
		if r.PartitionKey != recs[i].PartitionKey || r.ExplicitHashKey != recs[i].ExplicitHashKey {
			t.Errorf("record %d: keys %q, %q after clearing the input, want %q, %q",
				i, r.PartitionKey, r.ExplicitHashKey, recs[i].PartitionKey, recs[i].ExplicitHashKey)
		}
	}
}

// aggRandomRecords returns n random user records drawing partition keys and
// explicit hash keys from small pools (so they repeat) and, sometimes, from
// large ones (so the key tables outgrow their linear search and indexes
// need two varint bytes).
func aggRandomRecords(rng *rand.Rand, n int) []UserRecord {
	pkPool := []string{"", "a", "b", "pk-1", "ключ", "日本語のキー", "🎉", "\x00\xff", strings.Repeat("k", 256)}
	ehkPool := []string{"0", "5", hkMaxString, NewHashKey(rng.Uint64(), rng.Uint64()).String()}
	wide := rng.IntN(2) == 0
	recs := make([]UserRecord, n)
	for i := range recs {
		r := &recs[i]
		if wide {
			r.PartitionKey = "k" + strconv.Itoa(rng.IntN(400))
		} else {
			r.PartitionKey = pkPool[rng.IntN(len(pkPool))]
		}
		switch rng.IntN(4) {
		case 0: // none
		case 1:
			r.ExplicitHashKey = PartitionKeyHash(r.PartitionKey).String()
		case 2:
			r.ExplicitHashKey = ehkPool[rng.IntN(len(ehkPool))]
		case 3:
			r.ExplicitHashKey = NewHashKey(0, rng.Uint64N(300)).String()
		}
		switch rng.IntN(8) {
		case 0: // nil
		case 1:
			r.Data = []byte{}
		case 2:
			r.Data = make([]byte, 128+rng.IntN(20_000))
		default:
			r.Data = make([]byte, rng.IntN(200))
		}
		for j := range r.Data {
			r.Data[j] = byte(rng.Uint32())
		}
	}
	return recs
}

// aggTables returns the key tables of the protobuf in an aggregate.
func aggTables(t *testing.T, data []byte) (pks, ehks []string) {
	t.Helper()
	for p := data[len(aggMagic) : len(data)-md5.Size]; len(p) > 0; {
		f, rest, err := nextField(p)
		if err != nil {
			t.Fatalf("nextField: %v", err)
		}
		switch f.key {
		case aggPartitionKeyTable:
			pks = append(pks, string(f.payload))
		case aggExplicitHashKeyTable:
			ehks = append(ehks, string(f.payload))
		}
		p = rest
	}
	return pks, ehks
}

// aggFirstUse returns the distinct non-empty (or, with empty, all) values
// of key over recs in first-use order.
func aggFirstUse(recs []UserRecord, key func(UserRecord) string, empty bool) []string {
	var out []string
	for _, r := range recs {
		if k := key(r); (empty || k != "") && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

func TestAggregateRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(0x6b6473, 10))
	for iter := range 1000 {
		n := rng.IntN(40)
		if iter%50 == 0 {
			n = 300 + rng.IntN(300)
		}
		recs := aggRandomRecords(rng, n)
		prefix := make([]byte, rng.IntN(4))
		data := AppendAggregate(prefix, recs)
		if !bytes.Equal(data[:len(prefix)], prefix) {
			t.Fatalf("iteration %d: prefix overwritten", iter)
		}
		data = data[len(prefix):]
		if size := AggregateSize(recs); size != len(data) {
			t.Fatalf("iteration %d (%d records): AggregateSize = %d, encoded %d bytes", iter, n, size, len(data))
		}
		if string(data[:len(aggMagic)]) != aggMagic {
			t.Fatalf("iteration %d: magic % x", iter, data[:len(aggMagic)])
		}
		pks, ehks := aggTables(t, data)
		wantPKs := aggFirstUse(recs, func(r UserRecord) string { return r.PartitionKey }, true)
		wantEHKs := aggFirstUse(recs, func(r UserRecord) string { return r.ExplicitHashKey }, false)
		if !slices.Equal(pks, wantPKs) || !slices.Equal(ehks, wantEHKs) {
			t.Fatalf("iteration %d: tables %q, %q; want %q, %q", iter, pks, ehks, wantPKs, wantEHKs)
		}
		got, ok := Deaggregate(data)
		if n == 0 {
			if ok || got != nil {
				t.Fatalf("iteration %d: Deaggregate of no records = %q, %v; want nil, false", iter, got, ok)
			}
			continue
		}
		if !ok {
			t.Fatalf("iteration %d (%d records): Deaggregate failed", iter, n)
		}
		if !aggEqual(got, recs) {
			t.Fatalf("iteration %d (%d records): round trip changed the records", iter, n)
		}
	}
}

// aggCheckDecode asserts the invariants of Deaggregate on data: refusal
// means nil records; acceptance means the records re-encode to an
// aggregate of the computed size that decodes to the same records and is
// a fixed point of decoding and encoding.
func aggCheckDecode(t *testing.T, data []byte) {
	t.Helper()
	orig := slices.Clone(data)
	recs, ok := Deaggregate(data)
	if !bytes.Equal(data, orig) {
		t.Fatalf("Deaggregate modified its input")
	}
	if !ok {
		if recs != nil {
			t.Fatalf("Deaggregate = %q, false; want nil records", recs)
		}
		return
	}
	if recs == nil {
		t.Fatalf("Deaggregate = nil, true; want non-nil records")
	}
	enc := AppendAggregate(nil, recs)
	if size := AggregateSize(recs); size != len(enc) {
		t.Fatalf("AggregateSize = %d, encoded %d bytes", size, len(enc))
	}
	again, ok := Deaggregate(enc)
	if len(recs) == 0 {
		if ok || len(enc) != aggOverhead {
			t.Fatalf("re-encoded empty aggregate: %d bytes, accepted %v; want %d bytes, refused", len(enc), ok, aggOverhead)
		}
		return
	}
	if !ok {
		t.Fatalf("re-encoded aggregate refused: % x", enc)
	}
	if !aggEqual(again, recs) {
		t.Fatalf("re-encoding changed the records:\n got %q\nwant %q", again, recs)
	}
	if enc2 := AppendAggregate(nil, again); !bytes.Equal(enc2, enc) {
		t.Fatalf("encoding is not a fixed point:\n% x\n% x", enc, enc2)
	}
}

// aggFuzzSeeds returns the seed corpus of FuzzDeaggregate.
func aggFuzzSeeds() [][]byte {
	valid := [][]byte{
		AppendAggregate(nil, []UserRecord{{PartitionKey: "a", Data: []byte("x")}, {PartitionKey: "b", Data: []byte("yz")}}),
		AppendAggregate(nil, []UserRecord{{PartitionKey: "a", ExplicitHashKey: "5", Data: nil}, {PartitionKey: "a", ExplicitHashKey: hkMaxString, Data: []byte("z")}}),
		AppendAggregate(nil, []UserRecord{
			{PartitionKey: "日本語", ExplicitHashKey: "0", Data: bytes.Repeat([]byte{0xab}, 200)},
			{PartitionKey: "", Data: []byte{}},
			{PartitionKey: "日本語", Data: []byte("again")},
		}),
		aggSeal([]byte{0x0a, 0x01, 'a', 0x4d, 1, 2, 3, 4, 0x1a, 0x0b, 0x08, 0x00, 0x1a, 0x01, 'x', 0x22, 0x04, 0x0a, 0x00, 0x12, 0x00}),
		aggSeal([]byte{0x0a, 0x01, 'a'}),
	}
	seeds := [][]byte{nil, []byte(aggMagic), aggSeal(nil)}
	for _, v := range valid {
		bad := slices.Clone(v)
		bad[0] ^= 0xff
		badSum := slices.Clone(v)
		badSum[len(badSum)-1] ^= 0xff
		seeds = append(seeds, v, v[:len(v)-1], v[:len(v)/2], v[:aggOverhead+1], bad, badSum)
		// The protobuf cut short and sealed with a matching digest.
		pb := v[len(aggMagic) : len(v)-md5.Size]
		seeds = append(seeds, aggSeal(pb[:len(pb)-1]), aggSeal(pb[:len(pb)/2]))
	}
	return append(seeds,
		aggSeal([]byte{0x4b, 0x4c}),
		aggSeal([]byte{0x0a, 0x05, 'a'}),
		aggSeal([]byte{0x0a, 0x01, 'a', 0x1a, 0x02, 0x08, 0x01}),
		aggSeal(bytes.Repeat([]byte{0xff}, 11)),
	)
}

func FuzzDeaggregate(f *testing.F) {
	for _, s := range aggFuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		aggCheckDecode(t, data)
		// Mutations almost never keep the digest right, so decode the
		// protobuf again under a recomputed digest to reach the parser.
		if len(data) >= aggOverhead && string(data[:len(aggMagic)]) == aggMagic {
			aggCheckDecode(t, aggSeal(data[len(aggMagic):len(data)-md5.Size]))
		}
	})
}

// aggBenchRecords returns n user records of size bytes with distinct
// partition keys and explicit hash keys, as the KPL writes them.
func aggBenchRecords(n, size int) []UserRecord {
	recs := make([]UserRecord, n)
	for i := range recs {
		pk := fmt.Sprintf("partition-key-%04d", i)
		recs[i] = UserRecord{
			PartitionKey:    pk,
			ExplicitHashKey: PartitionKeyHash(pk).String(),
			Data:            bytes.Repeat([]byte{byte(i)}, size),
		}
	}
	return recs
}

func BenchmarkDeaggregate(b *testing.B) {
	data := AppendAggregate(nil, aggBenchRecords(100, 100))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := Deaggregate(data); !ok {
			b.Fatal("Deaggregate failed")
		}
	}
}

func BenchmarkAppendAggregate(b *testing.B) {
	recs := aggBenchRecords(100, 100)
	buf := make([]byte, 0, AggregateSize(recs))
	b.SetBytes(int64(cap(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendAggregate(buf[:0], recs)
	}
}
