package kds

import (
	"slices"
	"strings"
	"time"
)

// MetricsNamespace is the CloudWatch namespace of Kinesis's metrics.
const MetricsNamespace = "AWS/Kinesis"

// DefaultMetricsWindow is how many recent minutes of per-minute statistics
// a Service keeps unless [WithMetricsWindow] says otherwise.
const DefaultMetricsWindow = time.Hour

// MetricUnit is the CloudWatch unit of a metric.
type MetricUnit string

// The units of Kinesis's metrics.
const (
	UnitBytes        MetricUnit = "Bytes"
	UnitCount        MetricUnit = "Count"
	UnitMilliseconds MetricUnit = "Milliseconds"
)

// Statistics summarises the samples of a metric over a period, as
// CloudWatch's statistics do. Minimum and Maximum are 0 when SampleCount
// is 0.
type Statistics struct {
	SampleCount int64
	Sum         float64
	Minimum     float64
	Maximum     float64
}

// Average is Sum / SampleCount, or 0 without samples.
func (s Statistics) Average() float64 {
	if s.SampleCount == 0 {
		return 0
	}
	return s.Sum / float64(s.SampleCount)
}

// Datapoint is one minute's statistics of a metric.
type Datapoint struct {
	// Timestamp is the start of the minute.
	Timestamp time.Time
	Statistics
}

// MetricDimensions names what a metric is about: a stream, one of its
// shards (shard-level metrics), or one of its consumers (SubscribeToShard
// metrics).
type MetricDimensions struct {
	StreamName   string
	ShardId      string
	ConsumerName string
}

// MetricSeries is one metric of one stream, shard or consumer.
type MetricSeries struct {
	// MetricName is the CloudWatch name, such as "IncomingBytes" or
	// "GetRecords.IteratorAgeMilliseconds".
	MetricName string
	Unit       MetricUnit
	Dimensions MetricDimensions
	// Total summarises every sample since the stream, shard or consumer
	// first recorded one, including minutes older than the window.
	Total Statistics
	// Datapoints holds the minutes of the window that have samples,
	// oldest first.
	Datapoints []Datapoint
}

// Minute returns the statistics of the minute that t falls in, or zero
// statistics if the series has no samples then (or the minute has left
// the window).
func (m MetricSeries) Minute(t time.Time) Statistics {
	start := time.Unix(unixMinute(t)*60, 0)
	for _, d := range m.Datapoints {
		if d.Timestamp.Equal(start) {
			return d.Statistics
		}
	}
	return Statistics{}
}

// MetricsSnapshot is every metric of a Service (or of one stream) at one
// time on its Clock.
type MetricsSnapshot struct {
	Time   time.Time
	Series []MetricSeries
}

// Find returns the series of the metric named name with dimensions d.
func (m MetricsSnapshot) Find(name string, d MetricDimensions) (MetricSeries, bool) {
	i := slices.IndexFunc(m.Series, func(s MetricSeries) bool { return s.MetricName == name && s.Dimensions == d })
	if i < 0 {
		return MetricSeries{}, false
	}
	return m.Series[i], true
}

// Metrics returns the CloudWatch metrics of every stream of the Service:
// the stream-level metrics of each (always, even before any sample), the
// shard-level metrics that EnableEnhancedMonitoring has on for each open
// shard (and those any shard recorded while they were on), and the
// SubscribeToShard metrics of each registered consumer. Statistics are per minute of the
// Service's Clock, so a simulation on a [ManualClock] gets them too.
//
// Put and read calls record their samples with a few atomic additions;
// the aggregation into [Statistics] happens here. The Latency metrics
// (time spent in the call, on the Clock) sample the first call of each
// minute and every 16th after it, since a clock read is a large part of
// a PutRecord call's cost; their SampleCount counts the calls timed. Go-
// native reads ([Stream.Records] and friends) count as GetRecords calls
// that are never throttled or timed.
func (svc *Service) Metrics() MetricsSnapshot {
	now := svc.clock.Now()
	snap := MetricsSnapshot{Time: now}
	for _, s := range svc.sortedStreams() {
		snap.Series = s.appendMetrics(snap.Series, now)
	}
	return snap
}

