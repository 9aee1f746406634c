package kds

import (
	"strconv"
	"time"
)

// ShardIteratorType says where a shard iterator starts reading.
type ShardIteratorType string

// The iterator types of GetShardIterator.
const (
	ShardIteratorTypeAtSequenceNumber    ShardIteratorType = "AT_SEQUENCE_NUMBER"
	ShardIteratorTypeAfterSequenceNumber ShardIteratorType = "AFTER_SEQUENCE_NUMBER"
	ShardIteratorTypeTrimHorizon         ShardIteratorType = "TRIM_HORIZON"
	ShardIteratorTypeLatest              ShardIteratorType = "LATEST"
	ShardIteratorTypeAtTimestamp         ShardIteratorType = "AT_TIMESTAMP"
)

// StartPosition is where a read starts in a shard, for the Go-native
// readers ([Stream.Records], [Stream.Replay]). Make one with [TrimHorizon],
// [Latest], [AtSequence], [AfterSequence] or [AtTimestamp]; the zero value
// is TrimHorizon.
type StartPosition struct {
	typ ShardIteratorType
	seq SequenceNumber
	at  time.Time
}

// TrimHorizon starts at the oldest record still inside the retention
// window.
func TrimHorizon() StartPosition { return StartPosition{typ: ShardIteratorTypeTrimHorizon} }

// Latest starts just after the newest record, so only records put later
// are read.
func Latest() StartPosition { return StartPosition{typ: ShardIteratorTypeLatest} }

// AtSequence starts at the record with sequence number n, in the shard n
// belongs to.
func AtSequence(n SequenceNumber) StartPosition {
	return StartPosition{typ: ShardIteratorTypeAtSequenceNumber, seq: n}
}

// AfterSequence starts just after the record with sequence number n, in
// the shard n belongs to: the way to resume from a checkpoint.
func AfterSequence(n SequenceNumber) StartPosition {
	return StartPosition{typ: ShardIteratorTypeAfterSequenceNumber, seq: n}
}

// AtTimestamp starts at the first record that arrived at or after t
// (millisecond precision); a t older than the retention window starts at
// the trim horizon.
func AtTimestamp(t time.Time) StartPosition {
	return StartPosition{typ: ShardIteratorTypeAtTimestamp, at: t}
}

// String describes the position, e.g. "AFTER_SEQUENCE_NUMBER 4959...".
func (p StartPosition) String() string {
	switch p.kind() {
	case ShardIteratorTypeAtSequenceNumber, ShardIteratorTypeAfterSequenceNumber:
		return string(p.typ) + " " + p.seq.String()
	case ShardIteratorTypeAtTimestamp:
		return string(p.typ) + " " + strconv.FormatInt(p.at.UnixMilli(), 10)
	}
	return string(p.kind())
}

func (p StartPosition) kind() ShardIteratorType {
	if p.typ == "" {
		return ShardIteratorTypeTrimHorizon
	}
	return p.typ
}

// startCounter returns the counter of the first record a read from p
// would return in sh, whose log is v. Sequence positions must already have
// been checked against sh.
func (p StartPosition) startCounter(v *logView) uint64 {
	switch p.kind() {
	case ShardIteratorTypeLatest:
		return v.end()
	case ShardIteratorTypeAtSequenceNumber:
		return p.seq.counter()
	case ShardIteratorTypeAfterSequenceNumber:
		return p.seq.counter() + 1
	case ShardIteratorTypeAtTimestamp:
		return v.firstAtOrAfter(0, p.at.UnixMilli())
	}
	return v.oldest()
}

// belongsTo reports whether sequence number n was issued by sh (its shard
// index, its creation time and its stream incarnation all match).
func (sh *shard) belongsTo(n SequenceNumber) bool {
	return n.shardIndex() == sh.index && n.shardCreated() == sh.starting.shardCreated() && n.epoch() == sh.epoch
}
