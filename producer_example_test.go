package kds_test

import (
	"context"
	"fmt"

	"github.com/kdsgo/kds"
)

func ExampleProducer() {
	ctx := context.Background()
	svc, _ := kds.NewService()
	svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: "trucks", ShardCount: 2})
	p, err := kds.NewProducer(kds.ProducerConfig{StreamName: "trucks", Client: svc})
	if err != nil {
		panic(err)
	}
	// Asynchronous puts: the records of one truck are stored in order.
	var pending []*kds.PendingPut
	for i := range 3 {
		pp, err := p.PutAsync(ctx, "truck-7", fmt.Appendf(nil, "position %d", i))
		if err != nil {
			panic(err)
		}
		pending = append(pending, pp)
	}
	// A synchronous put waits for its record to be stored.
	res, err := p.Put(ctx, "truck-9", []byte("parked"))
	fmt.Println(res.ShardId != "", err)
	if err := p.Close(ctx); err != nil {
		panic(err)
	}
	// Which records share an aggregate depends on timing; that each was
	// stored does not.
	for _, pp := range pending {
		r := pp.Result()
		fmt.Println(r.SequenceNumber.String() != "", r.Err)
	}
	s, _ := svc.Stream("trucks")
	for rec, err := range s.Replay(ctx, kds.TrimHorizon()) {
		if err == nil && rec.PartitionKey == "truck-7" {
			fmt.Printf("%s\n", rec.Data)
		}
	}
	// Output:
	// true <nil>
	// true <nil>
	// true <nil>
	// true <nil>
	// position 0
	// position 1
	// position 2
}
