package segfile

import "encoding/binary"

// Reasons Scan gives in a [CorruptError], besides readFrame's and the
// footer's.
const (
	reasonKind    = "unknown frame kind"
	reasonFlags   = "unknown frame flags"
	reasonPayload = "records payload too short"
	reasonDataKey = "data key past payload"
	reasonTable   = "record table past payload"
	reasonEntry   = "bad record table entry"
	reasonFill    = "stored bytes do not fill the payload"
)

// Rec locates one record of a records frame in the scanned buffer.
type Rec struct {
	KeyLen  uint16
	DataLen uint32
	// Off is the offset of the record's stored bytes in the buffer given to
	// Scan. They are KeyLen+DataLen bytes, plus [TagSize] if the frame has
	// a data key.
	Off int
}

// Frame is one records frame, as Scan passes it to its callback.
type Frame struct {
	Offset  int64    // where the frame starts in the file
	First   uint64   // counter of the first record; the rest follow one by one
	Arrival int64    // arrival of every record, Unix milliseconds
	Key     *DataKey // the records' data key, or nil if they are not sealed
	Recs    []Rec
}

// Scan walks the frames of the segment file b, which holds the whole file
// from its first byte. It skips the file header without checking it
// ([ParseFileHeader] does that) and calls fn for each whole records frame
// whose checksum matches, in file order.
//
// Scan returns the offset after the last good frame, the footer if one
// ends the file, and nil if b ends cleanly after a frame or after the
// footer's trailer. Otherwise it returns a *[CorruptError] naming where it
// stopped, with good at that frame's start; a footer whose trailer is
// missing or wrong counts as bad, so good stops before it. If fn returns
// an error, Scan returns it at once, with good at the start of the frame
// fn was given. A b shorter than [HeaderSize] gives good 0 and an error.
//
// Frame.Recs and *Frame.Key are reused between calls to fn;
// Key.Encrypted, like every Rec.Off, refers to b's memory.
func Scan(b []byte, fn func(Frame) error) (good int64, f *Footer, err error) {
	if len(b) < HeaderSize {
		return 0, nil, corrupt(0, reasonShortFile)
	}
	var s scanner
	pos := HeaderSize
	for pos < len(b) {
		at := int64(pos)
		h, p, cerr := readFrame(b[pos:], at)
		if cerr != nil {
			return at, nil, cerr
		}
		next := pos + FrameHeaderSize + len(p)
		switch h.kind {
		case kindRecords:
			fr, cerr := s.records(h, p, pos)
			if cerr != nil {
				return at, nil, cerr
			}
			if err := fn(fr); err != nil {
				return at, nil, err
			}
		case kindFooter:
			ft, cerr := parseFooter(h, p, at)
			if cerr == nil {
				cerr = checkTrailer(b[next:], at, int64(next))
			}
			if cerr != nil {
				return at, nil, cerr
			}
			return int64(len(b)), &ft, nil
		default:
			return at, nil, corrupt(at, reasonKind)
		}
		pos = next
	}
	return int64(pos), nil, nil
}

// checkTrailer checks that rest, the bytes after the footer frame at
// offset at, is exactly the trailer pointing at it. restAt is rest's
// offset.
func checkTrailer(rest []byte, at, restAt int64) *CorruptError {
	switch {
	case len(rest) < TrailerSize:
		return corrupt(restAt, reasonShortTrail)
	case len(rest) > TrailerSize:
		return corrupt(restAt, reasonNotLast)
	case !trailerPoints(rest, at):
		return corrupt(restAt, reasonTrailer)
	}
	return nil
}

// scanner holds what Scan reuses from frame to frame.
type scanner struct {
	recs []Rec
	key  DataKey
}

// records decodes the payload p of a records frame at offset at, with
// header h, that readFrame accepted.
func (s *scanner) records(h frameHeader, p []byte, at int) (Frame, *CorruptError) {
	fail := func(reason string) (Frame, *CorruptError) { return Frame{}, corrupt(int64(at), reason) }
	if h.flags&^flagSealed != 0 {
		return fail(reasonFlags)
	}
	if len(p) < 8 {
		return fail(reasonPayload)
	}
	fr := Frame{Offset: int64(at), First: h.first, Arrival: int64(binary.LittleEndian.Uint64(p))}
	q := 8
	if h.flags&flagSealed != 0 {
		arn, rest, ok1 := lenPrefixed(p[q:])
		enc, rest, ok2 := lenPrefixed(rest)
		if !ok1 || !ok2 {
			return fail(reasonDataKey)
		}
		if s.key.KeyARN != string(arn) {
			s.key.KeyARN = string(arn)
		}
		s.key.Encrypted = enc
		q = len(p) - len(rest)
		fr.Key = &s.key
	}
	count := int(h.count)
	if uint64(count)*8 > uint64(len(p)-q) {
		return fail(reasonTable)
	}
	table := p[len(p)-8*count:]  // the table ends the payload
	base := at + FrameHeaderSize // p's offset in the file
	off, end := base+q, base+len(p)-len(table)
	s.recs = s.recs[:0]
	for e := table; len(e) > 0; e = e[8:] {
		r := Rec{DataLen: binary.LittleEndian.Uint32(e), KeyLen: binary.LittleEndian.Uint16(e[4:]), Off: off}
		n := storedLen(r.KeyLen, r.DataLen, h.flags)
		if binary.LittleEndian.Uint16(e[6:]) != 0 || n > end-off {
			return fail(reasonEntry)
		}
		off += n
		s.recs = append(s.recs, r)
	}
	if off != end {
		return fail(reasonFill)
	}
	fr.Recs = s.recs
	return fr, nil
}

// lenPrefixed splits p into the field at its start, a 2-byte length and
// that many bytes, and the rest. ok is false if the field runs past p.
func lenPrefixed(p []byte) (field, rest []byte, ok bool) {
	if len(p) < 2 {
		return nil, nil, false
	}
	n := int(binary.LittleEndian.Uint16(p))
	if len(p)-2 < n {
		return nil, nil, false
	}
	return p[2 : 2+n], p[2+n:], true
}
