package kds

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Tests of a Service on a data directory, through its operations.

// openDirService opens a Service on dir with the given clock and options.
func openDirService(t *testing.T, dir string, clock Clock, opts ...Option) *Service {
	t.Helper()
	svc, err := NewService(append([]Option{WithDataDir(dir), WithClock(clock), WithThroughputLimits(NoLimits)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// putKeyed puts data under key into stream name and fails the test on error.
func putKeyed(t *testing.T, svc *Service, name, key, data string) PutRecordOutput {
	t.Helper()
	out, err := svc.PutRecord(context.Background(), PutRecordInput{StreamName: name, PartitionKey: key, Data: []byte(data)})
	if err != nil {
		t.Fatalf("PutRecord: %v", err)
	}
	return out
}

// replayData returns the data of every record of the stream, in replay order.
func replayData(t *testing.T, svc *Service, name string) []string {
	t.Helper()
	s, ok := svc.Stream(name)
	if !ok {
		t.Fatalf("no stream %s", name)
	}
	var out []string
	for r, err := range s.Replay(context.Background(), TrimHorizon()) {
		if err != nil {
			t.Fatalf("Replay: %v", err)
		}
		out = append(out, string(r.Data))
	}
	return out
}

func TestDataDirClosedShardFilesGoWhenExpired(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	clock := NewManualClock(smStart)
	svc := openDirService(t, dir, clock)
	defer svc.Close()
	if _, err := svc.CreateStream(ctx, CreateStreamInput{StreamName: "s", ShardCount: 1}); err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		putKeyed(t, svc, "s", "k", fmt.Sprintf("%d-%s", i, strings.Repeat("x", 4000)))
	}
	if _, err := svc.SplitShard(ctx, SplitShardInput{StreamName: "s", ShardToSplit: "shardId-000000000000", NewStartingHashKey: "1000"}); err != nil {
		t.Fatal(err)
	}
	parentDir := filepath.Join(dir, streamsDirName, formatHex(1), shardID(0))
	if _, err := os.Stat(parentDir); err != nil {
		t.Fatalf("the parent's files before they expire: %v", err)
	}
	clock.Advance(DefaultRetentionPeriodHours*time.Hour + time.Minute)
	svc.TrimExpired()
	svc.store.(*dirStore).bg.Wait() // files are removed in the background
	if _, err := os.Stat(parentDir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the closed parent's directory after its records expired: %v, want it gone", err)
	}
}

func TestDataDirEncryptedStreamKeepsNoPlaintextOnDisk(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	clock := NewManualClock(smStart)
	svc := openDirService(t, dir, clock)
	if _, err := svc.CreateStream(ctx, CreateStreamInput{StreamName: "s", ShardCount: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.StartStreamEncryption(ctx, StartStreamEncryptionInput{StreamName: "s", EncryptionType: EncryptionKMS, KeyId: AWSManagedKeyAlias}); err != nil {
		t.Fatal(err)
	}
	const secret = "the-plaintext-that-must-not-reach-the-disk"
	var want []string
	for i := range 300 { // more than one segment
		d := fmt.Sprintf("%s-%03d-%s", secret, i, strings.Repeat("p", 3000))
		putKeyed(t, svc, "s", "key-"+secret, d)
		want = append(want, d)
	}
	if err := svc.Close(); err != nil {
		t.Fatal(err)
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("%s holds the plaintext", path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	svc = openDirService(t, dir, clock)
	defer svc.Close()
	if got := replayData(t, svc, "s"); !slicesEqual(got, want) {
		t.Errorf("read back %d records, want %d", len(got), len(want))
	}
}

func TestDataDirWritesFailAfterCloseReadsWork(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	svc := openDirService(t, dir, NewManualClock(smStart))
	if _, err := svc.CreateStream(ctx, CreateStreamInput{StreamName: "s", ShardCount: 1}); err != nil {
		t.Fatal(err)
	}
	putKeyed(t, svc, "s", "k", "before")
	if err := svc.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := svc.PutRecord(ctx, PutRecordInput{StreamName: "s", PartitionKey: "k", Data: []byte("after")})
	if e, ok := err.(*Error); !ok || e.Code != codeInternalFailure {
		t.Errorf("PutRecord after Close: %v, want InternalFailureException", err)
	}
	out, err := svc.PutRecords(ctx, PutRecordsInput{StreamName: "s", Records: []PutRecordsRequestEntry{{PartitionKey: "k", Data: []byte("after")}}})
	if e, ok := err.(*Error); !ok || e.Code != codeInternalFailure {
		t.Errorf("PutRecords after Close: %+v, %v, want InternalFailureException", out, err)
	}
	if _, err := svc.CreateStream(ctx, CreateStreamInput{StreamName: "t", ShardCount: 1}); err == nil {
		t.Error("CreateStream after Close succeeded")
	}
	if got := replayData(t, svc, "s"); !slicesEqual(got, []string{"before"}) {
		t.Errorf("read after Close: %q", got)
	}
}

func TestDataDirLargerThanItsCache(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	svc := openDirService(t, dir, NewManualClock(smStart), WithSegmentCacheBytes(16<<20), WithSync(SyncByOS()))
	defer svc.Close()
	if _, err := svc.CreateStream(ctx, CreateStreamInput{StreamName: "s", ShardCount: 2}); err != nil {
		t.Fatal(err)
	}
	const n = 1200 // 1200 × 40 KB = 48 MB, three times the cache
	for i := range n {
		putKeyed(t, svc, "s", fmt.Sprint(i%7), fmt.Sprintf("%05d%s", i, strings.Repeat("d", 40000)))
	}
	st := svc.store.(*dirStore)
	for range 2 {
		if got := replayData(t, svc, "s"); len(got) != n {
			t.Fatalf("read %d records, want %d", len(got), n)
		}
		if c := st.cache.cachedBytes(); c > 16<<20 {
			t.Errorf("cache holds %d bytes, over its 16 MiB", c)
		}
	}
}

// TestDataDirSurvivesPowerLoss puts records concurrently under
// SyncEveryWrite, then copies the directory as a power failure would leave
// it: each segment file only as far as its last completed sync, and files
// never synced not at all. Every acknowledged record must be there.
func TestDataDirSurvivesPowerLoss(t *testing.T) {
	var mu sync.Mutex
	synced := make(map[string]int64)
	testHookSynced = func(path string, size int64) {
		mu.Lock()
		synced[path] = max(synced[path], size)
		mu.Unlock()
	}
	defer func() { testHookSynced = nil }()

	ctx := context.Background()
	dir := t.TempDir()
	clock := NewManualClock(smStart)
	svc := openDirService(t, dir, clock)
	if _, err := svc.CreateStream(ctx, CreateStreamInput{StreamName: "s", ShardCount: 3}); err != nil {
		t.Fatal(err)
	}
	var acked sync.Map
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Go(func() {
			for i := range 60 {
				recs := make([]PutRecordsRequestEntry, 1+i%9)
				for j := range recs {
					recs[j] = PutRecordsRequestEntry{PartitionKey: fmt.Sprintf("w%d-%d", w, j), Data: fmt.Appendf(nil, "w%d-%d-%d-%s", w, i, j, strings.Repeat("z", 1500))}
				}
				out, err := svc.PutRecords(ctx, PutRecordsInput{StreamName: "s", Records: recs})
				if err != nil {
					t.Error(err)
					return
				}
				for j, r := range out.Records {
					if r.ErrorCode == "" {
						acked.Store(string(recs[j].Data), r.SequenceNumber)
					}
				}
			}
		})
	}
	wg.Wait()
	// The power fails now: copy what is durable, before anything else syncs.
	mu.Lock()
	lost := t.TempDir()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		to := filepath.Join(lost, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		if d.Name() == lockFileName {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.HasSuffix(path, segmentFileExt) {
			size, ok := synced[path]
			if !ok {
				return nil // never synced: the power failure took it
			}
			b = b[:size]
		}
		return os.WriteFile(to, b, 0o644)
	})
	mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	svc.Close()

	svc = openDirService(t, lost, clock)
	defer svc.Close()
	got := make(map[string]bool)
	for _, d := range replayData(t, svc, "s") {
		got[d] = true
	}
	n := 0
	acked.Range(func(k, _ any) bool {
		n++
		if !got[k.(string)] {
			t.Errorf("acknowledged record %.12s… lost", k)
		}
		return true
	})
	for _, p := range svc.StorageProblems() {
		if p.Kind != "torn-tail" {
			t.Errorf("problem after power loss: %+v", p)
		}
	}
	t.Logf("%d acknowledged records, %d read back", n, len(got))
}

func TestVerifyStorageFindsDamageWithoutReads(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	clock := NewManualClock(smStart)
	svc := openDirService(t, dir, clock)
	if _, err := svc.CreateStream(ctx, CreateStreamInput{StreamName: "s", ShardCount: 1}); err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		putKeyed(t, svc, "s", "k", fmt.Sprintf("%d-%s", i, strings.Repeat("v", 3000)))
	}
	svc.Close()
	files, _ := filepath.Glob(filepath.Join(dir, streamsDirName, formatHex(1), shardID(0), "*"+segmentFileExt))
	if len(files) < 3 {
		t.Fatalf("%d files", len(files))
	}
	b, _ := os.ReadFile(files[0])
	b[100] ^= 1
	os.WriteFile(files[0], b, 0o644)

	svc = openDirService(t, dir, clock)
	defer svc.Close()
	if p := svc.StorageProblems(); len(p) != 0 {
		t.Fatalf("problems found by opening, which reads no records: %+v", p)
	}
	p := svc.VerifyStorage(ctx)
	if len(p) != 1 || p[0].Kind != "damaged-segment" || p[0].Path != files[0] || p[0].Stream != "s" {
		t.Fatalf("VerifyStorage = %+v, want the damaged %s", p, files[0])
	}
}
