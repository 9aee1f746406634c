package kds

import (
	"sort"
	"sync"
	"time"
)

// Clock is the source of time for everything in kds. The core never reads
// the system time directly, so a [ManualClock] makes a whole run
// deterministic. Implementations must be safe for concurrent use.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// After returns a channel that receives the time once d has passed.
	After(d time.Duration) <-chan time.Time
}

// RealClock is the [Clock] backed by the system time. It is the default.
type RealClock struct{}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }

// After returns time.After(d).
func (RealClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// afterTime returns a channel that receives the time once clock c reaches
// t. On a ManualClock the deadline is exact even if the clock moves while
// the wait is being set up.
func afterTime(c Clock, t time.Time) <-chan time.Time {
	if m, ok := c.(*ManualClock); ok {
		return m.at(t)
	}
	return c.After(t.Sub(c.Now()))
}

// ManualClock is a [Clock] that moves only when told to, for tests and
// simulations. Channels from After fire when Advance or Set moves the clock
// to or past their deadline. It is safe for concurrent use.
type ManualClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []manualWaiter
	added   chan struct{} // closed when a waiter is added; nil if nobody blocks
}

type manualWaiter struct {
	at time.Time
	ch chan time.Time
}

// NewManualClock returns a ManualClock that reads start until moved.
func NewManualClock(start time.Time) *ManualClock {
	return &ManualClock{now: start}
}

// Now returns the clock's current time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After returns a channel that receives the clock's time once the clock has
// been moved d past the current time. A d of zero or less fires at once.
func (c *ManualClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.atLocked(c.now.Add(d))
}

// at returns a channel that receives the clock's time once it reaches t.
func (c *ManualClock) at(t time.Time) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.atLocked(t)
}

func (c *ManualClock) atLocked(t time.Time) <-chan time.Time {
	ch := make(chan time.Time, 1)
	if !t.After(c.now) {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, manualWaiter{at: t, ch: ch})
	if c.added != nil {
		close(c.added)
		c.added = nil
	}
	return ch
}

// BlockUntil blocks until at least n waits on the clock are pending:
// channels from After (and the clock's internal deadlines) that the clock
// has not yet reached. A simulation calls it before Advance to know that
// the goroutines it drives are all waiting for time to pass. A channel
// stays pending until its deadline even if nobody reads it any more.
func (c *ManualClock) BlockUntil(n int) {
	c.mu.Lock()
	for len(c.waiters) < n {
		if c.added == nil {
			c.added = make(chan struct{})
		}
		added := c.added
		c.mu.Unlock()
		<-added
		c.mu.Lock()
	}
	c.mu.Unlock()
}

// Advance moves the clock forward by d (a negative d is ignored) and fires
// every waiter whose deadline has been reached, earliest first.
func (c *ManualClock) Advance(d time.Duration) {
	if d < 0 {
		return
	}
	c.mu.Lock()
	c.setLocked(c.now.Add(d))
	c.mu.Unlock()
}

// Set moves the clock to t. Moving it backwards is allowed (to simulate a
// clock step) and fires nothing.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	c.setLocked(t)
	c.mu.Unlock()
}

func (c *ManualClock) setLocked(t time.Time) {
	c.now = t
	sort.SliceStable(c.waiters, func(i, j int) bool { return c.waiters[i].at.Before(c.waiters[j].at) })
	fired := 0
	for _, w := range c.waiters {
		if w.at.After(t) {
			break
		}
		w.ch <- t
		fired++
	}
	c.waiters = append(c.waiters[:0], c.waiters[fired:]...)
}
