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
