package kds

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kdsgo/kds/internal/segfile"
)

func TestDataDirPutRacingDeleteFailsAlone(t *testing.T) {
	ctx := context.Background()
	svc := openDirService(t, t.TempDir(), NewManualClock(smStart))
	defer svc.Close()
	for _, n := range []string{"a", "b"} {
		if _, err := svc.CreateStream(ctx, CreateStreamInput{StreamName: n, ShardCount: 1}); err != nil {
			t.Fatal(err)
		}
	}
	putKeyed(t, svc, "a", "k", "first") // opens a's tail file
	s, _ := svc.Stream("a")
	sh := s.shards[0]
	// The in-flight put has checked s.gone() and routed; now the stream
	// is deleted (no delete delay: reaped at once).
	if _, err := svc.DeleteStream(ctx, DeleteStreamInput{StreamName: "a"}); err != nil {
		t.Fatal(err)
	}
	// ... and the put takes sh.mu, appends and commits, as putRecord does.
	sh.mu.Lock()
	sh.appendLocked("k", []byte("late"), smStart.UnixMilli(), 0, nil)
	run := sh.commitLocked()
	sh.mu.Unlock()
	t.Logf("late put into deleted stream: %v", run.wait())
	if _, err := svc.PutRecord(ctx, PutRecordInput{StreamName: "b", PartitionKey: "k", Data: []byte("x")}); err != nil {
		t.Errorf("put to an unrelated stream after the race: %v", err)
	}
	t.Logf("problems: %+v", svc.StorageProblems())
}

// A flipped byte in the header of the newest file, followed by whole
// frames, is damage to report, not a torn creation to wipe.
func TestDirStoreDamagedTailHeaderIsDamageNotTear(t *testing.T) {
	dir := t.TempDir()
	st := testStore(t, dir, SyncEveryWrite())
	sh := testShard(t, st, 0)
	put(t, sh, 1000, "a", "b", "c")
	if err := st.close(); err != nil {
		t.Fatal(err)
	}
	path := newestSegmentFile(t, filepath.Join(dir, "streams", formatHex(1), sh.id))
	b, _ := os.ReadFile(path)
	b[10] ^= 0xff // one flipped byte in the header
	os.WriteFile(path, b, 0o644)
	st = testStore(t, dir, SyncEveryWrite())
	defer st.close()
	sh = testShard(t, st, 0)
	got, err := readAll(t, sh, 0)
	t.Logf("problems: %+v", st.problems())
	if len(got) != 3 && !slices.ContainsFunc(st.problems(), func(p StorageProblem) bool { return p.Kind == "damaged-segment" }) {
		t.Errorf("read %d records (%v), and no damaged-segment problem: the records were destroyed", len(got), err)
	}
}

// A footer whose checksum holds but whose End cannot be right is not
// trusted (it once made the decoder allocate by it, and panic).
func TestDirStoreIgnoresFooterThatDoesNotFit(t *testing.T) {
	dir := t.TempDir()
	st := testStore(t, dir, SyncEveryWrite())
	sh := testShard(t, st, 0)
	put(t, sh, 1000, "a", "b", "c")
	st.close()
	path := newestSegmentFile(t, filepath.Join(dir, "streams", formatHex(1), sh.id))
	b, _ := os.ReadFile(path)
	_, foot, _ := segfile.Scan(b, func(segfile.Frame) error { return nil })
	if foot != nil {
		t.Fatal("tail already sealed")
	}
	base := filepath.Base(path)
	first, _ := parseHex(strings.TrimSuffix(base, segmentFileExt))
	b = segfile.AppendFooter(b, segfile.Footer{First: first, End: first + 1<<44, Records: 3, FirstArrival: 1000, LastArrival: 1000, Frames: 1}, int64(len(b)))
	os.WriteFile(path, b, 0o644)
	st = testStore(t, dir, SyncEveryWrite())
	defer st.close()
	st.cache = newSegmentCache(0) // nothing cached: reads load the file
	sh = testShard(t, st, 0)
	defer func() {
		if p := recover(); p != nil {
			t.Errorf("read of a sealed file with a bad footer panicked: %v", p)
		}
	}()
	readAll(t, sh, 0) // GetRecords' path
}

