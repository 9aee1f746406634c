// Package metafile wraps the metadata files of a data directory in a small
// envelope that makes a damaged or truncated file detectable: a first line
// "kdsmeta 1 <xxhash64 of the body, 16 hex digits> <body length>\n", then
// the body.
package metafile

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/cespare/xxhash/v2"
)

// magic starts every metadata file; the number after it is the version.
const magic = "kdsmeta 1 "

// Encode returns body in its envelope.
func Encode(body []byte) []byte {
	b := make([]byte, 0, len(magic)+40+len(body))
	b = append(b, magic...)
	b = fmt.Appendf(b, "%016x %d\n", xxhash.Sum64(body), len(body))
	return append(b, body...)
}

// Decode checks the envelope of b and returns the body it holds.
func Decode(b []byte) ([]byte, error) {
	rest, ok := bytes.CutPrefix(b, []byte(magic))
	if !ok {
		if bytes.HasPrefix(b, []byte("kdsmeta ")) {
			return nil, errors.New("metafile: unknown version")
		}
		return nil, errors.New("metafile: not a kds metadata file")
	}
	line, body, ok := bytes.Cut(rest, []byte("\n"))
	if !ok {
		return nil, errors.New("metafile: damaged first line")
	}
	// The first line must be exactly what Encode writes for this body.
	if want := fmt.Appendf(nil, "%016x %d", xxhash.Sum64(body), len(body)); !bytes.Equal(line, want) {
		return nil, fmt.Errorf("metafile: checksum or length mismatch (%.40q, want %q)", line, want)
	}
	return body, nil
}
