package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"
)

// Progress report periods.
const (
	// livePeriod is how often a live line on a terminal is rewritten.
	livePeriod = 250 * time.Millisecond
	// plainPeriod is how often a plain line is written when the output is
	// not a terminal.
	plainPeriod = 5 * time.Second
)

// progressMode is how a command shows its progress.
type progressMode int

const (
	// progressNone shows nothing until the final summary.
	progressNone progressMode = iota
	// progressPlain writes a line every plainPeriod, for logs and pipes.
	progressPlain
	// progressLive rewrites one line in place every livePeriod, for a
	// terminal.
	progressLive
)

// isTerminal reports whether f is an *os.File open on a terminal.
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	return ok && term.IsTerminal(int(file.Fd()))
}

// progress reports a growing count and its rate to w until stopped.
type progress struct {
	w     io.Writer
	mode  progressMode
	label string       // e.g. "kds put: records put"
	count func() int64 // the count so far; safe to call from another goroutine
	start time.Time
	stop  chan struct{}
	done  chan struct{}
}

// startProgress starts reporting count, named by label, to w in the given
// mode.
func startProgress(w io.Writer, mode progressMode, label string, count func() int64) *progress {
	p := &progress{w: w, mode: mode, label: label, count: count, start: time.Now(),
		stop: make(chan struct{}), done: make(chan struct{})}
	go p.loop()
	return p
}

func (p *progress) loop() {
	defer close(p.done)
	period := plainPeriod
	switch p.mode {
	case progressNone:
		<-p.stop
		return
	case progressLive:
		period = livePeriod
	}
	tick := time.NewTicker(period)
	defer tick.Stop()
	last, lastAt := int64(0), p.start
	for {
		select {
		case <-p.stop:
			if p.mode == progressLive {
				fmt.Fprint(p.w, "\r\x1b[K") // clear the line for the summary
			}
			return
		case now := <-tick.C:
			n := p.count()
			rate := float64(n-last) / now.Sub(lastAt).Seconds()
			last, lastAt = n, now
			if p.mode == progressLive {
				fmt.Fprintf(p.w, "\r\x1b[K%s: %d (%.0f/s)", p.label, n, rate)
			} else {
				fmt.Fprintf(p.w, "%s: %d after %v (%.0f/s in the last %v)\n", p.label, n, now.Sub(p.start).Round(time.Second), rate, period)
			}
		}
	}
}

// Stop ends the reports, clearing a live line, and returns the time since
// the start.
func (p *progress) Stop() time.Duration {
	close(p.stop)
	<-p.done
	return time.Since(p.start)
}
