package promexport_test

import (
	"net/http/httptest"
	"testing"

	"github.com/kdsgo/kds/compat/internal/metricstest"
	"github.com/kdsgo/kds/compat/promexport"
	"github.com/prometheus/client_golang/prometheus"
)

// BenchmarkCollect measures one Collect over a Service of 10 streams of 4
// shards with every shard-level metric on: a snapshot and the metrics
// made of it, reported as series/op.
func BenchmarkCollect(b *testing.B) {
	c := promexport.NewCollector(metricstest.Busy(b, 10, 4))
	ch := make(chan prometheus.Metric, 1024)
	series := 0
	b.ReportAllocs()
	for b.Loop() {
		go func() {
			c.Collect(ch)
			close(ch)
		}()
		series = 0
		for range ch {
			series++
		}
		ch = make(chan prometheus.Metric, 1024)
	}
	b.ReportMetric(float64(series), "series/op")
}

// BenchmarkScrape measures a whole scrape of the same Service through
// [promexport.Handler]: collecting, gathering and encoding the text
// format, reported as bytes/op of exposition.
func BenchmarkScrape(b *testing.B) {
	h := promexport.Handler(metricstest.Busy(b, 10, 4))
	req := httptest.NewRequest("GET", "/metrics", nil)
	size := 0
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		size = w.Body.Len()
	}
	b.ReportMetric(float64(size), "bytes/op")
}
