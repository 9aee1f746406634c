package delivery_test

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/consumergroup"
	"github.com/kdsgo/kds/delivery"
)

// dropCancelled is a transform with Firehose's contract: cancelled orders
// are Dropped, the others kept as they are.
func dropCancelled(ctx context.Context, in delivery.TransformInput) (delivery.TransformOutput, error) {
	var out delivery.TransformOutput
	for _, r := range in.Records {
		var order struct{ Status string }
		res := delivery.TransformResult{RecordID: r.RecordID, Result: delivery.Ok, Data: r.Data}
		switch {
		case json.Unmarshal(r.Data, &order) != nil:
			res.Result = delivery.ProcessingFailed
		case order.Status == "cancelled":
			res.Result = delivery.Dropped
		}
		out.Records = append(out.Records, res)
	}
	return out, nil
}

// A delivery stream reads a stream of orders and writes them, gzipped,
// into a directory laid out like Firehose's S3 objects, one folder per
// customer and day. The stream's ManualClock fixes the records' arrival
// times, which name the objects; the delivery stream runs on real time
// and delivers each partition's buffer a second after its first record
// (dynamic partitioning does not allow IntervalInSeconds 0).
func Example() {
	ctx := context.Background()
	clock := kds.NewManualClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	svc, err := kds.NewService(kds.WithClock(clock), kds.WithThroughputLimits(kds.NoLimits))
	if err != nil {
		log.Fatal(err)
	}
	if _, err := svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: "orders", ShardCount: 1}); err != nil {
		log.Fatal(err)
	}
	for _, order := range []string{
		`{"customer":"ann","total":12}`,
		`{"customer":"bob","total":7}`,
		`{"customer":"ann","total":30,"status":"cancelled"}`,
		`{"customer":"ann","total":5}`,
		`{"customer":"bob"`,
	} {
		if _, err := svc.PutRecord(ctx, kds.PutRecordInput{StreamName: "orders", PartitionKey: "k", Data: []byte(order)}); err != nil {
			log.Fatal(err)
		}
	}

	dir, err := os.MkdirTemp("", "delivery-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	dest, err := delivery.NewDirectoryDestination(delivery.DirectoryConfig{Dir: dir, CompressionFormat: delivery.GZIP})
	if err != nil {
		log.Fatal(err)
	}
	from := consumergroup.TrimHorizon()
	ds, err := delivery.New(delivery.Config{
		DeliveryStreamName: "orders-archive",
		StreamName:         "orders",
		Client:             svc,
		Store:              consumergroup.NewMemStore(),
		InitialPosition:    &from,
		BufferingHints:     delivery.BufferingHints{SizeInMBs: delivery.Int(64), IntervalInSeconds: delivery.Int(1)},
		Transform:          dropCancelled,
		RecordDelimiter:    "\n",
		DynamicPartitioning: delivery.DynamicPartitioning{
			Enabled:                 true,
			MetadataExtractionQuery: map[string]string{"customer": ".customer"},
		},
		Prefix:            "customer=!{partitionKeyFromQuery:customer}/!{timestamp:yyyy/MM/dd}/",
		ErrorOutputPrefix: "errors/!{firehose:error-output-type}/",
		Destination:       dest,
	})
	if err != nil {
		log.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- ds.Run(runCtx) }()
	deadline := time.Now().Add(30 * time.Second)
	for s := ds.Stats(); s.DeliveredRecords+s.DroppedRecords+s.ErrorOutputRecords < 5; s = ds.Stats() {
		if time.Now().After(deadline) {
			log.Fatalf("after 30 s, %d of 5 orders delivered, dropped or in the error output", s.DeliveredRecords+s.DroppedRecords+s.ErrorOutputRecords)
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	if err := <-done; err != nil {
		log.Fatal(err)
	}

	uuid := regexp.MustCompile(`[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}`)
	err = filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			return err
		}
		content, err := io.ReadAll(zr)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		fmt.Println(uuid.ReplaceAllString(filepath.ToSlash(rel), "<uuid>"))
		if filepath.Base(filepath.Dir(path)) == "processing-failed" {
			var e delivery.ErrorRecord
			json.Unmarshal(content, &e)
			fmt.Printf("  %s %s\n", e.ErrorCode, e.RawData)
		} else {
			for _, line := range strings.Split(strings.TrimSuffix(string(content), "\n"), "\n") {
				fmt.Println("  " + line)
			}
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// customer=ann/2026/03/01/orders-archive-1-2026-03-01-12-00-00-<uuid>.gz
	//   {"customer":"ann","total":12}
	//   {"customer":"ann","total":5}
	// customer=bob/2026/03/01/orders-archive-1-2026-03-01-12-00-00-<uuid>.gz
	//   {"customer":"bob","total":7}
	// errors/processing-failed/orders-archive-1-2026-03-01-12-00-00-<uuid>.gz
	//   Lambda.ProcessingFailedStatus {"customer":"bob"
}
