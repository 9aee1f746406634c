package kds

import (
	"crypto/md5"
	"encoding/binary"
	"errors"
	"slices"
	"strings"
)

// The KPL aggregated record format: the four magic bytes, an
// AggregatedRecord protobuf (proto2), then the MD5 digest of the protobuf
// bytes. The messages are
//
//	message AggregatedRecord {
//	  repeated string partition_key_table     = 1;
//	  repeated string explicit_hash_key_table = 2;
//	  repeated Record records                 = 3;
//	}
//	message Record {
//	  required uint64 partition_key_index     = 1;
//	  optional uint64 explicit_hash_key_index = 2;
//	  required bytes  data                    = 3;
//	  repeated Tag    tags                    = 4;
//	}
//	message Tag {
//	  required string key   = 1;
//	  optional string value = 2;
//	}
//
// This file holds a hand-written codec for exactly these messages, so the
// package needs no protobuf library.

// aggMagic is the prefix that marks a record's data as a KPL aggregate.
const aggMagic = "\xf3\x89\x9a\xc2"

// aggOverhead is the size of an aggregate around its protobuf: the magic
// prefix and the trailing MD5 digest.
const aggOverhead = len(aggMagic) + md5.Size

// UserRecord is one record of a KPL aggregate: what a producer handed to the
// aggregator and what a consumer gets back after deaggregation. It is a plain
// value; the codec never keeps or modifies one.
type UserRecord struct {
	// PartitionKey is the user record's partition key.
	PartitionKey string
	// ExplicitHashKey is the user record's explicit hash key in decimal, or
	// "" if it has none.
	ExplicitHashKey string
	// Data is the user record's payload.
	Data []byte
}

// Protobuf wire types. Groups (3 and 4) are deprecated and never appear in
// aggregates; the decoder rejects them, as it does 6 and 7, which are not
// defined.
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5
)

// maxFieldNumber is the largest field number protobuf allows, 2^29-1.
const maxFieldNumber = 1<<29 - 1

// Field keys (field number << 3 | wire type) of the fields the codec knows.
// A known field number arriving with another wire type is an unknown field,
// as in the protobuf runtimes.
const (
	aggPartitionKeyTable    = 1<<3 | wireBytes
	aggExplicitHashKeyTable = 2<<3 | wireBytes
	aggRecords              = 3<<3 | wireBytes

	recPartitionKeyIndex    = 1<<3 | wireVarint
	recExplicitHashKeyIndex = 2<<3 | wireVarint
	recData                 = 3<<3 | wireBytes
	recTags                 = 4<<3 | wireBytes

	tagKey = 1<<3 | wireBytes
)

// Decoding errors. Deaggregate reports all of them as ok == false; they are
// distinct so that tests can tell why an input was refused.
var (
	errAggTruncated    = errors.New("kds: aggregate: field runs past the end of its message")
	errAggVarint       = errors.New("kds: aggregate: varint longer than 64 bits")
	errAggFieldNumber  = errors.New("kds: aggregate: field number out of range")
	errAggWireType     = errors.New("kds: aggregate: group or undefined wire type")
	errAggMissingField = errors.New("kds: aggregate: required field missing")
	errAggKeyIndex     = errors.New("kds: aggregate: key index past the end of its table")
)

// AppendAggregate appends the KPL aggregate holding recs to dst and returns
// the extended slice: the magic bytes f3 89 9a c2, the AggregatedRecord
// protobuf, and the MD5 digest of the protobuf bytes. Partition keys and
// explicit hash keys go into the key tables once each, in the order the
// records first use them; a user record whose ExplicitHashKey is "" gets no
// explicit hash key index. Tags are never written. Keys are not validated.
// AppendAggregate only reads recs and may be called concurrently.
//
// An aggregate of no records has an empty protobuf, which [Deaggregate] and
// the KCL do not recognise as an aggregate; producers should not send one.
func AppendAggregate(dst []byte, recs []UserRecord) []byte {
	idx := make([]aggIndex, len(recs))
	pks, ehks, size := planAggregate(recs, idx)
	return appendAggregate(slices.Grow(dst, size), pks.keys, ehks.keys, recs, idx)
}

