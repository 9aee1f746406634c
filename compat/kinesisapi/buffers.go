package kinesisapi

import (
	"io"
	"net/http"
	"sync"
)

// maxPooledBuffer is the largest buffer kept for reuse; the rare larger
// one is left to the garbage collector.
const maxPooledBuffer = 16 << 20

// maxPresized is the most readBody allocates for a body before reading it.
const maxPresized = 1 << 20

// buffers recycles request and response bodies: a GetRecords answer can
// be megabytes, and allocating (and zeroing) that afresh for every call
// costs more than writing it.
var buffers = sync.Pool{New: func() any { return new([]byte) }}

func getBuffer() *[]byte { return buffers.Get().(*[]byte) }

func putBuffer(b *[]byte) {
	if cap(*b) <= maxPooledBuffer {
		*b = (*b)[:0]
		buffers.Put(b)
	}
}

// readBody reads r's body into buf, growing it at once to the declared
// Content-Length (up to maxPresized), and stops one byte past maxBodyBytes so that an
// oversized body is seen as such without being read whole.
func readBody(r *http.Request, buf []byte) ([]byte, error) {
	buf = buf[:0]
	// Trust the declared length only so far: a client that declares 20
	// MiB and sends slowly must not pin 20 MiB from its first byte.
	if n := min(r.ContentLength, maxPresized); n > 0 && int(n) > cap(buf) {
		buf = make([]byte, 0, n+1)
	}
	lr := io.LimitReader(r.Body, maxBodyBytes+1)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}
