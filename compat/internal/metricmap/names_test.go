package metricmap_test

import (
	"regexp"
	"slices"
	"testing"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/compat/internal/metricmap"
)

// TestCatalogue checks that the catalogue has every metric Kinesis
// documents at each scope, and that the exported names are valid and
// distinct: a collision would merge two metrics into one family.
func TestCatalogue(t *testing.T) {
	counts := map[metricmap.Scope]int{}
	prom, otel := map[string]string{}, map[string]string{}
	promName := regexp.MustCompile(`^kinesis_[a-z]+(_[a-z]+)*$`)
	otelName := regexp.MustCompile(`^aws\.kinesis(\.[a-z]+(_[a-z]+)*)+$`)
	for _, m := range metricmap.All() {
		counts[m.Scope]++
		id := m.Scope.String() + " " + m.Name
		if !promName.MatchString(m.Prometheus) {
			t.Errorf("%s: Prometheus name %q", id, m.Prometheus)
		}
		if prev, dup := prom[m.Prometheus]; dup {
			t.Errorf("%s and %s are both %s", prev, id, m.Prometheus)
		}
		prom[m.Prometheus] = id
		for _, n := range []string{m.OTel, m.OTelCount} {
			if n == "" {
				continue
			}
			if !otelName.MatchString(n) {
				t.Errorf("%s: OpenTelemetry name %q", id, n)
			}
			if prev, dup := otel[n]; dup {
				t.Errorf("%s and %s are both %s", prev, id, n)
			}
			otel[n] = id
		}
	}
	// KINESIS.md §12: 19 stream-level metrics, 7 shard-level, 6 per
	// consumer.
	want := map[metricmap.Scope]int{metricmap.Stream: 19, metricmap.Shard: 7, metricmap.Consumer: 6}
	for s, n := range want {
		if counts[s] != n {
			t.Errorf("%d %s metrics, want %d", counts[s], s, n)
		}
	}
}

// TestScopeLabels checks which dimensions label each scope's series.
func TestScopeLabels(t *testing.T) {
	d := kds.MetricDimensions{StreamName: "s", ShardId: "shardId-1", ConsumerName: "c"}
	for _, tt := range []struct {
		scope      metricmap.Scope
		labels     []string
		attributes []string
		values     []string
	}{
		{metricmap.Stream, []string{"stream_name"}, []string{"aws.kinesis.stream_name"}, []string{"s"}},
		{metricmap.Shard, []string{"stream_name", "shard_id"}, []string{"aws.kinesis.stream_name", "aws.kinesis.shard_id"}, []string{"s", "shardId-1"}},
		{metricmap.Consumer, []string{"stream_name", "consumer_name"}, []string{"aws.kinesis.stream_name", "aws.kinesis.consumer_name"}, []string{"s", "c"}},
	} {
		if got := tt.scope.Labels(); !slices.Equal(got, tt.labels) {
			t.Errorf("%s labels %q, want %q", tt.scope, got, tt.labels)
		}
		if got := tt.scope.Attributes(); !slices.Equal(got, tt.attributes) {
			t.Errorf("%s attributes %q, want %q", tt.scope, got, tt.attributes)
		}
		if got := tt.scope.Values(d); !slices.Equal(got, tt.values) {
			t.Errorf("%s values %q, want %q", tt.scope, got, tt.values)
		}
	}
	for d, want := range map[kds.MetricDimensions]metricmap.Scope{
		{StreamName: "s"}:                    metricmap.Stream,
		{StreamName: "s", ShardId: "x"}:      metricmap.Shard,
		{StreamName: "s", ConsumerName: "c"}: metricmap.Consumer,
	} {
		if got := metricmap.ScopeOf(d); got != want {
			t.Errorf("ScopeOf(%+v) = %s, want %s", d, got, want)
		}
	}
}
