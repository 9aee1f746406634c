package delivery

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// DirectoryDestination writes each batch as one file under a directory,
// laid out as Firehose lays out objects in an S3 bucket: the batch's Key
// (prefix and object name) is the file's path relative to the directory,
// with ".gz" added for GZIP. It can serve as a delivery stream's
// Destination and as its ErrorOutput.
//
// A file appears complete or not at all: it is written to a temporary
// file in its final directory, whose name starts with "." and ends with
// ".tmp" plus random characters, synced, and renamed into place. A
// reader that skips names starting with "." never sees half an object.
type DirectoryDestination struct {
	dir         string
	compression CompressionFormat
}

// DirectoryConfig configures a [DirectoryDestination].
type DirectoryConfig struct {
	// Dir is the root directory, Firehose's bucket. It is created if
	// missing.
	Dir string
	// CompressionFormat compresses each file. Default: Uncompressed.
	CompressionFormat CompressionFormat
}

// NewDirectoryDestination returns a DirectoryDestination for cfg.
func NewDirectoryDestination(cfg DirectoryConfig) (*DirectoryDestination, error) {
	var errs []error
	if cfg.Dir == "" {
		errs = append(errs, errors.New("delivery: DirectoryConfig.Dir is empty"))
	}
	if err := cfg.CompressionFormat.validate(); err != nil {
		errs = append(errs, fmt.Errorf("delivery: DirectoryConfig.%v", err))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("delivery: %w", err)
	}
	return &DirectoryDestination{dir: cfg.Dir, compression: cfg.CompressionFormat}, nil
}

// Deliver writes b's records, concatenated and compressed, to the file
// named by b.Key.
func (d *DirectoryDestination) Deliver(ctx context.Context, b *Batch) error {
	name := filepath.FromSlash(b.Key + d.compression.extension())
	if !filepath.IsLocal(name) {
		return fmt.Errorf("delivery: object key %q is not a path inside the directory", b.Key)
	}
	path := filepath.Join(d.dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	if err != nil {
		return err
	}
	_, err = tmp.Write(d.compression.encode(b.Records))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
