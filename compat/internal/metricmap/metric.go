package metricmap

import (
	"fmt"
	"time"

	"github.com/kdsgo/kds"
)

// Metric is one CloudWatch metric at one scope and what it is exported
// as.
type Metric struct {
	Scope Scope
	// Name and Unit are the CloudWatch name and unit.
	Name string
	Unit kds.MetricUnit
	Kind Kind

	// Prometheus is the family name. A Mean metric's family is a summary:
	// its series are Prometheus+"_sum" and Prometheus+"_count".
	Prometheus string
	// OTel is the instrument of the Sum (Counter, Mean) or of the latest
	// Maximum (Age); OTelCount, only for Mean, the instrument of the
	// SampleCount. OTelUnit and OTelCountUnit are their UCUM units.
	OTel, OTelCount         string
	OTelUnit, OTelCountUnit string

	// Scale converts values from Unit to the exported unit.
	Scale float64
}

// newMetric derives what the metric named name with unit unit at scope s
// is exported as.
func newMetric(s Scope, name string, unit kds.MetricUnit) Metric {
	m := Metric{Scope: s, Name: name, Unit: unit, Kind: kindOf(name, unit), Scale: scale(unit)}
	m.Prometheus = prometheusName(s, name, unit, m.Kind)
	m.OTel, m.OTelUnit = otelName(s, name), otelUnit(name, unit)
	if m.Kind == Mean {
		m.OTelCount, m.OTelCountUnit = m.OTel+".count", counted(name)
	}
	return m
}

// Sum returns the Sum of the series' samples since it began, in the
// exported unit.
func (m *Metric) Sum(s kds.MetricSeries) float64 { return s.Total.Sum * m.Scale }

// Latest returns the Maximum of the series' latest minute with samples,
// in the exported unit, if that minute is the one now falls in or the one
// before; ok is false otherwise. An age that no recent call reported is
// unknown (a reader that stopped falls further behind), so it is better
// left out than repeated.
func (m *Metric) Latest(s kds.MetricSeries, now time.Time) (v float64, ok bool) {
	if len(s.Datapoints) == 0 {
		return 0, false
	}
	d := s.Datapoints[len(s.Datapoints)-1]
	if d.Timestamp.Before(now.Truncate(time.Minute).Add(-time.Minute)) {
		return 0, false
	}
	return d.Maximum * m.Scale, true
}

// Help describes the Prometheus family: which CloudWatch metric, of
// what, which statistics and in which unit.
func (m *Metric) Help() string {
	switch m.Kind {
	case Mean:
		return m.describe("the Sum and the SampleCount of its samples since "+m.since(), true)
	case Age:
		return m.describe("the Maximum of its latest minute with samples, if that is this minute or the last", true)
	}
	return m.sumHelp()
}

// OTelHelp describes the instrument named OTel.
func (m *Metric) OTelHelp() string {
	if m.Kind == Mean {
		return m.sumHelp()
	}
	return m.Help()
}

// OTelCountHelp describes the instrument named OTelCount.
func (m *Metric) OTelCountHelp() string {
	return m.describe("the SampleCount of its samples since "+m.since(), false)
}

// sumHelp describes the Sum of the metric.
func (m *Metric) sumHelp() string {
	return m.describe("the Sum of its samples since "+m.since(), true)
}

// since says since when totals count.
func (m *Metric) since() string { return "the " + m.Scope.String() + " began recording" }

// describe is the description of statistic stat of the metric, whose
// values are in seconds if scaled and the metric is in milliseconds.
func (m *Metric) describe(stat string, scaled bool) string {
	unit := ""
	if scaled && m.Unit == kds.UnitMilliseconds {
		unit = ", in seconds"
	}
	return fmt.Sprintf("Kinesis's CloudWatch metric %s of a %s: %s%s.", m.Name, m.Scope, stat, unit)
}
