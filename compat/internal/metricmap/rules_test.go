package metricmap

import (
	"testing"

	"github.com/kdsgo/kds"
)

// TestRules checks the naming rules on names the core does not (yet)
// publish.
func TestRules(t *testing.T) {
	for _, tt := range []struct {
		scope                Scope
		name                 string
		unit                 kds.MetricUnit
		kind                 Kind
		prom, otel, otelUnit string
	}{
		{Stream, "Foo.Size", kds.UnitBytes, Counter, "kinesis_foo_size_bytes_total", "aws.kinesis.foo.size", "By"},
		{Shard, "WaitMilliseconds", kds.UnitMilliseconds, Age, "kinesis_shard_wait_seconds", "aws.kinesis.shard.wait", "s"},
		{Consumer, "Bar.MillisAhead", kds.UnitMilliseconds, Age, "kinesis_bar_ahead_seconds", "aws.kinesis.bar.ahead", "s"},
		{Stream, "Baz.Latency", kds.UnitMilliseconds, Mean, "kinesis_baz_latency_seconds", "aws.kinesis.baz.latency", "s"},
		{Stream, "Baz.Success", kds.UnitCount, Mean, "kinesis_baz_success", "aws.kinesis.baz.success", "{call}"},
		{Stream, "Baz.LostRecords", kds.UnitCount, Counter, "kinesis_baz_lost_records_total", "aws.kinesis.baz.lost_records", "{record}"},
	} {
		m := newMetric(tt.scope, tt.name, tt.unit)
		if m.Kind != tt.kind || m.Prometheus != tt.prom || m.OTel != tt.otel || m.OTelUnit != tt.otelUnit {
			t.Errorf("%s %s: kind %d, %s, %s (%s); want kind %d, %s, %s (%s)", tt.scope, tt.name,
				m.Kind, m.Prometheus, m.OTel, m.OTelUnit, tt.kind, tt.prom, tt.otel, tt.otelUnit)
		}
	}
}
