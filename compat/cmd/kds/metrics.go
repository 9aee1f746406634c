package main

import (
	"crypto/tls"
	"log/slog"
	"net/http"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/compat/promexport"
)

// newMetricsServer listens on addr and prepares to serve svc's metrics
// there at /metrics, in Prometheus's formats, over plain HTTP or, with
// tlsConf, HTTPS.
func newMetricsServer(addr string, svc *kds.Service, tlsConf *tls.Config, log *slog.Logger) (*server, error) {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promexport.Handler(svc))
	return newServer(addr, mux, tlsConf, log)
}
