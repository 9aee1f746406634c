package awsadapter_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/consumergroup"
	firehose "github.com/kdsgo/kds/delivery"
)

// A delivery stream reads a stream through the adapter (the AWS SDK over
// the wire server) and writes every record to a directory, each once.
func TestDeliveryStreamThroughTheAdapter(t *testing.T) {
	svc, c := serve(t, kds.WithThroughputLimits(kds.NoLimits))
	createStream(t, svc, "s", 3)
	keys := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	next := map[string]int{}
	putKeyed(t, svc, keys, 25, next)

	dir := t.TempDir()
	dest, err := firehose.NewDirectoryDestination(firehose.DirectoryConfig{Dir: dir, CompressionFormat: firehose.Uncompressed})
	if err != nil {
		t.Fatal(err)
	}
	from := consumergroup.TrimHorizon()
	ds, err := firehose.New(firehose.Config{
		DeliveryStreamName: "archive",
		StreamName:         "s",
		Client:             c,
		Store:              consumergroup.NewMemStore(),
		InitialPosition:    &from,
		BufferingHints:     firehose.BufferingHints{SizeInMBs: firehose.Int(1), IntervalInSeconds: firehose.Int(0)},
		RecordDelimiter:    "\n",
		Destination:        dest,
		OnError:            func(err error) { t.Log(err) },
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ds.Run(ctx) }()
	want := int64(len(keys) * 25)
	deadline := time.Now().Add(30 * time.Second)
	for ds.Stats().DeliveredRecords < want {
		if time.Now().After(deadline) {
			cancel()
			<-done
			t.Fatalf("after 30 s, %d of %d records delivered", ds.Stats().DeliveredRecords, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}

	count := map[string]int{}
	err = filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
			count[line]++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(count) != len(keys)*25 {
		t.Errorf("%d distinct records in the directory, want %d", len(count), len(keys)*25)
	}
	for line, n := range count {
		if n != 1 {
			t.Errorf("%s written %d times", line, n)
		}
	}
}
