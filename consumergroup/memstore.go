package consumergroup

import (
	"context"
	"maps"
	"slices"
	"sync"
)

// MemStore is a [CheckpointStore] in memory: leases last as long as the
// process. It is safe for concurrent use; the zero value is ready to use.
type MemStore struct {
	mu     sync.Mutex
	groups map[string]map[string]Lease
}

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore { return &MemStore{} }

// ListLeases returns the group's leases in key order.
func (s *MemStore) ListLeases(ctx context.Context, group string) ([]Lease, error) {
	if err := checkGroupName(group); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return sortedLeases(s.groups[group]), nil
}

// CreateLease adds a lease with Counter 0, or fails with [ErrLeaseExists].
func (s *MemStore) CreateLease(ctx context.Context, group string, l Lease) error {
	if err := checkGroupName(group); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	stored, err := newLease(s.groups[group], l)
	if err != nil {
		return err
	}
	if s.groups == nil {
		s.groups = map[string]map[string]Lease{}
	}
	if s.groups[group] == nil {
		s.groups[group] = map[string]Lease{}
	}
	s.groups[group][l.Key] = stored
	return nil
}

// UpdateLease stores l if the stored counter equals l.Counter; see
// [CheckpointStore.UpdateLease].
func (s *MemStore) UpdateLease(ctx context.Context, group string, l Lease) (Lease, error) {
	if err := checkGroupName(group); err != nil {
		return Lease{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	stored, err := nextLease(s.groups[group], l)
	if err != nil {
		return Lease{}, err
	}
	s.groups[group][l.Key] = stored
	return stored.clone(), nil
}

// sortedLeases returns copies of a group's leases in key order.
func sortedLeases(g map[string]Lease) []Lease {
	out := make([]Lease, 0, len(g))
	for _, k := range slices.Sorted(maps.Keys(g)) {
		out = append(out, g[k].clone())
	}
	return out
}

// newLease returns the lease CreateLease stores for l in group g: a
// copy at Counter 0, or ErrLeaseExists. g is not changed.
func newLease(g map[string]Lease, l Lease) (Lease, error) {
	if _, ok := g[l.Key]; ok {
		return Lease{}, ErrLeaseExists
	}
	l = l.clone()
	l.Counter = 0
	return l, nil
}

// nextLease returns the lease UpdateLease stores for l in group g: a copy
// at the next counter, if g's lease still has l's counter. g is not
// changed.
func nextLease(g map[string]Lease, l Lease) (Lease, error) {
	cur, ok := g[l.Key]
	switch {
	case !ok:
		return Lease{}, ErrLeaseNotFound
	case cur.Counter != l.Counter:
		return Lease{}, ErrConflict
	}
	l = l.clone()
	l.Counter++
	return l, nil
}
