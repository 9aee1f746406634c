package kinesisapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// blob is a Kinesis Blob member of an input shape: base64 (standard,
// padded) in JSON, a byte string in CBOR. Output shapes use plain []byte,
// which encoding/json writes as base64 itself, and faster.
type blob []byte

// UnmarshalJSON reads a base64 string, failing with the words the Java
// service uses for bad base64.
func (b *blob) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		*b = nil
		return nil
	}
	if len(data) < 2 || data[0] != '"' {
		return serializationError(wrongType(data[0], "a Blob"))
	}
	s := data[1 : len(data)-1]
	if bytes.IndexByte(s, '\\') >= 0 {
		// Escapes are legal JSON, if odd in base64; let encoding/json undo them.
		var u string
		if err := json.Unmarshal(data, &u); err != nil {
			return serializationError(wrongType(data[0], "a Blob"))
		}
		s = []byte(u)
	}
	dec, err := decodeBase64(s)
	if err != nil {
		return err
	}
	*b = dec
	return nil
}

// decodeBase64 decodes a Blob's standard, padded base64, failing with the
// words the Java service uses.
func decodeBase64(s []byte) (blob, error) {
	if len(s)%4 != 0 {
		return nil, serializationError(fmt.Sprintf("'%s' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: %d", s, len(s)))
	}
	dec := make(blob, base64.StdEncoding.DecodedLen(len(s)))
	n, err := base64.StdEncoding.Decode(dec, s)
	if err != nil {
		c := "?"
		if at, ok := err.(base64.CorruptInputError); ok && int(at) < len(s) {
			c = string(s[at : at+1])
		}
		return nil, serializationError(fmt.Sprintf("'%s' can not be converted to a Blob: Invalid Base64 character: '%s'", s, c))
	}
	return dec[:n], nil
}

// timestamp is a Kinesis Timestamp member: epoch seconds with a
// millisecond fraction in JSON (1459799926.48), and in CBOR, as the AWS
// SDK for Java writes it, tag 1 followed by epoch milliseconds.
type timestamp time.Time

// ts converts t for an output shape; the zero time becomes nil, so the
// member is omitted.
func ts(t time.Time) *timestamp {
	if t.IsZero() {
		return nil
	}
	v := timestamp(t)
	return &v
}

// time returns t as a time.Time; nil is the zero time.
func (t *timestamp) time() time.Time {
	if t == nil {
		return time.Time{}
	}
	return time.Time(*t)
}

// maxEpochSeconds bounds the timestamps read, far beyond any real one
// (year 33658), so that milliseconds fit an int64.
const maxEpochSeconds = 1e15

// MarshalJSON writes epoch seconds with up to three decimals.
func (t timestamp) MarshalJSON() ([]byte, error) {
	return appendEpochSeconds(nil, time.Time(t)), nil
}

// UnmarshalJSON reads epoch seconds, whole or fractional.
func (t *timestamp) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	f, err := strconv.ParseFloat(string(data), 64)
	if err != nil || !(math.Abs(f) < maxEpochSeconds) {
		return serializationError(fmt.Sprintf("class java.lang.String can not be converted to milliseconds since epoch: %s", data))
	}
	*t = timestamp(time.UnixMilli(int64(math.Round(f * 1000))).UTC())
	return nil
}

// MarshalCBOR writes tag 1 and epoch milliseconds, as the Java SDK does.
func (t timestamp) MarshalCBOR() ([]byte, error) {
	return cborEnc.Marshal(cbor.Tag{Number: 1, Content: time.Time(t).UnixMilli()})
}

// UnmarshalCBOR reads epoch milliseconds, tagged or not, integer or float.
func (t *timestamp) UnmarshalCBOR(data []byte) error {
	var v any
	if err := cborDec.Unmarshal(data, &v); err != nil {
		return serializationError("Unable to parse a timestamp: " + err.Error())
	}
	if tag, ok := v.(cbor.Tag); ok {
		v = tag.Content
	}
	var ms float64
	switch n := v.(type) {
	case nil:
		return nil
	case uint64:
		ms = float64(n)
	case int64:
		ms = float64(n)
	case float64:
		ms = n
	case time.Time:
		// A decoder may turn tag 1 into a time itself; its content was
		// milliseconds, read as seconds.
		ms = float64(n.Unix())
	default:
		return serializationError(fmt.Sprintf("class %T can not be converted to milliseconds since epoch", v))
	}
	if !(math.Abs(ms) < maxEpochSeconds*1000) {
		return serializationError(fmt.Sprintf("%v milliseconds since epoch is out of range", ms))
	}
	*t = timestamp(time.UnixMilli(int64(ms)).UTC())
	return nil
}

// integer is a Kinesis Integer member of an input shape. As the Java
// service does, it drops a fraction and clamps a value beyond 32 bits to
// the nearest 32-bit one, rather than refusing either.
type integer int

// UnmarshalJSON reads a JSON number; other JSON values are
// SerializationExceptions worded as Kinesis words them.
func (n *integer) UnmarshalJSON(data []byte) error {
	switch data[0] {
	case '"', 't', 'f', '{', '[':
		return serializationError(wrongType(data[0], "an Integer"))
	}
	f, err := strconv.ParseFloat(string(data), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return serializationError(fmt.Sprintf("Unable to read %s as an Integer", data))
	}
	*n = clampInt32(f)
	return nil
}

// UnmarshalCBOR reads a CBOR integer or float.
func (n *integer) UnmarshalCBOR(data []byte) error {
	var v any
	if err := cborDec.Unmarshal(data, &v); err != nil {
		return serializationError("Unable to parse an Integer: " + err.Error())
	}
	switch x := v.(type) {
	case uint64:
		*n = clampInt32(float64(x))
	case int64:
		*n = clampInt32(float64(x))
	case float64:
		*n = clampInt32(x)
	default:
		return serializationError(fmt.Sprintf("class %T can not be converted to an Integer", v))
	}
	return nil
}

// clampInt32 truncates f toward zero and clamps it to the 32-bit range.
func clampInt32(f float64) integer {
	switch {
	case math.IsNaN(f):
		return 0
	case f >= math.MaxInt32:
		return math.MaxInt32
	case f <= math.MinInt32:
		return math.MinInt32
	}
	return integer(f)
}
