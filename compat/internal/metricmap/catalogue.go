package metricmap

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/kdsgo/kds"
)

// catalogue is every metric the core publishes, in the order a snapshot
// lists them (stream, shard, consumer), with an index by scope and name.
type catalogue struct {
	list  []Metric
	index map[key]int
}

// key identifies a metric in the catalogue.
type key struct {
	scope Scope
	name  string
}

// theCatalogue is made on first use.
var theCatalogue = sync.OnceValue(probe)

// All returns every metric the core publishes and what each is exported
// as. The caller must not modify the slice.
func All() []Metric { return theCatalogue().list }

// Index returns the index in [All] of the metric of series s.
func Index(s kds.MetricSeries) (int, bool) {
	i, ok := theCatalogue().index[key{ScopeOf(s.Dimensions), s.MetricName}]
	return i, ok
}

// probe lists the metrics the core publishes by reading them from a
// Service that has one series of each: a stream (whose metrics
// Service.Metrics always lists), with every shard-level metric turned on
// and a record put (a shard's are listed once it has recorded a sample)
// and a registered consumer (listed while registered). The core is the
// one place that defines the metrics, so the exporters follow it without
// a list of their own.
func probe() *catalogue {
	svc, err := kds.NewService(kds.WithClock(kds.NewManualClock(time.Unix(0, 0))))
	must(err)
	defer svc.Close()
	ctx := context.Background()
	const name = "probe"
	_, err = svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: name, ShardCount: 1})
	must(err)
	_, err = svc.EnableEnhancedMonitoring(ctx, kds.EnableEnhancedMonitoringInput{StreamName: name, ShardLevelMetrics: []string{"ALL"}})
	must(err)
	_, err = svc.PutRecord(ctx, kds.PutRecordInput{StreamName: name, PartitionKey: name, Data: []byte(name)})
	must(err)
	s, _ := svc.Stream(name)
	_, err = svc.RegisterStreamConsumer(ctx, kds.RegisterStreamConsumerInput{StreamARN: s.ARN(), ConsumerName: name})
	must(err)

	c := &catalogue{index: make(map[key]int)}
	for _, series := range svc.Metrics().Series {
		k := key{ScopeOf(series.Dimensions), series.MetricName}
		if _, dup := c.index[k]; dup {
			continue
		}
		c.index[k] = len(c.list)
		c.list = append(c.list, newMetric(k.scope, k.name, series.Unit))
	}
	return c
}

// must panics on an error of the probe, which only a broken core causes.
func must(err error) {
	if err != nil {
		panic(fmt.Sprintf("metricmap: probing the core's metrics: %v", err))
	}
}
