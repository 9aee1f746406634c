// Package promexport exports the CloudWatch metrics of a kds Service (or
// of one stream) to Prometheus: a [Collector] to register with any
// registry, and a [Handler] that serves them on their own. `kds serve
// --metrics-addr` serves the Handler at /metrics.
//
// Each CloudWatch metric becomes one metric family named by Prometheus's
// conventions: snake case under the prefix kinesis_, shard-level metrics
// under kinesis_shard_, base units (bytes, seconds: milliseconds are
// divided by 1,000) and _total on counters. Dimensions become the labels
// stream_name, shard_id and consumer_name, each family having the ones
// that apply. Counts and bytes are counters of CloudWatch's Sum since the
// stream, shard or consumer began recording; Latency and Success are
// summaries without quantiles (_sum is CloudWatch's Sum, _count its
// SampleCount, so _sum / _count is the Average CloudWatch shows); the
// iterator age and MillisBehindLatest are gauges of the latest minute's
// Maximum, present while a reader reported one this minute or the last.
// COMPATIBILITY.md's "Metrics" section lists every family.
//
// Everything is read at scrape time, in one call of Metrics: between
// scrapes the exporter costs nothing.
package promexport

import (
	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/compat/internal/metricmap"
	"github.com/prometheus/client_golang/prometheus"
)

// Source is what is exported: a *kds.Service (every stream) or a
// *kds.Stream.
type Source interface {
	Metrics() kds.MetricsSnapshot
}

// Collector is a [prometheus.Collector] of a Source's metrics.
type Collector struct {
	src   Source
	descs []*prometheus.Desc // by index in metricmap.All
}

// NewCollector returns a Collector of src's metrics.
func NewCollector(src Source) *Collector {
	all := metricmap.All()
	c := &Collector{src: src, descs: make([]*prometheus.Desc, len(all))}
	for i := range all {
		m := &all[i]
		c.descs[i] = prometheus.NewDesc(m.Prometheus, m.Help(), m.Scope.Labels(), nil)
	}
	return c
}

// Describe sends the descriptions of every family the Collector may
// collect.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
}

// Collect takes a snapshot of the Source's metrics and sends each series.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	all := metricmap.All()
	snap := c.src.Metrics()
	for _, s := range snap.Series {
		i, ok := metricmap.Index(s)
		if !ok {
			continue // the catalogue comes from this core: never
		}
		m, desc := &all[i], c.descs[i]
		labels := m.Scope.Values(s.Dimensions)
		switch m.Kind {
		case metricmap.Counter:
			ch <- prometheus.MustNewConstMetric(desc, prometheus.CounterValue, m.Sum(s), labels...)
		case metricmap.Mean:
			ch <- prometheus.MustNewConstSummary(desc, uint64(s.Total.SampleCount), m.Sum(s), nil, labels...)
		case metricmap.Age:
			if v, ok := m.Latest(s, snap.Time); ok {
				ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, v, labels...)
			}
		}
	}
}
