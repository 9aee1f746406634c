package kds

import (
	"sync/atomic"
	"time"
)

// stampPeriod is how often a Producer on the RealClock refreshes the time
// it stamps accepted records with, while it holds records.
const stampPeriod = time.Millisecond

// acceptClock gives a Producer the time a record is accepted at. On the
// RealClock, reading the time costs 50 to 130 ns on some virtual
// machines, a large share of a PutAsync, so while the producer holds
// records a goroutine refreshes a stamp every stampPeriod and records
// take that; a record that finds no refresher running reads the clock
// itself and starts one. On other clocks every record reads the clock.
type acceptClock struct {
	clock  Clock
	coarse bool          // keep a stamp; the clock is the RealClock
	epoch  time.Time     // the stamp counts from here
	stamp  atomic.Int64  // time since epoch, in nanoseconds
	active atomic.Bool   // the refresher is running
	wake   chan struct{} // starts the refresher
}

// newAcceptClock returns the acceptClock of clock c.
func newAcceptClock(c Clock) *acceptClock {
	_, coarse := c.(RealClock)
	return &acceptClock{clock: c, coarse: coarse, epoch: c.Now(), wake: make(chan struct{}, 1)}
}

// now returns the time to stamp a record accepted now with, as time since
// the epoch: the clock's time, or on the RealClock up to about a
// stampPeriod before it.
func (a *acceptClock) now() time.Duration {
	if !a.coarse {
		return a.since(a.clock.Now())
	}
	if a.active.Load() {
		return time.Duration(a.stamp.Load())
	}
	d := a.since(a.clock.Now())
	a.stamp.Store(int64(d))
	select {
	case a.wake <- struct{}{}:
	default:
	}
	return d
}

// since returns t as time since the epoch.
func (a *acceptClock) since(t time.Time) time.Duration { return t.Sub(a.epoch) }

// at returns the time d after the epoch.
func (a *acceptClock) at(d time.Duration) time.Time { return a.epoch.Add(d) }

// refresh is the refresher: once woken, it stores the time every
// stampPeriod until busy reports that the producer holds no records, and
// then waits to be woken again. It returns when done is closed. Only the
// RealClock needs it.
func (a *acceptClock) refresh(done <-chan struct{}, busy func() bool) {
	tick := time.NewTicker(stampPeriod)
	tick.Stop()
	for {
		select {
		case <-a.wake:
		case <-done:
			return
		}
		a.active.Store(true)
		tick.Reset(stampPeriod)
		for a.active.Load() {
			select {
			case <-tick.C:
			case <-done:
				return
			}
			a.stamp.Store(int64(a.since(a.clock.Now())))
			if !busy() {
				a.active.Store(false)
				tick.Stop()
			}
		}
	}
}
