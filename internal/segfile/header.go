package segfile

import (
	"encoding/binary"

	"github.com/cespare/xxhash/v2"
)

// fileMagic opens every segment file; its last byte is the format's
// generation.
const fileMagic = "KDSSEG\x00\x01"

// fileVersion is the only version ParseFileHeader accepts.
const fileVersion = 1

// Reasons ParseFileHeader gives in a [CorruptError].
const (
	reasonShortFile   = "file shorter than its header"
	reasonFileMagic   = "bad file magic"
	reasonFileSum     = "bad file header checksum"
	reasonFileVersion = "unsupported file version"
)

// FileHeader is what a segment file's first 40 bytes say about it: which
// shard of which stream incarnation it belongs to, and the counter of its
// first record.
type FileHeader struct {
	Shard  uint32 // shard index
	Stream uint64 // stream incarnation id
	First  uint64 // counter of the file's first record
}

// AppendFileHeader appends the 40-byte encoding of h to dst.
func AppendFileHeader(dst []byte, h FileHeader) []byte {
	start := len(dst)
	dst = append(dst, fileMagic...)
	dst = binary.LittleEndian.AppendUint32(dst, fileVersion)
	dst = binary.LittleEndian.AppendUint32(dst, h.Shard)
	dst = binary.LittleEndian.AppendUint64(dst, h.Stream)
	dst = binary.LittleEndian.AppendUint64(dst, h.First)
	return binary.LittleEndian.AppendUint64(dst, xxhash.Sum64(dst[start:]))
}

// ParseFileHeader decodes the file header at the start of b, which may
// hold more of the file after it. It returns a *[CorruptError] if b is
// shorter than [HeaderSize], or if the magic, checksum or version is wrong.
func ParseFileHeader(b []byte) (FileHeader, error) {
	if len(b) < HeaderSize {
		return FileHeader{}, corrupt(0, reasonShortFile)
	}
	if string(b[:8]) != fileMagic {
		return FileHeader{}, corrupt(0, reasonFileMagic)
	}
	if xxhash.Sum64(b[:32]) != binary.LittleEndian.Uint64(b[32:]) {
		return FileHeader{}, corrupt(0, reasonFileSum)
	}
	if binary.LittleEndian.Uint32(b[8:]) != fileVersion {
		return FileHeader{}, corrupt(8, reasonFileVersion)
	}
	return FileHeader{
		Shard:  binary.LittleEndian.Uint32(b[12:]),
		Stream: binary.LittleEndian.Uint64(b[16:]),
		First:  binary.LittleEndian.Uint64(b[24:]),
	}, nil
}
