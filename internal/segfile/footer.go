package segfile

import (
	"encoding/binary"
	"fmt"
	"io"
)

// footerPayloadSize is the size of a footer frame's payload.
const footerPayloadSize = 48

// trailerMagic ends every sealed file.
const trailerMagic = "KDSEND01"

// Reasons for a bad footer or trailer in a [CorruptError].
const (
	reasonFooter      = "bad footer frame"
	reasonNotLast     = "footer not last"
	reasonShortTrail  = "truncated trailer"
	reasonTrailer     = "trailer mismatch"
	reasonNoFooterFit = "file too short for a footer"
)

// Footer is the summary a sealed file ends with, so the file's range and
// times can be learned without reading its records.
type Footer struct {
	First        uint64 // counter of the file's first record
	End          uint64 // counter after the file's last record
	Records      uint64 // number of records in the file
	StoredBytes  uint64 // stored bytes of those records
	FirstArrival int64  // arrival of the first record, Unix milliseconds
	LastArrival  int64  // arrival of the last record, Unix milliseconds
	Frames       uint32 // number of records frames
}

// AppendFooter appends f as a footer frame to dst, then the trailer that
// points back at it. footerOffset is where the footer frame will start in
// the file, which is the file's size before this append; the footer frame
// is [FooterFrameSize] bytes and the trailer [TrailerSize].
func AppendFooter(dst []byte, f Footer, footerOffset int64) []byte {
	start := len(dst)
	dst = append(dst, make([]byte, FrameHeaderSize)...)
	dst = binary.LittleEndian.AppendUint64(dst, f.End)
	dst = binary.LittleEndian.AppendUint64(dst, f.Records)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(f.FirstArrival))
	dst = binary.LittleEndian.AppendUint64(dst, uint64(f.LastArrival))
	dst = binary.LittleEndian.AppendUint32(dst, f.Frames)
	dst = binary.LittleEndian.AppendUint32(dst, 0)
	dst = binary.LittleEndian.AppendUint64(dst, f.StoredBytes)
	finishFrame(dst[start:], kindFooter, 0, 0, f.First)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(footerOffset))
	return append(dst, trailerMagic...)
}

// ReadFooter reads the footer of the size-byte file r, with one read of
// its last FooterFrameSize+TrailerSize bytes. The trailer must point at a
// footer frame that ends where the trailer starts and whose checksum
// matches; otherwise ReadFooter returns a *[CorruptError], which is what an
// unsealed file gives. A failed read returns the reader's error, wrapped.
func ReadFooter(r io.ReaderAt, size int64) (Footer, error) {
	var buf [FooterFrameSize + TrailerSize]byte
	if size < HeaderSize+int64(len(buf)) {
		return Footer{}, corrupt(0, reasonNoFooterFit)
	}
	at := size - int64(len(buf))
	if n, err := r.ReadAt(buf[:], at); n < len(buf) {
		return Footer{}, fmt.Errorf("segfile: reading footer: %w", err)
	}
	if !trailerPoints(buf[FooterFrameSize:], at) {
		return Footer{}, corrupt(size-TrailerSize, reasonTrailer)
	}
	h, p, cerr := readFrame(buf[:FooterFrameSize], at)
	if cerr != nil {
		return Footer{}, cerr
	}
	f, cerr := parseFooter(h, p, at)
	if cerr != nil {
		return Footer{}, cerr
	}
	return f, nil
}

// trailerPoints reports whether t is a trailer naming a footer frame at
// offset at.
func trailerPoints(t []byte, at int64) bool {
	return binary.LittleEndian.Uint64(t) == uint64(at) && string(t[8:]) == trailerMagic
}

// parseFooter decodes a footer frame at offset at, with header h and
// payload p, that readFrame accepted.
func parseFooter(h frameHeader, p []byte, at int64) (Footer, *CorruptError) {
	if h.kind != kindFooter || h.flags != 0 || h.count != 0 || len(p) != footerPayloadSize ||
		binary.LittleEndian.Uint32(p[36:]) != 0 {
		return Footer{}, corrupt(at, reasonFooter)
	}
	return Footer{
		First:        h.first,
		End:          binary.LittleEndian.Uint64(p),
		Records:      binary.LittleEndian.Uint64(p[8:]),
		FirstArrival: int64(binary.LittleEndian.Uint64(p[16:])),
		LastArrival:  int64(binary.LittleEndian.Uint64(p[24:])),
		Frames:       binary.LittleEndian.Uint32(p[32:]),
		StoredBytes:  binary.LittleEndian.Uint64(p[40:]),
	}, nil
}
