// Package otelexport exports the CloudWatch metrics of a kds Service (or
// of one stream) as OpenTelemetry metrics: [Register] makes an
// asynchronous instrument for each on a MeterProvider, and one callback
// reads a snapshot of them per collection.
//
// Names follow OpenTelemetry's conventions: dotted under aws.kinesis (the
// namespace of the semantic conventions' aws.kinesis.stream_name),
// shard-level metrics under aws.kinesis.shard, parts in snake case, the
// CloudWatch name's words kept (so "bytes" stays in incoming_bytes, as it
// names what is counted) but no unit suffix added. Units are UCUM: By, s (milliseconds are divided by
// 1,000), and {record}, {call} or {event} for counts. Dimensions become
// the attributes aws.kinesis.stream_name, aws.kinesis.shard_id and
// aws.kinesis.consumer_name, as apply. Counts and bytes are monotonic
// cumulative sums of CloudWatch's Sum since the stream, shard or consumer
// began recording; Latency and Success are two such sums, NAME (the Sum)
// and NAME.count (the SampleCount), whose ratio is CloudWatch's Average;
// the iterator age and MillisBehindLatest are gauges of the latest
// minute's Maximum, observed while a reader reported one this minute or
// the last. COMPATIBILITY.md's "Metrics" section lists every instrument.
package otelexport

import (
	"context"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/compat/internal/metricmap"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// ScopeName is the instrumentation scope of the instruments.
const ScopeName = "github.com/kdsgo/kds/compat/otelexport"

// Source is what is exported: a *kds.Service (every stream) or a
// *kds.Stream.
type Source interface {
	Metrics() kds.MetricsSnapshot
}

// Register makes the instruments of src's metrics on a meter of mp and
// registers the callback that observes them. unregister removes the
// callback; the instruments stay, observing nothing.
func Register(mp metric.MeterProvider, src Source) (unregister func() error, err error) {
	meter := mp.Meter(ScopeName)
	all := metricmap.All()
	exported := make([]instruments, len(all))
	var observables []metric.Observable
	for i := range all {
		m := &all[i]
		e := &exported[i]
		if m.Kind == metricmap.Age {
			e.value, err = gauge(meter, m.OTel, m.OTelUnit, m.OTelHelp())
		} else {
			e.value, err = counter(meter, m.OTel, m.OTelUnit, m.OTelHelp())
		}
		if err != nil {
			return nil, err
		}
		observables = append(observables, e.value.instrument)
		if m.OTelCount != "" {
			if e.count, err = counter(meter, m.OTelCount, m.OTelCountUnit, m.OTelCountHelp()); err != nil {
				return nil, err
			}
			observables = append(observables, e.count.instrument)
		}
	}
	reg, err := meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		observe(o, src.Metrics(), exported)
		return nil
	}, observables...)
	if err != nil {
		return nil, err
	}
	return reg.Unregister, nil
}

// instruments are the instruments of one metric of the catalogue.
type instruments struct {
	value observable // the Sum, or the latest Maximum of an Age
	count observable // the SampleCount of a Mean
}

// observe observes every series of snap.
func observe(o metric.Observer, snap kds.MetricsSnapshot, exported []instruments) {
	all := metricmap.All()
	for _, s := range snap.Series {
		i, ok := metricmap.Index(s)
		if !ok {
			continue // the catalogue comes from this core: never
		}
		m, e := &all[i], &exported[i]
		attrs := metric.WithAttributeSet(attributes(m.Scope, s.Dimensions))
		switch m.Kind {
		case metricmap.Counter:
			e.value.observe(o, m.Sum(s), attrs)
		case metricmap.Mean:
			e.value.observe(o, m.Sum(s), attrs)
			e.count.observe(o, float64(s.Total.SampleCount), attrs)
		case metricmap.Age:
			if v, ok := m.Latest(s, snap.Time); ok {
				e.value.observe(o, v, attrs)
			}
		}
	}
}

// attributes returns the attributes of a series of scope s with
// dimensions d.
func attributes(s metricmap.Scope, d kds.MetricDimensions) attribute.Set {
	keys, values := s.Attributes(), s.Values(d)
	kvs := make([]attribute.KeyValue, len(keys))
	for i := range keys {
		kvs[i] = attribute.String(keys[i], values[i])
	}
	return attribute.NewSet(kvs...)
}
