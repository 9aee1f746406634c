package segfile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/cespare/xxhash/v2"
)

// baseFile is a sealed file of three records frames, the second sealed,
// for the corruption tests to damage.
func baseFile() testFile {
	key := &DataKey{KeyARN: "arn:aws:kms:us-east-1:000000000000:key/k", Encrypted: []byte("encrypted data key")}
	tf := testFile{
		header: FileHeader{Shard: 3, Stream: 7, First: 100},
		frames: []testFrame{
			{first: 100, arrival: 1000, recs: []testRec{{1, 3, []byte("kabc")}, {0, 0, nil}}},
			{first: 102, arrival: 1001, key: key, recs: []testRec{{2, 2, bytes.Repeat([]byte{9}, 4+TagSize)}}},
			{first: 103, arrival: 1002, recs: []testRec{{2, 1, []byte("pkd")}}},
		},
		footer: &Footer{First: 100, End: 104, FirstArrival: 1000, LastArrival: 1002},
	}
	tf.encode()
	return tf
}

// resum recomputes the checksum of the frame at the start of b, whose
// payload length field must be right, so that a test can plant bad
// contents behind a good checksum.
func resum(b []byte) {
	n := binary.LittleEndian.Uint32(b[8:])
	binary.LittleEndian.PutUint64(b[24:], frameSum(b[:FrameHeaderSize+n]))
}

