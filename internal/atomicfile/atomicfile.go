// Package atomicfile replaces files so that a crash never leaves a partial
// one: the checkpoint files of the consumer groups and of the agent.
package atomicfile

import (
	"os"
	"path/filepath"
)

// Write replaces the file at path with b: it writes a temporary
// file beside it, syncs it, renames it over path and syncs the directory,
// so a crash leaves either the old content or the new.
func Write(path string, b []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(b)
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
