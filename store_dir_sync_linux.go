package kds

import (
	"os"
	"syscall"
)

// datasync forces f's data (and the metadata needed to read it back) to
// stable storage: fdatasync, which skips the timestamps fsync also writes.
func datasync(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = syscall.Fdatasync(int(fd)) }); err != nil {
		return err
	}
	return serr
}
