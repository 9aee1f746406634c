package kds

import (
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// TestAcceptClock checks that on the RealClock the stamp runs at most a
// stampPeriod behind the time while the producer is busy, and that the
// refresher stops when it is idle and starts again with the next record.
func TestAcceptClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newAcceptClock(RealClock{})
		var busy atomic.Bool
		done := make(chan struct{})
		defer close(done)
		go a.refresh(done, busy.Load)
		for round := range 2 {
			busy.Store(true)
			if got := a.at(a.now()); !got.Equal(time.Now()) {
				t.Fatalf("round %d: first stamp %v, want the time %v", round, got, time.Now())
			}
			synctest.Wait()
			if !a.active.Load() {
				t.Fatalf("round %d: no refresher after the first record", round)
			}
			for range 20 {
				time.Sleep(stampPeriod / 3)
				synctest.Wait()
				if lag := time.Since(a.at(a.now())); lag < 0 || lag >= stampPeriod {
					t.Fatalf("round %d: stamp %v behind", round, lag)
				}
			}
			busy.Store(false)
			time.Sleep(2 * stampPeriod)
			synctest.Wait()
			if a.active.Load() {
				t.Fatalf("round %d: refresher still running while idle", round)
			}
		}
	})
}
