package main

import (
	"time"

	"github.com/kdsgo/kds"
)

// tick is how far the virtual clock moves in one step, and pause how long
// the program then lets the consumers' goroutines (which poll once a
// virtual second) work before the next step. The consumers may fall
// behind the clock; they catch up, since what they compute depends on the
// records' times, not on when they read them.
const (
	tick  = time.Second
	pause = 200 * time.Microsecond
)

// runClock moves the clock on by d, a tick at a time.
func runClock(clock *kds.ManualClock, d time.Duration) {
	for moved := time.Duration(0); moved < d; moved += tick {
		clock.Advance(tick)
		time.Sleep(pause)
	}
}

// runClockUntil moves the clock on a tick at a time until done holds, for
// at most limit of real time, and reports whether done held.
func runClockUntil(clock *kds.ManualClock, done func() bool, limit time.Duration) bool {
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); {
		if done() {
			return true
		}
		runClock(clock, tick)
	}
	return done()
}
