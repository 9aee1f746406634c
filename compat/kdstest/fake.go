package kdstest

import (
	"log/slog"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/compat/internal/sdkhttp"
	"github.com/kdsgo/kds/compat/internal/startup"
	"github.com/kdsgo/kds/compat/kinesisapi"
)

// Fake is a running Kinesis fake: a Service, the HTTP server that serves
// it, and a client of that server. Create it with [New].
type Fake struct {
	svc         *kds.Service
	srv         *httptest.Server
	client      *kinesis.Client
	clock       *kds.ManualClock
	clientOpts  []func(*kinesis.Options)
	maxAttempts int
}

// New starts a fake for the test t and returns it once its streams (see
// [WithStream]) are ACTIVE. It fails t if the options are invalid. When
// the test ends, the server stops (ending open SubscribeToShard responses)
// and the Service closes.
func New(t testing.TB, opts ...Option) *Fake {
	t.Helper()
	var cfg config
	for _, o := range opts {
		o.apply(&cfg)
	}
	svcOpts := cfg.svcOpts
	if cfg.clock != nil {
		svcOpts = append([]kds.Option{kds.WithClock(cfg.clock)}, svcOpts...)
	}
	svc, err := kds.NewService(svcOpts...)
	if err != nil {
		t.Fatalf("kdstest: %v", err)
	}
	t.Cleanup(func() { svc.Close() })
	if err := startup.CreateStreams(t.Context(), svc, cfg.streams); err != nil {
		t.Fatalf("kdstest: %v", err)
	}

	var handlerOpts []kinesisapi.Option
	if cfg.requestLog {
		handlerOpts = append(handlerOpts, kinesisapi.WithLogger(slog.New(slog.NewTextHandler(t.Output(), nil))))
	}
	h := kinesisapi.NewHandler(svc, handlerOpts...)
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		// Event streams would keep srv.Close waiting for minutes.
		h.EndEventStreams()
		srv.Close()
	})

	f := &Fake{svc: svc, srv: srv, clock: cfg.clock, clientOpts: cfg.clientOpts, maxAttempts: cfg.maxAttempts}
	f.client = f.NewClient()
	return f
}

// Client returns the fake's Kinesis client, made by [Fake.NewClient] with
// no further options.
func (f *Fake) Client() *kinesis.Client { return f.client }

// NewClient returns another client of the fake, configured as [Fake.Client]
// is and then by fns: for instance one that does not retry. It uses the
// Service's region, static dummy credentials, the fake's URL as base
// endpoint, an HTTP client safe from the SDK's early closing of request
// bodies, and the options of [WithMaxAttempts] and [WithClientOptions].
// Each live SubscribeToShard needs a client of its own (see the package
// documentation).
func (f *Fake) NewClient(fns ...func(*kinesis.Options)) *kinesis.Client {
	return kinesis.New(kinesis.Options{
		Region:           f.svc.Region(),
		BaseEndpoint:     aws.String(f.srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDKDSTEST", "kdstest-secret", ""),
		HTTPClient:       sdkhttp.OwnBody{Client: f.srv.Client()},
		RetryMaxAttempts: f.maxAttempts,
	}, slices.Concat(f.clientOpts, fns)...)
}

// Service returns the Service behind the server, for set-up and checks
// that need not go over the wire.
func (f *Fake) Service() *kds.Service { return f.svc }

// URL returns the server's base URL, http://127.0.0.1:port, for clients
// other than the one the fake makes.
func (f *Fake) URL() string { return f.srv.URL }

// Clock returns the Service's clock if [WithManualClock] was given, and
// nil otherwise.
func (f *Fake) Clock() *kds.ManualClock { return f.clock }