// TestScanCorrupt damages a good file in each way Scan must notice and
// checks where Scan stops, why, and which frames it reported before that.
func TestScanCorrupt(t *testing.T) {
	base := baseFile()
	f1, f2 := base.frames[1], base.frames[2]
	ft := base.footerAt()
	for _, tc := range []struct {
		name   string
		damage func(b []byte) []byte
		at     int64 // where Scan stops; also the error's offset unless errAt is set
		errAt  int64
		reason string
	}{
		{"bad magic", func(b []byte) []byte { b[f1.off] ^= 1; return b }, f1.off, 0, reasonFrameMagic},
		{"bad checksum in payload", func(b []byte) []byte { b[f1.end-1] ^= 0x40; return b }, f1.off, 0, reasonFrameSum},
		{"bad checksum in header", func(b []byte) []byte { b[f1.off+16] ^= 1; return b }, f1.off, 0, reasonFrameSum},
		{"bad checksum field", func(b []byte) []byte { b[f1.off+31] ^= 1; return b }, f1.off, 0, reasonFrameSum},
		{"length over limit", func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[f1.off+8:], MaxPayload+1)
			return b
		}, f1.off, 0, reasonOverLimit},
		{"truncated frame header", func(b []byte) []byte { return b[:f2.off+FrameHeaderSize-1] }, f2.off, 0, reasonShortFrame},
		{"truncated payload", func(b []byte) []byte { return b[:f2.end-1] }, f2.off, 0, reasonShortLoad},
		{"length past the file", func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[f2.off+8:], uint32(len(b)))
			return b
		}, f2.off, 0, reasonShortLoad},
		{"footer not last", func(b []byte) []byte { return append(b, b[f2.off:f2.end]...) }, ft, ft + FooterFrameSize, reasonNotLast},
		{"footer then a frame", func(b []byte) []byte {
			return append(b[:ft+FooterFrameSize:ft+FooterFrameSize], base.b[f2.off:f2.end]...)
		}, ft, ft + FooterFrameSize, reasonNotLast},
		{"truncated trailer", func(b []byte) []byte { return b[:len(b)-1] }, ft, ft + FooterFrameSize, reasonShortTrail},
		{"trailer offset mismatch", func(b []byte) []byte { b[len(b)-TrailerSize] ^= 8; return b }, ft, ft + FooterFrameSize, reasonTrailer},
		{"trailer magic mismatch", func(b []byte) []byte { b[len(b)-1] = 'X'; return b }, ft, ft + FooterFrameSize, reasonTrailer},
		{"unknown kind", func(b []byte) []byte { b[f1.off+4] = 3; resum(b[f1.off:]); return b }, f1.off, 0, reasonKind},
		{"unknown flags", func(b []byte) []byte { b[f1.off+5] |= 2; resum(b[f1.off:]); return b }, f1.off, 0, reasonFlags},
		{"reserved header bytes", func(b []byte) []byte { b[f1.off+7] = 1; resum(b[f1.off:]); return b }, f1.off, 0, reasonFrameFields},
		{"records flag dropped", func(b []byte) []byte { b[f1.off+5] = 0; resum(b[f1.off:]); return b }, f1.off, 0, reasonFill},
		{"count too large", func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[f2.off+12:], 1<<30)
			resum(b[f2.off:])
			return b
		}, f2.off, 0, reasonTable},
		{"count too small", func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[f2.off+12:], 0)
			resum(b[f2.off:])
			return b
		}, f2.off, 0, reasonFill},
		{"record past payload", func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[f2.end-8:], 1000) // the table ends the payload
			resum(b[f2.off:])
			return b
		}, f2.off, 0, reasonEntry},
		{"record table padding", func(b []byte) []byte {
			b[f2.end-1] = 1
			resum(b[f2.off:])
			return b
		}, f2.off, 0, reasonEntry},
		{"data key past payload", func(b []byte) []byte {
			binary.LittleEndian.PutUint16(b[f1.off+FrameHeaderSize+8:], 60000)
			resum(b[f1.off:])
			return b
		}, f1.off, 0, reasonDataKey},
		{"short records payload", func(b []byte) []byte {
			b = append(b[:f2.off:f2.off], make([]byte, FrameHeaderSize+4)...)
			finishFrame(b[f2.off:], kindRecords, 0, 0, 103)
			return b
		}, f2.off, 0, reasonPayload},
		{"bad footer payload", func(b []byte) []byte { b[ft+FrameHeaderSize+36] = 1; resum(b[ft:]); return b }, ft, 0, reasonFooter},
		{"footer with a count", func(b []byte) []byte { b[ft+12] = 1; resum(b[ft:]); return b }, ft, 0, reasonFooter},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.damage(bytes.Clone(base.b))
			frames, good, f, err := scanAll(t, b)
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("Scan error %v, want a *CorruptError", err)
			}
			errAt := tc.errAt
			if errAt == 0 {
				errAt = tc.at
			}
			if ce.Reason != tc.reason || ce.Offset != errAt || good != tc.at || f != nil {
				t.Fatalf("Scan = good %d, footer %v, %v; want good %d, no footer, %q at %d", good, f, err, tc.at, tc.reason, errAt)
			}
			var want []testFrame
			for _, fr := range base.frames {
				if fr.end <= tc.at {
					want = append(want, fr)
				}
			}
			if d := sameFrames(frames, want); d != "" {
				t.Fatal(d)
			}
			if _, _, err := Scan(b[:good], func(Frame) error { return nil }); err != nil {
				t.Fatalf("Scan of the good prefix: %v", err)
			}
		})
	}
}

// TestScanCleanEnds checks the files Scan accepts without a footer.
func TestScanCleanEnds(t *testing.T) {
	base := baseFile()
	for _, n := range []int64{HeaderSize, base.frames[0].end, base.frames[2].end} {
		_, good, f, err := scanAll(t, base.b[:n])
		if good != n || f != nil || err != nil {
			t.Errorf("Scan of the first %d bytes = good %d, footer %v, %v; want %d, nil, nil", n, good, f, err, n)
		}
	}
	if good, _, err := Scan(base.b[:HeaderSize-1], nil); good != 0 || !isCorrupt(err, 0, reasonShortFile) {
		t.Errorf("Scan of a short file = good %d, %v", good, err)
	}
}

// TestScanCallbackError checks that an error from the callback stops Scan
// at the start of the frame it was given.
func TestScanCallbackError(t *testing.T) {
	base := baseFile()
	stop := errors.New("stop")
	n := 0
	good, f, err := Scan(base.b, func(Frame) error {
		if n++; n == 2 {
			return stop
		}
		return nil
	})
	if err != stop || good != base.frames[1].off || f != nil {
		t.Fatalf("Scan = good %d, footer %v, %v; want %d, nil, stop", good, f, err, base.frames[1].off)
	}
}

