package analytics_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"time"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/analytics"
	"github.com/kdsgo/kds/consumergroup"
)

// Counts clicks per page per minute, allowing records five seconds out
// of order and updating a minute's count for records up to a minute late.
func Example() {
	ctx := context.Background()
	start := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	clock := kds.NewManualClock(start)
	w, err := analytics.New(analytics.Count(), analytics.Tumbling(time.Minute),
		analytics.Func(func(o analytics.Output[int64]) {
			fmt.Printf("%s %s-%s: %d", o.Key, o.Window.Start.Format("15:04"), o.Window.End.Format("15:04"), o.Result)
			if o.Update {
				fmt.Print(" (update)")
			}
			fmt.Println()
		}),
		analytics.WithClock(clock),
		analytics.WithOutOfOrderness(5*time.Second),
		analytics.WithAllowedLateness(time.Minute),
		analytics.WithIdleTimeout(30*time.Second),
		analytics.WithLateHandler(func(r kds.Record) { fmt.Println("too late:", r.PartitionKey) }),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	click := func(page string, at string) {
		d, _ := time.ParseDuration(at)
		t := start.Add(d)
		if t.After(clock.Now()) {
			clock.Set(t) // the clock keeps up with the latest record
		}
		w.Add(ctx, kds.Record{PartitionKey: page, ApproximateArrivalTimestamp: t})
	}
	click("/home", "10s")
	click("/docs", "20s")
	click("/home", "50s")
	click("/home", "1m3s")
	click("/docs", "58s")   // out of order, within five seconds
	click("/home", "1m10s") // the watermark passes 12:01
	click("/docs", "40s")   // late, within a minute: an update
	click("/home", "2m20s") // the watermark passes 12:02; 12:00 is dropped
	click("/docs", "55s")   // later than that

	// Input stops; after the idle timeout the watermark follows the clock,
	// less the bound: at 12:03:05 it reaches 12:03.
	clock.Set(start.Add(3*time.Minute + 5*time.Second))
	w.Tick(ctx)
	fmt.Printf("%+v\n", w.Stats())
	// Output:
	// /docs 12:00-12:01: 2
	// /home 12:00-12:01: 2
	// /docs 12:00-12:01: 3 (update)
	// /home 12:01-12:02: 2
	// too late: /docs
	// /home 12:02-12:03: 1
	// {Records:9 Late:1 Failed:0 Results:5 Updates:1 Open:1}
}

// Sums the distance each truck reports per minute, reading the "trucks"
// stream through a consumer group and writing the sums as JSON to the
// "distances" stream. (Not run: it consumes until interrupted.)
func ExampleWindows_Run() {
	ctx := context.Background()
	svc, _ := kds.NewService()
	producer, _ := kds.NewProducer(kds.ProducerConfig{StreamName: "distances", Client: svc})
	defer producer.Close(ctx)
	distance := func(r kds.Record) (float64, error) {
		var fix struct{ Meters float64 }
		err := json.Unmarshal(r.Data, &fix)
		return fix.Meters, err
	}
	w, err := analytics.New(analytics.Sum(distance), analytics.Tumbling(time.Minute),
		analytics.ToStream[float64](producer),
		analytics.WithOutOfOrderness(2*time.Second),
		analytics.WithIdleTimeout(10*time.Second),
		analytics.WithErrorHandler(func(err error) { log.Print(err) }))
	if err != nil {
		log.Fatal(err)
	}
	err = w.Run(ctx, consumergroup.Config{
		ApplicationName: "truck-distances",
		StreamName:      "trucks",
		Client:          svc,
		Store:           consumergroup.NewMemStore(),
	})
	if err != nil {
		log.Fatal(err)
	}
}
