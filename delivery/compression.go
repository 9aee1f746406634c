package delivery

import (
	"bytes"
	"compress/gzip"
	"fmt"
)

// CompressionFormat is how a [DirectoryDestination] compresses its
// objects, Firehose's CompressionFormat.
type CompressionFormat string

// The compression formats kds supports. Firehose's ZIP, Snappy and
// HADOOP_SNAPPY are not implemented.
const (
	// Uncompressed writes the records as they are. The default.
	Uncompressed CompressionFormat = "UNCOMPRESSED"
	// GZIP writes each object as one gzip member, named with a ".gz"
	// extension.
	GZIP CompressionFormat = "GZIP"
)

// validate reports whether f is a supported format ("" is Uncompressed).
func (f CompressionFormat) validate() error {
	switch f {
	case "", Uncompressed, GZIP:
		return nil
	}
	return fmt.Errorf("CompressionFormat %q is not supported (UNCOMPRESSED or GZIP)", string(f))
}

// extension returns the file name extension of objects in format f.
func (f CompressionFormat) extension() string {
	if f == GZIP {
		return ".gz"
	}
	return ""
}

// encode returns the concatenated records, compressed as f says.
func (f CompressionFormat) encode(records [][]byte) []byte {
	var buf bytes.Buffer
	if f != GZIP {
		for _, r := range records {
			buf.Write(r)
		}
		return buf.Bytes()
	}
	zw := gzip.NewWriter(&buf)
	for _, r := range records {
		zw.Write(r) // writes into memory: cannot fail
	}
	zw.Close()
	return buf.Bytes()
}
