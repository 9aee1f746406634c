package segfile

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"
)

// testRec is one record as a test wrote it or Scan found it.
type testRec struct {
	keyLen  uint16
	dataLen uint32
	stored  []byte
}

// testFrame is one records frame as a test wrote it or Scan found it,
// with the byte range [off, end) it takes in the file.
type testFrame struct {
	off, end int64
	first    uint64
	arrival  int64
	key      *DataKey
	recs     []testRec
}

// testFile is an encoded segment file and what it was built from.
type testFile struct {
	b      []byte
	header FileHeader
	frames []testFrame
	footer *Footer // nil if the file is not sealed
}

// genOptions shapes genFile's random files.
type genOptions struct {
	maxFrames  int  // records frames, 0 to maxFrames
	maxRecs    int  // records per frame, 0 to maxRecs
	maxLen     int  // key and data lengths, 0 to maxLen, except big ones
	bigRecords bool // also make a few records of up to a few MiB
	seal       bool // end with a footer
}

// genFile encodes a random file: frames of plain or sealed records under
// up to three data keys, with empty keys and data among them.
func genFile(rng *rand.Rand, o genOptions) testFile {
	keys := make([]*DataKey, rng.IntN(4))
	for i := range keys {
		keys[i] = &DataKey{KeyARN: fmt.Sprintf("arn:aws:kms:us-east-1:000000000000:key/%d", i), Encrypted: randBytes(rng, rng.IntN(200))}
	}
	tf := testFile{header: FileHeader{Shard: rng.Uint32(), Stream: rng.Uint64(), First: rng.Uint64N(1 << 40)}}
	next, arrival := tf.header.First, rng.Int64N(1<<41)
	for range rng.IntN(o.maxFrames + 1) {
		fr := testFrame{first: next, arrival: arrival}
		if len(keys) > 0 && rng.IntN(2) == 0 {
			fr.key = keys[rng.IntN(len(keys))]
		}
		for range rng.IntN(o.maxRecs + 1) {
			kl, dl := rng.IntN(min(o.maxLen, 256)+1), rng.IntN(o.maxLen+1)
			if o.bigRecords && rng.IntN(8) == 0 {
				dl = rng.IntN(3 << 20)
			}
			var flags byte
			if fr.key != nil {
				flags = flagSealed
			}
			fr.recs = append(fr.recs, testRec{keyLen: uint16(kl), dataLen: uint32(dl), stored: randBytes(rng, storedLen(uint16(kl), uint32(dl), flags))})
		}
		tf.frames = append(tf.frames, fr)
		next += uint64(len(fr.recs))
		arrival += rng.Int64N(1000)
	}
	if o.seal {
		tf.footer = &Footer{First: tf.header.First, End: next, FirstArrival: arrival, LastArrival: arrival}
	}
	tf.encode()
	return tf
}

// encode fills tf.b from tf's header, frames and footer, and sets each
// frame's range and the footer's totals.
func (tf *testFile) encode() {
	b := AppendFileHeader(nil, tf.header)
	var fb FrameBuilder
	for i := range tf.frames {
		fr := &tf.frames[i]
		fb.Reset(fr.first, fr.arrival, fr.key)
		for _, r := range fr.recs {
			fb.Add(r.keyLen, r.dataLen, r.stored)
		}
		fr.off = int64(len(b))
		b = append(b, fb.Finish()...)
		fr.end = int64(len(b))
		if f := tf.footer; f != nil {
			f.Frames++
			f.Records += uint64(len(fr.recs))
			f.FirstArrival = min(f.FirstArrival, fr.arrival)
			f.LastArrival = max(f.LastArrival, fr.arrival)
			for _, r := range fr.recs {
				f.StoredBytes += uint64(len(r.stored))
			}
		}
	}
	if tf.footer != nil {
		b = AppendFooter(b, *tf.footer, int64(len(b)))
	}
	tf.b = b
}

// footerAt is where tf's footer frame starts; tf must be sealed.
func (tf *testFile) footerAt() int64 { return int64(len(tf.b)) - FooterFrameSize - TrailerSize }

// scanAll scans b and copies out every frame it reports, checking on
// the way that each frame and record lies inside b.
func scanAll(t testing.TB, b []byte) (frames []testFrame, good int64, f *Footer, err error) {
	t.Helper()
	good, f, err = Scan(b, func(fr Frame) error {
		if fr.Offset < HeaderSize || fr.Offset >= int64(len(b)) {
			t.Fatalf("frame offset %d outside [%d, %d)", fr.Offset, HeaderSize, len(b))
		}
		got := testFrame{off: fr.Offset, first: fr.First, arrival: fr.Arrival}
		if fr.Key != nil {
			got.key = &DataKey{KeyARN: fr.Key.KeyARN, Encrypted: bytes.Clone(fr.Key.Encrypted)}
		}
		var flags byte
		if fr.Key != nil {
			flags = flagSealed
		}
		for _, r := range fr.Recs {
			end := r.Off + storedLen(r.KeyLen, r.DataLen, flags)
			if r.Off < int(fr.Offset)+FrameHeaderSize || end > len(b) {
				t.Fatalf("record [%d, %d) outside frame at %d of a %d-byte buffer", r.Off, end, fr.Offset, len(b))
			}
			got.recs = append(got.recs, testRec{keyLen: r.KeyLen, dataLen: r.DataLen, stored: b[r.Off:end]})
		}
		if n := len(frames); n > 0 {
			frames[n-1].end = fr.Offset
		}
		frames = append(frames, got)
		return nil
	})
	if n := len(frames); n > 0 {
		frames[n-1].end = good
		if f != nil {
			frames[n-1].end = int64(len(b)) - FooterFrameSize - TrailerSize
		}
	}
	return frames, good, f, err
}

// sameFrames reports how got differs from want, or "" if it does not.
func sameFrames(got, want []testFrame) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d frames, want %d", len(got), len(want))
	}
	for i, g := range got {
		w := want[i]
		switch {
		case g.off != w.off || g.end != w.end:
			return fmt.Sprintf("frame %d at [%d, %d), want [%d, %d)", i, g.off, g.end, w.off, w.end)
		case g.first != w.first || g.arrival != w.arrival:
			return fmt.Sprintf("frame %d first %d arrival %d, want %d and %d", i, g.first, g.arrival, w.first, w.arrival)
		case (g.key == nil) != (w.key == nil):
			return fmt.Sprintf("frame %d key %v, want %v", i, g.key, w.key)
		case g.key != nil && (g.key.KeyARN != w.key.KeyARN || !bytes.Equal(g.key.Encrypted, w.key.Encrypted)):
			return fmt.Sprintf("frame %d key %q/%x, want %q/%x", i, g.key.KeyARN, g.key.Encrypted, w.key.KeyARN, w.key.Encrypted)
		case len(g.recs) != len(w.recs):
			return fmt.Sprintf("frame %d has %d records, want %d", i, len(g.recs), len(w.recs))
		}
		for j, gr := range g.recs {
			wr := w.recs[j]
			if gr.keyLen != wr.keyLen || gr.dataLen != wr.dataLen || !bytes.Equal(gr.stored, wr.stored) {
				return fmt.Sprintf("frame %d record %d differs", i, j)
			}
		}
	}
	return ""
}

// randBytes returns n random bytes from rng.
func randBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n+7)
	for i := 0; i < n; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], rng.Uint64())
	}
	return b[:n:n]
}
