package awsadapter

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/kdsgo/kds"
)

// Real-looking sequence numbers and hash keys for the tables.
const (
	seqA    = "49590338271490256608559692538361571095921575989136588898"
	seqB    = "49546986683135544286507457936321625675700192471156785154"
	maxHash = "340282366920938463463374607431768211455"
	midHash = "170141183460469231731687303715884105727"
)

func mustSeq(t *testing.T, s string) kds.SequenceNumber {
	t.Helper()
	n, err := kds.ParseSequenceNumber(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func mustHash(t *testing.T, s string) kds.HashKey {
	t.Helper()
	h, err := kds.ParseHashKey(s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// show renders an SDK shape with its pointers followed.
func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

func sdkRange(start, end string) *types.HashKeyRange {
	return &types.HashKeyRange{StartingHashKey: aws.String(start), EndingHashKey: aws.String(end)}
}

func TestToInputs(t *testing.T) {
	at := time.Date(2026, 11, 26, 10, 0, 0, 123e6, time.UTC)
	data := []byte("payload")
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"PutRecords", toPutRecordsInput(kds.PutRecordsInput{StreamName: "s", Records: []kds.PutRecordsRequestEntry{
			{Data: data, PartitionKey: "k1"},
			{Data: nil, PartitionKey: "k2", ExplicitHashKey: maxHash},
		}}), &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: []types.PutRecordsRequestEntry{
			{Data: data, PartitionKey: aws.String("k1")},
			{Data: []byte{}, PartitionKey: aws.String("k2"), ExplicitHashKey: aws.String(maxHash)},
		}}},
		{"PutRecords by ARN", toPutRecordsInput(kds.PutRecordsInput{StreamARN: "arn:s", Records: []kds.PutRecordsRequestEntry{}}),
			&kinesis.PutRecordsInput{StreamARN: aws.String("arn:s"), Records: []types.PutRecordsRequestEntry{}}},
		{"ListShards zero", toListShardsInput(kds.ListShardsInput{}), &kinesis.ListShardsInput{}},
		{"ListShards next page", toListShardsInput(kds.ListShardsInput{NextToken: "tok", MaxResults: 7}),
			&kinesis.ListShardsInput{NextToken: aws.String("tok"), MaxResults: aws.Int32(7)}},
		{"ListShards everything", toListShardsInput(kds.ListShardsInput{
			StreamName: "s", StreamARN: "arn:s", ExclusiveStartShardId: "shardId-000000000001", MaxResults: 10000,
			StreamCreationTimestamp: at,
			ShardFilter:             kds.ShardFilter{Type: kds.ShardFilterAtTimestamp, Timestamp: at},
		}), &kinesis.ListShardsInput{
			StreamName: aws.String("s"), StreamARN: aws.String("arn:s"), ExclusiveStartShardId: aws.String("shardId-000000000001"),
			MaxResults: aws.Int32(10000), StreamCreationTimestamp: &at,
			ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtTimestamp, Timestamp: &at},
		}},
		{"ListShards after shard", toListShardsInput(kds.ListShardsInput{StreamName: "s",
			ShardFilter: kds.ShardFilter{Type: kds.ShardFilterAfterShardID, ShardId: "shardId-000000000003"}}),
			&kinesis.ListShardsInput{StreamName: aws.String("s"),
				ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAfterShardId, ShardId: aws.String("shardId-000000000003")}}},
		{"ListShards MaxResults too large", toListShardsInput(kds.ListShardsInput{MaxResults: math.MaxInt32 + 5}),
			&kinesis.ListShardsInput{MaxResults: aws.Int32(math.MaxInt32)}},
		{"ListShards MaxResults negative", toListShardsInput(kds.ListShardsInput{MaxResults: -1}),
			&kinesis.ListShardsInput{MaxResults: aws.Int32(-1)}},
		{"GetShardIterator after", toGetShardIteratorInput(kds.GetShardIteratorInput{StreamName: "s", ShardId: "shardId-000000000000",
			ShardIteratorType: kds.ShardIteratorTypeAfterSequenceNumber, StartingSequenceNumber: seqA}),
			&kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-000000000000"),
				ShardIteratorType: types.ShardIteratorTypeAfterSequenceNumber, StartingSequenceNumber: aws.String(seqA)}},
		{"GetShardIterator at time", toGetShardIteratorInput(kds.GetShardIteratorInput{StreamARN: "arn:s", ShardId: "1",
			ShardIteratorType: kds.ShardIteratorTypeAtTimestamp, Timestamp: at}),
			&kinesis.GetShardIteratorInput{StreamARN: aws.String("arn:s"), ShardId: aws.String("1"),
				ShardIteratorType: types.ShardIteratorTypeAtTimestamp, Timestamp: &at}},
		{"GetShardIterator empty shard", toGetShardIteratorInput(kds.GetShardIteratorInput{StreamName: "s", ShardIteratorType: kds.ShardIteratorTypeLatest}),
			&kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String(""), ShardIteratorType: types.ShardIteratorTypeLatest}},
		{"GetRecords default", toGetRecordsInput(kds.GetRecordsInput{ShardIterator: "it"}),
			&kinesis.GetRecordsInput{ShardIterator: aws.String("it")}},
		{"GetRecords limit", toGetRecordsInput(kds.GetRecordsInput{ShardIterator: "it", Limit: 25, StreamARN: "arn:s"}),
			&kinesis.GetRecordsInput{ShardIterator: aws.String("it"), Limit: aws.Int32(25), StreamARN: aws.String("arn:s")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("got  %s\nwant %s", show(tt.got), show(tt.want))
			}
		})
	}
}

