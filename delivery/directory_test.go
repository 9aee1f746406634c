package delivery

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// TestObjectLayout runs a delivery stream into a directory with the
// default Prefix and checks Firehose's layout: YYYY/MM/DD/HH/ folders of
// the oldest record's arrival time (UTC), and names
// <stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<UUID>.
func TestObjectLayout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		dest, err := NewDirectoryDestination(DirectoryConfig{Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		h := newHarness(t, 1, func(c *Config) {
			c.Destination, c.DeliveryStreamVersion, c.RecordDelimiter = dest, 3, "\n"
		})
		h.advance(59*time.Minute + 58*time.Second) // 12:59:58
		h.start()
		h.put("k", "a") // arrives 12:59:58
		h.read()        // buffered 12:59:59
		h.put("k", "b") // arrives 12:59:59
		h.advance(61 * time.Second)
		h.put("k", "c") // 13:01:00, in a second object
		h.read()
		h.advance(time.Minute)

		objects := readObjects(t, dir)
		var names []string
		for name := range objects {
			names = append(names, name)
		}
		slices.Sort(names)
		if len(names) != 2 {
			t.Fatalf("objects %v, want 2", names)
		}
		uuid := `[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`
		for i, want := range []string{
			`^2026/03/01/12/orders-3-2026-03-01-12-59-58-` + uuid + `$`,
			`^2026/03/01/13/orders-3-2026-03-01-13-01-00-` + uuid + `$`,
		} {
			if !regexp.MustCompile(want).MatchString(names[i]) {
				t.Errorf("object %s does not match %s", names[i], want)
			}
		}
		if got := objects[names[0]]; !slices.Equal(got, []string{"a\n", "b\n"}) {
			t.Errorf("first object holds %q", got)
		}
		if got := objects[names[1]]; !slices.Equal(got, []string{"c\n"}) {
			t.Errorf("second object holds %q", got)
		}
	})
}

// TestGZIPRoundTrip: a GZIP directory destination writes .gz objects
// whose decompressed content is the batch's records, concatenated.
func TestGZIPRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []CompressionFormat{"", Uncompressed, GZIP} {
		dest, err := NewDirectoryDestination(DirectoryConfig{Dir: dir, CompressionFormat: f})
		if err != nil {
			t.Fatal(err)
		}
		key := "x/" + string(f) + "obj"
		records := [][]byte{[]byte("one\n"), bytes.Repeat([]byte("two"), 10000), []byte{}, []byte("\x00three")}
		if err := dest.Deliver(context.Background(), &Batch{Key: key, Records: records}); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "x", string(f)+"obj"+f.extension())
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("format %q: %v", f, err)
		}
		got := raw
		if f == GZIP {
			if !strings.HasSuffix(path, ".gz") {
				t.Errorf("GZIP object %s has no .gz extension", path)
			}
			zr, err := gzip.NewReader(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			if got, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
			if len(raw) >= len(got) {
				t.Errorf("gzip did not compress: %d bytes for %d", len(raw), len(got))
			}
		}
		if want := bytes.Join(records, nil); !bytes.Equal(got, want) {
			t.Errorf("format %q: read back %d bytes, want %d", f, len(got), len(want))
		}
	}
}

// endsDuringWrite is a context that is live when first asked and over
// from then on: it ends while Deliver writes the file.
type endsDuringWrite struct {
	context.Context
	asked bool
}

func (c *endsDuringWrite) Err() error {
	if !c.asked {
		c.asked = true
		return nil
	}
	return context.Canceled
}

