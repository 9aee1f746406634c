package otelexport_test

import (
	"context"
	"testing"

	"github.com/kdsgo/kds/compat/internal/metricstest"
	"github.com/kdsgo/kds/compat/otelexport"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// BenchmarkCollect measures one collection by the SDK's ManualReader of a
// Service of 10 streams of 4 shards with every shard-level metric on.
func BenchmarkCollect(b *testing.B) {
	r := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(r))
	defer mp.Shutdown(context.Background())
	if _, err := otelexport.Register(mp, metricstest.Busy(b, 10, 4)); err != nil {
		b.Fatal(err)
	}
	var rm metricdata.ResourceMetrics
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Collect(context.Background(), &rm); err != nil {
			b.Fatal(err)
		}
	}
}
