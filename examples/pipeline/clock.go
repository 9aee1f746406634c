package main

import (
	"fmt"
	"time"

	"github.com/kdsgo/kds"
)

// tick is how far the virtual clock moves in one step.
const tick = time.Second

// Pacing limits: how long, in real time, one step waits for the pipeline
// to keep up with the clock, and for how many steps in a row it may fall
// short before the run fails. A consumer whose poll falls just after the
// producer's put in one tick reads the record in the next, so a step
// sometimes falls short by a tick; a consumer that stalls for longer
// fails the run.
const (
	keepUpWait    = 100 * time.Millisecond
	maxBehindRuns = 20
)

// pacer moves the virtual clock a tick at a time, and after each tick
// waits (in real time) until the pipeline has kept up with it: the
// producer holds nothing that was due to be sent, and every consumer that
// polls each tick has read what was stored before the tick. Time-based
// rules downstream (the producer's record time-to-live, the windows' idle
// timeout) then see the time the records really took, not how far a busy
// machine let a goroutine fall behind the clock.
type pacer struct {
	clock *kds.ManualClock
	// stored returns how many records the stream has taken so far, and
	// buffered how many the producer still holds.
	stored, buffered func() int64
	// read returns, for each consumer that polls every tick, how many
	// records it has read.
	read   []func() int64
	behind int // steps in a row that did not keep up
}

// run moves the clock on by d.
func (p *pacer) run(d time.Duration) error {
	for moved := time.Duration(0); moved < d; moved += tick {
		if err := p.step(); err != nil {
			return err
		}
	}
	return nil
}

// step moves the clock one tick and waits for the pipeline to keep up.
func (p *pacer) step() error {
	before := p.stored()
	p.clock.Advance(tick)
	deadline := time.Now().Add(keepUpWait)
	for !p.keptUp(before) {
		if time.Now().After(deadline) {
			if p.behind++; p.behind > maxBehindRuns {
				return fmt.Errorf("the pipeline fell behind the clock at %s for %d steps: %d records stored, %d buffered, read %v",
					p.clock.Now().Format(time.TimeOnly), p.behind, before, p.buffered(), p.reads())
			}
			return nil
		}
		time.Sleep(50 * time.Microsecond)
	}
	p.behind = 0
	return nil
}

// keptUp reports whether the producer has sent all it holds and every
// polling consumer has read the first stored records.
func (p *pacer) keptUp(stored int64) bool {
	if p.buffered() > 0 {
		return false
	}
	for _, n := range p.reads() {
		if n < stored {
			return false
		}
	}
	return true
}

// reads returns how many records each polling consumer has read.
func (p *pacer) reads() []int64 {
	out := make([]int64, len(p.read))
	for i, read := range p.read {
		out[i] = read()
	}
	return out
}

// runUntil moves the clock a tick at a time until done holds, giving the
// goroutines a millisecond of real time after each tick, for at most
// limit of real time, and reports whether done held.
func (p *pacer) runUntil(done func() bool, limit time.Duration) (bool, error) {
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); {
		if done() {
			return true, nil
		}
		if err := p.step(); err != nil {
			return false, err
		}
		time.Sleep(time.Millisecond)
	}
	return done(), nil
}
