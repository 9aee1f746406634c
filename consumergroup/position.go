package consumergroup

import "time"

// InitialPosition is where a group starts reading a shard it has never
// processed: [TrimHorizon], [Latest] or [AtTimestamp]. The zero value is
// TrimHorizon, KCL's default.
type InitialPosition struct {
	checkpoint ExtendedSequenceNumber
	at         time.Time
}

// TrimHorizon starts at the oldest record inside the retention window.
func TrimHorizon() InitialPosition { return InitialPosition{checkpoint: CheckpointTrimHorizon} }

// Latest starts after the newest record, so only records put later are
// processed.
func Latest() InitialPosition { return InitialPosition{checkpoint: CheckpointLatest} }

// AtTimestamp starts at the first record that arrived at or after t.
func AtTimestamp(t time.Time) InitialPosition {
	return InitialPosition{checkpoint: CheckpointAtTimestamp, at: t}
}

// sentinel returns the checkpoint a new lease starting at p carries.
func (p InitialPosition) sentinel() ExtendedSequenceNumber {
	if p.checkpoint == (ExtendedSequenceNumber{}) {
		return CheckpointTrimHorizon
	}
	return p.checkpoint
}

// String returns the position's name, with the time for AtTimestamp.
func (p InitialPosition) String() string {
	if p.checkpoint == CheckpointAtTimestamp {
		return p.checkpoint.String() + " " + p.at.UTC().Format(time.RFC3339Nano)
	}
	return p.sentinel().String()
}
