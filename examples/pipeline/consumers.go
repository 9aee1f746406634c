package main

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/analytics"
	"github.com/kdsgo/kds/consumergroup"
	"github.com/kdsgo/kds/delivery"
	"github.com/kdsgo/kds/trigger"
)

// speedingAlerts is the trigger's handler: it flags the fixes above the
// speed limit, as a Lambda function would raise an alert for each.
type speedingAlerts struct {
	mu          sync.Mutex
	seen        int           // records handled, retries included
	flagged     map[fixID]int // how often each speeding fix was flagged
	invocations int
}

// handle is a Lambda-shaped handler of a batch of fixes.
func (a *speedingAlerts) handle(ctx context.Context, ev trigger.KinesisEvent) (trigger.KinesisEventResponse, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.flagged == nil {
		a.flagged = map[fixID]int{}
	}
	a.invocations++
	for _, r := range ev.Records {
		var f fix
		if err := json.Unmarshal(r.Kinesis.Data, &f); err != nil {
			return trigger.KinesisEventResponse{}, err // retried, then reported on failure
		}
		a.seen++
		if f.Speed > speedLimit {
			a.flagged[fixID{f.Truck, f.N}]++
		}
	}
	return trigger.KinesisEventResponse{}, nil
}

// received returns how many records the handler has had.
func (a *speedingAlerts) received() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.seen
}

// newArchive returns a delivery stream that archives the fixes, gzip'd and
// one per line, in hourly folders of dir, delivering a buffer every
// minute (or every MiB).
func newArchive(dir string, svc *kds.Service, clock kds.Clock) (*delivery.DeliveryStream, error) {
	dest, err := delivery.NewDirectoryDestination(delivery.DirectoryConfig{Dir: dir, CompressionFormat: delivery.GZIP})
	if err != nil {
		return nil, err
	}
	fromStart := consumergroup.TrimHorizon()
	return delivery.New(delivery.Config{
		DeliveryStreamName: "fixes-archive",
		StreamName:         "trucks",
		Client:             svc,
		Store:              consumergroup.NewMemStore(),
		InitialPosition:    &fromStart,
		BufferingHints:     delivery.BufferingHints{SizeInMBs: delivery.Int(1), IntervalInSeconds: delivery.Int(60)},
		RecordDelimiter:    "\n",
		Destination:        dest,
		Clock:              clock,
	})
}

// minuteDistances collects the windows' results: meters per truck and
// minute.
type minuteDistances struct {
	mu      sync.Mutex
	results []analytics.Output[float64]
}

// add is the windows' sink.
func (d *minuteDistances) add(o analytics.Output[float64]) {
	d.mu.Lock()
	d.results = append(d.results, o)
	d.mu.Unlock()
}

// fixMeters reads the distance of a fix, for the windows' Sum.
func fixMeters(r kds.Record) (float64, error) {
	var f fix
	err := json.Unmarshal(r.Data, &f)
	return f.Meters, err
}

// fixTime reads when a fix was taken: the windows' event time.
func fixTime(r kds.Record) (time.Time, error) {
	var f fix
	err := json.Unmarshal(r.Data, &f)
	return f.Time, err
}