// appendAggregate appends the aggregate of recs, whose key table
// positions idx gives, with the key tables pks and ehks.
func appendAggregate(dst []byte, pks, ehks []string, recs []UserRecord, idx []aggIndex) []byte {
	dst = append(dst, aggMagic...)
	start := len(dst)
	for _, k := range pks {
		dst = appendBytesField(dst, aggPartitionKeyTable, k)
	}
	for _, k := range ehks {
		dst = appendBytesField(dst, aggExplicitHashKeyTable, k)
	}
	for i := range recs {
		r, ix := &recs[i], idx[i]
		dst = binary.AppendUvarint(dst, aggRecords)
		dst = binary.AppendUvarint(dst, uint64(recordBodySize(ix, len(r.Data))))
		dst = binary.AppendUvarint(dst, recPartitionKeyIndex)
		dst = binary.AppendUvarint(dst, uint64(ix.pk))
		if ix.ehk >= 0 {
			dst = binary.AppendUvarint(dst, recExplicitHashKeyIndex)
			dst = binary.AppendUvarint(dst, uint64(ix.ehk))
		}
		dst = appendBytesField(dst, recData, r.Data)
	}
	sum := md5.Sum(dst[start:])
	return append(dst, sum[:]...)
}

// AggregateSize returns the length of the aggregate [AppendAggregate] would
// produce for recs, without encoding it. Producers use it to keep aggregates
// under the record size limit. It costs one pass over the keys and, for
// more than a few distinct keys, a map. It may be called concurrently.
func AggregateSize(recs []UserRecord) int {
	_, _, size := planAggregate(recs, nil)
	return size
}

// Deaggregate decodes data as a KPL aggregate and returns its user records
// in order. ok is false, and recs nil, when data is not an aggregate: not
// longer than the magic prefix and digest together, a wrong prefix, a
// digest that does not match, or a protobuf that does not decode (truncated
// or overlong varints, lengths past the end, group or undefined wire types,
// field numbers outside 1 to 2^29-1, key indexes outside the key tables,
// or a record without its partition key index or data). The KCL then
// delivers data as one plain record, and so should callers. Deaggregate
// never modifies data and may be called concurrently.
//
// Like the KCL, Deaggregate needs at least one protobuf byte, so the output
// of [AppendAggregate] for no records is not an aggregate. A non-empty
// protobuf with no records (only key tables or unknown fields, say) is a
// valid aggregate of zero user records: recs is then empty but not nil and
// ok is true.
//
// Unknown fields, including the tags of each record, are skipped, although
// a tag must still carry its required key. A record without an explicit
// hash key index, and one whose table entry is "", both get ExplicitHashKey
// "". Deaggregate does not check that keys are valid UTF-8 or that explicit
// hash keys are decimal numbers.
//
// The Data of each user record aliases data, capped so that appending to
// it copies; data must not be modified while the records are in use. Keys
// are copied, into one allocation shared by all of them.
func Deaggregate(data []byte) (recs []UserRecord, ok bool) {
	if !isAggregate(data) {
		return nil, false
	}
	pb := data[len(aggMagic) : len(data)-md5.Size]
	if md5.Sum(pb) != [md5.Size]byte(data[len(data)-md5.Size:]) {
		return nil, false
	}
	recs, err := decodeAggregate(pb)
	if err != nil {
		return nil, false
	}
	return recs, true
}

// AppendUserRecords appends to dst the records a consumer sees in rec, as
// KCL deaggregates: the user records of a KPL aggregate, each with its own
// partition key and data, the aggregate's sequence number and arrival
// time, and its SubSequenceNumber; or rec itself if it is not a valid
// aggregate ([Deaggregate] says what is). Explicit hash keys of user
// records are not kept; call Deaggregate for them. Unlike KCL, which drops
// an aggregate holding a user record that hashes outside the shard it was
// read from, this keeps every user record. The Go-native readers of a [Stream] do this
// already; use it on what GetRecords or SubscribeToShard return.
func AppendUserRecords(dst []Record, rec Record) []Record {
	if !isAggregate(rec.Data) {
		return append(dst, rec)
	}
	users, ok := Deaggregate(rec.Data)
	if !ok {
		return append(dst, rec)
	}
	for i, u := range users {
		out := rec
		out.PartitionKey, out.Data, out.SubSequenceNumber = u.PartitionKey, u.Data, int64(i)
		dst = append(dst, out)
	}
	return dst
}

// isAggregate reports whether data has the magic prefix and room for a
// non-empty protobuf and the digest after it. It does not check the digest.
func isAggregate(data []byte) bool {
	return len(data) > aggOverhead && string(data[:len(aggMagic)]) == aggMagic
}

// aggIndex holds the key table positions of one user record; ehk is -1 if
// the record has no explicit hash key.
type aggIndex struct{ pk, ehk int }

