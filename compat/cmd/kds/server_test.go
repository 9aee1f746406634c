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
	srv, err := newServer("127.0.0.1:0", kinesisapi.NewHandler(svc), tlsConf, slog.New(slog.DiscardHandler))
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
	svc, err := kds.NewService()
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	ctx := context.Background()
	if _, err := svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: "s", ShardCount: 1}); err != nil {
		t.Fatal(err)
	}
	d, err := svc.DescribeStreamSummary(ctx, kds.DescribeStreamSummaryInput{StreamName: "s"})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := svc.RegisterStreamConsumer(ctx, kds.RegisterStreamConsumerInput{StreamARN: d.StreamDescriptionSummary.StreamARN, ConsumerName: "c"})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := newServer("127.0.0.1:0", kinesisapi.NewHandler(svc), nil, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	serveCtx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- srv.serve(serveCtx) }()

	body := `{"ConsumerARN":"` + reg.Consumer.ConsumerARN + `","ShardId":"shardId-000000000000","StartingPosition":{"Type":"LATEST"}}`
	req, _ := http.NewRequest(http.MethodPost, srv.url(), strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "Kinesis_20131202.SubscribeToShard")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x/20261126/us-east-1/kinesis/aws4_request")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/vnd.amazon.eventstream" {
		t.Fatalf("SubscribeToShard answered %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	drained := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, resp.Body)
		drained <- err
	}()

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
	case err := <-drained:
		if err != nil {
			t.Errorf("the event stream did not end cleanly: %v", err)
		}
	case <-time.After(time.Second):
		t.Error("the event stream is still open after shutdown")
	}
}
