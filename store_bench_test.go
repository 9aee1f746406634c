package kds

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kdsgo/kds/internal/segfile"
)

// Benchmarks of the data directory (docs/storage.md); the figures are in
// BENCHMARKS.md. Data goes under $KDS_BENCH_DIR if it is set, else under
// the test's temporary directory. Say which filesystem that is when
// reporting: on tmpfs a sync costs nothing.

// benchDataDir returns a new, empty directory for a benchmark's data,
// removed when b ends.
func benchDataDir(b *testing.B) string {
	b.Helper()
	root := os.Getenv("KDS_BENCH_DIR")
	if root == "" {
		return b.TempDir()
	}
	dir, err := os.MkdirTemp(root, "kds-bench-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// benchStreams opens a benchmark's streams one at a time, in memory or
// each in a fresh data directory. Opening one closes the one before and
// removes its directory, so that a benchmark keeps at most one stream's
// records on disk.
type benchStreams struct {
	b      *testing.B
	root   string     // where the data directories go; "" in memory
	policy SyncPolicy // the directories' sync policy
	cur    *Stream
	dir    string
}

func newBenchStreams(b *testing.B, durable bool, policy SyncPolicy) *benchStreams {
	bs := &benchStreams{b: b, policy: policy}
	if durable {
		// Before the Cleanup below, so that it runs after it.
		bs.root = benchDataDir(b)
	}
	b.Cleanup(bs.closeCurrent)
	return bs
}

// open closes the stream opened before, if any, and returns a new stream
// "bench" of the given number of shards, with throughput limits off.
func (bs *benchStreams) open(shards int) *Stream {
	bs.b.Helper()
	bs.closeCurrent()
	opts := []Option{WithShards(shards), WithThroughputLimits(NoLimits)}
	if bs.root != "" {
		dir, err := os.MkdirTemp(bs.root, "")
		if err != nil {
			bs.b.Fatal(err)
		}
		bs.dir = dir
		opts = append(opts, WithDataDir(dir), WithSync(bs.policy))
	}
	s, err := NewStream("bench", opts...)
	if err != nil {
		bs.b.Fatal(err)
	}
	bs.cur = s
	return s
}

// closeCurrent closes the current stream's Service and removes its data
// directory.
func (bs *benchStreams) closeCurrent() {
	if bs.cur != nil {
		if err := bs.cur.svc.Close(); err != nil {
			bs.b.Error(err)
		}
	}
	if bs.dir != "" {
		os.RemoveAll(bs.dir)
	}
	bs.cur, bs.dir = nil, ""
}

// BenchmarkPutRecordsDurable is BenchmarkPutRecords (500 × 100 B into one
// shard, limits off) in memory and in a data directory under each sync
// policy, so that their ratios are measured in one run. Every
// benchResetEvery batches (about 120 MB of files) it starts over in a new
// directory and removes the old one.
func BenchmarkPutRecordsDurable(b *testing.B) { benchPutRecordsDurable(b, 1) }

// BenchmarkPutRecordsDurableFourShards is BenchmarkPutRecordsDurable into
// four shards: each record's key picks its shard, so a call's records
// reach each shard's log in many short runs.
func BenchmarkPutRecordsDurableFourShards(b *testing.B) { benchPutRecordsDurable(b, 4) }

func benchPutRecordsDurable(b *testing.B, shards int) {
	arms := []struct {
		name    string
		durable bool
		policy  SyncPolicy
	}{
		{"memory", false, SyncPolicy{}},
		{"interval", true, SyncInterval(100 * time.Millisecond)},
		{"os", true, SyncByOS()},
		{"always", true, SyncEveryWrite()},
	}
	// Grow the heap to its steady size first, so that whichever arm runs
	// first does not pay for it.
	fillBenchStream(b, benchResetEvery, false)
	for _, arm := range arms {
		b.Run(arm.name, func(b *testing.B) {
			bs := newBenchStreams(b, arm.durable, arm.policy)
			benchPutBatches(b, func() *Stream { return bs.open(shards) })
		})
	}
}

// BenchmarkPutRecordAlwaysParallel measures group commit: 1, 4 or 16
// goroutines each put 100-byte records with PutRecord into a stream of
// four shards under SyncEveryWrite, each going round the shards in turn.
// Puts to a shard that arrive while its file is being synced share the
// next sync, so records per sync should grow with the producers. The
// producers are goroutines of the benchmark's own, not b.RunParallel,
// whose goroutine count is a multiple of GOMAXPROCS and so cannot be 1
// on a machine of two cores.
func BenchmarkPutRecordAlwaysParallel(b *testing.B) {
	for _, producers := range []int{1, 4, 16} {
		b.Run(strconv.Itoa(producers), func(b *testing.B) { benchPutRecordAlways(b, producers) })
	}
}

func benchPutRecordAlways(b *testing.B, producers int) {
	const shards = 4
	s := newBenchStreams(b, true, SyncEveryWrite()).open(shards)
	st := s.svc.store.(*dirStore)
	// A hash key in the middle of each shard's range.
	keys := make([]string, shards)
	for i := range keys {
		keys[i] = NewHashKey(uint64(2*i+1)<<61, 0).String()
	}
	data := make([]byte, 100)
	var (
		taken  atomic.Int64
		failed atomic.Pointer[error]
		wg     sync.WaitGroup
	)
	b.ReportAllocs()
	b.ResetTimer()
	rounds := st.rounds.Load()
	for p := range producers {
		wg.Go(func() {
			in := PutRecordInput{StreamName: "bench", PartitionKey: "k", Data: data}
			for i := p; taken.Add(1) <= int64(b.N); i++ {
				in.ExplicitHashKey = keys[i%shards]
				if _, err := s.svc.PutRecord(context.Background(), in); err != nil {
					failed.CompareAndSwap(nil, &err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	rounds = st.rounds.Load() - rounds
	if err := failed.Load(); err != nil {
		b.Fatal(*err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(b.N)/float64(max(rounds, 1)), "records/sync")
}

// BenchmarkRecover1GiB measures opening a data directory of about 1 GiB
// (2 streams of 8 shards, 1 MiB segment files) and closing it again. The
// directory is written once, through a Service under SyncByOS, and
// closed cleanly, leaving each shard's last file without a footer as a
// running Service does; $KDS_BENCH_DATADIR keeps it for later runs. Each
// iteration opens a fresh working copy of it (its sealed files hard
// links, since recovery does not write to them, the rest copied):
// "clean" after a clean Close, "unclean" without the CLEAN marker, as
// after a crash once everything written had reached the disk. It reports
// the time of the open alone and the heap the open Service holds.
func BenchmarkRecover1GiB(b *testing.B) {
	src := os.Getenv("KDS_BENCH_DATADIR")
	if src == "" {
		src = benchDataDir(b)
	}
	if _, err := os.Stat(filepath.Join(src, serviceFileName)); errors.Is(err, os.ErrNotExist) {
		buildRecoverDir(b, src, 1<<30)
	}
	files, bytes, tailBytes := dataDirStats(b, src)
	b.Logf("%s: %d segment files, %d MiB, %d KiB in files without a footer", src, files, bytes>>20, tailBytes>>10)
	b.Run("clean", func(b *testing.B) { benchRecover(b, src, true) })
	b.Run("unclean", func(b *testing.B) { benchRecover(b, src, false) })
}

// buildRecoverDir writes about size bytes of records into a new data
// directory dir: two streams of eight shards, whose retention is the
// longest allowed so that a kept directory stays whole for a year.
func buildRecoverDir(b *testing.B, dir string, size int64) {
	b.Helper()
	ctx := context.Background()
	svc, err := NewService(WithDataDir(dir), WithSync(SyncByOS()), WithThroughputLimits(NoLimits), WithSegmentCacheBytes(16<<20))
	if err != nil {
		b.Fatal(err)
	}
	names := []string{"recover-0", "recover-1"}
	for _, name := range names {
		if _, err := svc.CreateStream(ctx, CreateStreamInput{StreamName: name, ShardCount: 8}); err != nil {
			b.Fatal(err)
		}
		if _, err := svc.IncreaseStreamRetentionPeriod(ctx, IncreaseStreamRetentionPeriodInput{StreamName: name, RetentionPeriodHours: 8760}); err != nil {
			b.Fatal(err)
		}
	}
	batch := benchBatch()
	// The files' size is looked at every 256 batches (about 16 MB).
	for i := 0; i%256 != 0 || segmentBytes(b, dir) < size; i++ {
		out, err := svc.PutRecords(ctx, PutRecordsInput{StreamName: names[i%len(names)], Records: batch})
		if err == nil && out.FailedRecordCount > 0 {
			err = errors.New(out.Records[0].ErrorMessage)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := svc.Close(); err != nil {
		b.Fatal(err)
	}
}

// walkSegments calls fn with the path and size of every segment file
// under dir.
func walkSegments(dir string, fn func(path string, size int64) error) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(path, segmentFileExt) {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return fn(path, info.Size())
	})
}

// segmentBytes returns the size of the segment files under dir.
func segmentBytes(b *testing.B, dir string) int64 {
	b.Helper()
	var n int64
	if err := walkSegments(dir, func(_ string, size int64) error { n += size; return nil }); err != nil {
		b.Fatal(err)
	}
	return n
}

// dataDirStats counts a data directory's segment files, their bytes, and
// the bytes of those without a footer.
func dataDirStats(b *testing.B, dir string) (files int, bytes, unsealed int64) {
	b.Helper()
	err := walkSegments(dir, func(path string, size int64) error {
		sealed, err := hasFooter(path)
		files++
		bytes += size
		if !sealed {
			unsealed += size
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return files, bytes, unsealed
}

// hasFooter reports whether the segment file at path ends in a valid footer.
func hasFooter(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return false, err
	}
	_, err = segfile.ReadFooter(f, info.Size())
	return err == nil, nil
}

// cloneDataDir makes dst a copy of the closed data directory src that a
// Service may open and change: segment files with a footer are hard
// links (nothing but retention touches them, and it only unlinks), the
// other files are copied. LOCK is left out, and CLEAN unless clean.
func cloneDataDir(dst, src string, clean bool) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(to, 0o755)
		case rel == lockFileName || rel == cleanFileName && !clean:
			return nil
		}
		if strings.HasSuffix(path, segmentFileExt) {
			if sealed, err := hasFooter(path); err != nil || sealed {
				return errors.Join(err, os.Link(path, to))
			}
		}
		body, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(to, body, 0o644)
	})
}

// benchRecover opens and closes working copies of the data directory src.
func benchRecover(b *testing.B, src string, clean bool) {
	var (
		ms             runtime.MemStats
		opening        time.Duration
		heapBytes      int64
		opens, streams int
	)
	work := filepath.Join(benchDataDir(b), "data")
	for b.Loop() {
		b.StopTimer()
		if err := os.RemoveAll(work); err != nil {
			b.Fatal(err)
		}
		if err := cloneDataDir(work, src, clean); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&ms)
		before := int64(ms.HeapAlloc)
		b.StartTimer()

		start := time.Now()
		svc, err := NewService(WithDataDir(work))
		if err != nil {
			b.Fatal(err)
		}
		opening += time.Since(start)

		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&ms)
		heapBytes = int64(ms.HeapAlloc) - before
		if p := svc.StorageProblems(); len(p) > 0 {
			b.Fatalf("problems found on open: %+v", p)
		}
		list, err := svc.ListStreams(context.Background(), ListStreamsInput{})
		if err != nil {
			b.Fatal(err)
		}
		streams = len(list.StreamNames)
		opens++
		b.StartTimer()

		if err := svc.Close(); err != nil {
			b.Fatal(err)
		}
	}
	if streams != 2 {
		b.Fatalf("the directory opened with %d streams, want 2", streams)
	}
	b.ReportMetric(opening.Seconds()*1000/float64(opens), "open-ms")
	b.ReportMetric(float64(heapBytes)/(1<<20), "heap-MiB")
}

// BenchmarkColdGetRecords drains a shard of about 256 MiB of records
// (100-byte data) with GetRecords pages of 10,000, starting over at the
// end: "memory" from an in-memory stream; "dir" from a data directory
// reopened with a 32 MiB cache of segments, so that every segment is
// read back from its file (from the operating system's page cache, which
// holds them); "disk" the same after dropping the files from the page
// cache before each pass, so that they are read from the disk. It
// reports MB/s of partition keys and data returned.
func BenchmarkColdGetRecords(b *testing.B) {
	const size = 256 << 20
	batch := benchBatch()
	payload := 0
	for _, r := range batch {
		payload += len(r.PartitionKey) + len(r.Data)
	}
	batches := size / payload
	dir := benchDataDir(b)
	fill := func(b *testing.B, s *Stream) {
		in := PutRecordsInput{StreamName: "bench", Records: batch}
		for range batches {
			if _, err := s.svc.PutRecords(context.Background(), in); err != nil {
				b.Fatal(err)
			}
		}
	}
	s, err := NewStream("bench", WithDataDir(dir), WithSync(SyncByOS()), WithSegmentCacheBytes(16<<20))
	if err != nil {
		b.Fatal(err)
	}
	fill(b, s)
	if err := s.svc.Close(); err != nil {
		b.Fatal(err)
	}
	records := batches * len(batch)
	b.Run("memory", func(b *testing.B) {
		s := newBenchStreams(b, false, SyncPolicy{}).open(1)
		fill(b, s)
		benchDrain(b, s, records, nil)
	})
	reopen := func(b *testing.B) *Stream {
		s, err := NewStream("bench", WithDataDir(dir), WithSegmentCacheBytes(32<<20))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.svc.Close() })
		return s
	}
	b.Run("dir", func(b *testing.B) { benchDrain(b, reopen(b), records, nil) })
	b.Run("disk", func(b *testing.B) {
		if err := evictDirFromPageCache(dir); err != nil {
			b.Skip("cannot drop files from the page cache here:", err)
		}
		benchDrain(b, reopen(b), records, func() error { return evictDirFromPageCache(dir) })
	})
}

// benchDrain reads shard 0 of s with GetRecords pages of the largest
// size, starting over after the last record, and checks that each pass
// returns all the shard's records. beforePass, if not nil, runs outside
// the timer before each pass.
func benchDrain(b *testing.B, s *Stream, records int, beforePass func() error) {
	ctx := context.Background()
	start, err := s.svc.GetShardIterator(ctx, GetShardIteratorInput{StreamName: "bench", ShardId: "0", ShardIteratorType: ShardIteratorTypeTrimHorizon})
	if err != nil {
		b.Fatal(err)
	}
	pass := func() {
		if beforePass != nil {
			if err := beforePass(); err != nil {
				b.Fatal(err)
			}
		}
	}
	pass()
	it := start.ShardIterator
	var total, inPass, bytes int
	b.ReportAllocs()
	for b.Loop() {
		page, err := s.svc.GetRecords(ctx, GetRecordsInput{ShardIterator: it, Limit: MaxGetRecordsLimit})
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range page.Records {
			bytes += len(r.PartitionKey) + len(r.Data)
		}
		inPass += len(page.Records)
		it = page.NextShardIterator
		if len(page.Records) == 0 && page.MillisBehindLatest == 0 {
			b.StopTimer()
			if inPass != records {
				b.Fatalf("a pass read %d records, want %d", inPass, records)
			}
			total += inPass
			inPass, it = 0, start.ShardIterator
			pass()
			b.StartTimer()
		}
	}
	total += inPass
	b.ReportMetric(float64(bytes)/1e6/b.Elapsed().Seconds(), "MB/s")
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "records/s")
}

// evictDirFromPageCache drops the segment files under dir from the
// operating system's page cache.
func evictDirFromPageCache(dir string) error {
	return walkSegments(dir, func(path string, _ int64) error { return evictFromPageCache(path) })
}
