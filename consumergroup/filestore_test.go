package consumergroup

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"sync"
	"testing"
)

func TestFileStoreSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := NewFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateLease(ctx, "app", Lease{Key: "shardId-000000000000", Checkpoint: CheckpointTrimHorizon}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateLease(ctx, "app", Lease{Key: "shardId-000000000001", ParentShardIDs: []string{"shardId-000000000000"}, Checkpoint: CheckpointTrimHorizon}); err != nil {
		t.Fatal(err)
	}
	l := Lease{Key: "shardId-000000000000", Owner: "w1", Checkpoint: ExtendedSequenceNumber{SequenceNumber: "49590338271490256608559692538361571095921575989136588898"}}
	if _, err := s.UpdateLease(ctx, "app", l); err != nil {
		t.Fatal(err)
	}
	before, _ := s.ListLeases(ctx, "app")

	reopened, err := NewFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	after, err := reopened.ListLeases(ctx, "app")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("after reopening: %+v\nbefore: %+v", after, before)
	}
	// The reopened store continues the counters.
	after[0].Owner = "w2"
	if stored, err := reopened.UpdateLease(ctx, "app", after[0]); err != nil || stored.Counter != 2 {
		t.Fatalf("UpdateLease after reopening = %+v, %v", stored, err)
	}
}

func TestFileStoreWritesAtomically(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := NewFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	// A temporary file left by a crash mid-write is ignored.
	if err := os.WriteFile(filepath.Join(dir, ".app.json.123.tmp"), []byte(`{"leases": [{"leaseKey": "torn`), 0o644); err != nil {
		t.Fatal(err)
	}
	const shards = 8
	for i := range shards {
		if err := s.CreateLease(ctx, "app", Lease{Key: "shardId-" + strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
	// While writers update leases, every read of the file finds a
	// complete document.
	path := filepath.Join(dir, "app.json")
	stop := make(chan struct{})
	var readers sync.WaitGroup
	readers.Add(1)
	reads := 0
	go func() {
		defer readers.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Errorf("reading %s: %v", path, err)
				return
			}
			var c fileContent
			if err := json.Unmarshal(b, &c); err != nil || len(c.Leases) != shards {
				t.Errorf("read a partial file (%d bytes, %v)", len(b), err)
				return
			}
			reads++
		}
	}()
	var writers sync.WaitGroup
	for i := range shards {
		writers.Add(1)
		go func() {
			defer writers.Done()
			l := Lease{Key: "shardId-" + strconv.Itoa(i)}
			for range 50 {
				stored, err := s.UpdateLease(ctx, "app", l)
				if err != nil {
					t.Errorf("UpdateLease: %v", err)
					return
				}
				l = stored
			}
		}()
	}
	writers.Wait()
	close(stop)
	readers.Wait()
	t.Logf("%d complete reads during %d writes", reads, shards*50)

	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{".app.json.123.tmp", "app.json"}; !reflect.DeepEqual(names, want) {
		t.Errorf("directory holds %v, want %v (no temporary files left behind)", names, want)
	}
	reopened, _ := NewFileStore(dir)
	leases, err := reopened.ListLeases(ctx, "app")
	if err != nil || len(leases) != shards || leases[0].Counter != 50 {
		t.Errorf("after reopening: %d leases, first %+v, %v", len(leases), leases, err)
	}
}
