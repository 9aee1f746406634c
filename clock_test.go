package kds

import (
	"testing"
	"time"
)

// clockStart is where the ManualClocks of these tests start.
var clockStart = time.Date(2024, time.March, 1, 12, 0, 0, 0, time.UTC)

// clockFired returns the value waiting on ch, if any, without blocking.
func clockFired(ch <-chan time.Time) (time.Time, bool) {
	select {
	case t := <-ch:
		return t, true
	default:
		return time.Time{}, false
	}
}

// clockWaiters returns the deadlines of the waiters c still holds.
func clockWaiters(c *ManualClock) []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]time.Time, len(c.waiters))
	for i, w := range c.waiters {
		out[i] = w.at
	}
	return out
}

func TestManualClockNow(t *testing.T) {
	c := NewManualClock(clockStart)
	if got := c.Now(); !got.Equal(clockStart) {
		t.Fatalf("Now() = %v, want %v", got, clockStart)
	}
	c.Advance(90 * time.Second)
	if got, want := c.Now(), clockStart.Add(90*time.Second); !got.Equal(want) {
		t.Fatalf("after Advance(90s) Now() = %v, want %v", got, want)
	}
	c.Advance(0)
	if got, want := c.Now(), clockStart.Add(90*time.Second); !got.Equal(want) {
		t.Fatalf("after Advance(0) Now() = %v, want %v", got, want)
	}
	later := clockStart.Add(48 * time.Hour)
	c.Set(later)
	if got := c.Now(); !got.Equal(later) {
		t.Fatalf("after Set Now() = %v, want %v", got, later)
	}
}

func TestManualClockAfterFiresOnlyOnceReached(t *testing.T) {
	c := NewManualClock(clockStart)
	ch := c.After(10 * time.Second)
	if _, ok := clockFired(ch); ok {
		t.Fatal("After(10s) fired before the clock moved")
	}
	c.Advance(9*time.Second + 999*time.Millisecond)
	if _, ok := clockFired(ch); ok {
		t.Fatal("After(10s) fired after the clock moved only 9.999s")
	}
	c.Advance(time.Millisecond) // exactly 10s now
	got, ok := clockFired(ch)
	if !ok {
		t.Fatal("After(10s) did not fire once the clock moved exactly 10s")
	}
	if want := clockStart.Add(10 * time.Second); !got.Equal(want) {
		t.Fatalf("After(10s) delivered %v, want %v", got, want)
	}
	// It fires once: moving on delivers nothing more.
	c.Advance(time.Hour)
	if v, ok := clockFired(ch); ok {
		t.Fatalf("After(10s) fired a second time with %v", v)
	}
	if w := clockWaiters(c); len(w) != 0 {
		t.Fatalf("clock still holds waiters %v", w)
	}
}

func TestManualClockAfterDeliversTimeMovedTo(t *testing.T) {
	c := NewManualClock(clockStart)
	ch := c.After(time.Second)
	c.Advance(5 * time.Second) // overshoots the deadline
	got, ok := clockFired(ch)
	if !ok {
		t.Fatal("After(1s) did not fire after Advance(5s)")
	}
	if want := clockStart.Add(5 * time.Second); !got.Equal(want) {
		t.Fatalf("After(1s) delivered %v, want the clock's new time %v", got, want)
	}
}

func TestManualClockAfterIsRelativeToNow(t *testing.T) {
	c := NewManualClock(clockStart)
	c.Advance(time.Minute)
	ch := c.After(2 * time.Second) // deadline start+62s
	c.Advance(time.Second)
	if _, ok := clockFired(ch); ok {
		t.Fatal("After(2s) fired one second later")
	}
	c.Set(clockStart.Add(62 * time.Second))
	if got, ok := clockFired(ch); !ok || !got.Equal(clockStart.Add(62*time.Second)) {
		t.Fatalf("After(2s) after Set to its deadline: got %v, fired %v", got, ok)
	}
}

func TestManualClockSeveralWaitersOneAdvance(t *testing.T) {
	c := NewManualClock(clockStart)
	// Registered out of deadline order.
	c3 := c.After(3 * time.Second)
	c1 := c.After(1 * time.Second)
	c10 := c.After(10 * time.Second)
	c2 := c.After(2 * time.Second)
	c2b := c.After(2 * time.Second)

	// The waiters are kept in deadline order once the clock moves.
	c.Advance(500 * time.Millisecond)
	want := []time.Time{clockStart.Add(1 * time.Second), clockStart.Add(2 * time.Second), clockStart.Add(2 * time.Second),
		clockStart.Add(3 * time.Second), clockStart.Add(10 * time.Second)}
	got := clockWaiters(c)
	if len(got) != len(want) {
		t.Fatalf("waiters %v, want %v", got, want)
	}
	for i := range want {
		if !got[i].Equal(want[i]) {
			t.Fatalf("waiters %v, want deadline order %v", got, want)
		}
	}
	for i, ch := range []<-chan time.Time{c1, c2, c2b, c3, c10} {
		if _, ok := clockFired(ch); ok {
			t.Fatalf("waiter %d fired after only 500ms", i)
		}
	}

	c.Advance(2500 * time.Millisecond) // now start+3s: every waiter but c10
	now := clockStart.Add(3 * time.Second)
	for i, ch := range []<-chan time.Time{c1, c2, c2b, c3} {
		v, ok := clockFired(ch)
		if !ok {
			t.Fatalf("waiter %d did not fire at start+3s", i)
		}
		if !v.Equal(now) {
			t.Fatalf("waiter %d delivered %v, want %v", i, v, now)
		}
	}
	if _, ok := clockFired(c10); ok {
		t.Fatal("the 10s waiter fired at start+3s")
	}
	if got := clockWaiters(c); len(got) != 1 || !got[0].Equal(clockStart.Add(10*time.Second)) {
		t.Fatalf("remaining waiters %v, want just start+10s", got)
	}
	c.Advance(7 * time.Second)
	if v, ok := clockFired(c10); !ok || !v.Equal(clockStart.Add(10*time.Second)) {
		t.Fatalf("the 10s waiter: got %v, fired %v", v, ok)
	}
}

