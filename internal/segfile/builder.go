package segfile

import (
	"encoding/binary"
	"math"
)

// DataKey names the data key that a records frame's records are sealed
// under: the ARN of the KMS key, and the data key as that KMS key
// encrypted it. Neither may be longer than 65,535 bytes.
type DataKey struct {
	KeyARN    string
	Encrypted []byte
}

// maxRetained is the largest buffer Reset keeps for the next frame; a
// larger one, left by an unusually large run, is dropped for the GC.
const maxRetained = 1 << 20

// FrameBuilder builds records frames, one at a time, in buffers it reuses.
// Reset starts a frame, Add appends records to it, and Finish returns the
// encoded frame. The zero value is ready for Reset. A FrameBuilder is not
// safe for concurrent use.
type FrameBuilder struct {
	// buf holds the frame header, the payload's arrival and data key, and
	// then the stored bytes of the records added so far. Finish appends
	// the record table after them.
	buf   []byte
	table []byte // the record table, 8 bytes per record
	first uint64
	flags byte
	done  bool // Finish has run since Reset
}

// Reset starts a new frame whose first record has counter first, whose
// records arrived at arrival (Unix milliseconds), and whose records are
// sealed under key, or stored as they came if key is nil. It discards the
// previous frame, so a slice returned by Finish is no longer valid.
func (b *FrameBuilder) Reset(first uint64, arrival int64, key *DataKey) {
	b.buf = reuse(b.buf)
	b.table = reuse(b.table)
	b.buf = append(b.buf, make([]byte, FrameHeaderSize)...)
	b.buf = binary.LittleEndian.AppendUint64(b.buf, uint64(arrival))
	b.flags = 0
	if key != nil {
		if len(key.KeyARN) > math.MaxUint16 || len(key.Encrypted) > math.MaxUint16 {
			panic("segfile: data key field longer than 65535 bytes")
		}
		b.flags = flagSealed
		b.buf = binary.LittleEndian.AppendUint16(b.buf, uint16(len(key.KeyARN)))
		b.buf = append(b.buf, key.KeyARN...)
		b.buf = binary.LittleEndian.AppendUint16(b.buf, uint16(len(key.Encrypted)))
		b.buf = append(b.buf, key.Encrypted...)
	}
	b.first = first
	b.done = false
}

// reuse empties buf for reuse, unless it has grown past maxRetained.
func reuse(buf []byte) []byte {
	if cap(buf) > maxRetained {
		return nil
	}
	return buf[:0]
}

// Add appends a record with a keyLen-byte partition key and dataLen bytes
// of data to the frame. stored is what the arena holds for it: the key
// then the data, or, in a frame with a data key, their ciphertext and the
// [TagSize]-byte tag. Add copies stored. It panics if stored has the wrong
// length for keyLen and dataLen, or if Finish has run since Reset.
func (b *FrameBuilder) Add(keyLen uint16, dataLen uint32, stored []byte) {
	if len(stored) != storedLen(keyLen, dataLen, b.flags) {
		panic("segfile: stored bytes do not match the record's lengths")
	}
	if b.done {
		panic("segfile: Add after Finish")
	}
	b.table = binary.LittleEndian.AppendUint32(b.table, dataLen)
	b.table = binary.LittleEndian.AppendUint16(b.table, keyLen)
	b.table = append(b.table, 0, 0)
	b.buf = append(b.buf, stored...)
}

// storedLen is how many bytes a record takes in a frame with flags.
func storedLen(keyLen uint16, dataLen uint32, flags byte) int {
	n := int(keyLen) + int(dataLen)
	if flags&flagSealed != 0 {
		n += TagSize
	}
	return n
}

// Count returns how many records the frame holds.
func (b *FrameBuilder) Count() int { return len(b.table) / 8 }

// Finish completes the frame and returns its encoding, header and
// checksum included, ready to be written to the file. The slice belongs
// to b and stays valid until the next Reset; calling Finish again returns
// it unchanged. Finish panics if the payload would exceed [MaxPayload].
func (b *FrameBuilder) Finish() []byte {
	if b.done {
		return b.buf
	}
	if len(b.buf)+len(b.table)-FrameHeaderSize > MaxPayload {
		panic("segfile: frame payload over MaxPayload")
	}
	b.buf = append(b.buf, b.table...) // the table ends the payload
	finishFrame(b.buf, kindRecords, b.flags, uint32(b.Count()), b.first)
	b.done = true
	return b.buf
}
