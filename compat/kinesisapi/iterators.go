package kinesisapi

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/kdsgo/kds"
)

type getShardIteratorInput struct {
	StreamName             string                `json:"StreamName"`
	StreamARN              string                `json:"StreamARN"`
	ShardId                string                `json:"ShardId"`
	ShardIteratorType      kds.ShardIteratorType `json:"ShardIteratorType"`
	StartingSequenceNumber string                `json:"StartingSequenceNumber"`
	Timestamp              *timestamp            `json:"Timestamp"`
}

type getShardIteratorOutput struct {
	ShardIterator string `json:"ShardIterator"`
}

func getShardIterator(ctx context.Context, svc *kds.Service, in getShardIteratorInput) (any, error) {
	out, err := svc.GetShardIterator(ctx, kds.GetShardIteratorInput{
		StreamName:             in.StreamName,
		StreamARN:              in.StreamARN,
		ShardId:                in.ShardId,
		ShardIteratorType:      in.ShardIteratorType,
		StartingSequenceNumber: in.StartingSequenceNumber,
		Timestamp:              in.Timestamp.time(),
	})
	if err != nil {
		return nil, err
	}
	return getShardIteratorOutput{ShardIterator: out.ShardIterator}, nil
}

type getRecordsInput struct {
	ShardIterator string   `json:"ShardIterator"`
	Limit         *integer `json:"Limit"`
	StreamARN     string   `json:"StreamARN"`
}

// record is a data record as GetRecords and SubscribeToShard events carry
// it.
type record struct {
	SequenceNumber              string             `json:"SequenceNumber"`
	ApproximateArrivalTimestamp *timestamp         `json:"ApproximateArrivalTimestamp,omitempty"`
	Data                        []byte             `json:"Data"`
	PartitionKey                string             `json:"PartitionKey"`
	EncryptionType              kds.EncryptionType `json:"EncryptionType,omitempty"`
}

// childShard is a shard that carries on from one a reader has finished.
type childShard struct {
	ShardId      string       `json:"ShardId"`
	ParentShards []string     `json:"ParentShards"`
	HashKeyRange hashKeyRange `json:"HashKeyRange"`
}

type getRecordsOutput struct {
	Records            wireRecords  `json:"Records"`
	NextShardIterator  string       `json:"NextShardIterator,omitempty"`
	MillisBehindLatest int64        `json:"MillisBehindLatest"`
	ChildShards        []childShard `json:"ChildShards,omitempty"`
}

func getRecords(ctx context.Context, svc *kds.Service, in getRecordsInput) (any, error) {
	var v violations
	v.atLeast(in.Limit, "limit", 1)
	if err := v.err(); err != nil {
		return nil, err
	}
	out, err := svc.GetRecords(ctx, kds.GetRecordsInput{ShardIterator: in.ShardIterator, Limit: intOrZero(in.Limit), StreamARN: in.StreamARN})
	if err != nil {
		return nil, err
	}
	return getRecordsOutput{
		Records:            out.Records,
		NextShardIterator:  out.NextShardIterator,
		MillisBehindLatest: out.MillisBehindLatest,
		ChildShards:        toChildShards(out.ChildShards),
	}, nil
}

// toChildShards converts child shards for the wire; none gives nil, so
// the member is omitted.
func toChildShards(cs []kds.ChildShard) []childShard {
	if len(cs) == 0 {
		return nil
	}
	out := make([]childShard, len(cs))
	for i, c := range cs {
		out[i] = childShard{
			ShardId:      c.ShardId,
			ParentShards: c.ParentShards,
			HashKeyRange: toHashKeyRange(c.HashKeyRange),
		}
	}
	return out
}

// appendJSON writes the output without reflection: see [jsonAppender].
func (o getRecordsOutput) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"Records":`...)
	dst = appendRecordsJSON(dst, o.Records)
	if o.NextShardIterator != "" {
		dst = append(dst, `,"NextShardIterator":`...)
		dst = appendJSONString(dst, o.NextShardIterator)
	}
	dst = append(dst, `,"MillisBehindLatest":`...)
	dst = strconv.AppendInt(dst, o.MillisBehindLatest, 10)
	dst = appendChildShardsJSON(dst, o.ChildShards)
	return append(dst, '}')
}

// appendChildShardsJSON appends the ChildShards member, if there are any.
// They are few and rare, so encoding/json writes them.
func appendChildShardsJSON(dst []byte, cs []childShard) []byte {
	if len(cs) == 0 {
		return dst
	}
	b, err := json.Marshal(cs)
	if err != nil {
		panic(err) // childShard has only strings in it
	}
	dst = append(dst, `,"ChildShards":`...)
	return append(dst, b...)
}
