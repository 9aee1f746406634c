package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// shutdownTimeout bounds how long a graceful shutdown waits for requests
// in flight before it closes their connections.
const shutdownTimeout = 5 * time.Second

// server is the HTTP side of kds serve: a listener, the protocols spoken on
// it, and a graceful shutdown that does not wait for event streams.
type server struct {
	http *http.Server
	ln   net.Listener
	tls  bool // kept apart: serving rewrites http.TLSConfig
}

// eventStreamHandler is a handler whose event streams (SubscribeToShard
// responses) can be told to end, as [kinesisapi.Handler]'s can.
type eventStreamHandler interface {
	http.Handler
	EndEventStreams()
}

// newServer listens on addr and prepares to serve h there (ending a
// Kinesis handler's event streams first when it shuts down). On plain HTTP
// it speaks HTTP/1.1 and cleartext HTTP/2 with prior knowledge (h2c); with
// tlsConf it speaks HTTP/1.1 and HTTP/2 negotiated by ALPN. Server errors
// (bad TLS handshakes, for one) are logged to log at Warn level.
func newServer(addr string, h http.Handler, tlsConf *tls.Config, log *slog.Logger) (*server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	if tlsConf != nil {
		protocols.SetHTTP2(true)
	} else {
		protocols.SetUnencryptedHTTP2(true)
	}
	srv := &http.Server{
		Handler:           h,
		Protocols:         &protocols,
		TLSConfig:         tlsConf,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	// Event streams would hold a graceful shutdown for minutes.
	if k, ok := h.(eventStreamHandler); ok {
		srv.RegisterOnShutdown(k.EndEventStreams)
	}
	return &server{http: srv, ln: ln, tls: tlsConf != nil}, nil
}

// url is the address clients connect to. An unspecified listening address
// (":4567", "0.0.0.0:4567") is shown as localhost.
func (s *server) url() string {
	scheme := "http"
	if s.tls {
		scheme = "https"
	}
	host, port, _ := net.SplitHostPort(s.ln.Addr().String())
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// serve answers requests until ctx ends, then shuts down gracefully:
// requests in flight may finish within [shutdownTimeout], event streams
// are told to end at once. It returns nil after a clean shutdown.
func (s *server) serve(ctx context.Context) error {
	served := make(chan error, 1)
	go func() {
		if s.tls {
			served <- s.http.ServeTLS(s.ln, "", "")
		} else {
			served <- s.http.Serve(s.ln)
		}
	}()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := s.http.Shutdown(sctx); err != nil {
		s.http.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// serveAll serves every server until ctx ends or one of them fails, then
// shuts them all down. It returns the first error.
func serveAll(ctx context.Context, servers ...*server) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, len(servers))
	for _, s := range servers {
		go func() { errs <- s.serve(ctx) }()
	}
	var first error
	for range servers {
		if err := <-errs; err != nil && first == nil {
			first = err
			cancel()
		}
	}
	return first
}
