package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/compat/kinesisapi"
)

// startServer serves a new Service's Kinesis API on a free port, over TLS
// if tlsConf is not nil, until the test ends.
func startServer(t *testing.T, tlsConf *tls.Config) *server {
	t.Helper()
	svc, err := kds.NewService()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	return startHandler(t, kinesisapi.NewHandler(svc), tlsConf)
}

// startHandler serves h on a free port until the test ends, when it
// checks that the server shut down cleanly.
func startHandler(t *testing.T, h http.Handler, tlsConf *tls.Config) *server {
	t.Helper()
	srv, err := newServer("127.0.0.1:0", h, tlsConf, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.serve(ctx) }()
	t.Cleanup(func() {
		stop()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return srv
}

// describeSummary posts a DescribeStreamSummary for a stream that does not
// exist: any Kinesis answer proves the request got through.
func describeSummary(t *testing.T, c *http.Client, url string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(`{"StreamName":"absent"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "Kinesis_20131202.DescribeStreamSummary")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=00")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "ResourceNotFoundException") {
		t.Fatalf("answer %d %s, want 400 ResourceNotFoundException", resp.StatusCode, body)
	}
	return resp
}

func TestProtocols(t *testing.T) {
	cert, err := selfSignedCert(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tlsServer := startServer(t, &tls.Config{Certificates: []tls.Certificate{cert}})
	plainServer := startServer(t, nil)
	insecure := &tls.Config{InsecureSkipVerify: true}

	tests := []struct {
		name      string
		srv       *server
		protocols func(*http.Protocols)
		tls       *tls.Config
		wantMajor int
	}{
		{"HTTP/1.1", plainServer, func(p *http.Protocols) { p.SetHTTP1(true) }, nil, 1},
		{"h2c with prior knowledge", plainServer, func(p *http.Protocols) { p.SetUnencryptedHTTP2(true) }, nil, 2},
		{"HTTP/1.1 over TLS", tlsServer, func(p *http.Protocols) { p.SetHTTP1(true) }, insecure, 1},
		{"h2 over TLS", tlsServer, func(p *http.Protocols) { p.SetHTTP2(true) }, insecure, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p http.Protocols
			tt.protocols(&p)
			tr := &http.Transport{Protocols: &p, TLSClientConfig: tt.tls}
			defer tr.CloseIdleConnections()
			resp := describeSummary(t, &http.Client{Transport: tr}, tt.srv.url())
			if resp.ProtoMajor != tt.wantMajor {
				t.Errorf("answered in %s, want HTTP/%d", resp.Proto, tt.wantMajor)
			}
		})
	}
}

func TestSelfSignedCertVerifies(t *testing.T) {
	cert, err := selfSignedCert(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, &tls.Config{Certificates: []tls.Certificate{cert}})
	roots := x509.NewCertPool()
	roots.AddCert(cert.Leaf)
	for _, host := range []string{"localhost", "127.0.0.1"} {
		url := strings.Replace(srv.url(), "127.0.0.1", host, 1)
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, ForceAttemptHTTP2: true}
		resp := describeSummary(t, &http.Client{Transport: tr}, url)
		tr.CloseIdleConnections()
		if resp.ProtoMajor != 2 {
			t.Errorf("%s: answered in %s, want HTTP/2", host, resp.Proto)
		}
	}
}

func TestShutdownEndsSubscriptions(t *testing.T) {
	started := make(chan struct{})
	ended := make(chan struct{})
	// A stand-in for SubscribeToShard: it answers with a stream that lasts
	// until the request's context ends.
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		http.NewResponseController(w).Flush()
		close(started)
		<-r.Context().Done()
		close(ended)
	})
	srv, err := newServer("127.0.0.1:0", h, nil, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.serve(ctx) }()

	req, _ := http.NewRequest(http.MethodPost, srv.url(), nil)
	req.Header.Set("X-Amz-Target", "Kinesis_20131202.SubscribeToShard")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	<-started

	stop()
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(shutdownTimeout / 2):
		t.Fatal("shutdown waits for the open subscription")
	}
	select {
	case <-ended:
	default:
		t.Error("the subscription's context did not end")
	}
}
