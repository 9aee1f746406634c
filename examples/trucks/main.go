// Command trucks is the ordering scenario from the Kinesis documentation:
// a fleet of trucks sends GPS fixes into a stream of five shards, with the
// truck's ID as the partition key. Every fix of one truck lands on the same
// shard, so reading the stream back yields each truck's fixes in the order
// the truck sent them, however the trucks interleave.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/kdsgo/kds"
)

func main() {
	trucks := flag.Int("trucks", 100, "number of trucks")
	fixes := flag.Int("fixes", 50, "GPS fixes each truck sends")
	short := flag.Bool("short", false, "send only 3 fixes per truck (for CI)")
	flag.Parse()
	if *short {
		*fixes = 3
	}
	if err := run(*trucks, *fixes); err != nil {
		log.Fatal(err)
	}
}

func run(trucks, fixes int) error {
	ctx := context.Background()
	stream, err := kds.NewStream("trucks", kds.WithShards(5))
	if err != nil {
		return err
	}

	// Each truck is a goroutine sending its fixes one after another; the
	// trucks run at the same time, so their puts interleave.
	shardOf := make([]string, trucks+1)
	errs := make(chan error, trucks)
	var wg sync.WaitGroup
	for t := 1; t <= trucks; t++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := "truck_" + strconv.Itoa(t)
			lat, lon := 47.0+rand.Float64(), -122.0+rand.Float64()
			for fix := 1; fix <= fixes; fix++ {
				lat += (rand.Float64() - 0.5) / 100
				lon += (rand.Float64() - 0.5) / 100
				fixData := fmt.Sprintf("%s,%d,%.5f,%.5f", key, fix, lat, lon)
				out, err := stream.Put(ctx, key, []byte(fixData))
				if err != nil {
					errs <- err
					return
				}
				shardOf[t] = out.ShardId
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}

	perShard := map[string]int{}
	for _, id := range shardOf[1:] {
		perShard[id]++
	}
	ids := make([]string, 0, len(perShard))
	for id := range perShard {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	fmt.Printf("%d trucks sent %d GPS fixes each into stream %q with 5 shards.\n", trucks, fixes, stream.Name())
	fmt.Println("Trucks per shard (the MD5 of the partition key picks the shard, as in AWS):")
	for _, id := range ids {
		fmt.Printf("  %s  %3d trucks\n", id, perShard[id])
	}

	// Read the whole stream back and check each truck's order.
	lastFix := make([]int, trucks+1)
	read, outOfOrder := 0, 0
	for rec, err := range stream.Replay(ctx, kds.TrimHorizon()) {
		if err != nil {
			return err
		}
		fields := strings.Split(string(rec.Data), ",")
		t, _ := strconv.Atoi(strings.TrimPrefix(fields[0], "truck_"))
		fix, _ := strconv.Atoi(fields[1])
		if rec.PartitionKey != fields[0] || fix != lastFix[t]+1 {
			outOfOrder++
		}
		lastFix[t] = fix
		read++
	}
	fmt.Printf("Read back %d records.\n", read)
	if outOfOrder > 0 || read != trucks*fixes {
		fmt.Printf("ORDER BROKEN: %d fixes out of order, %d of %d records read\n", outOfOrder, read, trucks*fixes)
		os.Exit(1)
	}
	fmt.Printf("Every truck's %d fixes came back in the order it sent them.\n", fixes)
	return nil
}
