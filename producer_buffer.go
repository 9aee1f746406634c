package kds

import (
	"context"
	"sync"
	"sync/atomic"
)

// producerBuffer bounds the records a Producer holds, from acceptance
// until they are stored or fail: it is the producer's back-pressure.
// Reserving and releasing are atomic adds; only waiting takes the mutex.
type producerBuffer struct {
	maxRecords, maxBytes int64
	records, bytes       atomic.Int64

	mu    sync.Mutex
	freed chan struct{} // closed when room is released; nil if nobody waits
}

// tryReserve takes room for one record of size bytes if there is some. A
// record larger than the whole byte bound fits an empty buffer.
func (b *producerBuffer) tryReserve(size int) bool {
	n := b.records.Add(1)
	nb := b.bytes.Add(int64(size))
	if n > b.maxRecords || (nb > b.maxBytes && n > 1) {
		b.records.Add(-1)
		b.bytes.Add(-int64(size))
		return false
	}
	return true
}

// reserve takes room for one record of size bytes, waiting for it unless
// failFast is set. When the buffer is full it calls full, which should
// have the buffered records sent without waiting for their batches to
// fill. It fails with ErrBufferFull (failFast), ctx's error, or
// ErrProducerClosed once closing is closed.
func (b *producerBuffer) reserve(ctx context.Context, size int, failFast bool, closing <-chan struct{}, full func()) error {
	for !b.tryReserve(size) {
		full()
		if failFast {
			return ErrBufferFull
		}
		b.mu.Lock()
		if b.freed == nil {
			b.freed = make(chan struct{})
		}
		freed := b.freed
		b.mu.Unlock()
		// Room released between the failed try and taking the channel
		// closed no channel; try once more before sleeping.
		if b.tryReserve(size) {
			return nil
		}
		select {
		case <-freed:
		case <-ctx.Done():
			return ctx.Err()
		case <-closing:
			return ErrProducerClosed
		}
	}
	return nil
}

// release gives back the room of n records of bytes bytes in all, and
// wakes those waiting for room.
func (b *producerBuffer) release(n, bytes int) {
	if n == 0 {
		return
	}
	b.records.Add(-int64(n))
	b.bytes.Add(-int64(bytes))
	b.mu.Lock()
	if b.freed != nil {
		close(b.freed)
		b.freed = nil
	}
	b.mu.Unlock()
}
