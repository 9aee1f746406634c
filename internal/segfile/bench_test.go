package segfile

import (
	"bytes"
	"testing"
)

// benchFrame fills fb with 500 records of 100 stored bytes each, like
// one PutRecords call: a 16-byte key, then data (and a tag if key is set).
func benchFrame(fb *FrameBuilder, first uint64, key *DataKey, stored []byte) []byte {
	fb.Reset(first, 1_700_000_000_000, key)
	dataLen := len(stored) - 16
	if key != nil {
		dataLen -= TagSize
	}
	for range 500 {
		fb.Add(16, uint32(dataLen), stored)
	}
	return fb.Finish()
}

// benchFile returns a sealed file of about 1 MiB made of benchFrame
// frames, all sealed under one data key.
func benchFile() []byte {
	key := &DataKey{KeyARN: "arn:aws:kms:us-east-1:000000000000:key/bench", Encrypted: make([]byte, 184)}
	stored := bytes.Repeat([]byte{'x'}, 100)
	b := AppendFileHeader(nil, FileHeader{First: 1})
	var fb FrameBuilder
	var ft Footer
	for ft.First = 1; len(b) < 1<<20; ft.Frames++ {
		b = append(b, benchFrame(&fb, 1+ft.Records, key, stored)...)
		ft.Records += 500
	}
	ft.End = 1 + ft.Records
	return AppendFooter(b, ft, int64(len(b)))
}

// BenchmarkFrameBuilder builds one frame of 500 records of 100 bytes.
func BenchmarkFrameBuilder(b *testing.B) {
	stored := bytes.Repeat([]byte{'x'}, 100)
	var fb FrameBuilder
	b.SetBytes(500 * 100)
	b.ReportAllocs()
	for b.Loop() {
		benchFrame(&fb, 1, nil, stored)
	}
}

// BenchmarkScan scans a sealed 1 MiB file of 500-record frames.
func BenchmarkScan(b *testing.B) {
	file := benchFile()
	b.SetBytes(int64(len(file)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Scan(file, func(Frame) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

// TestScanAllocations checks that Scan's allocations do not grow with the
// number of frames: its record slice is reused and a data key's ARN is
// converted to a string only when it changes.
func TestScanAllocations(t *testing.T) {
	file := benchFile()
	allocs := testing.AllocsPerRun(10, func() {
		if _, _, err := Scan(file, func(Frame) error { return nil }); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("%.0f allocations for a %d-byte file", allocs, len(file))
	if allocs > 16 {
		t.Fatalf("Scan made %.0f allocations for a file of 20 frames, want at most 16", allocs)
	}
}
