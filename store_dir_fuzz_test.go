package kds

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/kdsgo/kds/internal/segfile"
)

// fuzzSegmentFile returns a valid segment file of shard 0 of stream 1 with
// records from counter 1: frames of plain records, a sealed frame, and a
// footer if sealed is set.
func fuzzSegmentFile(sealed bool) []byte {
	b := segfile.AppendFileHeader(nil, segfile.FileHeader{Stream: 1, First: 1})
	var fb segfile.FrameBuilder
	foot := segfile.Footer{First: 1, FirstArrival: 1000}
	frames := []struct {
		key  *segfile.DataKey
		recs []string
	}{
		{nil, []string{"ka", "kbdata", ""}},
		{&segfile.DataKey{KeyARN: "arn:aws:kms:us-east-1:000000000000:key/k", Encrypted: []byte("wrapped")}, []string{"0123456789abcdef0123"}},
	}
	for i, fr := range frames {
		fb.Reset(foot.First+foot.Records, int64(1000+i), fr.key)
		for _, r := range fr.recs {
			stored := []byte(r)
			dataLen := uint32(len(r))
			if fr.key != nil {
				dataLen -= segfile.TagSize
			}
			fb.Add(0, dataLen, stored)
			foot.Records++
		}
		b = append(b, fb.Finish()...)
		foot.Frames++
		foot.LastArrival = int64(1000 + i)
	}
	foot.End = foot.First + foot.Records
	if sealed {
		b = segfile.AppendFooter(b, foot, int64(len(b)))
	}
	return b
}

// FuzzSegmentDecode feeds arbitrary bytes to the decoder of sealed
// segment files: it must never panic, and every record it returns must
// lie inside the file's bytes.
func FuzzSegmentDecode(f *testing.F) {
	f.Add(fuzzSegmentFile(true), uint8(4))
	f.Add(fuzzSegmentFile(false), uint8(4))
	f.Add([]byte("KDSSEG"), uint8(1))
	f.Fuzz(func(t *testing.T, b []byte, n uint8) {
		st := &dirStore{cache: newSegmentCache(16 << 20)}
		l := &fileLog{st: st, streamID: 1, keys: new(dataKeyTable), sh: &shard{id: "shardId-000000000000"}}
		g, err := l.decode(b, 1, 1+uint64(n))
		if g == nil {
			return
		}
		if count := g.end() - g.first; count > uint64(n) || err == nil && count != uint64(n) {
			t.Fatalf("decoded %d records of %d, err %v", count, n, err)
		}
		for c := g.first; c < g.end(); c++ {
			h := g.header(c)
			size := int(h.keyLen) + int(h.dataLen)
			if h.sealedBy != 0 {
				size += sealOverhead
				if int(h.sealedBy) > len(g.keys()) {
					t.Fatalf("record %d sealed by key %d of %d", c, h.sealedBy, len(g.keys()))
				}
			}
			if int(h.off)+size > len(b) {
				t.Fatalf("record %d at %d+%d is past the file's %d bytes", c, h.off, size, len(b))
			}
		}
	})
}

// FuzzRecoverTail writes arbitrary bytes as a shard's newest segment file
// and recovers the shard: recovery must never panic or fail, must leave a
// file it can recover again to the same records, and must not count a
// record it cannot read back.
func FuzzRecoverTail(f *testing.F) {
	f.Add(fuzzSegmentFile(true))
	f.Add(fuzzSegmentFile(false))
	good := fuzzSegmentFile(false)
	f.Add(good[:len(good)-3])
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		st := testStore(t, dir, SyncByOS())
		shardDir := filepath.Join(dir, "streams", formatHex(1), shardID(0))
		if err := os.MkdirAll(shardDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(shardDir, formatHex(1)+segmentFileExt), b, 0o644); err != nil {
			t.Fatal(err)
		}
		sh := testShard(t, st, 0)
		first := heldSegments(sh)
		st.close()
		st = testStore(t, dir, SyncByOS())
		defer st.close()
		sh = testShard(t, st, 0)
		if again := heldSegments(sh); !slicesEqual(again, first) {
			t.Fatalf("recovered %q, then %q", first, again)
		}
	})
}

// heldSegments describes the sealed segments of sh: each one's counters,
// how many records it reads back, and whether that failed.
func heldSegments(sh *shard) []string {
	var out []string
	sh.snapshot().sealed.Ascend(func(ref segmentRef) bool {
		r := ref.seg
		g, err := r.get()
		n := uint64(0)
		if g != nil {
			n = g.end() - g.first
		}
		out = append(out, fmt.Sprintf("[%d,%d) read %d err %v", r.first, r.end, n, err != nil))
		return true
	})
	return out
}
