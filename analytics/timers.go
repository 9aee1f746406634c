package analytics

import (
	"container/heap"
	"time"
)

// state is what one key and window hold: the accumulator, whether the
// window has fired, and the spans of the tracked shards' records in it.
type state[A any] struct {
	win     Window
	key     string
	acc     A
	fired   bool // the watermark has passed End
	emitted bool // a result of it (or of a session merged into it) was emitted
	spans   map[*source]span
	index   int // in the timers heap
}

// deadline is the watermark at which the state next needs attention:
// its end until it fires, then its end plus the allowed lateness, when
// it is purged.
func (s *state[A]) deadline(lateness time.Duration) time.Time {
	if s.fired {
		return s.win.End.Add(lateness)
	}
	return s.win.End
}

// timers orders the live states by deadline, then key, then start, so
// that windows fire in a deterministic order.
type timers[A any] struct {
	lateness time.Duration
	s        []*state[A]
}

func (t *timers[A]) Len() int { return len(t.s) }

func (t *timers[A]) Less(i, j int) bool {
	a, b := t.s[i], t.s[j]
	if da, db := a.deadline(t.lateness), b.deadline(t.lateness); !da.Equal(db) {
		return da.Before(db)
	}
	if a.key != b.key {
		return a.key < b.key
	}
	return a.win.Start.Before(b.win.Start)
}

func (t *timers[A]) Swap(i, j int) {
	t.s[i], t.s[j] = t.s[j], t.s[i]
	t.s[i].index, t.s[j].index = i, j
}

func (t *timers[A]) Push(x any) {
	s := x.(*state[A])
	s.index = len(t.s)
	t.s = append(t.s, s)
}

func (t *timers[A]) Pop() any {
	n := len(t.s) - 1
	s := t.s[n]
	t.s[n] = nil
	t.s = t.s[:n]
	s.index = -1
	return s
}

// due returns the state with the earliest deadline if the watermark
// has reached it.
func (t *timers[A]) due(m *watermark) (*state[A], bool) {
	if len(t.s) == 0 || !m.reached(t.s[0].deadline(t.lateness)) {
		return nil, false
	}
	return t.s[0], true
}

func (t *timers[A]) add(s *state[A])    { heap.Push(t, s) }
func (t *timers[A]) fix(s *state[A])    { heap.Fix(t, s.index) }
func (t *timers[A]) remove(s *state[A]) { heap.Remove(t, s.index) }