// PutRecords hands the SDK the caller's Data without copying; the SDK
// encodes it into the request body before the call returns.
func TestToPutRecordsInputSharesData(t *testing.T) {
	data := []byte("x")
	in := toPutRecordsInput(kds.PutRecordsInput{Records: []kds.PutRecordsRequestEntry{{Data: data, PartitionKey: "k"}}})
	if &in.Records[0].Data[0] != &data[0] {
		t.Error("Data was copied")
	}
}

func TestFromPutRecordsOutput(t *testing.T) {
	tests := []struct {
		name    string
		in      *kinesis.PutRecordsOutput
		want    kds.PutRecordsOutput
		wantErr bool
	}{
		{"empty", &kinesis.PutRecordsOutput{}, kds.PutRecordsOutput{Records: []kds.PutRecordsResultEntry{}}, false},
		{"mixed", &kinesis.PutRecordsOutput{
			FailedRecordCount: aws.Int32(2),
			EncryptionType:    types.EncryptionTypeKms,
			Records: []types.PutRecordsResultEntry{
				{ShardId: aws.String("shardId-000000000001"), SequenceNumber: aws.String(seqA)},
				{ErrorCode: aws.String("ProvisionedThroughputExceededException"), ErrorMessage: aws.String("Rate exceeded for shard shardId-000000000001")},
				{ErrorCode: aws.String("InternalFailure"), ErrorMessage: aws.String("Internal Service Failure")},
			},
		}, kds.PutRecordsOutput{
			FailedRecordCount: 2,
			EncryptionType:    kds.EncryptionKMS,
			Records: []kds.PutRecordsResultEntry{
				{ShardId: "shardId-000000000001", SequenceNumber: mustSeq(t, seqA)},
				{ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: "Rate exceeded for shard shardId-000000000001"},
				{ErrorCode: "InternalFailure", ErrorMessage: "Internal Service Failure"},
			},
		}, false},
		{"bad sequence number", &kinesis.PutRecordsOutput{Records: []types.PutRecordsResultEntry{
			{ShardId: aws.String("shardId-000000000001"), SequenceNumber: aws.String("12")},
		}}, kds.PutRecordsOutput{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := fromPutRecordsOutput(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestFromListShardsOutput(t *testing.T) {
	open := types.Shard{
		ShardId:             aws.String("shardId-000000000002"),
		ParentShardId:       aws.String("shardId-000000000000"),
		HashKeyRange:        sdkRange("0", midHash),
		SequenceNumberRange: &types.SequenceNumberRange{StartingSequenceNumber: aws.String(seqB)},
	}
	closed := types.Shard{
		ShardId:               aws.String("shardId-000000000003"),
		ParentShardId:         aws.String("shardId-000000000000"),
		AdjacentParentShardId: aws.String("shardId-000000000001"),
		HashKeyRange:          sdkRange("1", maxHash),
		SequenceNumberRange:   &types.SequenceNumberRange{StartingSequenceNumber: aws.String(seqB), EndingSequenceNumber: aws.String(seqA)},
	}
	with := func(s types.Shard, f func(*types.Shard)) types.Shard { f(&s); return s }
	tests := []struct {
		name    string
		in      *kinesis.ListShardsOutput
		want    kds.ListShardsOutput
		wantErr bool
	}{
		{"empty", &kinesis.ListShardsOutput{}, kds.ListShardsOutput{Shards: []kds.Shard{}}, false},
		{"shards and token", &kinesis.ListShardsOutput{Shards: []types.Shard{open, closed}, NextToken: aws.String("tok")},
			kds.ListShardsOutput{NextToken: "tok", Shards: []kds.Shard{
				{ShardId: "shardId-000000000002", ParentShardId: "shardId-000000000000",
					HashKeyRange:        kds.HashKeyRange{StartingHashKey: mustHash(t, "0"), EndingHashKey: mustHash(t, midHash)},
					SequenceNumberRange: kds.SequenceNumberRange{StartingSequenceNumber: mustSeq(t, seqB)}},
				{ShardId: "shardId-000000000003", ParentShardId: "shardId-000000000000", AdjacentParentShardId: "shardId-000000000001",
					HashKeyRange:        kds.HashKeyRange{StartingHashKey: mustHash(t, "1"), EndingHashKey: mustHash(t, maxHash)},
					SequenceNumberRange: kds.SequenceNumberRange{StartingSequenceNumber: mustSeq(t, seqB), EndingSequenceNumber: mustSeq(t, seqA)}},
			}}, false},
		{"no hash key range", &kinesis.ListShardsOutput{Shards: []types.Shard{with(open, func(s *types.Shard) { s.HashKeyRange = nil })}}, kds.ListShardsOutput{}, true},
		{"hash key too large", &kinesis.ListShardsOutput{Shards: []types.Shard{with(open, func(s *types.Shard) {
			s.HashKeyRange = sdkRange("0", "340282366920938463463374607431768211456")
		})}}, kds.ListShardsOutput{}, true},
		{"hash key not a number", &kinesis.ListShardsOutput{Shards: []types.Shard{with(open, func(s *types.Shard) { s.HashKeyRange = sdkRange("-1", maxHash) })}}, kds.ListShardsOutput{}, true},
		{"no sequence number range", &kinesis.ListShardsOutput{Shards: []types.Shard{with(open, func(s *types.Shard) { s.SequenceNumberRange = nil })}}, kds.ListShardsOutput{}, true},
		{"no starting sequence number", &kinesis.ListShardsOutput{Shards: []types.Shard{with(open, func(s *types.Shard) {
			s.SequenceNumberRange = &types.SequenceNumberRange{}
		})}}, kds.ListShardsOutput{}, true},
		{"bad ending sequence number", &kinesis.ListShardsOutput{Shards: []types.Shard{with(open, func(s *types.Shard) {
			s.SequenceNumberRange = &types.SequenceNumberRange{StartingSequenceNumber: aws.String(seqB), EndingSequenceNumber: aws.String("x")}
		})}}, kds.ListShardsOutput{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := fromListShardsOutput(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestFromGetRecordsOutput(t *testing.T) {
	at := time.Date(2026, 11, 26, 10, 0, 0, 456e6, time.UTC)
	rec := types.Record{SequenceNumber: aws.String(seqA), ApproximateArrivalTimestamp: &at, Data: []byte("d"), PartitionKey: aws.String("k"),
		EncryptionType: types.EncryptionTypeNone}
	tests := []struct {
		name    string
		in      *kinesis.GetRecordsOutput
		want    kds.GetRecordsOutput
		wantErr bool
	}{
		{"empty, caught up", &kinesis.GetRecordsOutput{NextShardIterator: aws.String("next"), MillisBehindLatest: aws.Int64(0)},
			kds.GetRecordsOutput{Records: []kds.Record{}, NextShardIterator: "next"}, false},
		{"records", &kinesis.GetRecordsOutput{Records: []types.Record{rec}, NextShardIterator: aws.String("next"), MillisBehindLatest: aws.Int64(1500)},
			kds.GetRecordsOutput{Records: []kds.Record{{SequenceNumber: mustSeq(t, seqA), ApproximateArrivalTimestamp: at, Data: []byte("d"),
				PartitionKey: "k", EncryptionType: kds.EncryptionNone}}, NextShardIterator: "next", MillisBehindLatest: 1500}, false},
		{"shard end", &kinesis.GetRecordsOutput{MillisBehindLatest: aws.Int64(0), ChildShards: []types.ChildShard{
			{ShardId: aws.String("shardId-000000000002"), ParentShards: []string{"shardId-000000000000"}, HashKeyRange: sdkRange("0", midHash)},
			{ShardId: aws.String("shardId-000000000003"), ParentShards: []string{"shardId-000000000000"}, HashKeyRange: sdkRange("170141183460469231731687303715884105728", maxHash)},
		}}, kds.GetRecordsOutput{Records: []kds.Record{}, ChildShards: []kds.ChildShard{
			{ShardId: "shardId-000000000002", ParentShards: []string{"shardId-000000000000"},
				HashKeyRange: kds.HashKeyRange{StartingHashKey: mustHash(t, "0"), EndingHashKey: mustHash(t, midHash)}},
			{ShardId: "shardId-000000000003", ParentShards: []string{"shardId-000000000000"},
				HashKeyRange: kds.HashKeyRange{StartingHashKey: mustHash(t, "170141183460469231731687303715884105728"), EndingHashKey: mustHash(t, maxHash)}},
		}}, false},
		{"record without sequence number", &kinesis.GetRecordsOutput{Records: []types.Record{{Data: []byte("d"), PartitionKey: aws.String("k")}}},
			kds.GetRecordsOutput{}, true},
		{"child shard without range", &kinesis.GetRecordsOutput{ChildShards: []types.ChildShard{{ShardId: aws.String("shardId-000000000002")}}},
			kds.GetRecordsOutput{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := fromGetRecordsOutput(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}
