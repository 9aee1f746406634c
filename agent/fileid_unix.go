//go:build unix

package agent

import (
	"os"
	"syscall"
)

// fileID identifies a file independently of its name: its device and
// inode numbers, which survive a rename.
type fileID struct {
	Dev uint64 `json:"dev"`
	Ino uint64 `json:"ino"`
}

// idOf returns the identity of the file fi describes. path is unused on
// Unix.
func idOf(fi os.FileInfo, path string) fileID {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return fileID{Dev: uint64(st.Dev), Ino: uint64(st.Ino)}
	}
	return fileID{}
}
