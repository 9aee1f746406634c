package kds

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// These tests drive the directory store at the level of one shard: records
// go in through appendLocked and the log's commit, as puts do, and come
// back through readInto, as reads do. The Service-level behaviour (a data
// directory reopened by NewService) is tested in store_service_test.go.

// testStore opens a store on dir with the given policy.
func testStore(t *testing.T, dir string, p SyncPolicy) *dirStore {
	t.Helper()
	c := defaultConfig()
	c.dataDir, c.sync, c.cacheBytes = dir, p, DefaultSegmentCacheBytes
	st, err := openDirStore(c)
	if err != nil {
		t.Fatal(err)
	}
	return st.(*dirStore)
}

// crash abandons st as a killed process would: nothing is synced or
// marked clean, and the directory's lock is released.
func (st *dirStore) crash() {
	close(st.closing)
	<-st.syncerOut
	st.waitBackground()
	st.fail(errStoreClosed)
	for _, l := range st.allLogs() {
		l.closeFiles()
	}
	st.lock.Close()
}

// testShard returns shard index of stream 1 with its log in st.
func testShard(t *testing.T, st *dirStore, index uint32) *shard {
	t.Helper()
	sh := newShard(index, HashKeyRange{EndingHashKey: MaxHashKey}, time.Unix(1000, 0), 1000, 1)
	log, rec, err := st.openShard(1, sh)
	if err != nil {
		t.Fatal(err)
	}
	sh.log = log
	if rec != nil {
		sh.restore(rec)
	}
	return sh
}

// put appends records as one put call would, and waits for them.
func put(t *testing.T, sh *shard, nowMs int64, datas ...string) []SequenceNumber {
	t.Helper()
	sh.mu.Lock()
	seqs := make([]SequenceNumber, len(datas))
	for i, d := range datas {
		seqs[i] = sh.appendLocked("k"+d, []byte(d), nowMs, 0, nil)
	}
	run := sh.commitLocked()
	sh.mu.Unlock()
	if err := run.wait(); err != nil {
		t.Fatal(err)
	}
	return seqs
}

// readAll reads every record of sh still held at or after cutoffMs.
func readAll(t *testing.T, sh *shard, cutoffMs int64) ([]Record, error) {
	t.Helper()
	var out []Record
	from := uint64(0)
	for {
		v := sh.snapshot()
		recs, next, err := sh.readInto(nil, v, from, 10000, 1<<40, cutoffMs, reading{})
		out = append(out, recs...)
		if err != nil || next >= v.end() {
			return out, err
		}
		from = next
	}
}

// dataOf returns the data of records, in order.
func dataOf(recs []Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = string(r.Data)
	}
	return out
}

// bigRecords returns n records of about size bytes, numbered from first.
func bigRecords(first, n, size int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%06d-%s", first+i, strings.Repeat("x", size))
	}
	return out
}

