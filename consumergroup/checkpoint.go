package consumergroup

import (
	"cmp"

	"github.com/kdsgo/kds"
)

// ExtendedSequenceNumber is a checkpoint: the sequence number of the last
// processed record, or one of the sentinels [CheckpointTrimHorizon],
// [CheckpointLatest], [CheckpointAtTimestamp] and [CheckpointShardEnd].
//
// SubSequenceNumber is the position of the last processed user record
// inside a KPL aggregate (0 for a plain record): processing resumes with
// the aggregate's next user record.
type ExtendedSequenceNumber struct {
	SequenceNumber    string `json:"sequenceNumber"`
	SubSequenceNumber int64  `json:"subSequenceNumber,omitempty"`
}

// The sentinel checkpoints. A new lease starts at one of the first three;
// [CheckpointShardEnd] marks a shard read to its end, which lets its
// children start.
var (
	CheckpointTrimHorizon = ExtendedSequenceNumber{SequenceNumber: "TRIM_HORIZON"}
	CheckpointLatest      = ExtendedSequenceNumber{SequenceNumber: "LATEST"}
	CheckpointAtTimestamp = ExtendedSequenceNumber{SequenceNumber: "AT_TIMESTAMP"}
	CheckpointShardEnd    = ExtendedSequenceNumber{SequenceNumber: "SHARD_END"}
)

// recordPos is the position of one record as a Processor sees it: a
// Kinesis record's sequence number, and for a user record of a KPL
// aggregate its sub-sequence number.
type recordPos struct {
	seq kds.SequenceNumber
	sub int64
}

// posOf returns the position of rec.
func posOf(rec kds.Record) recordPos {
	return recordPos{seq: rec.SequenceNumber, sub: rec.SubSequenceNumber}
}

// compare orders positions by sequence number, then sub-sequence number.
func (p recordPos) compare(q recordPos) int {
	if c := p.seq.Compare(q.seq); c != 0 {
		return c
	}
	return cmp.Compare(p.sub, q.sub)
}

// covers reports whether a checkpoint at p includes rec: rec comes at or
// before p.
func (p recordPos) covers(rec kds.Record) bool {
	return posOf(rec).compare(p) <= 0
}

// checkpointAt returns the checkpoint of position p.
func checkpointAt(p recordPos) ExtendedSequenceNumber {
	return ExtendedSequenceNumber{SequenceNumber: p.seq.String(), SubSequenceNumber: p.sub}
}

// String returns the sequence number or the sentinel's name.
func (e ExtendedSequenceNumber) String() string { return e.SequenceNumber }

// position returns the record position of the checkpoint, or false for a
// sentinel (or anything else that does not parse).
func (e ExtendedSequenceNumber) position() (recordPos, bool) {
	n, err := kds.ParseSequenceNumber(e.SequenceNumber)
	return recordPos{seq: n, sub: e.SubSequenceNumber}, err == nil
}
