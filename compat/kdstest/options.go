package kdstest

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/compat/internal/startup"
)

// Option configures [New].
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// config is what the options ask of New.
type config struct {
	clock       *kds.ManualClock
	svcOpts     []kds.Option
	streams     []startup.Stream
	clientOpts  []func(*kinesis.Options)
	maxAttempts int
	requestLog  bool
}

// WithManualClock runs the Service on a [kds.ManualClock] that reads start
// until the test moves it through [Fake.Clock]. Only the Service reads
// it: the SDK signs requests and waits between retries in real time.
func WithManualClock(start time.Time) Option {
	return optionFunc(func(c *config) { c.clock = kds.NewManualClock(start) })
}

// WithServiceOptions passes options to [kds.NewService], after the clock
// of [WithManualClock].
func WithServiceOptions(opts ...kds.Option) Option {
	return optionFunc(func(c *config) { c.svcOpts = append(c.svcOpts, opts...) })
}

// WithStream creates a provisioned stream with the given shard count
// before New returns, and waits until it is ACTIVE; repeat it for more
// streams. On a manual clock with a create delay the stream cannot become
// ACTIVE by itself, so New fails the test: create such a stream in the
// test instead.
func WithStream(name string, shards int) Option {
	return optionFunc(func(c *config) { c.streams = append(c.streams, startup.Stream{Name: name, Shards: shards}) })
}

// WithClientOptions changes the options of the clients the fake makes,
// after its own settings: the endpoint, region, credentials and retries.
func WithClientOptions(fns ...func(*kinesis.Options)) Option {
	return optionFunc(func(c *config) { c.clientOpts = append(c.clientOpts, fns...) })
}

// WithMaxAttempts sets how many times the client tries a call before it
// returns the error: 1 turns retries off, so a test sees each throttling
// error. Default: the SDK's, 3 attempts with backoff between them.
func WithMaxAttempts(n int) Option {
	return optionFunc(func(c *config) { c.maxAttempts = n })
}

// WithRequestLog logs one line per request the fake answers (operation,
// status, error type, duration) to the test's output.
func WithRequestLog() Option {
	return optionFunc(func(c *config) { c.requestLog = true })
}