func TestDirStoreKeepsRecordsAcrossCleanClose(t *testing.T) {
	dir := t.TempDir()
	st := testStore(t, dir, SyncEveryWrite())
	sh := testShard(t, st, 0)
	var want []string
	var last SequenceNumber
	for i := range 40 { // ~400 KiB: several sealed segments and a tail
		recs := bigRecords(i*10, 10, 1000)
		seqs := put(t, sh, int64(1000+i), recs...)
		want = append(want, recs...)
		last = seqs[len(seqs)-1]
	}
	if err := st.close(); err != nil {
		t.Fatal(err)
	}

	st = testStore(t, dir, SyncEveryWrite())
	defer st.close()
	sh = testShard(t, st, 0)
	got, err := readAll(t, sh, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slicesEqual(dataOf(got), want) {
		t.Fatalf("read back %d records, want %d; first difference at %d", len(got), len(want), firstDiff(dataOf(got), want))
	}
	if got[len(got)-1].SequenceNumber != last {
		t.Errorf("last sequence number %s, want %s", got[len(got)-1].SequenceNumber, last)
	}
	next := put(t, sh, 5000, "after")[0]
	if next.Compare(last) <= 0 {
		t.Errorf("first sequence number after reopening %s is not above %s", next, last)
	}
	if next.counter() != last.counter()+1 {
		t.Errorf("after a clean close the counter went from %d to %d, want no gap", last.counter(), next.counter())
	}
	if p := st.problems(); len(p) != 0 {
		t.Errorf("problems after a clean close: %+v", p)
	}
}

func TestDirStoreCrashLeapsCounterAndCutsTornTail(t *testing.T) {
	for _, policy := range []SyncPolicy{SyncEveryWrite(), SyncInterval(time.Millisecond), SyncByOS()} {
		t.Run(policy.String(), func(t *testing.T) {
			dir := t.TempDir()
			st := testStore(t, dir, policy)
			sh := testShard(t, st, 0)
			var want []string
			for i := range 30 {
				recs := bigRecords(i*5, 5, 3000)
				put(t, sh, int64(1000+i), recs...)
				want = append(want, recs...)
			}
			last := sh.snapshot().end() - 1
			st.crash()
			// A write the crash cut short: half a frame at the tail's end.
			tail := newestSegmentFile(t, filepath.Join(dir, "streams", formatHex(1), sh.id))
			appendBytes(t, tail, []byte("KDSF\x01\x00\x00\x00 a frame cut short"))

			st = testStore(t, dir, policy)
			defer st.close()
			sh = testShard(t, st, 0)
			got, err := readAll(t, sh, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !slicesEqual(dataOf(got), want) {
				t.Fatalf("read back %d records, want %d", len(got), len(want))
			}
			probs := st.problems()
			if len(probs) != 1 || probs[0].Kind != "torn-tail" || probs[0].Bytes != 26 {
				t.Errorf("problems = %+v, want one torn-tail of 26 bytes", probs)
			}
			next := put(t, sh, 5000, "after")[0]
			if next.counter() != last+1+counterLeap {
				t.Errorf("counter after a crash = %d, want %d + 2^32", next.counter(), last+1)
			}
			// Reads and timestamps work across the gap.
			got, err = readAll(t, sh, 0)
			if err != nil || len(got) != len(want)+1 || string(got[len(got)-1].Data) != "after" {
				t.Fatalf("after the gap: %d records, %v", len(got), err)
			}
			v := sh.snapshot()
			if c := v.firstAtOrAfter(last+5, 4999); c != next.counter() {
				t.Errorf("firstAtOrAfter in the gap = %d, want %d", c, next.counter())
			}
			if a := v.arrivalOf(last + 5); a != 5000 {
				t.Errorf("arrivalOf in the gap = %d, want 5000", a)
			}
		})
	}
}

func TestDirStoreReportsDamagedSegmentAndServesUpToIt(t *testing.T) {
	dir := t.TempDir()
	st := testStore(t, dir, SyncEveryWrite())
	sh := testShard(t, st, 0)
	other := testShard(t, st, 1)
	var want []string
	for i := range 30 {
		recs := bigRecords(i*5, 5, 3000)
		put(t, sh, int64(1000+i), recs...)
		put(t, other, int64(1000+i), recs...)
		want = append(want, recs...)
	}
	st.close()
	files := segmentFiles(t, filepath.Join(dir, "streams", formatHex(1), sh.id))
	if len(files) < 4 {
		t.Fatalf("only %d segment files", len(files))
	}
	victim := files[1] // a sealed file in the middle
	b, err := os.ReadFile(victim)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x40
	if err := os.WriteFile(victim, b, 0o644); err != nil {
		t.Fatal(err)
	}

	st = testStore(t, dir, SyncEveryWrite())
	defer st.close()
	sh = testShard(t, st, 0)
	other = testShard(t, st, 1)
	got, err := readAll(t, sh, 0)
	if err == nil || !strings.Contains(err.Error(), "cannot be read; read on from sequence number") {
		t.Fatalf("reading past the damage: %v, want an error saying where to read on", err)
	}
	if len(got) == 0 || !slicesEqual(dataOf(got), want[:len(got)]) {
		t.Fatalf("records before the damage: %d, not a prefix of what was written", len(got))
	}
	if e, ok := err.(*Error); !ok || e.Code != codeInternalFailure {
		t.Errorf("error %T %v, want InternalFailureException", err, err)
	}
	probs := st.problems()
	if len(probs) != 1 || probs[0].Kind != "damaged-segment" || probs[0].Path != victim {
		t.Errorf("problems = %+v, want one damaged-segment for %s", probs, victim)
	}
	if got, err := readAll(t, other, 0); err != nil || !slicesEqual(dataOf(got), want) {
		t.Errorf("the other shard: %d records, %v", len(got), err)
	}
}

func TestDirStoreRetentionDeletesWholeFiles(t *testing.T) {
	dir := t.TempDir()
	st := testStore(t, dir, SyncByOS())
	defer st.close()
	sh := testShard(t, st, 0)
	for i := range 30 {
		put(t, sh, int64(1000+i*1000), bigRecords(i*5, 5, 3000)...)
	}
	shardDir := filepath.Join(dir, "streams", formatHex(1), sh.id)
	before := segmentFiles(t, shardDir)
	cutoff := int64(1000 + 15*1000)
	sh.trimExpired(cutoff)
	st.bg.Wait() // files are removed in the background
	after := segmentFiles(t, shardDir)
	if len(after) >= len(before) {
		t.Fatalf("%d files before trimming, %d after", len(before), len(after))
	}
	got, err := readAll(t, sh, cutoff)
	if err != nil || len(got) == 0 || got[0].ApproximateArrivalTimestamp.UnixMilli() < cutoff {
		t.Fatalf("after trimming: %d records, %v", len(got), err)
	}
	// All expired: only the header-only file that keeps the counter stays.
	last := sh.snapshot().end()
	sh.trimExpired(1 << 50)
	st.bg.Wait()
	if files := segmentFiles(t, shardDir); len(files) != 1 || fileSize(t, files[0]) != 40 {
		t.Fatalf("after everything expired: %v", files)
	}
	st.close()
	st = testStore(t, dir, SyncByOS())
	sh = testShard(t, st, 0)
	if end := sh.snapshot().end(); end != last {
		t.Errorf("after reopening an empty shard its counter is %d, want %d", end, last)
	}
}

func TestDirStoreCacheStaysWithinBudget(t *testing.T) {
	dir := t.TempDir()
	st := testStore(t, dir, SyncByOS())
	defer st.close()
	st.cache = newSegmentCache(600 << 10)
	sh := testShard(t, st, 0)
	var want []string
	for i := range 60 {
		recs := bigRecords(i*10, 10, 10000)
		put(t, sh, int64(1000+i), recs...)
		want = append(want, recs...)
	}
	for range 2 { // the second pass reads evicted segments back
		got, err := readAll(t, sh, 0)
		if err != nil || !slicesEqual(dataOf(got), want) {
			t.Fatalf("read %d records, %v", len(got), err)
		}
		if n := st.cache.cachedBytes(); n > 600<<10 {
			t.Fatalf("cache holds %d bytes, over its budget", n)
		}
	}
}

func TestDirStoreGroupCommitSharesSyncs(t *testing.T) {
	dir := t.TempDir()
	st := testStore(t, dir, SyncEveryWrite())
	defer st.close()
	sh := testShard(t, st, 0)
	const writers, each = 16, 40
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				put(t, sh, 1000, fmt.Sprintf("w%d-%d", w, i))
			}
		})
	}
	wg.Wait()
	rounds := st.rounds.Load()
	t.Logf("%d puts, %d sync rounds", writers*each, rounds)
	if rounds >= writers*each {
		t.Errorf("%d sync rounds for %d concurrent puts: no put shared a sync", rounds, writers*each)
	}
	got, err := readAll(t, sh, 0)
	if err != nil || len(got) != writers*each {
		t.Fatalf("read %d records, %v", len(got), err)
	}
}

