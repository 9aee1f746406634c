package dashboard

import (
	"time"

	"github.com/kdsgo/kds"
)

// window is how far back rates and throttle counts look.
const window = time.Minute

// metrics indexes one snapshot's series by name and dimensions, and reads
// them as of the snapshot's time.
type metrics struct {
	now    time.Time
	series map[seriesKey]kds.MetricSeries
	// consumers lists, by stream name, the consumers that have series.
	consumers map[string][]string
}

// seriesKey identifies one series of a snapshot.
type seriesKey struct {
	name string
	dims kds.MetricDimensions
}

// indexMetrics indexes snap.
func indexMetrics(snap kds.MetricsSnapshot) metrics {
	m := metrics{
		now:       snap.Time,
		series:    make(map[seriesKey]kds.MetricSeries, len(snap.Series)),
		consumers: make(map[string][]string),
	}
	for _, s := range snap.Series {
		m.series[seriesKey{s.MetricName, s.Dimensions}] = s
		if d := s.Dimensions; d.ConsumerName != "" && s.MetricName == eventRecords {
			m.consumers[d.StreamName] = append(m.consumers[d.StreamName], d.ConsumerName)
		}
	}
	return m
}

// has reports whether the snapshot has the series at all.
func (m metrics) has(name string, dims kds.MetricDimensions) bool {
	_, ok := m.series[seriesKey{name, dims}]
	return ok
}

// sum is the metric's Sum over the window before now: the current minute
// so far plus the share of the previous minute still inside the window,
// taking its samples as spread evenly over it.
func (m metrics) sum(name string, dims kds.MetricDimensions) float64 {
	s, ok := m.series[seriesKey{name, dims}]
	if !ok {
		return 0
	}
	into := m.now.Sub(m.now.Truncate(time.Minute))
	previous := s.Minute(m.now.Add(-time.Minute)).Sum
	return s.Minute(m.now).Sum + previous*float64(window-into)/float64(window)
}

// rates reads a records metric and a bytes metric as a [Rate].
func (m metrics) rates(records, bytes string, dims kds.MetricDimensions) Rate {
	return Rate{
		RecordsPerSecond: m.sum(records, dims) / window.Seconds(),
		BytesPerSecond:   m.sum(bytes, dims) / window.Seconds(),
	}
}

// latestMaximum is the metric's Maximum in the current minute, or in the
// previous one while the current has no samples; nil when neither has
// any.
func (m metrics) latestMaximum(name string, dims kds.MetricDimensions) *float64 {
	s := m.series[seriesKey{name, dims}]
	for _, t := range []time.Time{m.now, m.now.Add(-time.Minute)} {
		if st := s.Minute(t); st.SampleCount > 0 {
			return &st.Maximum
		}
	}
	return nil
}
