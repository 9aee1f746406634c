package delivery

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
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
	f.encodeTo(&buf, records) // writes into memory: cannot fail
	return buf.Bytes()
}

// encodeTo writes the concatenated records to w, compressed as f says.
func (f CompressionFormat) encodeTo(w io.Writer, records [][]byte) error {
	if f != GZIP {
		for _, r := range records {
			if _, err := w.Write(r); err != nil {
				return err
			}
		}
		return nil
	}
	zw := gzip.NewWriter(w)
	for _, r := range records {
		if _, err := zw.Write(r); err != nil {
			return err
		}
	}
	return zw.Close()
}
