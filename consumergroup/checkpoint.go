package consumergroup

import "github.com/kdsgo/kds"

// ExtendedSequenceNumber is a checkpoint: the sequence number of the last
// processed record, or one of the sentinels [CheckpointTrimHorizon],
// [CheckpointLatest], [CheckpointAtTimestamp] and [CheckpointShardEnd].
//
// SubSequenceNumber is kept for records deaggregated from a KPL aggregate;
// this package checkpoints whole records, so it is always 0 here.
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

// checkpointAt returns the checkpoint of record n.
func checkpointAt(n kds.SequenceNumber) ExtendedSequenceNumber {
	return ExtendedSequenceNumber{SequenceNumber: n.String()}
}

// String returns the sequence number or the sentinel's name.
func (e ExtendedSequenceNumber) String() string { return e.SequenceNumber }

// sequence returns the checkpoint's sequence number, or false for a
// sentinel (or anything else that does not parse).
func (e ExtendedSequenceNumber) sequence() (kds.SequenceNumber, bool) {
	n, err := kds.ParseSequenceNumber(e.SequenceNumber)
	return n, err == nil
}
