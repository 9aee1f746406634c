package kds_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kdsgo/kds"
)

func ExampleNewStream() {
	ctx := context.Background()
	stream, err := kds.NewStream("trucks", kds.WithShards(5))
	if err != nil {
		panic(err)
	}
	for _, truck := range []string{"truck_1", "truck_3", "truck_1"} {
		out, err := stream.Put(ctx, truck, []byte("fix from "+truck))
		if err != nil {
			panic(err)
		}
		fmt.Println(truck, "->", out.ShardId)
	}
	// Output:
	// truck_1 -> shardId-000000000001
	// truck_3 -> shardId-000000000004
	// truck_1 -> shardId-000000000001
}

func ExampleStream_Replay() {
	ctx := context.Background()
	stream, _ := kds.NewStream("events", kds.WithShards(2))
	for i := 1; i <= 3; i++ {
		stream.Put(ctx, "user-42", fmt.Appendf(nil, "event %d", i))
	}
	for rec, err := range stream.Replay(ctx, kds.TrimHorizon()) {
		if err != nil {
			panic(err)
		}
		fmt.Println(rec.PartitionKey, string(rec.Data))
	}
	// Output:
	// user-42 event 1
	// user-42 event 2
	// user-42 event 3
}

func ExampleStream_Records() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stream, _ := kds.NewStream("orders")
	go func() {
		for i := 1; i <= 3; i++ {
			stream.Put(ctx, "customer-1", fmt.Appendf(nil, "order %d", i))
		}
	}()
	// Records replays and then follows: it waits for new records until
	// the loop breaks or ctx is done.
	n := 0
	for rec, err := range stream.Records(ctx, kds.TrimHorizon()) {
		if err != nil {
			panic(err)
		}
		fmt.Println(string(rec.Data))
		if n++; n == 3 {
			break
		}
	}
	// Output:
	// order 1
	// order 2
	// order 3
}

func ExampleService_PutRecords() {
	ctx := context.Background()
	clock := kds.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	svc, _ := kds.NewService(kds.WithClock(clock))
	svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: "orders", ShardCount: 2})

	out, err := svc.PutRecords(ctx, kds.PutRecordsInput{
		StreamName: "orders",
		Records: []kds.PutRecordsRequestEntry{
			{PartitionKey: "customer-4", Data: []byte("order 1")},
			{PartitionKey: "customer-1", Data: []byte("order 2")},
		},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("failed:", out.FailedRecordCount)
	for _, r := range out.Records {
		fmt.Println(r.ShardId, r.SequenceNumber)
	}
	// Output:
	// failed: 0
	// shardId-000000000000 49670424472731169861061894383144099073451338223220424706
	// shardId-000000000001 49670424472753470606260425006285634791723986584726405138
}

func ExampleService_GetRecords() {
	ctx := context.Background()
	svc, _ := kds.NewService()
	svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: "orders", ShardCount: 1})
	for _, order := range []string{"order 1", "order 2", "order 3"} {
		svc.PutRecord(ctx, kds.PutRecordInput{StreamName: "orders", PartitionKey: "customer-1", Data: []byte(order)})
	}

	it, err := svc.GetShardIterator(ctx, kds.GetShardIteratorInput{
		StreamName:        "orders",
		ShardId:           "shardId-000000000000",
		ShardIteratorType: kds.ShardIteratorTypeTrimHorizon,
	})
	if err != nil {
		panic(err)
	}
	iterator := it.ShardIterator
	for {
		page, err := svc.GetRecords(ctx, kds.GetRecordsInput{ShardIterator: iterator, Limit: 2})
		if err != nil {
			panic(err)
		}
		for _, rec := range page.Records {
			fmt.Println(string(rec.Data))
		}
		if page.MillisBehindLatest == 0 && len(page.Records) == 0 {
			break // caught up
		}
		iterator = page.NextShardIterator
	}
	// Output:
	// order 1
	// order 2
	// order 3
}

func ExampleManualClock() {
	ctx := context.Background()
	clock := kds.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	svc, _ := kds.NewService(kds.WithClock(clock))
	svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: "s", ShardCount: 1})
	it, _ := svc.GetShardIterator(ctx, kds.GetShardIteratorInput{
		StreamName: "s", ShardId: "shardId-000000000000", ShardIteratorType: kds.ShardIteratorTypeLatest,
	})

	clock.Advance(5*time.Minute + time.Millisecond)
	_, err := svc.GetRecords(ctx, kds.GetRecordsInput{ShardIterator: it.ShardIterator})
	fmt.Println(errors.Is(err, kds.ErrExpiredIterator))
	fmt.Println(err)
	// Output:
	// true
	// ExpiredIteratorException: Iterator expired. The iterator was created at time Thu Jan 01 00:00:00 UTC 2026 while right now it is Thu Jan 01 00:05:00 UTC 2026 which is further in the future than the tolerated delay of 300000 milliseconds.
}

func ExampleError() {
	svc, _ := kds.NewService()
	_, err := svc.DescribeStream(context.Background(), kds.DescribeStreamInput{StreamName: "nope"})
	fmt.Println(errors.Is(err, kds.ErrResourceNotFound))
	fmt.Println(err)
	// Output:
	// true
	// ResourceNotFoundException: Stream nope under account 000000000000 not found.
}

