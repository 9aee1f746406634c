package segfile

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestRoundTrip encodes random files and checks that Scan gives back every
// frame exactly (counters, arrival, data key, record lengths and stored
// bytes), that ReadFooter and Scan both return the footer, and that
// ParseFileHeader returns the header.
func TestRoundTrip(t *testing.T) {
	for seed := range uint64(200) {
		rng := rand.New(rand.NewPCG(seed, 1))
		o := genOptions{maxFrames: 8, maxRecs: 20, maxLen: 300, seal: rng.IntN(2) == 0, bigRecords: seed%50 == 0}
		tf := genFile(rng, o)

		h, err := ParseFileHeader(tf.b)
		if err != nil || h != tf.header {
			t.Fatalf("seed %d: ParseFileHeader = %+v, %v; want %+v", seed, h, err, tf.header)
		}
		frames, good, f, err := scanAll(t, tf.b)
		if err != nil || good != int64(len(tf.b)) {
			t.Fatalf("seed %d: Scan = good %d, %v; want %d, nil", seed, good, err, len(tf.b))
		}
		if d := sameFrames(frames, tf.frames); d != "" {
			t.Fatalf("seed %d: %s", seed, d)
		}
		rf, rerr := ReadFooter(bytes.NewReader(tf.b), int64(len(tf.b)))
		if tf.footer == nil {
			if f != nil || rerr == nil {
				t.Fatalf("seed %d: unsealed file gave footers %+v and %+v, %v", seed, f, rf, rerr)
			}
			continue
		}
		if f == nil || *f != *tf.footer {
			t.Fatalf("seed %d: Scan footer %+v, want %+v", seed, f, tf.footer)
		}
		if rerr != nil || rf != *tf.footer {
			t.Fatalf("seed %d: ReadFooter = %+v, %v; want %+v", seed, rf, rerr, tf.footer)
		}
	}
}

// TestAppendedFrames checks the way the store writes a file: the header,
// then frames written as they come, then the footer, with Scan agreeing
// after each step.
func TestAppendedFrames(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	tf := genFile(rng, genOptions{maxFrames: 0})
	all := genFile(rng, genOptions{maxFrames: 10, maxRecs: 5, maxLen: 50})
	for i, fr := range all.frames {
		tf.frames = append(tf.frames, fr)
		tf.encode()
		frames, good, f, err := scanAll(t, tf.b)
		if err != nil || f != nil || good != int64(len(tf.b)) {
			t.Fatalf("after frame %d: Scan = good %d, footer %v, %v", i, good, f, err)
		}
		if d := sameFrames(frames, tf.frames); d != "" {
			t.Fatalf("after frame %d: %s", i, d)
		}
	}
}

// TestFrameBuilderReuse checks that a builder's output does not depend on
// what it built before, including after a large frame, and that Finish may
// be called twice.
func TestFrameBuilderReuse(t *testing.T) {
	key := &DataKey{KeyARN: "arn", Encrypted: []byte{1, 2, 3}}
	build := func(fb *FrameBuilder) []byte {
		fb.Reset(5, 6, key)
		fb.Add(1, 2, []byte("kdd0123456789abcdef"))
		fb.Add(0, 0, make([]byte, TagSize))
		if fb.Count() != 2 {
			t.Fatalf("Count = %d, want 2", fb.Count())
		}
		return bytes.Clone(fb.Finish())
	}
	var fresh FrameBuilder
	want := build(&fresh)
	if again := fresh.Finish(); !bytes.Equal(again, want) {
		t.Fatalf("second Finish changed the frame")
	}

	var used FrameBuilder
	used.Reset(1, 1, nil)
	for range 300 {
		used.Add(0, 10000, make([]byte, 10000))
	}
	used.Finish()
	if got := build(&used); !bytes.Equal(got, want) {
		t.Fatalf("a reused builder built %x, want %x", got, want)
	}
	if cap(used.buf) > maxRetained {
		t.Fatalf("Reset kept a %d-byte buffer, more than %d", cap(used.buf), maxRetained)
	}
}

// TestFrameBuilderPanics checks that Add refuses stored bytes of the wrong
// length and records after Finish.
func TestFrameBuilderPanics(t *testing.T) {
	for _, tc := range []struct {
		name string
		do   func(*FrameBuilder)
	}{
		{"plain length", func(fb *FrameBuilder) { fb.Reset(1, 1, nil); fb.Add(1, 1, []byte("k")) }},
		{"sealed length", func(fb *FrameBuilder) { fb.Reset(1, 1, &DataKey{}); fb.Add(1, 1, []byte("kd")) }},
		{"add after finish", func(fb *FrameBuilder) { fb.Reset(1, 1, nil); fb.Finish(); fb.Add(0, 0, nil) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			tc.do(new(FrameBuilder))
		})
	}
}
