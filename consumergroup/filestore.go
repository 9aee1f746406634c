package consumergroup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"sync"

	"github.com/kdsgo/kds/internal/atomicfile"
)

// FileStore is a [CheckpointStore] that keeps each group's leases in one
// JSON file, <dir>/<group>.json, so checkpoints survive a restart of the
// process. Every change rewrites the file atomically: the new content goes
// to a temporary file in the same directory, which is synced and then
// renamed over the old one, so the file on disk is always either the old
// or the new version, never a partial one.
//
// A FileStore is safe for concurrent use by the workers of one process: it
// serialises their changes with a mutex and serves reads from memory. It
// is not a lock between processes: two processes opening FileStores on the
// same directory would overwrite each other's changes. Workers in several
// processes need a shared store with conditional writes (KCL uses
// DynamoDB).
type FileStore struct {
	dir    string
	mu     sync.Mutex
	groups map[string]map[string]Lease // loaded groups
}

// NewFileStore returns a FileStore keeping its files in dir, which is
// created if missing.
func NewFileStore(dir string) (*FileStore, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("consumergroup: file store: %w", err)
	}
	return &FileStore{dir: dir, groups: map[string]map[string]Lease{}}, nil
}

// fileContent is the JSON document of one group's file.
type fileContent struct {
	Leases []Lease `json:"leases"`
}

// ListLeases returns the group's leases in key order.
func (s *FileStore) ListLeases(ctx context.Context, group string) ([]Lease, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.loadLocked(group)
	if err != nil {
		return nil, err
	}
	return sortedLeases(g), nil
}

// CreateLease adds a lease with Counter 0 and writes the group's file, or
// fails with [ErrLeaseExists].
func (s *FileStore) CreateLease(ctx context.Context, group string, l Lease) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.loadLocked(group)
	if err != nil {
		return err
	}
	stored, err := newLease(g, l)
	if err != nil {
		return err
	}
	return s.saveLocked(ctx, group, g, stored)
}

// UpdateLease stores l if the stored counter equals l.Counter and writes
// the group's file; see [CheckpointStore.UpdateLease].
func (s *FileStore) UpdateLease(ctx context.Context, group string, l Lease) (Lease, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.loadLocked(group)
	if err != nil {
		return Lease{}, err
	}
	stored, err := nextLease(g, l)
	if err != nil {
		return Lease{}, err
	}
	if err := s.saveLocked(ctx, group, g, stored); err != nil {
		return Lease{}, err
	}
	return stored.clone(), nil
}

// path returns the file of a group.
func (s *FileStore) path(group string) string { return filepath.Join(s.dir, group+".json") }

// loadLocked returns the group's leases, reading its file the first time.
func (s *FileStore) loadLocked(group string) (map[string]Lease, error) {
	if err := checkGroupName(group); err != nil {
		return nil, err
	}
	if g, ok := s.groups[group]; ok {
		return g, nil
	}
	g := map[string]Lease{}
	b, err := os.ReadFile(s.path(group))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("consumergroup: file store: %w", err)
	default:
		var c fileContent
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("consumergroup: file store: %s: %w", s.path(group), err)
		}
		for _, l := range c.Leases {
			g[l.Key] = l
		}
	}
	s.groups[group] = g
	return g, nil
}

// saveLocked writes the group's leases with l stored, and keeps them in
// memory only once they are safely on disk.
func (s *FileStore) saveLocked(ctx context.Context, group string, g map[string]Lease, l Lease) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	next := maps.Clone(g)
	next[l.Key] = l
	b, err := json.MarshalIndent(fileContent{Leases: sortedLeases(next)}, "", "  ")
	if err != nil {
		return fmt.Errorf("consumergroup: file store: %w", err)
	}
	if err := atomicfile.Write(s.path(group), b); err != nil {
		return fmt.Errorf("consumergroup: file store: %w", err)
	}
	s.groups[group] = next
	return nil
}