// keyTable assigns table positions to keys in first-use order. It searches
// the table linearly while it is short and builds a map once it grows.
type keyTable struct {
	keys  []string
	index map[string]int
}

// keyTableLinear is the table length up to which keyTable searches linearly.
const keyTableLinear = 8

// keyTablePresize caps how many further keys keyTable makes room for when it
// builds its map, so that many records sharing a few keys cost little.
const keyTablePresize = 1024

// add returns the position of k, appending it to the table if it is new,
// and whether it was new. more is how many keys may still follow; when the
// map is built, it and the table get room for that many more (at most
// keyTablePresize).
func (t *keyTable) add(k string, more int) (int, bool) {
	if t.index != nil {
		if i, ok := t.index[k]; ok {
			return i, false
		}
	} else if i := slices.Index(t.keys, k); i >= 0 {
		return i, false
	}
	i := len(t.keys)
	t.keys = append(t.keys, k)
	switch {
	case t.index != nil:
		t.index[k] = i
	case len(t.keys) > keyTableLinear:
		more = min(more, keyTablePresize)
		t.keys = slices.Grow(t.keys, more)
		t.index = make(map[string]int, len(t.keys)+more)
		for j, s := range t.keys {
			t.index[s] = j
		}
	}
	return i, true
}

// planAggregate builds the key tables of recs and the size of their
// aggregate. If idx is not nil it must have len(recs) elements and receives
// each record's table positions.
func planAggregate(recs []UserRecord, idx []aggIndex) (pks, ehks keyTable, size int) {
	size = aggOverhead
	for i := range recs {
		r := &recs[i]
		more := len(recs) - i - 1
		pk, isNew := pks.add(r.PartitionKey, more)
		if isNew {
			size += bytesFieldSize(aggPartitionKeyTable, len(r.PartitionKey))
		}
		ehk := -1
		if r.ExplicitHashKey != "" {
			ehk, isNew = ehks.add(r.ExplicitHashKey, more)
			if isNew {
				size += bytesFieldSize(aggExplicitHashKeyTable, len(r.ExplicitHashKey))
			}
		}
		ix := aggIndex{pk: pk, ehk: ehk}
		size += bytesFieldSize(aggRecords, recordBodySize(ix, len(r.Data)))
		if idx != nil {
			idx[i] = ix
		}
	}
	return pks, ehks, size
}

// recordBodySize returns the size of an encoded Record message with the
// given key positions and data length.
func recordBodySize(ix aggIndex, dataLen int) int {
	n := uvarintSize(recPartitionKeyIndex) + uvarintSize(uint64(ix.pk))
	if ix.ehk >= 0 {
		n += uvarintSize(recExplicitHashKeyIndex) + uvarintSize(uint64(ix.ehk))
	}
	return n + bytesFieldSize(recData, dataLen)
}

// bytesFieldSize returns the size of a length-delimited field with the given
// key and payload length.
func bytesFieldSize(key uint64, n int) int {
	return uvarintSize(key) + uvarintSize(uint64(n)) + n
}

