package awsadapter

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/kdsgo/kds"
)

// Conversions between kds's shapes and the SDK's. Going out, kds's zero
// values ("use the default") become absent members; coming back, absent
// optional members become zero values and absent required ones are errors.

func toPutRecordsInput(in kds.PutRecordsInput) *kinesis.PutRecordsInput {
	entries := make([]types.PutRecordsRequestEntry, len(in.Records))
	for i, r := range in.Records {
		data := r.Data
		if data == nil {
			data = []byte{} // nil would go out as null, not as an empty blob
		}
		entries[i] = types.PutRecordsRequestEntry{
			Data:            data,
			PartitionKey:    &r.PartitionKey,
			ExplicitHashKey: opt(r.ExplicitHashKey),
		}
	}
	return &kinesis.PutRecordsInput{
		StreamName: opt(in.StreamName),
		StreamARN:  opt(in.StreamARN),
		Records:    entries,
	}
}

func fromPutRecordsOutput(out *kinesis.PutRecordsOutput) (kds.PutRecordsOutput, error) {
	res := kds.PutRecordsOutput{
		FailedRecordCount: int(deref(out.FailedRecordCount)),
		Records:           make([]kds.PutRecordsResultEntry, len(out.Records)),
		EncryptionType:    kds.EncryptionType(out.EncryptionType),
	}
	for i, r := range out.Records {
		seq, err := optSequenceNumber(r.SequenceNumber)
		if err != nil {
			return kds.PutRecordsOutput{}, fmt.Errorf("record %d: %w", i, err)
		}
		res.Records[i] = kds.PutRecordsResultEntry{
			ShardId:        deref(r.ShardId),
			SequenceNumber: seq,
			ErrorCode:      deref(r.ErrorCode),
			ErrorMessage:   deref(r.ErrorMessage),
		}
	}
	return res, nil
}

func toListShardsInput(in kds.ListShardsInput) *kinesis.ListShardsInput {
	out := &kinesis.ListShardsInput{
		StreamName:              opt(in.StreamName),
		StreamARN:               opt(in.StreamARN),
		NextToken:               opt(in.NextToken),
		ExclusiveStartShardId:   opt(in.ExclusiveStartShardId),
		MaxResults:              optInt32(in.MaxResults),
		StreamCreationTimestamp: optTime(in.StreamCreationTimestamp),
	}
	if f := in.ShardFilter; f != (kds.ShardFilter{}) {
		out.ShardFilter = &types.ShardFilter{
			Type:      types.ShardFilterType(f.Type),
			ShardId:   opt(f.ShardId),
			Timestamp: optTime(f.Timestamp),
		}
	}
	return out
}

func fromListShardsOutput(out *kinesis.ListShardsOutput) (kds.ListShardsOutput, error) {
	res := kds.ListShardsOutput{
		Shards:    make([]kds.Shard, len(out.Shards)),
		NextToken: deref(out.NextToken),
	}
	for i, s := range out.Shards {
		sh, err := fromShard(s)
		if err != nil {
			return kds.ListShardsOutput{}, fmt.Errorf("shard %q: %w", deref(s.ShardId), err)
		}
		res.Shards[i] = sh
	}
	return res, nil
}

func fromShard(s types.Shard) (kds.Shard, error) {
	rng, err := fromHashKeyRange(s.HashKeyRange)
	if err != nil {
		return kds.Shard{}, err
	}
	if s.SequenceNumberRange == nil {
		return kds.Shard{}, errors.New("no SequenceNumberRange")
	}
	start, err := sequenceNumber(s.SequenceNumberRange.StartingSequenceNumber)
	if err != nil {
		return kds.Shard{}, fmt.Errorf("StartingSequenceNumber: %w", err)
	}
	end, err := optSequenceNumber(s.SequenceNumberRange.EndingSequenceNumber)
	if err != nil {
		return kds.Shard{}, fmt.Errorf("EndingSequenceNumber: %w", err)
	}
	return kds.Shard{
		ShardId:               deref(s.ShardId),
		ParentShardId:         deref(s.ParentShardId),
		AdjacentParentShardId: deref(s.AdjacentParentShardId),
		HashKeyRange:          rng,
		SequenceNumberRange:   kds.SequenceNumberRange{StartingSequenceNumber: start, EndingSequenceNumber: end},
	}, nil
}

