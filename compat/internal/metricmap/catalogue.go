package metricmap

import (
	"sync"

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

// theCatalogue is built once, on first use.
var theCatalogue = sync.OnceValue(buildCatalogue)

// All returns every metric the core publishes and what each is exported
// as. The caller must not modify the slice.
func All() []Metric { return theCatalogue().list }

// Index returns the index in [All] of the metric of series s.
func Index(s kds.MetricSeries) (int, bool) {
	i, ok := theCatalogue().index[key{ScopeOf(s.Dimensions), s.MetricName}]
	return i, ok
}

// buildCatalogue builds the catalogue from the core's own list of its
// metrics, so the exporters follow the core without a list of their own.
func buildCatalogue() *catalogue {
	scopes := map[kds.MetricLevel]Scope{
		kds.MetricLevelStream:   Stream,
		kds.MetricLevelShard:    Shard,
		kds.MetricLevelConsumer: Consumer,
	}
	c := &catalogue{index: make(map[key]int)}
	for _, d := range kds.MetricDefinitions() {
		k := key{scopes[d.Level], d.MetricName}
		c.index[k] = len(c.list)
		c.list = append(c.list, newMetric(k.scope, k.name, d.Unit))
	}
	return c
}
