package segfile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"testing"
)

// seedFiles are good files for the fuzz corpora: the corruption tests'
// base file, an empty one, and a few random ones, sealed and not.
func seedFiles() [][]byte {
	files := [][]byte{baseFile().b, AppendFileHeader(nil, FileHeader{First: 1})}
	for seed := range uint64(4) {
		rng := rand.New(rand.NewPCG(seed, 2))
		files = append(files, genFile(rng, genOptions{maxFrames: 3, maxRecs: 3, maxLen: 20, seal: seed%2 == 0}).b)
	}
	return files
}

// FuzzScan checks Scan on arbitrary bytes: it must not panic; what it
// reports must lie inside b, frames back to back from the header on and
// each record inside its frame (scanAll checks the records); each frame
// must be the one FrameBuilder would encode; and scanning the good prefix
// again must give the same frames and no error.
func FuzzScan(f *testing.F) {
	for _, b := range seedFiles() {
		f.Add(b)
		f.Add(b[:len(b)-1])
		f.Add(b[:len(b)/2])
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		frames, good, ft, err := scanAll(t, b)
		if err != nil {
			var ce *CorruptError
			if !errors.As(err, &ce) || ce.Offset < good || ce.Offset > int64(len(b)) {
				t.Fatalf("Scan error %v with good %d of %d bytes", err, good, len(b))
			}
		}
		if len(b) < HeaderSize {
			if good != 0 || err == nil || len(frames) > 0 {
				t.Fatalf("short file: good %d, %d frames, %v", good, len(frames), err)
			}
			return
		}
		if good < HeaderSize || good > int64(len(b)) {
			t.Fatalf("good %d outside [%d, %d]", good, HeaderSize, len(b))
		}
		if (err == nil) != (good == int64(len(b))) || (ft != nil && err != nil) {
			t.Fatalf("good %d of %d bytes with footer %v and error %v", good, len(b), ft, err)
		}
		at := int64(HeaderSize)
		for i, fr := range frames {
			if fr.off != at || fr.end > good {
				t.Fatalf("frame %d at [%d, %d), want it at %d and before %d", i, fr.off, fr.end, at, good)
			}
			at = fr.end
			if enc := encodeFrame(fr); !bytes.Equal(enc, b[fr.off:fr.end]) {
				t.Fatalf("frame %d re-encodes differently:\n got %x\nwant %x", i, enc, b[fr.off:fr.end])
			}
		}
		if ft != nil {
			footerAt := int64(len(b)) - FooterFrameSize - TrailerSize
			if at != footerAt || !bytes.Equal(AppendFooter(nil, *ft, footerAt), b[footerAt:]) {
				t.Fatalf("footer %+v at %d does not re-encode to the file's end (frames end at %d)", *ft, footerAt, at)
			}
		}
		again, good2, ft2, err := scanAll(t, b[:good])
		if err != nil || good2 != good || (ft2 == nil) != (ft == nil) {
			t.Fatalf("rescan of the good prefix: good %d, footer %v, %v; want good %d", good2, ft2, err, good)
		}
		if d := sameFrames(again, frames); d != "" {
			t.Fatalf("rescan of the good prefix: %s", d)
		}
	})
}

// encodeFrame encodes fr with a FrameBuilder.
func encodeFrame(fr testFrame) []byte {
	var fb FrameBuilder
	fb.Reset(fr.first, fr.arrival, fr.key)
	for _, r := range fr.recs {
		fb.Add(r.keyLen, r.dataLen, r.stored)
	}
	return fb.Finish()
}

