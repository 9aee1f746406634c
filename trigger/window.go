package trigger

import (
	"encoding/json"
	"maps"
	"time"
)

// windowIdleWait is how long after a tumbling window's end a lane that
// has no later record waits before closing the window, when the shard's
// reader is caught up: records put before the end may still be on their
// way. Lambda waits "up to 2 minutes".
const windowIdleWait = 2 * time.Minute

// window is a lane's open tumbling window.
type window struct {
	start, end time.Time
	state      map[string]string
	recs       []*pending // through the handler; checkpointed when the window closes
	envelope   int        // bytes of a batch's event JSON besides its records'
}

// newWindow returns the lane's window starting at start, with an empty
// state.
func (l *lane) newWindow(start time.Time) *window {
	w := &window{start: start, end: start.Add(l.p.s.tumblingWindow()), state: map[string]string{}}
	l.measure(w)
	return w
}

// measure sets w.envelope to the size of the JSON of a batch's event in
// w without its records: what a batch's records are left by
// MaxPayloadBytes is that much less.
func (l *lane) measure(w *window) {
	ev := KinesisEvent{Records: []KinesisEventRecord{}, TimeWindow: &TimeWindow{
		Window:         Window{Start: w.start, End: w.end},
		State:          w.state,
		ShardID:        l.p.id,
		EventSourceARN: l.p.s.EventSourceArn,
	}}
	b, _ := json.Marshal(ev) // cannot fail: strings and times
	w.envelope = len(b)
}

// tumblingWindow is TumblingWindowInSeconds as a duration.
func (s *settings) tumblingWindow() time.Duration {
	return time.Duration(s.TumblingWindowInSeconds) * time.Second
}

// windowOf returns the start of the tumbling window r belongs to by its
// arrival time, or the zero time without tumbling windows. Windows are
// aligned on the Unix epoch.
func (s *settings) windowOf(r *pending) time.Time {
	size := int64(s.TumblingWindowInSeconds)
	if size == 0 {
		return time.Time{}
	}
	sec := r.rec.ApproximateArrivalTimestamp.Unix()
	return time.Unix(sec-((sec%size)+size)%size, 0).UTC()
}

// windowEvent returns the window's part of an invocation's event.
func (l *lane) windowEvent(final, early bool) *TimeWindow {
	return &TimeWindow{
		Window:                  Window{Start: l.win.start, End: l.win.end},
		State:                   maps.Clone(l.win.state),
		ShardID:                 l.p.id,
		EventSourceARN:          l.p.s.EventSourceArn,
		IsFinalInvokeForWindow:  final,
		IsWindowTerminatedEarly: early,
	}
}

// setState adopts the state a handler returned, and ends the window early
// if it is too big; false means the lease ended meanwhile.
func (l *lane) setState(state map[string]string) bool {
	l.win.state = state
	if b, _ := json.Marshal(state); len(b) > MaxWindowStateBytes { // cannot fail: strings
		return l.closeWindow(true)
	}
	l.measure(l.win)
	return true
}

// closeWindow makes the final invocation of the lane's window, with no
// records and the window's state, then checkpoints the window's records.
// A failing final invocation is retried with a batch's backoff until it
// succeeds or, as MaximumRetryAttempts and MaximumRecordAgeInSeconds
// say, is given up: after that many retries, or once every record of the
// window is too old (checked before each retry). Given up, it is reported
// to the on-failure destination with the window's records. Early (the
// state grew too big) the window stays open with an empty state;
// otherwise it closes. False means the lease ended first.
func (l *lane) closeWindow(early bool) bool {
	s := l.p.s
	a := &attempt{recs: l.win.recs}
	for {
		if l.p.ctx.Err() != nil {
			return false
		}
		ev := KinesisEvent{Records: []KinesisEventRecord{}, TimeWindow: l.windowEvent(true, early)}
		if _, err := l.p.call(ev); err == nil {
			break
		}
		if l.p.ctx.Err() != nil {
			return false // stopped: the window is left for the next owner
		}
		a.invokes++
		a.errored = true
		a.retries++
		condition := ""
		if s.retries >= 0 && a.retries > s.retries {
			condition = RetryAttemptsExhausted
		} else {
			if !l.sleep(retryBackoff.Delay(a.retries)) {
				return false
			}
			if n := len(a.recs); n > 0 && l.expired(a.recs) == n {
				condition = RecordAgeExceeded
			}
		}
		if condition != "" {
			if len(a.recs) > 0 && !l.report(a, a.recs, condition) {
				return false
			}
			break
		}
	}
	recs := l.win.recs
	if early {
		l.win.state, l.win.recs = map[string]string{}, nil
		l.measure(l.win)
	} else {
		l.win = nil
		l.p.mu.Lock()
		l.p.open--
		l.p.notifyLocked()
		l.p.mu.Unlock()
	}
	l.p.done(recs)
	return true
}
