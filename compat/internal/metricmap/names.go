package metricmap

import (
	"strings"

	"github.com/kdsgo/kds"
)

// The rules that turn a CloudWatch name into exported names. A name's
// dotted parts stay parts: "PutRecords.ThrottledRecords" is
// kinesis_put_records_throttled_records_total in Prometheus and
// aws.kinesis.put_records.throttled_records in OpenTelemetry. Shard-level
// metrics get a "shard" part, as they share their CloudWatch names with
// stream-level ones and a sum over all series of one name must not count
// a record twice.

// Name prefixes. Prometheus wants a single word that names the domain;
// the metrics mean what Kinesis's mean, so it is "kinesis" rather than
// "kds" (which would suggest metrics of kds's own server). OpenTelemetry
// has the "aws.kinesis" namespace for Kinesis's attributes.
const (
	prometheusPrefix = "kinesis"
	otelPrefix       = "aws.kinesis"
)

// Kind is how a metric is exported: which of its statistics, as what.
type Kind int

// The kinds, chosen from a metric's name and unit by kindOf.
const (
	// Counter exports the Sum of every sample: bytes, records, throttled
	// records or calls. A Prometheus counter, an OpenTelemetry
	// monotonic cumulative sum.
	Counter Kind = iota
	// Mean exports Sum and SampleCount: the Latency and Success metrics,
	// which CloudWatch users read by their Average (mean latency, share
	// of successful calls). A Prometheus summary without quantiles; in
	// OpenTelemetry two monotonic sums, the second named NAME.count.
	Mean
	// Age exports how far behind a reader is (iterator age,
	// MillisBehindLatest): the Maximum of the latest minute with samples.
	// A gauge.
	Age
)

// PrometheusType is the Prometheus metric type of the kind.
func (k Kind) PrometheusType() string {
	return [...]string{"counter", "summary", "gauge"}[k]
}

// kindOf picks the kind of the metric named name with unit unit.
func kindOf(name string, unit kds.MetricUnit) Kind {
	switch last := name[strings.LastIndexByte(name, '.')+1:]; {
	case last == "Latency" || last == "Success":
		return Mean
	case unit == kds.UnitMilliseconds:
		return Age
	}
	return Counter
}

// words splits each dotted part of a CloudWatch name into its lower-case
// words, leaving out the words for milliseconds: the exported unit
// (seconds) takes their place.
func words(name string) [][]string {
	var parts [][]string
	for _, part := range strings.Split(name, ".") {
		var ws []string
		start := 0
		for i := 1; i <= len(part); i++ {
			if i < len(part) && !isUpper(part[i]) {
				continue
			}
			if w := strings.ToLower(part[start:i]); w != "milliseconds" && w != "millis" {
				ws = append(ws, w)
			}
			start = i
		}
		if len(ws) > 0 {
			parts = append(parts, ws)
		}
	}
	return parts
}

// isUpper tells whether c is an ASCII capital letter.
func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }

// scopePart is the extra name part of the scope's metrics.
func scopePart(s Scope) []string {
	if s == Shard {
		return []string{"shard"}
	}
	return nil
}

// prometheusName is the Prometheus family name: snake case, the unit in
// base units as a suffix, and _total on counters.
func prometheusName(s Scope, name string, unit kds.MetricUnit, k Kind) string {
	ws := append([]string{prometheusPrefix}, scopePart(s)...)
	for _, p := range words(name) {
		ws = append(ws, p...)
	}
	switch unit {
	case kds.UnitBytes:
		if ws[len(ws)-1] != "bytes" {
			ws = append(ws, "bytes")
		}
	case kds.UnitMilliseconds:
		ws = append(ws, "seconds")
	}
	if k == Counter {
		ws = append(ws, "total")
	}
	return strings.Join(ws, "_")
}

// otelName is the OpenTelemetry instrument name: dotted parts in snake
// case, without a unit (the instrument carries it).
func otelName(s Scope, name string) string {
	parts := append([]string{otelPrefix}, scopePart(s)...)
	for _, p := range words(name) {
		parts = append(parts, strings.Join(p, "_"))
	}
	return strings.Join(parts, ".")
}

// otelUnit is the UCUM unit of a metric's values once exported.
func otelUnit(name string, unit kds.MetricUnit) string {
	switch unit {
	case kds.UnitBytes:
		return "By"
	case kds.UnitMilliseconds:
		return "s"
	}
	return counted(name)
}

// counted is the UCUM annotation of what a count of the metric's samples,
// or the Sum of a Count metric, counts: records for metrics named after
// them and for WriteProvisionedThroughputExceeded (Kinesis counts
// throttled records there), events for the SubscribeToShardEvent
// metrics, calls for the rest.
func counted(name string) string {
	switch {
	case strings.HasSuffix(name, "Records") || strings.HasSuffix(name, "WriteProvisionedThroughputExceeded"):
		return "{record}"
	case strings.HasPrefix(name, "SubscribeToShardEvent."):
		return "{event}"
	}
	return "{call}"
}

// scale converts a value in the CloudWatch unit to the exported one.
func scale(unit kds.MetricUnit) float64 {
	if unit == kds.UnitMilliseconds {
		return 1e-3
	}
	return 1
}