// FuzzTornTail encodes a random file (from seed), cuts it to cut bytes and
// XORs bytes chosen by flips (three bytes each: a position and a mask).
// Scan must recover exactly the frames that lie wholly before the first
// byte that differs from the original, whatever follows it; ReadFooter
// must find the footer exactly when the file is sealed and its end is
// untouched.
func FuzzTornTail(f *testing.F) {
	f.Add(int64(0), uint32(1<<31), []byte(nil))
	f.Add(int64(1), uint32(300), []byte(nil))
	f.Add(int64(2), uint32(1<<31), []byte{0, 70, 1})
	f.Add(int64(3), uint32(1<<31), []byte{255, 255, 0x80})
	f.Add(int64(4), uint32(1000), []byte{10, 0, 0})
	f.Add(int64(5), uint32(39), []byte(nil))
	f.Fuzz(func(t *testing.T, seed int64, cut uint32, flips []byte) {
		rng := rand.New(rand.NewPCG(uint64(seed), 3))
		tf := genFile(rng, genOptions{maxFrames: 6, maxRecs: 6, maxLen: 40, seal: rng.IntN(2) == 0})
		orig := tf.b
		b := bytes.Clone(orig[:int(cut%uint32(len(orig)+1))])
		for ; len(flips) >= 3 && len(b) > 0; flips = flips[3:] {
			b[int(binary.LittleEndian.Uint16(flips))%len(b)] ^= flips[2]
		}

		frames, good, ft, err := scanAll(t, b)
		if len(b) < HeaderSize {
			if good != 0 || !isCorrupt(err, 0, reasonShortFile) {
				t.Fatalf("%d-byte file: good %d, %v", len(b), good, err)
			}
			return
		}
		// Scan ignores the file header, so only later changes count.
		altered := HeaderSize + int64(mismatch(b[HeaderSize:], orig[HeaderSize:]))
		intact := altered == int64(len(orig))
		var want []testFrame
		wantGood := int64(HeaderSize)
		for _, fr := range tf.frames {
			if fr.end <= altered {
				want = append(want, fr)
				wantGood = fr.end
			}
		}
		var wantFooter *Footer
		if intact {
			wantGood, wantFooter = int64(len(b)), tf.footer
		}
		if good != wantGood || (err == nil) != (good == int64(len(b))) {
			t.Fatalf("altered from %d of %d bytes (cut to %d): good %d, %v; want good %d", altered, len(orig), len(b), good, err, wantGood)
		}
		if (ft == nil) != (wantFooter == nil) || (ft != nil && *ft != *wantFooter) {
			t.Fatalf("footer %v, want %v", ft, wantFooter)
		}
		if d := sameFrames(frames, want); d != "" {
			t.Fatalf("altered from %d: %s", altered, d)
		}

		tail := len(orig) - FooterFrameSize - TrailerSize
		sealed := tf.footer != nil && len(b) == len(orig) && bytes.Equal(b[tail:], orig[tail:])
		rf, rerr := ReadFooter(bytes.NewReader(b), int64(len(b)))
		if sealed {
			if rerr != nil || rf != *tf.footer {
				t.Fatalf("ReadFooter = %+v, %v; want %+v", rf, rerr, *tf.footer)
			}
		} else if rerr == nil {
			t.Fatalf("ReadFooter found %+v in a file without an intact footer", rf)
		}
	})
}

// mismatch returns the index of the first byte where got differs from
// want, len(got) if got is a shorter prefix of want, or len(want) if they
// are equal.
func mismatch(got, want []byte) int {
	for i := range got {
		if got[i] != want[i] {
			return i
		}
	}
	return len(got)
}

// FuzzReadFooter checks ReadFooter on arbitrary file ends: it must not
// panic, and a footer it accepts must re-encode to exactly the file's last
// bytes.
func FuzzReadFooter(f *testing.F) {
	for _, b := range seedFiles() {
		f.Add(b)
		f.Add(b[1:])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ft, err := ReadFooter(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("ReadFooter of a whole buffer failed to read: %v", err)
			}
			return
		}
		at := int64(len(b)) - FooterFrameSize - TrailerSize
		if enc := AppendFooter(nil, ft, at); !bytes.Equal(enc, b[at:]) {
			t.Fatalf("footer %+v re-encodes to %x, file ends %x", ft, enc, b[at:])
		}
	})
}

// FuzzParseFileHeader checks ParseFileHeader on arbitrary bytes: it must
// not panic, and a header it accepts must re-encode to the first 40 bytes.
func FuzzParseFileHeader(f *testing.F) {
	good := AppendFileHeader(nil, FileHeader{Shard: 1, Stream: 2, First: 3})
	f.Add(good)
	f.Add(good[:HeaderSize-1])
	f.Add(append(bytes.Clone(good), 1, 2, 3))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ParseFileHeader(b)
		if err != nil {
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("ParseFileHeader error %v is not a *CorruptError", err)
			}
			return
		}
		if enc := AppendFileHeader(nil, h); !bytes.Equal(enc, b[:HeaderSize]) {
			t.Fatalf("header %+v re-encodes to %x, file starts %x", h, enc, b[:HeaderSize])
		}
	})
}
