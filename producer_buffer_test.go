package kds

import (
	"sync"
	"testing"
)

// TestBufferReservationsAreExact fills a buffer of n records from n
// goroutines at once: every reservation must succeed, since together
// they fit exactly, and one more must then fail.
func TestBufferReservationsAreExact(t *testing.T) {
	const n = 64
	for range 200 {
		b := producerBuffer{maxRecords: n, maxBytes: n * 10}
		var wg sync.WaitGroup
		refused := make(chan struct{}, n)
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if !b.tryReserve(10) {
					refused <- struct{}{}
				}
			}()
		}
		wg.Wait()
		if len(refused) > 0 {
			t.Fatalf("%d of %d reservations that fit together were refused", len(refused), n)
		}
		if b.tryReserve(1) {
			t.Fatal("a reservation beyond the record bound succeeded")
		}
		if r, by := b.counts(); r != n || by != n*10 {
			t.Fatalf("counts = %d records, %d bytes; want %d, %d", r, by, n, n*10)
		}
		b.release(n, n*10)
		if r, by := b.counts(); r != 0 || by != 0 {
			t.Fatalf("after release: %d records, %d bytes", r, by)
		}
	}
}

func TestBufferTakesOneOversizedRecordWhenEmpty(t *testing.T) {
	b := producerBuffer{maxRecords: 10, maxBytes: 100}
	if !b.tryReserve(1000) {
		t.Fatal("an empty buffer refused a record larger than its byte bound")
	}
	if b.tryReserve(1) {
		t.Fatal("a second record fit beside an oversized one")
	}
}

// TestBufferRefusalsDoNotCrowdOut has goroutines keep asking a full
// buffer for room it can never give (records bigger than its byte bound),
// while room for one small record is released and taken: the failed
// asks must never take that room, even for a moment.
func TestBufferRefusalsDoNotCrowdOut(t *testing.T) {
	const n = 8
	b := producerBuffer{maxRecords: n, maxBytes: 1000}
	for range n {
		if !b.tryReserve(1) {
			t.Fatal("filling the buffer failed")
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					b.tryReserve(2000) // never fits beside other records
				}
			}
		}()
	}
	for i := range 20000 {
		b.release(1, 1)
		if !b.tryReserve(1) {
			close(stop)
			wg.Wait()
			t.Fatalf("round %d: room released for one record was refused to it", i)
		}
	}
	close(stop)
	wg.Wait()
}
