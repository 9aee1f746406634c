package kds

import (
	"sync"
	"sync/atomic"
)

// signal wakes goroutines that wait for new records. Writers call notify
// after publishing; it costs one atomic load while nobody waits. A waiter
// calls wait, then re-checks for records, then blocks on the channel: the
// arm-then-check order means no wake-up is lost.
type signal struct {
	armed atomic.Bool
	mu    sync.Mutex
	ch    chan struct{}
}

// wait returns a channel that is closed by the next notify.
func (s *signal) wait() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch == nil {
		s.ch = make(chan struct{})
	}
	s.armed.Store(true)
	return s.ch
}

// notify wakes every current waiter.
func (s *signal) notify() {
	if !s.armed.Load() {
		return
	}
	s.mu.Lock()
	if s.ch != nil {
		close(s.ch)
		s.ch = nil
	}
	s.armed.Store(false)
	s.mu.Unlock()
}
