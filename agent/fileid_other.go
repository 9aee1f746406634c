//go:build !unix

package agent

import (
	"hash/fnv"
	"os"
)

// fileID identifies a file. Off Unix it is a hash of the path, so a
// rename looks like a new file and rename-and-create rotation is seen as
// the old file disappearing (it is still read to its end) and a new one
// appearing.
type fileID struct {
	Dev uint64 `json:"dev"`
	Ino uint64 `json:"ino"`
}

// idOf returns the identity of the file at path.
func idOf(fi os.FileInfo, path string) fileID {
	h := fnv.New64a()
	h.Write([]byte(path))
	return fileID{Ino: h.Sum64()}
}
