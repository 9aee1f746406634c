package kinesisapi

import (
	"encoding/base64"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/kdsgo/kds"
)

// jsonAppender is an output shape that writes its own JSON. The outputs
// that carry records (GetRecords, SubscribeToShard events) do, because for
// them encoding/json's reflection and buffer growth cost more than
// everything else a call does; the JSON codec uses appendJSON when a shape
// has it.
type jsonAppender interface {
	appendJSON(dst []byte) []byte
}

// wireRecords are data records as GetRecords and SubscribeToShard events
// carry them. In JSON they are written by appendRecordsJSON; in CBOR they
// become []record.
type wireRecords []kds.Record

// MarshalCBOR writes the records through their reflected shape.
func (rs wireRecords) MarshalCBOR() ([]byte, error) {
	out := make([]record, len(rs))
	for i, r := range rs {
		out[i] = record{
			SequenceNumber:              r.SequenceNumber.String(),
			ApproximateArrivalTimestamp: ts(r.ApproximateArrivalTimestamp),
			Data:                        r.Data,
			PartitionKey:                r.PartitionKey,
			EncryptionType:              r.EncryptionType,
		}
	}
	return cborEnc.Marshal(out)
}

// jsonSize estimates the JSON size of rs, to size the buffer once.
func (rs wireRecords) jsonSize() int {
	n := 2
	for _, r := range rs {
		n += 160 + base64.StdEncoding.EncodedLen(len(r.Data)) + len(r.PartitionKey)
	}
	return n
}

// appendRecordsJSON appends rs as a JSON array of Kinesis Record objects.
func appendRecordsJSON(dst []byte, rs wireRecords) []byte {
	dst = slices.Grow(dst, rs.jsonSize())
	dst = append(dst, '[')
	for i, r := range rs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"SequenceNumber":"`...)
		dst = r.SequenceNumber.AppendDecimal(dst)
		dst = append(dst, '"')
		if !r.ApproximateArrivalTimestamp.IsZero() {
			dst = append(dst, `,"ApproximateArrivalTimestamp":`...)
			dst = appendEpochSeconds(dst, r.ApproximateArrivalTimestamp)
		}
		dst = append(dst, `,"Data":"`...)
		dst = base64.StdEncoding.AppendEncode(dst, r.Data)
		dst = append(dst, `","PartitionKey":`...)
		dst = appendJSONString(dst, r.PartitionKey)
		if r.EncryptionType != "" {
			dst = append(dst, `,"EncryptionType":`...)
			dst = appendJSONString(dst, string(r.EncryptionType))
		}
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

// appendEpochSeconds appends t as Kinesis writes timestamps in JSON:
// epoch seconds with the milliseconds, if any, as a fraction
// (1459799926.48).
func appendEpochSeconds(dst []byte, t time.Time) []byte {
	ms := t.UnixMilli()
	if ms < 0 {
		return strconv.AppendFloat(dst, float64(ms)/1000, 'f', -1, 64)
	}
	dst = strconv.AppendInt(dst, ms/1000, 10)
	frac := ms % 1000
	if frac == 0 {
		return dst
	}
	digits := [3]byte{byte('0' + frac/100), byte('0' + frac/10%10), byte('0' + frac%10)}
	n := 3
	for digits[n-1] == '0' {
		n--
	}
	dst = append(dst, '.')
	return append(dst, digits[:n]...)
}

// appendJSONString appends s as a JSON string, escaping what JSON requires
// and replacing invalid UTF-8 with U+FFFD, as encoding/json does.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