func TestDirStoreRefusesSecondOpen(t *testing.T) {
	dir := t.TempDir()
	st := testStore(t, dir, SyncEveryWrite())
	defer st.close()
	c := defaultConfig()
	c.dataDir = dir
	if _, err := openDirStore(c); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second open: %v, want in use", err)
	}
}

func slicesEqual(a, b []string) bool { return firstDiff(a, b) < 0 }

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}

// segmentFiles returns the segment files of a shard directory in order.
func segmentFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*"+segmentFileExt))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func newestSegmentFile(t *testing.T, dir string) string {
	t.Helper()
	files := segmentFiles(t, dir)
	return files[len(files)-1]
}

func appendBytes(t *testing.T, path string, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Size()
}

func TestDirStoreTailReopenedWithoutWritesSealsCleanly(t *testing.T) {
	dir := t.TempDir()
	st := testStore(t, dir, SyncByOS())
	put(t, testShard(t, st, 0), 1000, "first")
	st.close()
	st = testStore(t, dir, SyncByOS()) // the header-only tail is reused ...
	testShard(t, st, 0)
	st.close()
	st = testStore(t, dir, SyncByOS()) // ... and reused again, then filled
	sh := testShard(t, st, 0)
	want := []string{"first"}
	for i := range 20 {
		recs := bigRecords(i*5, 5, 3000)
		put(t, sh, 2000, recs...)
		want = append(want, recs...)
	}
	st.close()
	st = testStore(t, dir, SyncByOS())
	defer st.close()
	sh = testShard(t, st, 0)
	st.cache = newSegmentCache(16 << 20) // read the files, not what recovery cached
	got, err := readAll(t, sh, 0)
	if err != nil || !slicesEqual(dataOf(got), want) {
		t.Fatalf("read %d records, %v", len(got), err)
	}
	if p := st.problems(); len(p) != 0 {
		t.Errorf("problems: %+v", p)
	}
}

