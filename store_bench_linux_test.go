//go:build linux && (amd64 || arm64)

package kds

import (
	"os"
	"syscall"
)

// evictFromPageCache asks the kernel to drop the file at path from its
// page cache (posix_fadvise with POSIX_FADV_DONTNEED), so that the next
// read of it comes from the disk. Pages not yet written back stay.
func evictFromPageCache(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	const fadvDontNeed = 4
	if _, _, errno := syscall.Syscall6(syscall.SYS_FADVISE64, f.Fd(), 0, 0, fadvDontNeed, 0, 0); errno != 0 {
		return errno
	}
	return nil
}
