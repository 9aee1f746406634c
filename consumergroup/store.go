package consumergroup

import (
	"context"
	"errors"
	"fmt"
	"regexp"
)

// CheckpointStore keeps the leases of consumer groups, like KCL's lease
// table. Groups are independent: each has its own set of leases, keyed by
// shard ID. Implementations must be safe for concurrent use; [MemStore]
// and [FileStore] are the two in this package.
type CheckpointStore interface {
	// ListLeases returns every lease of the group, in key order. A group
	// with no leases yet has none, and that is not an error.
	ListLeases(ctx context.Context, group string) ([]Lease, error)
	// CreateLease adds l to the group with Counter 0, or fails with
	// [ErrLeaseExists] if the group already has a lease with l's key.
	CreateLease(ctx context.Context, group string, l Lease) error
	// UpdateLease replaces the stored lease with l if the stored counter
	// still equals l.Counter, storing l with its counter one higher, and
	// returns what it stored. It fails with [ErrConflict] if the counter
	// has moved and [ErrLeaseNotFound] if there is no such lease.
	UpdateLease(ctx context.Context, group string, l Lease) (Lease, error)
}

// Errors of a [CheckpointStore].
var (
	// ErrLeaseExists is returned by CreateLease for a key already in use.
	ErrLeaseExists = errors.New("consumergroup: lease already exists")
	// ErrLeaseNotFound is returned by UpdateLease for a key not in use.
	ErrLeaseNotFound = errors.New("consumergroup: lease not found")
	// ErrConflict is returned by UpdateLease when someone else changed the
	// lease since the caller read it.
	ErrConflict = errors.New("consumergroup: lease counter has changed")
)

// groupNamePattern is what a group (application) name may look like: the
// characters of a Kinesis stream name, safe as a file name.
var groupNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,255}$`)

// checkGroupName returns an error unless group is a valid group name.
func checkGroupName(group string) error {
	if !groupNamePattern.MatchString(group) {
		return fmt.Errorf("consumergroup: group name %q is not 1-255 characters of [a-zA-Z0-9_.-]", group)
	}
	return nil
}
