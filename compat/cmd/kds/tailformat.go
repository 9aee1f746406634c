package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"errors"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// recordFormat is how kds tail prints a record: its flag value is raw,
// json or base64.
type recordFormat string

// The record formats.
const (
	// formatRaw is the data as it is, then "\n".
	formatRaw recordFormat = "raw"
	// formatJSON is one JSON object per line; see jsonRecord.
	formatJSON recordFormat = "json"
	// formatBase64 is the data in standard base64, then "\n".
	formatBase64 recordFormat = "base64"
)

func (f *recordFormat) String() string { return string(*f) }

// Set parses the flag's value.
func (f *recordFormat) Set(v string) error {
	switch recordFormat(v) {
	case formatRaw, formatJSON, formatBase64:
		*f = recordFormat(v)
		return nil
	}
	return errors.New("want raw, json or base64")
}

// jsonRecord is a record in the json format. Data is the record's data
// as text when it is valid UTF-8, which is what most producers put (JSON,
// logs), with DataEncoding "utf-8"; otherwise it is the data in standard
// base64, with DataEncoding "base64". The encoding is always named, since
// text can look like base64.
type jsonRecord struct {
	ShardID                     string `json:"shardId"`
	SequenceNumber              string `json:"sequenceNumber"`
	PartitionKey                string `json:"partitionKey"`
	ApproximateArrivalTimestamp string `json:"approximateArrivalTimestamp"`
	Data                        string `json:"data"`
	DataEncoding                string `json:"dataEncoding"`
}

// arrivalFormat is RFC 3339 to the millisecond, the precision of arrival
// timestamps.
const arrivalFormat = "2006-01-02T15:04:05.000Z07:00"

// write appends a record of shardID to w in the format.
func (f recordFormat) write(w *bufio.Writer, shardID string, r types.Record) error {
	switch f {
	case formatJSON:
		j := jsonRecord{
			ShardID:        shardID,
			SequenceNumber: aws.ToString(r.SequenceNumber),
			PartitionKey:   aws.ToString(r.PartitionKey),
			Data:           string(r.Data),
			DataEncoding:   "utf-8",
		}
		if r.ApproximateArrivalTimestamp != nil {
			j.ApproximateArrivalTimestamp = r.ApproximateArrivalTimestamp.UTC().Format(arrivalFormat)
		}
		if !utf8.Valid(r.Data) {
			j.Data, j.DataEncoding = base64.StdEncoding.EncodeToString(r.Data), "base64"
		}
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return enc.Encode(j) // with its "\n"
	case formatBase64:
		enc := base64.NewEncoder(base64.StdEncoding, w)
		enc.Write(r.Data)
		enc.Close()
	default:
		w.Write(r.Data)
	}
	return w.WriteByte('\n')
}