func TestManualClockAfterZeroAndNegativeFireAtOnce(t *testing.T) {
	c := NewManualClock(clockStart)
	c.Advance(time.Second)
	now := clockStart.Add(time.Second)
	for _, d := range []time.Duration{0, -1, -time.Hour, time.Duration(-1 << 63)} {
		v, ok := clockFired(c.After(d))
		if !ok {
			t.Fatalf("After(%v) did not fire at once", d)
		}
		if !v.Equal(now) {
			t.Fatalf("After(%v) delivered %v, want %v", d, v, now)
		}
	}
	if w := clockWaiters(c); len(w) != 0 {
		t.Fatalf("After(<=0) left waiters %v", w)
	}
}

func TestManualClockSetBackwardsFiresNothing(t *testing.T) {
	c := NewManualClock(clockStart)
	ch := c.After(time.Second)
	earlier := clockStart.Add(-time.Hour)
	c.Set(earlier)
	if v, ok := clockFired(ch); ok {
		t.Fatalf("Set backwards fired a waiter with %v", v)
	}
	if got := c.Now(); !got.Equal(earlier) {
		t.Fatalf("after Set backwards Now() = %v, want %v", got, earlier)
	}
	// The waiter keeps its absolute deadline, start+1s.
	c.Advance(time.Hour)
	if _, ok := clockFired(ch); ok {
		t.Fatal("waiter fired with the clock back at start")
	}
	c.Advance(time.Second)
	if v, ok := clockFired(ch); !ok || !v.Equal(clockStart.Add(time.Second)) {
		t.Fatalf("waiter at start+1s: got %v, fired %v", v, ok)
	}
	// A waiter made after the step counts from the stepped-back time.
	c.Set(earlier)
	ch2 := c.After(time.Minute)
	c.Advance(time.Minute)
	if v, ok := clockFired(ch2); !ok || !v.Equal(earlier.Add(time.Minute)) {
		t.Fatalf("After(1m) made after a step back: got %v, fired %v", v, ok)
	}
}

func TestManualClockAdvanceNegativeIgnored(t *testing.T) {
	c := NewManualClock(clockStart)
	ch := c.After(time.Nanosecond)
	c.Advance(-time.Hour)
	if got := c.Now(); !got.Equal(clockStart) {
		t.Fatalf("after Advance(-1h) Now() = %v, want %v", got, clockStart)
	}
	if _, ok := clockFired(ch); ok {
		t.Fatal("Advance(-1h) fired a waiter")
	}
	c.Advance(time.Nanosecond)
	if _, ok := clockFired(ch); !ok {
		t.Fatal("After(1ns) did not fire after Advance(1ns)")
	}
}

func TestManualClockIsAClock(t *testing.T) {
	var _ Clock = NewManualClock(clockStart)
	var _ Clock = RealClock{}
	svc, err := NewService(WithClock(NewManualClock(clockStart)))
	if err != nil {
		t.Fatal(err)
	}
	if got := svc.Clock().Now(); !got.Equal(clockStart) {
		t.Fatalf("Service clock reads %v, want %v", got, clockStart)
	}
}

func TestRealClockNow(t *testing.T) {
	before := time.Now()
	got := RealClock{}.Now()
	after := time.Now()
	if got.Before(before.Add(-time.Hour)) || got.After(after.Add(time.Hour)) {
		t.Fatalf("RealClock.Now() = %v, want about %v", got, before)
	}
	if d := got.Sub(before); d < -time.Hour || d > time.Hour {
		t.Fatalf("RealClock.Now() is %v away from time.Now()", d)
	}
}

func TestRealClockAfterNonPositive(t *testing.T) {
	select {
	case v := <-(RealClock{}).After(-time.Second):
		if d := time.Since(v); d < -time.Hour || d > time.Hour {
			t.Fatalf("RealClock.After(-1s) delivered %v, far from now", v)
		}
	case <-time.After(10 * time.Second): // hang guard only
		t.Fatal("RealClock.After(-1s) did not fire within 10s")
	}
}

func TestManualClockBlockUntil(t *testing.T) {
	c := NewManualClock(clockStart)
	c.BlockUntil(0) // nothing to wait for

	done := make(chan struct{})
	go func() {
		c.BlockUntil(2)
		close(done)
	}()
	c.After(time.Second)
	select {
	case <-done:
		t.Fatal("BlockUntil(2) returned with one waiter pending")
	default:
	}
	c.After(time.Minute)
	<-done // returns once the second waiter is pending

	// Fired waiters no longer count.
	c.Advance(time.Second)
	if w := clockWaiters(c); len(w) != 1 {
		t.Fatalf("after Advance(1s) the clock holds %d waiters, want 1", len(w))
	}
	done = make(chan struct{})
	go func() {
		c.BlockUntil(2)
		close(done)
	}()
	select {
	case <-done:
		t.Fatal("BlockUntil(2) returned with one waiter pending after a firing")
	default:
	}
	c.After(time.Hour)
	<-done
	c.BlockUntil(2) // already satisfied: returns at once
}
