package otelexport

import "go.opentelemetry.io/otel/metric"

// observable is an asynchronous instrument and how to observe a value
// with it: values in seconds are float64, counts and bytes int64.
type observable struct {
	instrument metric.Observable
	observe    func(o metric.Observer, v float64, opts ...metric.ObserveOption)
}

// counter makes a monotonic counter.
func counter(meter metric.Meter, name, unit, help string) (observable, error) {
	if unit == "s" {
		c, err := meter.Float64ObservableCounter(name, metric.WithUnit(unit), metric.WithDescription(help))
		return observable{c, func(o metric.Observer, v float64, opts ...metric.ObserveOption) { o.ObserveFloat64(c, v, opts...) }}, err
	}
	c, err := meter.Int64ObservableCounter(name, metric.WithUnit(unit), metric.WithDescription(help))
	return observable{c, func(o metric.Observer, v float64, opts ...metric.ObserveOption) { o.ObserveInt64(c, int64(v), opts...) }}, err
}

// gauge makes a gauge of seconds.
func gauge(meter metric.Meter, name, unit, help string) (observable, error) {
	g, err := meter.Float64ObservableGauge(name, metric.WithUnit(unit), metric.WithDescription(help))
	return observable{g, func(o metric.Observer, v float64, opts ...metric.ObserveOption) { o.ObserveFloat64(g, v, opts...) }}, err
}
