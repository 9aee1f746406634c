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
	mu   sync.Mutex
	buf  *bufio.Writer
	stop chan struct{}
	done chan struct{}
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

// Write buffers p.
func (b *batchedWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// Flush passes everything buffered on.
func (b *batchedWriter) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Flush()
}

// Close stops the periodic flushes and flushes what is left.
func (b *batchedWriter) Close() error {
	close(b.stop)
	<-b.done
	return b.Flush()
}
