// Command pipeline builds a small streaming pipeline out of kds's managed
// consumers, the way one would on AWS out of Kinesis, Lambda, Firehose and
// Managed Service for Apache Flink, and runs it on a virtual clock:
//
//   - trucks send a GPS fix every 10 seconds into a five-shard stream,
//     through a KPL-style Producer, keyed by truck;
//   - a trigger (a Lambda-style event source mapping) flags every fix
//     above 100 km/h;
//   - a delivery stream (Firehose-style) archives every fix as gzip'd
//     newline-delimited JSON under hourly yyyy/MM/dd/HH/ folders of a
//     directory;
//   - tumbling one-minute windows (Flink-style analytics) add up how far
//     each truck drove in each minute of its fixes' time.
//
// The trucks drive for a few simulated hours, which take a few seconds.
// Then the program checks each output against what the trucks sent —
// every fix archived once, every speeding fix flagged once, every
// truck-minute's distance right — and prints a summary.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"sync"
	"time"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/analytics"
	"github.com/kdsgo/kds/consumergroup"
	"github.com/kdsgo/kds/trigger"
)

func main() {
	trucks := flag.Int("trucks", 20, "number of trucks")
	minutes := flag.Int("minutes", 150, "simulated minutes of driving")
	dir := flag.String("dir", "", "directory for the archived fixes (default: a temporary one, removed at the end)")
	short := flag.Bool("short", false, "5 trucks for 70 minutes (for CI)")
	flag.Parse()
	if *short {
		*trucks, *minutes = 5, 70
	}
	if *dir == "" {
		tmp, err := os.MkdirTemp("", "kds-pipeline-")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(tmp)
		*dir = tmp
	}
	if err := run(*trucks, *minutes, *dir, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// start is when the trucks set off: half an hour before a full hour, so
// the archive spans several hourly folders.
var start = time.Date(2026, time.March, 2, 7, 30, 0, 0, time.UTC)

// run drives the fleet through the pipeline, checks the outputs and
// prints a summary to out.
func run(trucks, minutes int, dir string, out io.Writer) error {
	began := time.Now()
	ctx := context.Background()
	clock := kds.NewManualClock(start)
	svc, err := kds.NewService(kds.WithClock(clock))
	if err != nil {
		return err
	}
	defer svc.Close()
	if _, err := svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: "trucks", ShardCount: 5}); err != nil {
		return err
	}
	stream, _ := svc.Stream("trucks")

	alerts := &speedingAlerts{}
	mapping, err := trigger.New(trigger.Config{
		EventSourceArn:                 stream.ARN(),
		FunctionName:                   "speeding",
		Handler:                        alerts.handle,
		StartingPosition:               trigger.TrimHorizon,
		ParallelizationFactor:          2,
		MaximumBatchingWindowInSeconds: 10,
		Client:                         svc,
		Store:                          consumergroup.NewMemStore(),
		Clock:                          clock,
	})
	if err != nil {
		return err
	}
	archive, err := newArchive(dir, svc, clock)
	if err != nil {
		return err
	}
	distances := &minuteDistances{}
	windows, err := analytics.New(analytics.Sum(fixMeters), analytics.Tumbling(time.Minute), analytics.Func(distances.add),
		analytics.WithEventTime(fixTime), analytics.WithIdleTimeout(30*time.Second), analytics.WithClock(clock))
	if err != nil {
		return err
	}

	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for _, consume := range []func(context.Context) error{
		mapping.Run,
		archive.Run,
		func(ctx context.Context) error {
			return windows.Run(ctx, consumergroup.Config{ApplicationName: "distance", StreamName: "trucks", Client: svc, Store: consumergroup.NewMemStore()})
		},
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := consume(runCtx); err != nil {
				errs <- err
			}
		}()
	}

	p, err := kds.NewProducer(kds.ProducerConfig{StreamName: "trucks", Client: svc, Clock: clock})
	if err != nil {
		stop()
		return err
	}
	pace := &pacer{
		clock:    clock,
		stored:   func() int64 { return p.Metrics().UserRecordsPut },
		buffered: func() int64 { return p.Metrics().BufferedRecords },
		read: []func() int64{
			func() int64 { return archive.Stats().IncomingRecords },
			func() int64 { return windows.Stats().Records },
		},
	}
	fl := newFleet(trucks, 7)
	err = drive(ctx, fl, p, pace, time.Duration(minutes)*time.Minute)
	// Keep time moving until every consumer has had every fix and the
	// archive's last buffer has been delivered.
	caughtUp := false
	if err == nil {
		caughtUp, err = pace.runUntil(func() bool {
			return alerts.received() >= fl.fixes && archive.Stats().DeliveredRecords >= int64(fl.fixes) && windows.Stats().Records >= int64(fl.fixes)
		}, 30*time.Second)
	}
	stop()
	wg.Wait()
	close(errs)
	if err != nil {
		return err
	}
	for err := range errs {
		return err
	}
	if !caughtUp {
		return fmt.Errorf("the consumers did not catch up: speeding saw %d, the archive delivered %d and the windows took %d of %d fixes",
			alerts.received(), archive.Stats().DeliveredRecords, windows.Stats().Records, fl.fixes)
	}
	if err := windows.Close(ctx); err != nil {
		return err
	}

	report := summary{trucks: trucks, minutes: minutes, fixes: fl.fixes, took: time.Since(began)}
	if err := checkAlerts(fl, alerts, &report); err != nil {
		return err
	}
	if err := checkArchive(fl, dir, &report); err != nil {
		return err
	}
	if err := checkDistances(fl, distances, windows.Stats(), &report); err != nil {
		return err
	}
	report.print(out)
	return nil
}

// drive has the fleet send a fix per truck every fixInterval for d,
// through the Producer p, with the clock moving on in between, then
// closes p.
func drive(ctx context.Context, fl *fleet, p *kds.Producer, pace *pacer, d time.Duration) error {
	for end := pace.clock.Now().Add(d); pace.clock.Now().Before(end); {
		keys, data := fl.drive(pace.clock.Now())
		for i := range keys {
			if _, err := p.PutAsync(ctx, keys[i], data[i]); err != nil {
				return err
			}
		}
		if err := pace.run(fixInterval); err != nil {
			return err
		}
	}
	if err := p.Flush(ctx); err != nil {
		return err
	}
	if m := p.Metrics(); m.Failures > 0 {
		return fmt.Errorf("the producer failed %d records", m.Failures)
	}
	return p.Close(ctx)
}
