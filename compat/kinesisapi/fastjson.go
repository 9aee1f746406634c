package kinesisapi

import (
	"unicode/utf8"

	"github.com/kdsgo/kds"
)

// fastJSONDecoder is an input shape with a decoder of its own for the
// plain, common form of its JSON. PutRecords has one: with 500 records a
// call, encoding/json's validation pass and reflection cost more than
// storing the records. decodeJSONFast reports false, leaving the shape
// for the caller to reset, whenever the body is anything but that plain
// form (escapes, nulls, unknown members, wrong types, bad base64); the
// JSON codec then decodes it with encoding/json, which words any error.
// So the fast path changes nothing but speed, and a fuzz test checks that
// it agrees with encoding/json wherever it answers.
type fastJSONDecoder interface {
	decodeJSONFast(body []byte) bool
}

// jsonScanner reads a JSON document from b, from position i on.
type jsonScanner struct {
	b []byte
	i int
}

// skipSpace moves past JSON white space.
func (s *jsonScanner) skipSpace() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// next skips white space and consumes c if it comes next.
func (s *jsonScanner) next(c byte) bool {
	s.skipSpace()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// str reads a string without escapes and returns its bytes, which alias
// the document. It fails on escapes, control characters and invalid
// UTF-8, which encoding/json would rewrite.
func (s *jsonScanner) str() ([]byte, bool) {
	if !s.next('"') {
		return nil, false
	}
	start, ascii := s.i, true
	for ; s.i < len(s.b); s.i++ {
		c := s.b[s.i]
		switch {
		case c == '"':
			v := s.b[start:s.i]
			s.i++
			return v, ascii || utf8.Valid(v)
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

// object reads an object, calling member for each key with the scanner
// positioned at the value; member reports whether it read the value.
func (s *jsonScanner) object(member func(key []byte) bool) bool {
	if !s.next('{') {
		return false
	}
	if s.next('}') {
		return true
	}
	for {
		key, ok := s.str()
		if !ok || !s.next(':') || !member(key) {
			return false
		}
		if s.next('}') {
			return true
		}
		if !s.next(',') {
			return false
		}
	}
}

// end reports whether only white space is left.
func (s *jsonScanner) end() bool {
	s.skipSpace()
	return s.i == len(s.b)
}

// decodeJSONFast reads the plain form of a PutRecords body; see
// [fastJSONDecoder].
func (in *putRecordsInput) decodeJSONFast(body []byte) bool {
	s := jsonScanner{b: body}
	ok := s.object(func(key []byte) bool {
		switch string(key) {
		case "StreamName":
			v, ok := s.str()
			in.StreamName = string(v)
			return ok
		case "StreamARN":
			v, ok := s.str()
			in.StreamARN = string(v)
			return ok
		case "Records":
			// encoding/json decodes a second Records array over the
			// first, element by element; leave that to it.
			return in.Records == nil && s.records(in)
		}
		return false
	})
	return ok && s.end()
}

// records reads PutRecords' Records array into in.
func (s *jsonScanner) records(in *putRecordsInput) bool {
	if !s.next('[') {
		return false
	}
	// Each entry takes at least 24 bytes of JSON; guess the count from that.
	in.Records = make([]putRecordsRequestEntry, 0, min(kds.MaxPutRecordsEntries, (len(s.b)-s.i)/24+1))
	if s.next(']') {
		return true
	}
	for {
		var e putRecordsRequestEntry
		ok := s.object(func(key []byte) bool {
			switch string(key) {
			case "Data":
				v, ok := s.str()
				if !ok {
					return false
				}
				var err error
				e.Data, err = decodeBase64(v)
				return err == nil
			case "PartitionKey":
				v, ok := s.str()
				k := string(v)
				e.PartitionKey = &k
				return ok
			case "ExplicitHashKey":
				v, ok := s.str()
				e.ExplicitHashKey = string(v)
				return ok
			}
			return false
		})
		if !ok {
			return false
		}
		in.Records = append(in.Records, e)
		if s.next(']') {
			return true
		}
		if !s.next(',') {
			return false
		}
	}
}
