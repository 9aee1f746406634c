package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// startPosition is where reading a shard starts: a shard iterator type
// with its timestamp or sequence number. As a flag (kds tail --from) it
// is written trim-horizon, latest, at-timestamp=RFC3339 or
// at-sequence=N.
type startPosition struct {
	kind types.ShardIteratorType
	at   time.Time // for AT_TIMESTAMP
	seq  string    // for AT_SEQUENCE_NUMBER and AFTER_SEQUENCE_NUMBER
}

func (p *startPosition) String() string {
	switch p.kind {
	case types.ShardIteratorTypeTrimHorizon:
		return "trim-horizon"
	case types.ShardIteratorTypeAtTimestamp:
		return "at-timestamp=" + p.at.Format(time.RFC3339Nano)
	case types.ShardIteratorTypeAtSequenceNumber:
		return "at-sequence=" + p.seq
	case types.ShardIteratorTypeAfterSequenceNumber:
		return "after-sequence=" + p.seq
	}
	return "latest"
}

// Set parses the flag's value.
func (p *startPosition) Set(v string) error {
	name, arg, hasArg := strings.Cut(v, "=")
	switch {
	case name == "latest" && !hasArg:
		*p = startPosition{kind: types.ShardIteratorTypeLatest}
	case name == "trim-horizon" && !hasArg:
		*p = startPosition{kind: types.ShardIteratorTypeTrimHorizon}
	case name == "at-timestamp" && hasArg:
		t, err := time.Parse(time.RFC3339, arg)
		if err != nil {
			return fmt.Errorf("at-timestamp wants an RFC 3339 time such as 2025-06-01T12:00:00Z: %v", err)
		}
		*p = startPosition{kind: types.ShardIteratorTypeAtTimestamp, at: t}
	case name == "at-sequence" && hasArg:
		if arg == "" || strings.Trim(arg, "0123456789") != "" {
			return fmt.Errorf("at-sequence wants a sequence number, a decimal integer, not %q", arg)
		}
		*p = startPosition{kind: types.ShardIteratorTypeAtSequenceNumber, seq: arg}
	default:
		return fmt.Errorf("want trim-horizon, latest, at-timestamp=RFC3339 or at-sequence=N")
	}
	return nil
}

// afterSequence is the position just after a record.
func afterSequence(seq string) startPosition {
	return startPosition{kind: types.ShardIteratorTypeAfterSequenceNumber, seq: seq}
}
