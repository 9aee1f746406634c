package delivery

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/consumergroup"
)

// readObjects returns the records ("\n"-delimited) of every object under
// dir, by object path, decompressing .gz objects.
func readObjects(t *testing.T, dir string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file left behind: %s", rel)
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.HasSuffix(path, ".gz") {
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				return fmt.Errorf("%s: %v", rel, err)
			}
			if b, err = io.ReadAll(zr); err != nil {
				return fmt.Errorf("%s: %v", rel, err)
			}
		}
		recs := strings.SplitAfter(string(b), "\n")
		if recs[len(recs)-1] == "" {
			recs = recs[:len(recs)-1]
		}
		out[filepath.ToSlash(rel)] = recs
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// countRecords returns how many times each record occurs in objects.
func countRecords(objects map[string][]string) map[string]int {
	n := map[string]int{}
	for _, recs := range objects {
		for _, r := range recs {
			n[strings.TrimSuffix(r, "\n")]++
		}
	}
	return n
}

// TestCrashRedeliversOnlyWhatWasNotDelivered delivers a first buffer by
// size, stops the delivery stream abruptly with a second buffer still
// open, and restarts it from the same checkpoint files: every record
// ends up delivered, the second buffer's records once, after the
// restart, and the first buffer's records are not delivered again.
func TestCrashRedeliversOnlyWhatWasNotDelivered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		out, leases := t.TempDir(), t.TempDir()
		dest, err := NewDirectoryDestination(DirectoryConfig{Dir: out, CompressionFormat: GZIP})
		if err != nil {
			t.Fatal(err)
		}
		store, err := consumergroup.NewFileStore(leases)
		if err != nil {
			t.Fatal(err)
		}
		h := newHarness(t, 2, func(c *Config) {
			c.Destination, c.Store, c.RecordDelimiter = dest, store, "\n"
			c.BufferingHints.IntervalInSeconds = Int(300)
		})
		h.store = store
		h.start()
		pad := strings.Repeat("x", 100<<10)
		var all []string
		type put struct{ shard, seq string }
		puts := map[string]put{} // by data
		for i := range 14 {
			data := fmt.Sprintf("rec-%02d-%s", i, pad[:10+i])
			if i < 11 {
				data = fmt.Sprintf("rec-%02d-%s", i, pad) // 11 × 100 KiB fill the first buffer
			}
			res, err := h.svc.PutRecord(t.Context(), kds.PutRecordInput{StreamName: testStream, PartitionKey: fmt.Sprintf("key-%d", i), Data: []byte(data)})
			if err != nil {
				t.Fatal(err)
			}
			puts[data] = put{res.ShardId, res.SequenceNumber.String()}
			all = append(all, data)
			if i == 10 || i == 13 {
				h.read() // the first 11 are delivered by size; the last 3 wait
			}
		}

		before := countRecords(readObjects(t, out))
		if n := len(before); n != 11 {
			t.Fatalf("%d records delivered by size before the crash, want 11", n)
		}
		// Each shard's checkpoint is its last delivered record (records
		// are put in order, so the last in all): the buffered ones are not
		// covered.
		want := map[string]string{}
		for _, d := range all {
			if before[d] == 1 {
				want[puts[d].shard] = puts[d].seq
			}
		}
		for shard, cp := range h.checkpoints() {
			if w := cmp.Or(want[shard], "TRIM_HORIZON"); cp != w {
				t.Errorf("shard %s checkpoint %s, want %s (its last delivered record)", shard, cp, w)
			}
		}

		h.stop() // the crash: the open buffer is lost
		if got := countRecords(readObjects(t, out)); len(got) != 11 {
			t.Fatalf("stopping delivered the open buffer: %d records", len(got))
		}

		h.cfg.Store, err = consumergroup.NewFileStore(leases) // a new process
		if err != nil {
			t.Fatal(err)
		}
		h.store = h.cfg.Store
		h.start()
		h.read()
		h.advance(300 * time.Second)
		after := countRecords(readObjects(t, out))
		for _, d := range all {
			switch n := after[d]; {
			case n == 0:
				t.Errorf("%.6s never delivered", d)
			case n > 1:
				t.Errorf("%.6s delivered %d times", d, n)
			}
		}
		if len(after) != len(all) {
			t.Errorf("%d distinct records delivered, want %d", len(after), len(all))
		}
	})
}

// TestCrashInsideAggregate: a buffer sealed between two user records of a
// KPL aggregate checkpoints at the first one's sub-sequence number, and
// after a crash only the aggregate's remaining user record is delivered.
func TestCrashInsideAggregate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, 1, func(c *Config) { c.BufferingHints.IntervalInSeconds = Int(300) })
		h.start()
		h.put("k", "plain-"+strings.Repeat("p", 500<<10))
		var users []kds.UserRecord
		for i := range 3 {
			users = append(users, kds.UserRecord{PartitionKey: "k", Data: []byte(fmt.Sprintf("user-%d-%s", i, strings.Repeat("u", 300<<10)))})
		}
		agg := kds.AppendAggregate(nil, users)
		if _, err := h.svc.PutRecord(t.Context(), kds.PutRecordInput{StreamName: testStream, PartitionKey: "k", Data: agg}); err != nil {
			t.Fatal(err)
		}
		h.read() // plain + user-0 + user-1 reach 1 MiB; user-2 waits
		short := func(batches [][]string) (out []string) {
			for _, r := range flat(batches) {
				out = append(out, r[:6])
			}
			return out
		}
		if got := short(h.dest.data()); !slices.Equal(got, []string{"plain-", "user-0", "user-1"}) {
			t.Fatalf("delivered %v before the crash", got)
		}
		h.stop()
		h.start()
		h.read()
		h.advance(300 * time.Second)
		if got := short(h.dest.data()); !slices.Equal(got, []string{"plain-", "user-0", "user-1", "user-2"}) {
			t.Fatalf("delivered %v in all, want each user record once", got)
		}
	})
}
