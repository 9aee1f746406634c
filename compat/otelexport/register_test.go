package otelexport_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kdsgo/kds/compat/internal/metricstest"
	"github.com/kdsgo/kds/compat/otelexport"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// point is one collected data point, described for comparison.
type point struct {
	value float64
	kind  string // "cumulative monotonic sum" or "gauge"
	unit  string
}

// collect collects r's metrics of the exporter's scope, each data point
// keyed name{key=value,...} (keys sorted).
func collect(t *testing.T, r *sdkmetric.ManualReader) map[string]point {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := r.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	points := map[string]point{}
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != otelexport.ScopeName {
			continue
		}
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				addPoints(points, m, sumKind(d.Temporality, d.IsMonotonic), d.DataPoints)
			case metricdata.Sum[float64]:
				addPoints(points, m, sumKind(d.Temporality, d.IsMonotonic), d.DataPoints)
			case metricdata.Gauge[float64]:
				addPoints(points, m, "gauge", d.DataPoints)
			default:
				t.Errorf("%s: unexpected data %T", m.Name, m.Data)
			}
		}
	}
	return points
}

// sumKind describes a sum.
func sumKind(tm metricdata.Temporality, monotonic bool) string {
	kind := strings.ToLower(tm.String()) + " "
	if monotonic {
		kind += "monotonic "
	}
	return strings.Replace(kind, "temporality", "", 1) + "sum"
}

// addPoints adds m's data points to points.
func addPoints[N int64 | float64](points map[string]point, m metricdata.Metrics, kind string, dps []metricdata.DataPoint[N]) {
	for _, dp := range dps {
		var attrs []string
		for _, kv := range dp.Attributes.ToSlice() {
			attrs = append(attrs, fmt.Sprintf("%s=%s", kv.Key, kv.Value.AsString()))
		}
		slices.Sort(attrs)
		points[m.Name+"{"+strings.Join(attrs, ",")+"}"] = point{float64(dp.Value), kind, m.Unit}
	}
}

// Attribute sets of the scenario's series.
var (
	stream = "{aws.kinesis.stream_name=" + metricstest.Stream + "}"
	shard  = "{aws.kinesis.shard_id=" + metricstest.Shard + ",aws.kinesis.stream_name=" + metricstest.Stream + "}"
)

// register makes a MeterProvider with a ManualReader and registers the
// exporter of tr's Service on it.
func register(t *testing.T, tr *metricstest.Traffic) (*sdkmetric.ManualReader, func() error) {
	t.Helper()
	r := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(r))
	t.Cleanup(func() { mp.Shutdown(context.Background()) })
	unregister, err := otelexport.Register(mp, tr.Svc)
	if err != nil {
		t.Fatal(err)
	}
	return r, unregister
}

// wantPoints checks the points named in want.
func wantPoints(t *testing.T, got, want map[string]point) {
	t.Helper()
	for name, w := range want {
		if g, ok := got[name]; !ok {
			t.Errorf("no data point %s", name)
		} else if g != w {
			t.Errorf("%s = %+v, want %+v", name, g, w)
		}
	}
}

const sum = "cumulative monotonic sum"

func TestRegisterValues(t *testing.T) {
	tr := metricstest.New(t)
	r, _ := register(t, tr)
	tr.Run(t)
	got := collect(t, r)
	wantPoints(t, got, map[string]point{
		"aws.kinesis.incoming_bytes" + stream:                        {float64(tr.IncomingBytes), sum, "By"},
		"aws.kinesis.incoming_records" + stream:                      {float64(tr.IncomingRecords), sum, "{record}"},
		"aws.kinesis.put_records.throttled_records" + stream:         {float64(tr.PutRecordsThrottled), sum, "{record}"},
		"aws.kinesis.write_provisioned_throughput_exceeded" + stream: {float64(tr.WriteThrottled), sum, "{record}"},
		"aws.kinesis.read_provisioned_throughput_exceeded" + stream:  {float64(tr.ReadThrottled), sum, "{call}"},
		"aws.kinesis.put_record.success" + stream:                    {float64(tr.PutRecordStored), sum, "{call}"},
		"aws.kinesis.put_record.success.count" + stream:              {float64(tr.PutRecordCalls), sum, "{call}"},
		"aws.kinesis.get_records.latency" + stream:                   {0, sum, "s"},
		"aws.kinesis.get_records.latency.count" + stream:             {float64(metricstest.Timed(tr.GetRecordsCalls + tr.ReadThrottled)), sum, "{call}"},
		"aws.kinesis.get_records.bytes" + stream:                     {float64(tr.GetRecordsBytes), sum, "By"},
		"aws.kinesis.get_records.iterator_age" + stream:              {tr.IteratorAge.Seconds(), "gauge", "s"},
		"aws.kinesis.subscribe_to_shard.rate_exceeded{aws.kinesis.consumer_name=" + metricstest.Consumer + ",aws.kinesis.stream_name=" + metricstest.Stream + "}": {0, sum, "{call}"},
	})
	for name := range got {
		if strings.HasPrefix(name, "aws.kinesis.shard.") {
			t.Errorf("shard-level data point %s before EnableEnhancedMonitoring", name)
		}
	}
}

func TestRegisterShardLevel(t *testing.T) {
	tr := metricstest.New(t)
	r, _ := register(t, tr)
	tr.RunShard(t)
	wantPoints(t, collect(t, r), map[string]point{
		"aws.kinesis.shard.incoming_bytes" + shard:   {float64(tr.ShardIncomingBytes), sum, "By"},
		"aws.kinesis.shard.incoming_records" + shard: {float64(tr.ShardIncomingRecords), sum, "{record}"},
		"aws.kinesis.shard.outgoing_bytes" + shard:   {0, sum, "By"},
	})
}

// TestUnregister checks that collections after unregister observe
// nothing, and that cumulative values carry on across collections
// before.
func TestUnregister(t *testing.T) {
	tr := metricstest.New(t)
	r, unregister := register(t, tr)
	tr.RunShard(t)
	first := collect(t, r)["aws.kinesis.incoming_bytes"+stream]
	tr.RunShard(t)
	second := collect(t, r)["aws.kinesis.incoming_bytes"+stream]
	if second.value != float64(tr.IncomingBytes) || second.value <= first.value {
		t.Errorf("incoming bytes %v then %v, want %v at last", first.value, second.value, tr.IncomingBytes)
	}
	if err := unregister(); err != nil {
		t.Fatal(err)
	}
	if got := collect(t, r); len(got) != 0 {
		t.Errorf("%d data points after unregister", len(got))
	}
}
