package main

import (
	"bytes"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// TestProgressModes runs each mode for a while of fake time and looks at
// what it wrote.
func TestProgressModes(t *testing.T) {
	tests := []struct {
		mode                progressMode
		runFor              time.Duration
		wantRewrites, lines int
	}{
		{progressLive, 1100 * time.Millisecond, 4, 0},
		{progressPlain, 11 * time.Second, 0, 2},
		{progressNone, 11 * time.Second, 0, 0},
	}
	for _, tt := range tests {
		synctest.Test(t, func(t *testing.T) {
			var out bytes.Buffer
			var n atomic.Int64
			p := startProgress(&out, tt.mode, "test: things", n.Load)
			for range tt.runFor / (50 * time.Millisecond) {
				n.Add(5) // 100 a second
				time.Sleep(50 * time.Millisecond)
			}
			p.Stop()
			s := out.String()
			if got := strings.Count(s, "\r\x1b[K") - 1; tt.mode == progressLive && got != tt.wantRewrites {
				t.Errorf("live: %d rewrites in %v, want %d: %q", got, tt.runFor, tt.wantRewrites, s)
			}
			if tt.mode != progressLive && strings.Contains(s, "\r") {
				t.Errorf("mode %d writes \\r: %q", tt.mode, s)
			}
			if got := strings.Count(s, "\n"); got != tt.lines {
				t.Errorf("mode %d: %d lines, want %d: %q", tt.mode, got, tt.lines, s)
			}
			if tt.mode != progressNone && (!strings.Contains(s, "test: things: ") || strings.Contains(s, "(0/s")) {
				t.Errorf("mode %d: %q lacks the count or the rate", tt.mode, s)
			}
			if tt.mode == progressLive && !strings.HasSuffix(s, "\r\x1b[K") {
				t.Errorf("live: %q does not end by clearing its line", s)
			}
		})
	}
}

// TestIsTerminal checks the terminal test on what it can see here: a
// regular file and a pipe are not terminals, nor is a buffer.
func TestIsTerminal(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	for _, v := range []any{f, w, &bytes.Buffer{}} {
		if isTerminal(v) {
			t.Errorf("isTerminal(%T) is true", v)
		}
	}
	// The master side of a new pseudo-terminal is a terminal whether or
	// not the test has one.
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no /dev/ptmx to check the positive case: %v", err)
	}
	defer ptmx.Close()
	if !isTerminal(ptmx) {
		t.Error("isTerminal(/dev/ptmx) is false")
	}
}
