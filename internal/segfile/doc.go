// Package segfile encodes and decodes the segment files of the durable
// store: the bytes on disk of one shard's run of records.
//
// A file is a 40-byte [FileHeader], then frames, each a 32-byte frame
// header followed by its payload. A records frame holds one put call's
// records for the shard: one arrival time, consecutive counters, and
// optionally the data key they are sealed under. A sealed file ends with a
// footer frame (a [Footer], the file's summary) and a 16-byte trailer
// naming the footer's offset, so the summary can be read from the end of
// the file without reading the rest. Every integer is little-endian. Every
// frame ends its header with an xxhash64 of its first 24 bytes and its
// payload, so a torn or damaged frame is detected and everything before it
// can be kept.
//
// A records frame's payload is the arrival (i64), then, if the frame's
// flags say its records are sealed, the data key (u16 length and the KMS
// key's ARN, u16 length and the encrypted key), then the stored bytes of
// each record back to back, and last the record table, one entry per
// record: u32 data length, u16 key length, u16 zero. The table comes last
// so that a frame is built in one pass, without moving the records.
//
// The package does no I/O of its own apart from [ReadFooter]; callers
// write what [AppendFileHeader], [FrameBuilder] and [AppendFooter] build,
// and read files back whole for [Scan].
package segfile

import "strconv"

// Sizes of the fixed parts of a file, in bytes.
const (
	// HeaderSize is the size of the file header.
	HeaderSize = 40
	// FrameHeaderSize is the size of every frame's header.
	FrameHeaderSize = 32
	// FooterFrameSize is the size of a whole footer frame, header included.
	FooterFrameSize = FrameHeaderSize + footerPayloadSize
	// TrailerSize is the size of the trailer after the footer frame.
	TrailerSize = 16
	// TagSize is how many more stored bytes a sealed record takes than its
	// key and data: the AES-GCM tag after their ciphertext.
	TagSize = 16
	// MaxPayload is the largest frame payload the decoder accepts, 64 MiB.
	MaxPayload = 64 << 20
)

// CorruptError reports bytes that are not a valid segment file, or not a
// valid part of one.
type CorruptError struct {
	// Offset is where the bad structure starts, from the start of the file.
	Offset int64
	// Reason says what is wrong, in a few words.
	Reason string
}

// Error implements error.
func (e *CorruptError) Error() string {
	return "segfile: corrupt at offset " + strconv.FormatInt(e.Offset, 10) + ": " + e.Reason
}

func corrupt(off int64, reason string) *CorruptError {
	return &CorruptError{Offset: off, Reason: reason}
}
