package delivery

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/kdsgo/kds/internal/atomicfile"
)

// DirectoryDestination writes each batch as one file under a directory,
// laid out as Firehose lays out objects in an S3 bucket: the batch's Key
// (prefix and object name) is the file's path relative to the directory,
// with ".gz" added for GZIP. It can serve as a delivery stream's
// Destination and as its ErrorOutput.
//
// A file appears complete or not at all, even across a crash: it is
// written to a temporary file in its final directory (named "." + the
// file's name + random characters + ".tmp"), synced, renamed into place,
// and the directory is synced before Deliver returns, so an object the
// stream has checkpointed past is on disk. A reader that skips names
// starting with "." never sees half an object.
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
// named by b.Key. If ctx has ended it writes nothing; if ctx ends while
// the file is written, the file is not put in place.
func (d *DirectoryDestination) Deliver(ctx context.Context, b *Batch) error {
	name := filepath.FromSlash(b.Key + d.compression.extension())
	if !filepath.IsLocal(name) {
		return fmt.Errorf("delivery: object key %q is not a path inside the directory", b.Key)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	path := filepath.Join(d.dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteFunc(path, func(w io.Writer) error {
		if err := d.compression.encodeTo(w, b.Records); err != nil {
			return err
		}
		return ctx.Err()
	})
}
