// Package atomicfile replaces files so that a crash never leaves a partial
// one: the checkpoint files of the consumer groups and of the agent, and
// the objects of the delivery stream's directory destination.
package atomicfile

import (
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Write replaces the file at path with b, as WriteFunc does.
func Write(path string, b []byte) error {
	return WriteFunc(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// WriteFunc replaces the file at path with what write writes: it writes
// a temporary file beside it (named "." + the file's name + random
// characters + ".tmp"), syncs it, renames it over path and syncs the
// directory, so a crash leaves either the old content or the new. If
// write returns an error, the temporary file is removed, path is left
// as it was, and WriteFunc returns that error.
func WriteFunc(path string, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	err = write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return SyncDir(dir)
}

// SyncDir makes the entries of directory dir (files created, renamed or
// removed in it) durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// RemoveTemps deletes from dir the temporary files that a WriteFunc cut
// short by a crash left behind.
func RemoveTemps(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if n := e.Name(); strings.HasPrefix(n, ".") && strings.HasSuffix(n, ".tmp") {
			os.Remove(filepath.Join(dir, n))
		}
	}
	return nil
}