// A closed shard whose records had expired is removed (directory and
// all) before the syncer gets to the files its closing sealed: that must
// not fail the store.
func TestDataDirClosedShardRemovedBeforeItsSync(t *testing.T) {
	ctx := context.Background()
	clock := NewManualClock(smStart)
	svc := openDirService(t, t.TempDir(), clock, WithJanitor(1000*time.Hour)) // no trim before the split
	defer svc.Close()
	if _, err := svc.CreateStream(ctx, CreateStreamInput{StreamName: "s", ShardCount: 1}); err != nil {
		t.Fatal(err)
	}
	putKeyed(t, svc, "s", "k", "old")
	clock.Advance(DefaultRetentionPeriodHours*time.Hour + time.Minute)
	if _, err := svc.SplitShard(ctx, SplitShardInput{StreamName: "s", ShardToSplit: shardID(0), NewStartingHashKey: "1000"}); err != nil {
		t.Fatal(err)
	}
	svc.TrimExpired() // removes the parent's directory
	s, _ := svc.Stream("s")
	l := s.shards[0].log.(*fileLog)
	_, statErr := os.Stat(l.dir)
	l.smu.Lock()
	t.Logf("parent dir: %v; dirty %d, dirSync %v, closed %v", statErr, len(l.dirty), l.dirSync, s.shards[0].closure.Load() != nil)
	l.smu.Unlock()
	l.syncBackground(false) // the syncer's next tick
	if _, err := svc.PutRecord(ctx, PutRecordInput{StreamName: "s", PartitionKey: "k", Data: []byte("new")}); err != nil {
		t.Errorf("put to a child after its parent's files went: %v", err)
	}
}

// A shard whose records were all trimmed before it was closed leaves no
// directory behind.
func TestDataDirClosedEmptyShardDirGoes(t *testing.T) {
	ctx := context.Background()
	clock := NewManualClock(smStart)
	dir := t.TempDir()
	svc := openDirService(t, dir, clock)
	defer svc.Close()
	if _, err := svc.CreateStream(ctx, CreateStreamInput{StreamName: "s", ShardCount: 1}); err != nil {
		t.Fatal(err)
	}
	putKeyed(t, svc, "s", "k", "old")
	clock.Advance(DefaultRetentionPeriodHours*time.Hour + time.Minute)
	svc.TrimExpired()
	if _, err := svc.SplitShard(ctx, SplitShardInput{StreamName: "s", ShardToSplit: shardID(0), NewStartingHashKey: "1000"}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(DefaultRetentionPeriodHours*time.Hour + time.Minute)
	svc.TrimExpired()
	svc.store.(*dirStore).bg.Wait()
	if _, err := os.Stat(filepath.Join(dir, streamsDirName, formatHex(1), shardID(0))); err == nil {
		t.Errorf("closed, empty, expired parent's directory is still there")
	}
}

// Producers keep writing to a stream that is deleted; its logs' errors
// must fail their own puts only, and another stream still takes writes.
func TestDataDirDeleteWhileProducing(t *testing.T) {
	ctx := context.Background()
	recs := make([]PutRecordsRequestEntry, 500)
	for i := range recs {
		recs[i] = PutRecordsRequestEntry{PartitionKey: fmt.Sprint(i), Data: make([]byte, 9000)}
	}
	for round := range 4 {
		svc := openDirService(t, t.TempDir(), NewManualClock(smStart), WithSync(SyncByOS()))
		for _, n := range []string{"a", "b"} {
			if _, err := svc.CreateStream(ctx, CreateStreamInput{StreamName: n, ShardCount: 8}); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for {
					_, err := svc.PutRecords(ctx, PutRecordsInput{StreamName: "a", Records: recs})
					if err != nil {
						return
					}
				}
			})
		}
		svc.PutRecord(ctx, PutRecordInput{StreamName: "a", PartitionKey: "k", Data: []byte("x")})
		if _, err := svc.DeleteStream(ctx, DeleteStreamInput{StreamName: "a"}); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		_, err := svc.PutRecord(ctx, PutRecordInput{StreamName: "b", PartitionKey: "k", Data: []byte("x")})
		svc.Close()
		if err != nil {
			t.Fatalf("round %d: put to b after deleting a under load: %v", round, err)
		}
	}
}
