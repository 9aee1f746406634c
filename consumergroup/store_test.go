package consumergroup

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

// testStore runs the CheckpointStore contract against a store.
func testStore(t *testing.T, s CheckpointStore) {
	ctx := context.Background()
	if got, err := s.ListLeases(ctx, "g"); err != nil || len(got) != 0 {
		t.Fatalf("ListLeases of a new group = %v, %v; want none", got, err)
	}
	parents := []string{"shardId-000000000000"}
	for _, l := range []Lease{
		{Key: "shardId-000000000002", Checkpoint: CheckpointTrimHorizon, ParentShardIDs: parents, Counter: 7},
		{Key: "shardId-000000000001", Checkpoint: CheckpointLatest},
	} {
		if err := s.CreateLease(ctx, "g", l); err != nil {
			t.Fatalf("CreateLease(%s): %v", l.Key, err)
		}
	}
	parents[0] = "changed" // the store keeps its own copy
	if err := s.CreateLease(ctx, "g", Lease{Key: "shardId-000000000001"}); !errors.Is(err, ErrLeaseExists) {
		t.Errorf("CreateLease of an existing key = %v, want ErrLeaseExists", err)
	}
	if err := s.CreateLease(ctx, "bad/name", Lease{Key: "x"}); err == nil {
		t.Error("CreateLease in group \"bad/name\" succeeded")
	}
	got, err := s.ListLeases(ctx, "g")
	if err != nil {
		t.Fatal(err)
	}
	want := []Lease{
		{Key: "shardId-000000000001", Checkpoint: CheckpointLatest},
		{Key: "shardId-000000000002", Checkpoint: CheckpointTrimHorizon, ParentShardIDs: []string{"shardId-000000000000"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ListLeases = %+v\nwant %+v", got, want)
	}
	if other, _ := s.ListLeases(ctx, "other"); len(other) != 0 {
		t.Errorf("group \"other\" sees %v", other)
	}

	l := got[0]
	l.Owner = "w1"
	stored, err := s.UpdateLease(ctx, "g", l)
	if err != nil || stored.Counter != 1 || stored.Owner != "w1" {
		t.Fatalf("UpdateLease = %+v, %v; want counter 1, owner w1", stored, err)
	}
	l.Owner = "w2" // still counter 0: someone else has changed it since
	if _, err := s.UpdateLease(ctx, "g", l); !errors.Is(err, ErrConflict) {
		t.Errorf("UpdateLease with a stale counter = %v, want ErrConflict", err)
	}
	stored.Checkpoint = CheckpointShardEnd
	if stored, err = s.UpdateLease(ctx, "g", stored); err != nil || stored.Counter != 2 {
		t.Fatalf("UpdateLease at the current counter = %+v, %v", stored, err)
	}
	if _, err := s.UpdateLease(ctx, "g", Lease{Key: "nope"}); !errors.Is(err, ErrLeaseNotFound) {
		t.Errorf("UpdateLease of a missing lease = %v, want ErrLeaseNotFound", err)
	}
	got, _ = s.ListLeases(ctx, "g")
	if got[0].Owner != "w1" || got[0].Counter != 2 || got[0].Checkpoint != CheckpointShardEnd {
		t.Errorf("after updates the lease is %+v", got[0])
	}
	got[1].ParentShardIDs[0] = "mutated" // the caller's copy
	again, _ := s.ListLeases(ctx, "g")
	if again[1].ParentShardIDs[0] != "shardId-000000000000" {
		t.Errorf("changing a listed lease changed the store")
	}
}

func TestMemStore(t *testing.T) { testStore(t, NewMemStore()) }

func TestFileStore(t *testing.T) {
	s, err := NewFileStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	testStore(t, s)
}