func toGetShardIteratorInput(in kds.GetShardIteratorInput) *kinesis.GetShardIteratorInput {
	return &kinesis.GetShardIteratorInput{
		StreamName:             opt(in.StreamName),
		StreamARN:              opt(in.StreamARN),
		ShardId:                &in.ShardId,
		ShardIteratorType:      types.ShardIteratorType(in.ShardIteratorType),
		StartingSequenceNumber: opt(in.StartingSequenceNumber),
		Timestamp:              optTime(in.Timestamp),
	}
}

func toGetRecordsInput(in kds.GetRecordsInput) *kinesis.GetRecordsInput {
	return &kinesis.GetRecordsInput{
		ShardIterator: &in.ShardIterator,
		Limit:         optInt32(in.Limit),
		StreamARN:     opt(in.StreamARN),
	}
}

func fromGetRecordsOutput(out *kinesis.GetRecordsOutput) (kds.GetRecordsOutput, error) {
	res := kds.GetRecordsOutput{
		Records:            make([]kds.Record, len(out.Records)),
		NextShardIterator:  deref(out.NextShardIterator),
		MillisBehindLatest: deref(out.MillisBehindLatest),
	}
	for i, r := range out.Records {
		seq, err := sequenceNumber(r.SequenceNumber)
		if err != nil {
			return kds.GetRecordsOutput{}, fmt.Errorf("record %d: %w", i, err)
		}
		res.Records[i] = kds.Record{
			SequenceNumber:              seq,
			ApproximateArrivalTimestamp: deref(r.ApproximateArrivalTimestamp),
			Data:                        r.Data,
			PartitionKey:                deref(r.PartitionKey),
			EncryptionType:              kds.EncryptionType(r.EncryptionType),
		}
	}
	if len(out.ChildShards) > 0 {
		res.ChildShards = make([]kds.ChildShard, len(out.ChildShards))
	}
	for i, c := range out.ChildShards {
		rng, err := fromHashKeyRange(c.HashKeyRange)
		if err != nil {
			return kds.GetRecordsOutput{}, fmt.Errorf("child shard %q: %w", deref(c.ShardId), err)
		}
		res.ChildShards[i] = kds.ChildShard{ShardId: deref(c.ShardId), ParentShards: c.ParentShards, HashKeyRange: rng}
	}
	return res, nil
}

func fromHashKeyRange(r *types.HashKeyRange) (kds.HashKeyRange, error) {
	if r == nil {
		return kds.HashKeyRange{}, errors.New("no HashKeyRange")
	}
	start, err := kds.ParseHashKey(deref(r.StartingHashKey))
	if err != nil {
		return kds.HashKeyRange{}, fmt.Errorf("StartingHashKey %q: %w", deref(r.StartingHashKey), err)
	}
	end, err := kds.ParseHashKey(deref(r.EndingHashKey))
	if err != nil {
		return kds.HashKeyRange{}, fmt.Errorf("EndingHashKey %q: %w", deref(r.EndingHashKey), err)
	}
	return kds.HashKeyRange{StartingHashKey: start, EndingHashKey: end}, nil
}

// sequenceNumber parses a required sequence number.
func sequenceNumber(s *string) (kds.SequenceNumber, error) {
	n, err := kds.ParseSequenceNumber(deref(s))
	if err != nil {
		return kds.SequenceNumber{}, fmt.Errorf("sequence number %q: %w", deref(s), err)
	}
	return n, nil
}

// optSequenceNumber parses an optional sequence number: absent or empty is
// the zero SequenceNumber.
func optSequenceNumber(s *string) (kds.SequenceNumber, error) {
	if deref(s) == "" {
		return kds.SequenceNumber{}, nil
	}
	return sequenceNumber(s)
}

// opt is s as an optional member: absent when empty.
func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// optTime is t as an optional member: absent when zero.
func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// optInt32 is n as an optional member: absent when 0, and bounded to the
// int32 the wire carries (the service rejects such values anyway).
func optInt32(n int) *int32 {
	if n == 0 {
		return nil
	}
	v := int32(min(max(n, math.MinInt32), math.MaxInt32))
	return &v
}

// deref is *p, or the zero value if p is nil.
func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