// TestReadFooterCorrupt checks that ReadFooter refuses every file whose
// end is not a good footer and trailer.
func TestReadFooterCorrupt(t *testing.T) {
	base := baseFile()
	ft := base.footerAt()
	trailer := int64(len(base.b)) - TrailerSize
	for _, tc := range []struct {
		name   string
		damage func(b []byte) []byte
		at     int64
		reason string
	}{
		{"unsealed", func(b []byte) []byte { return b[:ft] }, ft - TrailerSize, reasonTrailer},
		{"too short", func(b []byte) []byte { return b[:HeaderSize+FooterFrameSize+TrailerSize-1] }, 0, reasonNoFooterFit},
		{"trailer magic", func(b []byte) []byte { b[len(b)-8] = 'k'; return b }, trailer, reasonTrailer},
		{"trailer offset", func(b []byte) []byte { b[trailer] ^= 1; return b }, trailer, reasonTrailer},
		{"footer checksum", func(b []byte) []byte { b[ft+FrameHeaderSize] ^= 1; return b }, ft, reasonFrameSum},
		{"footer magic", func(b []byte) []byte { b[ft] = 'X'; return b }, ft, reasonFrameMagic},
		{"footer longer", func(b []byte) []byte { b[ft+8]++; return b }, ft, reasonShortLoad},
		{"footer shorter", func(b []byte) []byte { b[ft+8]--; resum(b[ft:]); return b }, ft, reasonFooter},
		{"records frame", func(b []byte) []byte { b[ft+4] = kindRecords; resum(b[ft:]); return b }, ft, reasonFooter},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.damage(bytes.Clone(base.b))
			f, err := ReadFooter(bytes.NewReader(b), int64(len(b)))
			if !isCorrupt(err, tc.at, tc.reason) {
				t.Fatalf("ReadFooter = %+v, %v; want %q at %d", f, err, tc.reason, tc.at)
			}
		})
	}
}

// TestReadFooterReadError checks that a failed read is reported as the
// reader's error, not as corruption.
func TestReadFooterReadError(t *testing.T) {
	b := baseFile().b
	_, err := ReadFooter(bytes.NewReader(b), int64(len(b))+1)
	var ce *CorruptError
	if err == nil || errors.As(err, &ce) {
		t.Fatalf("ReadFooter past the end = %v, want a read error", err)
	}
}

// TestParseFileHeaderCorrupt checks each way a file header can be bad.
func TestParseFileHeaderCorrupt(t *testing.T) {
	good := AppendFileHeader(nil, FileHeader{Shard: 1, Stream: 2, First: 3})
	for _, tc := range []struct {
		name   string
		damage func(b []byte) []byte
		at     int64
		reason string
	}{
		{"short", func(b []byte) []byte { return b[:HeaderSize-1] }, 0, reasonShortFile},
		{"magic", func(b []byte) []byte { b[7] = 2; return b }, 0, reasonFileMagic},
		{"checksum", func(b []byte) []byte { b[20] ^= 1; return b }, 0, reasonFileSum},
		{"version", func(b []byte) []byte {
			b[8] = 2
			binary.LittleEndian.PutUint64(b[32:], xxhash.Sum64(b[:32]))
			return b
		}, 8, reasonFileVersion},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := ParseFileHeader(tc.damage(bytes.Clone(good)))
			if !isCorrupt(err, tc.at, tc.reason) {
				t.Fatalf("ParseFileHeader = %+v, %v; want %q at %d", h, err, tc.reason, tc.at)
			}
		})
	}
}

// isCorrupt reports whether err is a *CorruptError for reason at offset at.
func isCorrupt(err error, at int64, reason string) bool {
	var ce *CorruptError
	return errors.As(err, &ce) && ce.Offset == at && ce.Reason == reason
}
