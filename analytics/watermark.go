package analytics

import "time"

// source is one input of the watermark: a shard for Run, or the single
// input of Add. Its fields are guarded by the Windows' mutex.
type source struct {
	name string
	// hasEvent, maxEvent: the latest event time among its records.
	hasEvent bool
	maxEvent time.Time
	// wm is its watermark so far; it never moves back.
	wm time.Time
	// active is when, on the Clock, it last received a record (or was
	// registered).
	active time.Time
	// waitFor, once the shard has ended, holds the children that have not
	// started yet; the source stays in the watermark until they all have.
	ended   bool
	waitFor map[string]bool
	// track follows its records for checkpoints; nil for Add's input.
	track *tracker
}

// watermark is the minimum of its sources' watermarks; it never moves
// back.
type watermark struct {
	bound, idle time.Duration
	sources     map[*source]bool
	set         bool
	at          time.Time
}

// reached reports whether the watermark is at or past t.
func (m *watermark) reached(t time.Time) bool {
	return m.set && !m.at.Before(t)
}

// observe notes a record of s with event time t received at now.
func (m *watermark) observe(s *source, t, now time.Time) {
	if !s.hasEvent || t.After(s.maxEvent) {
		s.maxEvent, s.hasEvent = t, true
	}
	s.active = now
}

// advance recomputes the watermark at now and reports whether it moved.
//
// A source that has been idle (no record) for the idle timeout counts
// with its latest event time plus the time since its last record, less
// the bound; an idle source with no record at all does not count. Any
// other source counts with its latest event time less the bound, and one
// with no record yet holds the watermark where it is.
func (m *watermark) advance(now time.Time) bool {
	var low time.Time
	have := false
	for s := range m.sources {
		idle := m.idle > 0 && now.Sub(s.active) >= m.idle
		if !s.hasEvent {
			if idle {
				continue
			}
			return false
		}
		c := s.maxEvent.Add(-m.bound)
		if idle {
			c = c.Add(now.Sub(s.active))
		}
		if c.After(s.wm) || s.wm.IsZero() {
			s.wm = c
		}
		if !have || s.wm.Before(low) {
			low, have = s.wm, true
		}
	}
	if !have || m.set && !low.After(m.at) {
		return false
	}
	m.at, m.set = low, true
	return true
}

// endOfTime moves the watermark past every window.
func (m *watermark) endOfTime() {
	m.at, m.set = time.Unix(0, maxEventNanos).Add(3*MaxDuration), true
}
