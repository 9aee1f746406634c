package main

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// batchedWriter buffers what is written to it and passes it on to the
// underlying writer every interval, when the buffer fills, and on Flush.
// The request log writes one line per request; batched, a busy server
// pays one write system call per interval instead of one per request.
type batchedWriter struct {
	mu     sync.Mutex
	buf    *bufio.Writer
	closed bool // after Close, writes go straight through
	stop   chan struct{}
	done   chan struct{}
	once   sync.Once
}

// newBatchedWriter passes what is written on to w at least every interval
// until Close.
func newBatchedWriter(w io.Writer, interval time.Duration) *batchedWriter {
	b := &batchedWriter{buf: bufio.NewWriterSize(w, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(b.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				b.Flush()
			case <-b.stop:
				return
			}
		}
	}()
	return b
}

// Write buffers p, or after Close writes it through.
func (b *batchedWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.buf.Write(p)
	if err == nil && b.closed {
		err = b.buf.Flush()
	}
	return n, err
}

// Flush passes everything buffered on.
func (b *batchedWriter) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Flush()
}

// Close stops the periodic flushes and flushes what is left; later writes
// (from requests a timed-out shutdown left running) are not buffered.
// Calling it again does nothing more.
func (b *batchedWriter) Close() error {
	b.once.Do(func() {
		close(b.stop)
		<-b.done
	})
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	return b.buf.Flush()
}
