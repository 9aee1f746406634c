package kds

import (
	"context"
	"sync"
	"sync/atomic"
)

// producerBuffer bounds the records a Producer holds, from acceptance
// until they are stored or fail: it is the producer's back-pressure.
// The record and byte counts share one atomic word, so that reserving is
// an exact compare-and-swap (two concurrent reservations never refuse
// each other when only one would not fit); only waiting takes the mutex.
type producerBuffer struct {
	maxRecords, maxBytes int64
	// state holds the buffered record count in its top bufferCountBits
	// bits and their bytes in the rest.
	state atomic.Uint64

	mu    sync.Mutex
	freed chan struct{} // closed when room is released; nil if nobody waits
}

// Layout of producerBuffer.state. The bounds of MaxBufferedRecords and
// MaxBufferedBytes keep both fields in range, a record bigger than the
// byte bound included.
const (
	bufferCountBits = 24
	bufferBytesBits = 64 - bufferCountBits
	bufferBytesMask = 1<<bufferBytesBits - 1
	// maxBufferedRecordsLimit and maxBufferedBytesLimit bound the
	// Producer's MaxBufferedRecords and MaxBufferedBytes.
	maxBufferedRecordsLimit = 1<<bufferCountBits - 1
	maxBufferedBytesLimit   = 1 << (bufferBytesBits - 1)
)

// counts returns the buffered records and their bytes.
func (b *producerBuffer) counts() (records, bytes int64) {
	s := b.state.Load()
	return int64(s >> bufferBytesBits), int64(s & bufferBytesMask)
}

// tryReserve takes room for one record of size bytes if there is some. A
// record larger than the whole byte bound fits an empty buffer.
func (b *producerBuffer) tryReserve(size int) bool {
	for {
		s := b.state.Load()
		n, nb := int64(s>>bufferBytesBits)+1, int64(s&bufferBytesMask)+int64(size)
		if n > b.maxRecords || (nb > b.maxBytes && n > 1) {
			return false
		}
		if b.state.CompareAndSwap(s, uint64(n)<<bufferBytesBits|uint64(nb)) {
			return true
		}
	}
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
	// Subtracting both fields at once: neither goes below zero, so no
	// borrow crosses from one to the other.
	b.state.Add(-(uint64(n)<<bufferBytesBits | uint64(bytes)))
	b.mu.Lock()
	if b.freed != nil {
		close(b.freed)
		b.freed = nil
	}
	b.mu.Unlock()
}
