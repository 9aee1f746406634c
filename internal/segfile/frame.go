package segfile

import (
	"encoding/binary"

	"github.com/cespare/xxhash/v2"
)

// frameMagic opens every frame header.
const frameMagic = "KDSF"

// Frame kinds, byte 4 of a frame header.
const (
	kindRecords = 1
	kindFooter  = 2
)

// flagSealed, in byte 5 of a records frame's header, says the payload names
// a data key and the records are sealed under it.
const flagSealed = 1

// Reasons readFrame gives in a [CorruptError].
const (
	reasonShortFrame  = "truncated frame header"
	reasonFrameMagic  = "bad frame magic"
	reasonOverLimit   = "payload length over limit"
	reasonShortLoad   = "truncated payload"
	reasonFrameSum    = "bad frame checksum"
	reasonFrameFields = "bad frame header fields"
)

// frameHeader is the decoded header of a frame whose checksum matched.
type frameHeader struct {
	kind, flags byte
	count       uint32
	first       uint64
}

// finishFrame fills the 32-byte header at the start of b for the payload
// that follows it in b, checksum included.
func finishFrame(b []byte, kind, flags byte, count uint32, first uint64) {
	copy(b, frameMagic)
	b[4], b[5], b[6], b[7] = kind, flags, 0, 0
	binary.LittleEndian.PutUint32(b[8:], uint32(len(b)-FrameHeaderSize))
	binary.LittleEndian.PutUint32(b[12:], count)
	binary.LittleEndian.PutUint64(b[16:], first)
	binary.LittleEndian.PutUint64(b[24:], frameSum(b))
}

// frameSum is the checksum of the frame at the start of b: xxhash64 of its
// header's first 24 bytes and of its payload, which is the rest of b.
func frameSum(b []byte) uint64 {
	var d xxhash.Digest
	d.Reset()
	d.Write(b[:24])
	d.Write(b[FrameHeaderSize:])
	return d.Sum64()
}

// readFrame checks the frame at the start of b, which holds it and maybe
// more bytes after it, and returns its header and payload. at is the
// frame's offset in the file, for errors. Its kind and flags are left for
// the caller to judge; the reserved bytes must be zero.
func readFrame(b []byte, at int64) (frameHeader, []byte, *CorruptError) {
	if len(b) < FrameHeaderSize {
		return frameHeader{}, nil, corrupt(at, reasonShortFrame)
	}
	if string(b[:4]) != frameMagic {
		return frameHeader{}, nil, corrupt(at, reasonFrameMagic)
	}
	n := binary.LittleEndian.Uint32(b[8:])
	if n > MaxPayload {
		return frameHeader{}, nil, corrupt(at, reasonOverLimit)
	}
	if uint64(len(b)-FrameHeaderSize) < uint64(n) {
		return frameHeader{}, nil, corrupt(at, reasonShortLoad)
	}
	b = b[:FrameHeaderSize+int(n)]
	if frameSum(b) != binary.LittleEndian.Uint64(b[24:]) {
		return frameHeader{}, nil, corrupt(at, reasonFrameSum)
	}
	if b[6] != 0 || b[7] != 0 {
		return frameHeader{}, nil, corrupt(at, reasonFrameFields)
	}
	h := frameHeader{
		kind:  b[4],
		flags: b[5],
		count: binary.LittleEndian.Uint32(b[12:]),
		first: binary.LittleEndian.Uint64(b[16:]),
	}
	return h, b[FrameHeaderSize:], nil
}
