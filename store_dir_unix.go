//go:build unix

package kds

import (
	"errors"
	"os"
	"syscall"
)

// lockDir creates (if need be) and locks the file at path, so that two
// Services never have one data directory open at once. The lock goes
// when the file is closed, or the process dies.
func lockDir(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errors.New("in use by another Service")
		}
		return nil, err
	}
	return f, nil
}