func TestDirStoreForgetsStreamCreationCutShort(t *testing.T) {
	dir := t.TempDir()
	st := testStore(t, dir, SyncByOS())
	if err := st.saveService(&serviceMeta{}); err != nil {
		t.Fatal(err)
	}
	st.close()
	for _, name := range []string{formatHex(7), formatHex(8) + deletedSuffix} {
		if err := os.MkdirAll(filepath.Join(dir, streamsDirName, name, "shardId-000000000000"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	st = testStore(t, dir, SyncByOS())
	defer st.close()
	state, err := st.load()
	if err != nil || state == nil || len(state.streams) != 0 {
		t.Fatalf("load: %v, %+v", err, state)
	}
	if p := st.problems(); len(p) != 0 {
		t.Errorf("problems: %+v", p)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, streamsDirName)); len(entries) != 0 {
		t.Errorf("left in streams/: %v", entries)
	}
}

func TestDirStoreReportsFileRemovedUnderIt(t *testing.T) {
	dir := t.TempDir()
	st := testStore(t, dir, SyncByOS())
	defer st.close()
	st.cache = newSegmentCache(16 << 20)
	sh := testShard(t, st, 0)
	for i := range 30 {
		put(t, sh, int64(1000+i), bigRecords(i*5, 5, 3000)...)
	}
	files := segmentFiles(t, filepath.Join(dir, "streams", formatHex(1), sh.id))
	st.cache.remove(sh.snapshot().sealedMin()) // read the oldest from its file
	if err := os.Remove(files[0]); err != nil {
		t.Fatal(err)
	}
	got, err := readAll(t, sh, 0)
	if len(got) != 0 || err == nil || !strings.Contains(err.Error(), "read on from sequence number") {
		t.Fatalf("reading a removed file: %d records, %v", len(got), err)
	}
	if p := st.problems(); len(p) != 1 || p[0].Kind != "damaged-segment" || p[0].Path != files[0] {
		t.Errorf("problems = %+v", p)
	}
}

// sealedMin returns the oldest sealed segment of v.
func (v *logView) sealedMin() *sealedSeg {
	r, _ := v.sealed.Min()
	return r.seg
}
