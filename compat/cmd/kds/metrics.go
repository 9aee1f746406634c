package main

import (
	"log/slog"
	"net/http"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/compat/promexport"
)

// newMetricsServer listens on addr and prepares to serve svc's metrics
// there at /metrics, in Prometheus's formats, over plain HTTP.
func newMetricsServer(addr string, svc *kds.Service, log *slog.Logger) (*server, error) {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promexport.Handler(svc))
	return newServer(addr, mux, nil, log)
}
