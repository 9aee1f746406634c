package kinesisapi

import (
	"context"
	"slices"
	"strconv"

	"github.com/kdsgo/kds"
)

type putRecordInput struct {
	StreamName                string  `json:"StreamName"`
	StreamARN                 string  `json:"StreamARN"`
	Data                      blob    `json:"Data"`
	PartitionKey              *string `json:"PartitionKey"`
	ExplicitHashKey           string  `json:"ExplicitHashKey"`
	SequenceNumberForOrdering string  `json:"SequenceNumberForOrdering"`
}

type putRecordOutput struct {
	ShardId        string             `json:"ShardId"`
	SequenceNumber string             `json:"SequenceNumber"`
	EncryptionType kds.EncryptionType `json:"EncryptionType,omitempty"`
}

func putRecord(ctx context.Context, svc *kds.Service, in putRecordInput) (any, error) {
	var v violations
	v.checkEntry(in.PartitionKey, in.Data, "")
	if err := v.err(); err != nil {
		return nil, err
	}
	out, err := svc.PutRecord(ctx, kds.PutRecordInput{
		StreamName:                in.StreamName,
		StreamARN:                 in.StreamARN,
		Data:                      in.Data,
		PartitionKey:              *in.PartitionKey,
		ExplicitHashKey:           in.ExplicitHashKey,
		SequenceNumberForOrdering: in.SequenceNumberForOrdering,
	})
	if err != nil {
		return nil, err
	}
	return putRecordOutput{ShardId: out.ShardId, SequenceNumber: out.SequenceNumber.String(), EncryptionType: out.EncryptionType}, nil
}

// checkEntry adds the violations of a record whose partition key or data
// was not sent; prefix is the record's path in a PutRecords batch
// ("records.1.member."), or empty for PutRecord.
func (v *violations) checkEntry(key *string, data blob, prefix string) {
	v.required(key != nil, prefix+"partitionKey")
	v.required(data != nil, prefix+"data")
}

type putRecordsRequestEntry struct {
	Data            blob    `json:"Data"`
	PartitionKey    *string `json:"PartitionKey"`
	ExplicitHashKey string  `json:"ExplicitHashKey"`
}

type putRecordsInput struct {
	StreamName string                   `json:"StreamName"`
	StreamARN  string                   `json:"StreamARN"`
	Records    []putRecordsRequestEntry `json:"Records"`
}

type putRecordsResultEntry struct {
	SequenceNumber string `json:"SequenceNumber,omitempty"`
	ShardId        string `json:"ShardId,omitempty"`
	ErrorCode      string `json:"ErrorCode,omitempty"`
	ErrorMessage   string `json:"ErrorMessage,omitempty"`
}

type putRecordsOutput struct {
	FailedRecordCount int                `json:"FailedRecordCount"`
	Records           putRecordsResults  `json:"Records"`
	EncryptionType    kds.EncryptionType `json:"EncryptionType,omitempty"`
}

// putRecordsResults are PutRecords' result entries. In JSON they are
// written by putRecordsOutput.appendJSON; in CBOR they become
// []putRecordsResultEntry.
type putRecordsResults []kds.PutRecordsResultEntry

// MarshalCBOR writes the entries through their reflected shape.
func (rs putRecordsResults) MarshalCBOR() ([]byte, error) {
	out := make([]putRecordsResultEntry, len(rs))
	for i, r := range rs {
		out[i] = putRecordsResultEntry{SequenceNumber: r.SequenceNumber.String(), ShardId: r.ShardId, ErrorCode: r.ErrorCode, ErrorMessage: r.ErrorMessage}
	}
	return cborEnc.Marshal(out)
}

// appendJSON writes the output without reflection: see [jsonAppender].
func (o putRecordsOutput) appendJSON(dst []byte) []byte {
	dst = slices.Grow(dst, 64+len(o.Records)*120)
	dst = append(dst, `{"FailedRecordCount":`...)
	dst = strconv.AppendInt(dst, int64(o.FailedRecordCount), 10)
	dst = append(dst, `,"Records":[`...)
	for i, r := range o.Records {
		if i > 0 {
			dst = append(dst, ',')
		}
		if r.ErrorCode != "" {
			dst = append(dst, `{"ErrorCode":`...)
			dst = appendJSONString(dst, r.ErrorCode)
			dst = append(dst, `,"ErrorMessage":`...)
			dst = appendJSONString(dst, r.ErrorMessage)
		} else {
			dst = append(dst, `{"SequenceNumber":"`...)
			dst = r.SequenceNumber.AppendDecimal(dst)
			dst = append(dst, `","ShardId":`...)
			dst = appendJSONString(dst, r.ShardId)
		}
		dst = append(dst, '}')
	}
	dst = append(dst, ']')
	if o.EncryptionType != "" {
		dst = append(dst, `,"EncryptionType":`...)
		dst = appendJSONString(dst, string(o.EncryptionType))
	}
	return append(dst, '}')
}

func putRecords(ctx context.Context, svc *kds.Service, in putRecordsInput) (any, error) {
	var v violations
	for i, r := range in.Records {
		v.checkEntry(r.PartitionKey, r.Data, "records."+strconv.Itoa(i+1)+".member.")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	k := kds.PutRecordsInput{StreamName: in.StreamName, StreamARN: in.StreamARN}
	if in.Records != nil {
		// A nil slice tells the core the member was absent, an empty one
		// that it was an empty list.
		k.Records = make([]kds.PutRecordsRequestEntry, len(in.Records))
	}
	for i, r := range in.Records {
		k.Records[i] = kds.PutRecordsRequestEntry{Data: r.Data, PartitionKey: *r.PartitionKey, ExplicitHashKey: r.ExplicitHashKey}
	}
	out, err := svc.PutRecords(ctx, k)
	if err != nil {
		return nil, err
	}
	return putRecordsOutput{FailedRecordCount: out.FailedRecordCount, Records: out.Records, EncryptionType: out.EncryptionType}, nil
}