// uvarintSize returns the number of bytes binary.AppendUvarint uses for v.
func uvarintSize(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// appendBytesField appends a length-delimited field with the given key.
func appendBytesField[T string | []byte](dst []byte, key uint64, b T) []byte {
	dst = binary.AppendUvarint(dst, key)
	dst = binary.AppendUvarint(dst, uint64(len(b)))
	return append(dst, b...)
}

// pbField is one field read from a protobuf message: its key (field number
// << 3 | wire type), the value of a varint, or the payload of a
// length-delimited field. Fixed-width values are skipped, not kept.
type pbField struct {
	key     uint64
	varint  uint64
	payload []byte
}

// nextField reads the field at the start of p and returns it with the rest
// of p. The payload of a length-delimited field aliases p, with its capacity
// cut to its length.
func nextField(p []byte) (f pbField, rest []byte, err error) {
	key, n := binary.Uvarint(p)
	if n <= 0 {
		return f, nil, varintError(n)
	}
	if num := key >> 3; num == 0 || num > maxFieldNumber {
		return f, nil, errAggFieldNumber
	}
	f.key, p = key, p[n:]
	switch key & 7 {
	case wireVarint:
		f.varint, n = binary.Uvarint(p)
		if n <= 0 {
			return f, nil, varintError(n)
		}
		return f, p[n:], nil
	case wireFixed64:
		if len(p) < 8 {
			return f, nil, errAggTruncated
		}
		return f, p[8:], nil
	case wireBytes:
		size, n := binary.Uvarint(p)
		if n <= 0 {
			return f, nil, varintError(n)
		}
		p = p[n:]
		if size > uint64(len(p)) {
			return f, nil, errAggTruncated
		}
		f.payload = p[:size:size]
		return f, p[size:], nil
	case wireFixed32:
		if len(p) < 4 {
			return f, nil, errAggTruncated
		}
		return f, p[4:], nil
	}
	return f, nil, errAggWireType
}

// varintError maps the n <= 0 result of binary.Uvarint to an error: 0 means
// the input ended inside the varint, a negative n that it ran past 64 bits.
func varintError(n int) error {
	if n == 0 {
		return errAggTruncated
	}
	return errAggVarint
}

// decodeAggregate decodes an AggregatedRecord protobuf. Fields may come in
// any order, so it makes three passes over the top-level fields: one to
// check them and count the keys and records, one to fill the key tables,
// and one to decode the records against the complete tables.
func decodeAggregate(pb []byte) ([]UserRecord, error) {
	var nPK, nEHK, nRec, keyBytes int
	for p := pb; len(p) > 0; {
		f, rest, err := nextField(p)
		if err != nil {
			return nil, err
		}
		switch f.key {
		case aggPartitionKeyTable:
			nPK++
			keyBytes += len(f.payload)
		case aggExplicitHashKeyTable:
			nEHK++
			keyBytes += len(f.payload)
		case aggRecords:
			nRec++
		}
		p = rest
	}

	// All keys share one string; the tables hold substrings of it. A
	// strings.Builder never changes bytes it has written, so the strings
	// it returned earlier stay valid as it grows.
	var tables []string
	if nPK+nEHK > 0 {
		tables = make([]string, nPK+nEHK)
		var sb strings.Builder
		sb.Grow(keyBytes)
		iPK, iEHK := 0, nPK
		for p := pb; len(p) > 0; {
			f, rest, _ := nextField(p) // checked by the first pass
			var slot *string
			switch f.key {
			case aggPartitionKeyTable:
				slot, iPK = &tables[iPK], iPK+1
			case aggExplicitHashKeyTable:
				slot, iEHK = &tables[iEHK], iEHK+1
			}
			if slot != nil {
				start := sb.Len()
				sb.Write(f.payload)
				*slot = sb.String()[start:]
			}
			p = rest
		}
	}
	pkTable, ehkTable := tables[:nPK:nPK], tables[nPK:]

	recs := make([]UserRecord, nRec)
	i := 0
	for p := pb; len(p) > 0; {
		f, rest, _ := nextField(p) // checked by the first pass
		if f.key == aggRecords {
			if err := decodeRecord(f.payload, pkTable, ehkTable, &recs[i]); err != nil {
				return nil, err
			}
			i++
		}
		p = rest
	}
	return recs, nil
}

// decodeRecord decodes a Record message into r, resolving its key indexes
// against the tables. Of repeated scalar fields the last one wins.
func decodeRecord(body []byte, pkTable, ehkTable []string, r *UserRecord) error {
	var pk, ehk uint64
	var hasPK, hasEHK, hasData bool
	for len(body) > 0 {
		f, rest, err := nextField(body)
		if err != nil {
			return err
		}
		switch f.key {
		case recPartitionKeyIndex:
			pk, hasPK = f.varint, true
		case recExplicitHashKeyIndex:
			ehk, hasEHK = f.varint, true
		case recData:
			r.Data, hasData = f.payload, true
		case recTags:
			if err := checkTag(f.payload); err != nil {
				return err
			}
		}
		body = rest
	}
	if !hasPK || !hasData {
		return errAggMissingField
	}
	if pk >= uint64(len(pkTable)) || (hasEHK && ehk >= uint64(len(ehkTable))) {
		return errAggKeyIndex
	}
	r.PartitionKey = pkTable[pk]
	if hasEHK {
		r.ExplicitHashKey = ehkTable[ehk]
	}
	return nil
}

// checkTag checks that a Tag message is well formed and has its required
// key. The tag itself is dropped.
func checkTag(body []byte) error {
	hasKey := false
	for len(body) > 0 {
		f, rest, err := nextField(body)
		if err != nil {
			return err
		}
		hasKey = hasKey || f.key == tagKey
		body = rest
	}
	if !hasKey {
		return errAggMissingField
	}
	return nil
}
