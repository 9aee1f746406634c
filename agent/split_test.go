package agent

import (
	"bytes"
	"regexp"
	"slices"
	"testing"
)

// splitAll feeds input to a fresh splitter in chunks of size chunk (all at
// once if 0), cutting after each, then flushes; it returns the pieces,
// records marked with a leading '+' and skipped bytes with '-' (adjacent
// skips merged: how they are cut up does not matter).
func splitAll(start *regexp.Regexp, max, headers int, input []byte, chunk int) []string {
	s := splitter{start: start, max: max, splitState: splitState{HeaderLeft: headers}}
	var out []string
	var buf []byte
	cut := func(final bool) {
		for {
			n, rec, ok := s.cut(buf, final)
			if !ok {
				break
			}
			mark := "-"
			if rec {
				mark = "+"
			}
			if mark == "-" && len(out) > 0 && out[len(out)-1][0] == '-' {
				out[len(out)-1] += string(buf[:n]) // skips merge
			} else {
				out = append(out, mark+string(buf[:n]))
			}
			buf = buf[n:]
		}
	}
	if chunk <= 0 {
		chunk = len(input) + 1
	}
	for len(input) > 0 {
		n := min(chunk, len(input))
		buf = append(buf, input[:n]...)
		input = input[n:]
		cut(false)
	}
	cut(true)
	return out
}

var stamp = regexp.MustCompile(`^(?:\[\d+\])`)

func TestSplitter(t *testing.T) {
	for _, tc := range []struct {
		name    string
		start   *regexp.Regexp
		max     int
		headers int
		in      string
		want    []string
	}{
		{"lines", nil, 100, 0, "a\nbb\n\nccc", []string{"+a\n", "+bb\n", "+\n", "+ccc"}},
		{"headers", nil, 100, 2, "h1\nh2\nrow\n", []string{"-h1\nh2\n", "+row\n"}},
		{"short file of headers", nil, 100, 3, "h1\nh2", []string{"-h1\nh2"}},
		{"long line", nil, 4, 0, "abcdefgh\nij\nklmn\nopqrs", []string{"+abcd", "-efgh\n", "+ij\n", "+klmn", "-\n", "+opqr", "-s"}},
		{"multi", stamp, 100, 0, "[1] a\n  more\n[2] b\n[3] c\n  x\n  y", []string{"+[1] a\n  more\n", "+[2] b\n", "+[3] c\n  x\n  y"}},
		{"multi lead", stamp, 100, 0, "junk\njunk\n[1] a\n", []string{"+junk\njunk\n", "+[1] a\n"}},
		{"multi headers", stamp, 100, 1, "[0] header\n[1] a\n", []string{"-[0] header\n", "+[1] a\n"}},
		{"multi long", stamp, 8, 0, "[1] abcdefgh\n more\n[2] b\n", []string{"+[1] abcd", "-efgh\n more\n", "+[2] b\n"}},
		{"multi long at line end", stamp, 8, 0, "[1] abc\n more\n[2] b\n", []string{"+[1] abc\n", "- more\n", "+[2] b\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, chunk := range []int{0, 1, 2, 3, 7} {
				got := splitAll(tc.start, tc.max, tc.headers, []byte(tc.in), chunk)
				if !slices.Equal(got, tc.want) {
					t.Errorf("chunk %d:\n got %q\nwant %q", chunk, got, tc.want)
				}
			}
		})
	}
}

// FuzzSplitter: the pieces cover the input exactly, in order; no record
// is longer than max; and without over-long records the pieces do not
// depend on how the input arrives.
func FuzzSplitter(f *testing.F) {
	f.Add([]byte("a\nb\n"), uint8(3), uint8(0), false, uint8(1))
	f.Add([]byte("[1] x\n y\n[2] z\n"), uint8(5), uint8(1), true, uint8(2))
	f.Add([]byte("\n\n\n[1]\n[\n[2"), uint8(1), uint8(2), true, uint8(1))
	f.Add(bytes.Repeat([]byte("[9] long line\n cont\n"), 20), uint8(40), uint8(0), true, uint8(7))
	f.Fuzz(func(t *testing.T, in []byte, max8, headers8 uint8, multi bool, chunk8 uint8) {
		max := int(max8)%64 + 1
		headers := int(headers8) % 4
		var start *regexp.Regexp
		if multi {
			start = stamp
		}
		chunk := int(chunk8)%16 + 1
		whole := splitAll(start, max, headers, in, 0)
		parts := splitAll(start, max, headers, in, chunk)
		for _, pieces := range [][]string{whole, parts} {
			var joined []byte
			for _, p := range pieces {
				if len(p) < 2 {
					t.Fatalf("empty piece in %q", pieces)
				}
				if p[0] == '+' && len(p)-1 > max {
					t.Fatalf("record of %d bytes, max %d", len(p)-1, max)
				}
				joined = append(joined, p[1:]...)
			}
			if !bytes.Equal(joined, in) {
				t.Fatalf("pieces %q do not make up %q", pieces, in)
			}
		}
		long := false
		for _, line := range bytes.SplitAfter(in, []byte{'\n'}) {
			long = long || len(line) >= max
		}
		if !long && !multi && !slices.Equal(whole, parts) {
			t.Fatalf("chunks of %d changed the pieces:\n%q\n%q", chunk, whole, parts)
		}
		if len(in) < max && multi && !slices.Equal(whole, parts) {
			t.Fatalf("chunks of %d changed the pieces:\n%q\n%q", chunk, whole, parts)
		}
	})
}