// TestDirectoryWritesAtomically: a delivery whose ctx has ended writes
// nothing, not even the folders of its key; one whose ctx ends during the
// write leaves no file and no temporary file; keys leaving the directory
// are refused.
func TestDirectoryWritesAtomically(t *testing.T) {
	dir := t.TempDir()
	dest, err := NewDirectoryDestination(DirectoryConfig{Dir: dir, CompressionFormat: GZIP})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := dest.Deliver(ctx, &Batch{Key: "a/b", Records: [][]byte{[]byte("x")}}); err == nil {
		t.Error("Deliver with an ended ctx succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "a")); !os.IsNotExist(err) {
		t.Errorf("Deliver with an ended ctx made the folder a (%v)", err)
	}
	if err := dest.Deliver(&endsDuringWrite{Context: context.Background()}, &Batch{Key: "c/d", Records: [][]byte{[]byte("x")}}); err == nil {
		t.Error("Deliver whose ctx ended during the write succeeded")
	}
	entries, err := os.ReadDir(filepath.Join(dir, "c"))
	if err != nil || len(entries) != 0 {
		t.Errorf("after an abandoned write the folder holds %v (%v)", entries, err)
	}
	for _, key := range []string{"../escape", "/abs", "a/../../b"} {
		if err := dest.Deliver(context.Background(), &Batch{Key: key, Records: [][]byte{[]byte("x")}}); err == nil {
			t.Errorf("Deliver accepted key %q", key)
		}
	}
	if _, err := NewDirectoryDestination(DirectoryConfig{Dir: dir, CompressionFormat: "ZIP"}); err == nil {
		t.Error("ZIP accepted")
	}
	if _, err := NewDirectoryDestination(DirectoryConfig{}); err == nil {
		t.Error("an empty Dir accepted")
	}
}

// TestDynamicPartitioning partitions records by a JSON field, a
// transform's key and the partition key, and checks that each object
// holds one partition under the right prefix, and that records without
// the keys go to partitioning-failed.
func TestDynamicPartitioning(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		dest, err := NewDirectoryDestination(DirectoryConfig{Dir: dir, CompressionFormat: GZIP})
		if err != nil {
			t.Fatal(err)
		}
		h := newHarness(t, 2, func(c *Config) {
			c.Destination, c.RecordDelimiter = dest, "\n"
			c.Prefix = "customer=!{partitionKeyFromQuery:customer}/kind=!{partitionKeyFromLambda:kind}/pk=!{kinesis:partition-key}/!{timestamp:yyyy/MM/dd/HH}/"
			c.ErrorOutputPrefix = "errors/!{firehose:error-output-type}/!{timestamp:yyyy}/"
			c.DynamicPartitioning = DynamicPartitioning{Enabled: true, MetadataExtractionQuery: map[string]string{"customer": ".customer.id"}}
			c.Transform = func(ctx context.Context, in TransformInput) (TransformOutput, error) {
				var out TransformOutput
				for _, r := range in.Records {
					kind := "big"
					if len(r.Data) < 40 {
						kind = "small"
					}
					out.Records = append(out.Records, TransformResult{RecordID: r.RecordID, Result: Ok, Data: r.Data, Metadata: TransformMetadata{PartitionKeys: map[string]string{"kind": kind}}})
				}
				return out, nil
			}
		})
		h.start()
		puts := []struct{ key, data string }{
			{"p1", `{"customer":{"id":"ann"},"n":1}`},
			{"p1", `{"customer":{"id":"bob"},"n":2}`},
			{"p1", `{"customer":{"id":"ann"},"n":3,"pad":"xxxxxxxxxx"}`},
			{"p2", `{"customer":{"id":"ann"},"n":4}`},
			{"p1", `{"customer":{"id":7},"n":5}`},
			{"p1", `not json`},
			{"p2", `{"customer":{},"n":7}`},
			{"p2", `{"customer":{"id":"a/b"},"n":8}`},
			{"p1", `{"customer":{"id":"ann"},"n":9}`},
		}
		for _, p := range puts {
			h.put(p.key, p.data)
		}
		h.read()
		h.advance(time.Minute)

		got := map[string][]string{}
		for name, recs := range readObjects(t, dir) {
			got[name[:strings.LastIndex(name, "/")+1]] = append(got[name[:strings.LastIndex(name, "/")+1]], recs...)
		}
		want := map[string][]string{
			"customer=ann/kind=small/pk=p1/2026/03/01/12/": {`{"customer":{"id":"ann"},"n":1}` + "\n", `{"customer":{"id":"ann"},"n":9}` + "\n"},
			"customer=bob/kind=small/pk=p1/2026/03/01/12/": {`{"customer":{"id":"bob"},"n":2}` + "\n"},
			"customer=ann/kind=big/pk=p1/2026/03/01/12/":   {`{"customer":{"id":"ann"},"n":3,"pad":"xxxxxxxxxx"}` + "\n"},
			"customer=ann/kind=small/pk=p2/2026/03/01/12/": {`{"customer":{"id":"ann"},"n":4}` + "\n"},
			"customer=7/kind=small/pk=p1/2026/03/01/12/":   {`{"customer":{"id":7},"n":5}` + "\n"},
		}
		var failedLines []string
		for prefix, recs := range got {
			if strings.HasPrefix(prefix, "errors/") {
				if prefix != "errors/partitioning-failed/2026/" {
					t.Errorf("error object under %s", prefix)
				}
				failedLines = append(failedLines, recs...)
				delete(got, prefix)
			}
		}
		for prefix, recs := range want {
			if g := got[prefix]; !slices.Equal(g, recs) {
				t.Errorf("%s holds %q, want %q", prefix, g, recs)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%d partitions, want %d: %v", len(got), len(want), got)
		}
		if len(failedLines) != 3 {
			t.Errorf("%d partitioning failures, want 3: %q", len(failedLines), failedLines)
		}
		for _, l := range failedLines {
			if !strings.Contains(l, `"errorCode":"DynamicPartitioning.MetadataExtractionFailed"`) {
				t.Errorf("error line %s", l)
			}
		}
		for _, cp := range h.checkpoints() {
			if cp == "TRIM_HORIZON" {
				t.Errorf("a shard was not checkpointed after every record was delivered or failed")
			}
		}
	})
}
