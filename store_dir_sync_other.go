//go:build !linux

package kds

import "os"

// datasync forces f's data to stable storage (on macOS, os.File.Sync
// uses F_FULLFSYNC, which also flushes the drive's cache).
func datasync(f *os.File) error { return f.Sync() }