// Metrics returns the stream's CloudWatch metrics, as [Service.Metrics]
// describes them.
func (s *Stream) Metrics() MetricsSnapshot {
	now := s.svc.clock.Now()
	return MetricsSnapshot{Time: now, Series: s.appendMetrics(nil, now)}
}

// appendMetrics appends the series of s and of its shards and consumers.
func (s *Stream) appendMetrics(out []MetricSeries, now time.Time) []MetricSeries {
	dims := MetricDimensions{StreamName: s.name}
	out = appendSeries(out, s.stats.load(), streamMetrics, dims, func(int, tally) bool { return true })

	s.mu.RLock()
	shards := slices.Clone(s.shards)
	consumers := make([]*consumer, 0, len(s.consumers))
	for _, c := range s.consumers {
		if _, ok := c.status(now); ok {
			consumers = append(consumers, c)
		}
	}
	s.mu.RUnlock()

	enabled := metricSet(s.metrics.Load())
	for _, sh := range shards {
		l := sh.stats.load()
		if l == nil && (enabled == 0 || sh.closure.Load() != nil) {
			continue // never recorded, and will not
		}
		d := dims
		d.ShardId = sh.id
		out = appendSeries(out, l, shardMetrics, d, func(i int, total tally) bool {
			return enabled&(1<<i) != 0 || total.count > 0
		})
	}
	slices.SortFunc(consumers, func(a, b *consumer) int { return strings.Compare(a.name, b.name) })
	for _, c := range consumers {
		d := dims
		d.ConsumerName = c.name
		out = appendSeries(out, c.stats.load(), consumerMetrics, d, func(int, tally) bool { return true })
	}
	return out
}

// appendSeries appends the series defs publishes from log l (nil: no
// samples yet) for which keep, given the series' index and total, is true.
func appendSeries(out []MetricSeries, l *metricLog, defs []metricDef, dims MetricDimensions, keep func(int, tally) bool) []MetricSeries {
	var totals []tally
	var minutes []minutePoint
	if l != nil {
		totals, minutes = l.read()
	}
	for i, def := range defs {
		total := emptyTally
		if totals != nil {
			total = def.derive(totals)
		}
		if !keep(i, total) {
			continue
		}
		series := MetricSeries{MetricName: def.name, Unit: def.unit, Dimensions: dims, Total: def.statistics(total)}
		for _, p := range minutes {
			if t := def.derive(p.stats); t.count > 0 {
				series.Datapoints = append(series.Datapoints, Datapoint{Timestamp: time.Unix(p.minute*60, 0), Statistics: def.statistics(t)})
			}
		}
		out = append(out, series)
	}
	return out
}

// MetricLevel says what a metric is about, and so which of its
// [MetricDimensions] are set.
type MetricLevel string

// The levels of Kinesis's metrics.
const (
	// MetricLevelStream metrics have a StreamName.
	MetricLevelStream MetricLevel = "Stream"
	// MetricLevelShard metrics (enhanced monitoring) have a StreamName and
	// a ShardId.
	MetricLevelShard MetricLevel = "Shard"
	// MetricLevelConsumer metrics (enhanced fan-out) have a StreamName and
	// a ConsumerName.
	MetricLevelConsumer MetricLevel = "Consumer"
)

// MetricDefinition names one metric that [Service.Metrics] publishes.
type MetricDefinition struct {
	MetricName string
	Unit       MetricUnit
	Level      MetricLevel
}

// MetricDefinitions lists every metric [Service.Metrics] publishes, in the
// order a snapshot lists a stream's series: stream level, shard level,
// consumer level. Exporters take their catalogue from it.
func MetricDefinitions() []MetricDefinition {
	var out []MetricDefinition
	for _, level := range []struct {
		defs  []metricDef
		level MetricLevel
	}{{streamMetrics, MetricLevelStream}, {shardMetrics, MetricLevelShard}, {consumerMetrics, MetricLevelConsumer}} {
		for _, d := range level.defs {
			out = append(out, MetricDefinition{MetricName: d.name, Unit: d.unit, Level: level.level})
		}
	}
	return out
}
