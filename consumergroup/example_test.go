package consumergroup_test

import (
	"context"
	"fmt"
	"log"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/consumergroup"
)

// orders collects the orders the Processors of the example receive.
type orders struct {
	mu      sync.Mutex
	byKey   map[string][]string
	n, want int
	done    chan struct{}
}

// orderProcessor is the Processor of one shard: it records each order and
// checkpoints after every batch.
type orderProcessor struct{ o *orders }

func (p orderProcessor) Initialize(ctx context.Context, in consumergroup.InitializeInput) {}

func (p orderProcessor) ProcessRecords(ctx context.Context, in consumergroup.ProcessRecordsInput) {
	p.o.mu.Lock()
	for _, r := range in.Records {
		p.o.byKey[r.PartitionKey] = append(p.o.byKey[r.PartitionKey], string(r.Data))
		if p.o.n++; p.o.n == p.o.want {
			close(p.o.done)
		}
	}
	p.o.mu.Unlock()
	if err := in.Checkpointer.Checkpoint(ctx); err != nil {
		log.Print(err) // ErrLeaseLost: another worker has the shard now
	}
}

func (p orderProcessor) LeaseLost(ctx context.Context, in consumergroup.LeaseLostInput) {}

func (p orderProcessor) ShardEnded(ctx context.Context, in consumergroup.ShardEndedInput) {
	in.Checkpointer.Checkpoint(ctx) // SHARD_END: lets the children start
}

func (p orderProcessor) ShutdownRequested(ctx context.Context, in consumergroup.ShutdownRequestedInput) {
	in.Checkpointer.Checkpoint(ctx)
}

// A worker of the "billing" group processes a stream of orders, then
// shuts down gracefully, leaving its checkpoints and releasing its leases.
// (All the orders hash to the second shard; the first stays at its
// initial position.)
func Example() {
	ctx := context.Background()
	svc, err := kds.NewService(kds.WithThroughputLimits(kds.NoLimits))
	if err != nil {
		log.Fatal(err)
	}
	if _, err := svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: "orders", ShardCount: 2}); err != nil {
		log.Fatal(err)
	}
	for i := 1; i <= 6; i++ {
		key := "customer-" + strconv.Itoa(i%3)
		if _, err := svc.PutRecord(ctx, kds.PutRecordInput{StreamName: "orders", PartitionKey: key, Data: []byte("order-" + strconv.Itoa(i))}); err != nil {
			log.Fatal(err)
		}
	}

	store := consumergroup.NewMemStore()
	o := &orders{byKey: map[string][]string{}, want: 6, done: make(chan struct{})}
	w, err := consumergroup.NewWorker(consumergroup.Config{
		ApplicationName:      "billing",
		StreamName:           "orders",
		WorkerID:             "worker-1",
		Client:               svc,
		Store:                store,
		NewProcessor:         func(shardID string) consumergroup.Processor { return orderProcessor{o} },
		LeaseDuration:        time.Second,
		IdleTimeBetweenReads: 10 * time.Millisecond,
	})
	if err != nil {
		log.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	result := make(chan error, 1)
	go func() { result <- w.Run(runCtx) }()
	<-o.done
	stop() // graceful shutdown
	if err := <-result; err != nil {
		log.Fatal(err)
	}

	for _, key := range slices.Sorted(func(yield func(string) bool) {
		for k := range o.byKey {
			if !yield(k) {
				return
			}
		}
	}) {
		fmt.Println(key, o.byKey[key])
	}
	leases, err := store.ListLeases(ctx, "billing")
	if err != nil {
		log.Fatal(err)
	}
	for _, l := range leases {
		checkpoint := l.Checkpoint.String()
		if _, err := kds.ParseSequenceNumber(checkpoint); err == nil {
			checkpoint = "the shard's last record"
		}
		fmt.Printf("%s owner=%q checkpoint=%s\n", l.Key, l.Owner, checkpoint)
	}
	// Output:
	// customer-0 [order-3 order-6]
	// customer-1 [order-1 order-4]
	// customer-2 [order-2 order-5]
	// shardId-000000000000 owner="" checkpoint=TRIM_HORIZON
	// shardId-000000000001 owner="" checkpoint=the shard's last record
}
