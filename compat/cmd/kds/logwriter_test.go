package main

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for the flusher and the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestBatchedWriterLosesNothing(t *testing.T) {
	var out lockedBuffer
	w := newBatchedWriter(&out, time.Millisecond)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 1000 {
				fmt.Fprintf(w, "writer %d line %d\n", g, i)
			}
		}()
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 4000 {
		t.Fatalf("got %d lines, want 4000", len(lines))
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "writer ") {
			t.Fatalf("a line was torn: %q", l)
		}
	}
}

func TestBatchedWriterHoldsUntilFlush(t *testing.T) {
	var out lockedBuffer
	w := newBatchedWriter(&out, time.Hour)
	fmt.Fprintln(w, "request")
	if out.String() != "" {
		t.Fatal("a line went out before its flush")
	}
	w.Flush()
	if out.String() != "request\n" {
		t.Fatalf("after Flush: %q", out.String())
	}
	w.Close()
}

func TestBatchedWriterWritesThroughAfterClose(t *testing.T) {
	var out lockedBuffer
	w := newBatchedWriter(&out, time.Hour)
	w.Close()
	fmt.Fprintln(w, "late request")
	if out.String() != "late request\n" {
		t.Fatalf("a line written after Close is %q in the output", out.String())
	}
	w.Close()
}
