package kds

import "time"

// EncryptionType says how a record is protected at rest: [EncryptionNone]
// or [EncryptionKMS].
type EncryptionType string

// The encryption types Kinesis reports.
const (
	EncryptionNone EncryptionType = "NONE"
	EncryptionKMS  EncryptionType = "KMS"
)

// Record is one data record as GetRecords returns it, or one user record
// of a KPL aggregate as the Go-native readers return it.
//
// Data and PartitionKey share memory with the stream's storage (or, for a
// record stored encrypted, with the copy it was decrypted into): they are
// read-only, and stay valid (and unchanged) for as long as the caller holds
// them, even after the record leaves the retention window.
type Record struct {
	// SequenceNumber identifies the record within its shard.
	SequenceNumber SequenceNumber
	// ApproximateArrivalTimestamp is when the stream accepted the record,
	// to the millisecond.
	ApproximateArrivalTimestamp time.Time
	// Data is the record's payload.
	Data []byte
	// PartitionKey is the key the producer gave.
	PartitionKey string
	// EncryptionType is how the record was stored.
	EncryptionType EncryptionType

	// SubSequenceNumber is, for a user record taken out of a KPL aggregate
	// by a Go-native reader, its position in the aggregate, from 0; the
	// user records of one aggregate share its SequenceNumber and
	// ApproximateArrivalTimestamp. It is 0 for plain records and in
	// everything the Kinesis API returns.
	SubSequenceNumber int64
}