func ExampleService_SplitShard() {
	ctx := context.Background()
	svc, _ := kds.NewService()
	svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: "s", ShardCount: 1})
	stream, _ := svc.Stream("s")
	stream.Put(ctx, "user-1", []byte("before the split"))

	// Split the only shard in the middle of the hash key space.
	_, err := svc.SplitShard(ctx, kds.SplitShardInput{
		StreamName:         "s",
		ShardToSplit:       "shardId-000000000000",
		NewStartingHashKey: "170141183460469231731687303715884105728",
	})
	if err != nil {
		panic(err)
	}
	stream.Put(ctx, "user-1", []byte("after the split"))

	shards, _ := svc.ListShards(ctx, kds.ListShardsInput{StreamName: "s"})
	for _, sh := range shards.Shards {
		closed := !sh.SequenceNumberRange.EndingSequenceNumber.IsZero()
		fmt.Printf("%s parent=%q closed=%v\n", sh.ShardId, sh.ParentShardId, closed)
	}
	// Replay reads the parent to its end before its children, so the key
	// keeps its order across the split.
	for rec := range stream.Replay(ctx, kds.TrimHorizon()) {
		fmt.Println(string(rec.Data))
	}
	// Output:
	// shardId-000000000000 parent="" closed=true
	// shardId-000000000001 parent="shardId-000000000000" closed=false
	// shardId-000000000002 parent="shardId-000000000000" closed=false
	// before the split
	// after the split
}

func ExampleService_SubscribeToShard() {
	ctx := context.Background()
	svc, _ := kds.NewService()
	svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: "clicks", ShardCount: 1})
	stream, _ := svc.Stream("clicks")
	stream.Put(ctx, "page-1", []byte("click 1"))
	stream.Put(ctx, "page-1", []byte("click 2"))

	// Register an enhanced fan-out consumer: it gets its own read budget
	// in every shard.
	reg, err := svc.RegisterStreamConsumer(ctx, kds.RegisterStreamConsumerInput{
		StreamARN:    stream.ARN(),
		ConsumerName: "dashboard",
	})
	if err != nil {
		panic(err)
	}
	sub, err := svc.SubscribeToShard(ctx, kds.SubscribeToShardInput{
		ConsumerARN:      reg.Consumer.ConsumerARN,
		ShardId:          "shardId-000000000000",
		StartingPosition: kds.StartingPosition{Type: kds.ShardIteratorTypeTrimHorizon},
	})
	if err != nil {
		panic(err)
	}
	for event, err := range sub.EventStream {
		if err != nil {
			panic(err)
		}
		for _, rec := range event.Records {
			fmt.Println(string(rec.Data))
		}
		// Resume from event.ContinuationSequenceNumber with
		// AFTER_SEQUENCE_NUMBER once the subscription ends.
		break
	}
	// Output:
	// click 1
	// click 2
}

func ExampleDeaggregate() {
	// A KPL producer packs several user records into one Kinesis record.
	agg := kds.AppendAggregate(nil, []kds.UserRecord{
		{PartitionKey: "sensor-1", Data: []byte("21.5")},
		{PartitionKey: "sensor-2", Data: []byte("19.0")},
	})
	stream, _ := kds.NewStream("readings")
	stream.Put(context.Background(), "sensor-1", agg)

	// The Go-native readers take the user records back out.
	for rec, err := range stream.Replay(context.Background(), kds.TrimHorizon()) {
		if err != nil {
			panic(err)
		}
		fmt.Println(rec.SubSequenceNumber, rec.PartitionKey, string(rec.Data))
	}
	// Output:
	// 0 sensor-1 21.5
	// 1 sensor-2 19.0
}

func ExampleService_Metrics() {
	ctx := context.Background()
	clock := kds.NewManualClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
	svc, err := kds.NewService(kds.WithClock(clock))
	if err != nil {
		panic(err)
	}
	if _, err := svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: "orders", ShardCount: 1}); err != nil {
		panic(err)
	}
	stream, _ := svc.Stream("orders")
	for _, order := range []string{"apple", "banana", "cherry"} {
		if _, err := stream.Put(ctx, order, []byte("order for "+order)); err != nil {
			panic(err)
		}
		clock.Advance(40 * time.Second)
	}

	snap := svc.Metrics()
	incoming, _ := snap.Find("IncomingBytes", kds.MetricDimensions{StreamName: "orders"})
	fmt.Printf("%s (%s): %v in %d puts, at most %v per put\n",
		incoming.MetricName, incoming.Unit, incoming.Total.Sum, incoming.Total.SampleCount, incoming.Total.Maximum)
	for _, d := range incoming.Datapoints {
		fmt.Printf("  %s  sum %v  average %.1f\n", d.Timestamp.UTC().Format("15:04"), d.Sum, d.Average())
	}
	// Output:
	// IncomingBytes (Bytes): 64 in 3 puts, at most 22 per put
	//   12:00  sum 42  average 21.0
	//   12:01  sum 22  average 22.0
}
