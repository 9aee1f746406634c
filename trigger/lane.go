package trigger

import (
	"time"

	"github.com/kdsgo/kds/internal/backoff"
)

// lane is one of a shard's ParallelizationFactor lanes: it takes the
// records of its partition keys in shard order, forms batches and invokes
// the handler with them one at a time, retrying a failing batch before
// anything after it.
type lane struct {
	p     *shard
	queue []*pending // delivered, not yet taken into a batch; guarded by p.mu
	win   *window    // the open tumbling window; the lane's goroutine only
}

// work is what a lane does next: invoke a batch, or make the final
// invocation of its tumbling window.
type work struct {
	batch []*pending
	final bool
}

// run does the lane's work until the shard stops it or its lease ends.
func (l *lane) run() {
	defer l.p.wg.Done()
	for {
		w, ok := l.next()
		switch {
		case !ok:
			return
		case w.final:
			if !l.closeWindow(false) {
				return
			}
		default:
			if !l.process(w.batch) {
				return
			}
		}
	}
}

// next waits until the lane has work, and takes it; false means stop.
func (l *lane) next() (work, bool) {
	p := l.p
	p.mu.Lock()
	defer p.mu.Unlock()
	var (
		timer   <-chan time.Time
		timerAt time.Time
	)
	for !p.stopping && p.ctx.Err() == nil {
		now := p.s.Clock.Now()
		w, wakeAt, ok := l.planLocked(now)
		if ok {
			return w, true
		}
		if !wakeAt.Equal(timerAt) {
			timer, timerAt = nil, wakeAt
			if !wakeAt.IsZero() {
				timer = p.s.Clock.After(wakeAt.Sub(now))
			}
		}
		if fired, alive := p.waitLocked(p.ctx, timer); !alive {
			break
		} else if fired {
			timer, timerAt = nil, time.Time{}
		}
	}
	return work{}, false
}

// planLocked returns the lane's work if it has some due at now;
// otherwise the time it will have (zero if only new records or the
// shard's end can bring some).
func (l *lane) planLocked(now time.Time) (w work, wakeAt time.Time, ok bool) {
	p, s := l.p, l.p.s
	q := l.queue
	if l.win != nil {
		switch {
		case len(q) > 0 && s.windowOf(q[0]).After(l.win.start):
			return work{final: true}, time.Time{}, true
		case len(q) > 0:
		case p.ending || !p.watermark.Before(l.win.end):
			return work{final: true}, time.Time{}, true
		case p.caughtUp && !p.blocked:
			idleEnd := l.win.end.Add(windowIdleWait)
			if !now.Before(idleEnd) {
				return work{final: true}, time.Time{}, true
			}
			return work{}, idleEnd, false
		}
	}
	if len(q) == 0 {
		return work{}, time.Time{}, false
	}
	win, size := l.win, emptyEventBytes
	if s.TumblingWindowInSeconds > 0 && win == nil {
		win = l.newWindow(s.windowOf(q[0])) // opened below if the batch is taken
	}
	if win != nil {
		size = win.envelope
	}
	n := 0
	for n < len(q) && n < s.BatchSize {
		next := size + q[n].size
		if n > 0 {
			next++ // the comma between records
		}
		if n > 0 && (next > MaxPayloadBytes || s.windowOf(q[n]).After(s.windowOf(q[0]))) {
			break
		}
		size = next
		n++
	}
	deadline := q[0].readAt.Add(time.Duration(s.MaximumBatchingWindowInSeconds) * time.Second)
	if n == len(q) && n < s.BatchSize && !p.ending && now.Before(deadline) {
		return work{}, deadline, false
	}
	l.queue = q[n:]
	if win != nil && l.win == nil {
		l.win = win
		p.open++
	}
	return work{batch: q[:n:n]}, time.Time{}, true
}

// emptyEventBytes is the size of the JSON of an event without records
// and without a window: {"Records":[]}.
const emptyEventBytes = len(`{"Records":[]}`)

// sleep waits d on the clock; false means the lease ended meanwhile.
func (l *lane) sleep(d time.Duration) bool {
	select {
	case <-l.p.s.Clock.After(d):
		return true
	case <-l.p.ctx.Done():
		return false
	}
}

// retryBackoff paces the retries of a failed batch, final window
// invocation or on-failure delivery: 1 s doubling up to a minute. Lambda
// does not document its pacing.
var retryBackoff = backoff.Exponential{Min: time.Second, Max: time.Minute}
