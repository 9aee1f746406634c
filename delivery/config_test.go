package delivery

import (
	"context"
	"math"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/consumergroup"
)

// validConfig returns a Config New accepts.
func validConfig() Config {
	svc, _ := kds.NewService()
	return Config{
		DeliveryStreamName: "orders",
		StreamName:         "events",
		Client:             svc,
		Store:              consumergroup.NewMemStore(),
		Destination:        &recorder{},
	}
}

func TestConfigValidation(t *testing.T) {
	httpDest, err := NewHTTPEndpointDestination(HTTPEndpointConfig{URL: "https://example.com/ingest"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(*Config)
		want string // substring of the error; "" for valid
	}{
		{"valid", func(c *Config) {}, ""},
		{"no name", func(c *Config) { c.DeliveryStreamName = "" }, "DeliveryStreamName"},
		{"name too long", func(c *Config) { c.DeliveryStreamName = strings.Repeat("a", 65) }, "DeliveryStreamName"},
		{"name 64", func(c *Config) { c.DeliveryStreamName = strings.Repeat("a", 64) }, ""},
		{"bad name character", func(c *Config) { c.DeliveryStreamName = "a/b" }, "DeliveryStreamName"},
		{"negative version", func(c *Config) { c.DeliveryStreamVersion = -1 }, "DeliveryStreamVersion"},
		{"no stream", func(c *Config) { c.StreamName = "" }, "StreamName"},
		{"bad stream name", func(c *Config) { c.StreamName = "a b" }, "StreamName"},
		{"AtTimestamp without a time", func(c *Config) {
			p := consumergroup.AtTimestamp(time.Time{})
			c.InitialPosition = &p
		}, "InitialPosition"},
		{"no client", func(c *Config) { c.Client = nil }, "Client"},
		{"no store", func(c *Config) { c.Store = nil }, "Store"},
		{"no destination", func(c *Config) { c.Destination = nil }, "Destination"},

		{"hints: both set", func(c *Config) { c.BufferingHints = BufferingHints{Int(128), Int(900)} }, ""},
		{"hints: minimums", func(c *Config) { c.BufferingHints = BufferingHints{Int(1), Int(0)} }, ""},
		{"hints: size only", func(c *Config) { c.BufferingHints.SizeInMBs = Int(5) }, "set both or neither"},
		{"hints: interval only", func(c *Config) { c.BufferingHints.IntervalInSeconds = Int(300) }, "set both or neither"},
		{"hints: size 0", func(c *Config) { c.BufferingHints = BufferingHints{Int(0), Int(60)} }, "SizeInMBs 0 is outside [1, 128]"},
		{"hints: size 129", func(c *Config) { c.BufferingHints = BufferingHints{Int(129), Int(60)} }, "SizeInMBs 129"},
		{"hints: interval -1", func(c *Config) { c.BufferingHints = BufferingHints{Int(5), Int(-1)} }, "IntervalInSeconds -1 is outside [0, 900]"},
		{"hints: interval 901", func(c *Config) { c.BufferingHints = BufferingHints{Int(5), Int(901)} }, "IntervalInSeconds 901"},
		{"hints: HTTP size 64", func(c *Config) {
			c.Destination, c.ErrorOutput, c.BufferingHints = httpDest, &recorder{}, BufferingHints{Int(64), Int(60)}
		}, ""},
		{"hints: HTTP size 65", func(c *Config) {
			c.Destination, c.ErrorOutput, c.BufferingHints = httpDest, &recorder{}, BufferingHints{Int(65), Int(60)}
		}, "SizeInMBs 65 is outside [1, 64]"},
		{"HTTP without error output", func(c *Config) { c.Destination = httpDest }, "ErrorOutput is nil"},
		{"HTTP as error output", func(c *Config) { c.ErrorOutput = httpDest }, "cannot be the error output"},
		{"wrapped HTTP: size 64", func(c *Config) {
			c.Destination, c.ErrorOutput, c.BufferingHints = wrap(httpDest), &recorder{}, BufferingHints{Int(64), Int(60)}
		}, ""},
		{"wrapped HTTP: size 65", func(c *Config) {
			c.Destination, c.ErrorOutput, c.BufferingHints = wrap(httpDest), &recorder{}, BufferingHints{Int(65), Int(60)}
		}, "SizeInMBs 65 is outside [1, 64]"},
		{"wrapped HTTP without error output", func(c *Config) { c.Destination = wrap(httpDest) }, "ErrorOutput is nil"},
		{"wrapped HTTP as error output", func(c *Config) { c.ErrorOutput = wrap(httpDest) }, "cannot be the error output"},

		{"transform buffer 0.2", func(c *Config) { c.Transform, c.TransformBufferSizeInMBs = byPrefix, 0.2 }, ""},
		{"transform buffer 3", func(c *Config) { c.Transform, c.TransformBufferSizeInMBs = byPrefix, 3 }, ""},
		{"transform buffer 0.1", func(c *Config) { c.Transform, c.TransformBufferSizeInMBs = byPrefix, 0.1 }, "TransformBufferSizeInMBs: 0.1 is outside [0.2, 3]"},
		{"transform buffer 3.5", func(c *Config) { c.Transform, c.TransformBufferSizeInMBs = byPrefix, 3.5 }, "TransformBufferSizeInMBs: 3.5 is outside [0.2, 3]"},
		{"transform buffer -1", func(c *Config) { c.Transform, c.TransformBufferSizeInMBs = byPrefix, -1 }, "TransformBufferSizeInMBs: -1"},
		{"transform buffer NaN", func(c *Config) { c.Transform, c.TransformBufferSizeInMBs = byPrefix, math.NaN() }, "TransformBufferSizeInMBs: NaN"},
		{"transform buffer without transform", func(c *Config) { c.TransformBufferSizeInMBs = 1 }, "without a Transform"},

		{"prefix: literal", func(c *Config) { c.Prefix = "logs/" }, ""},
		{"prefix: timestamp needs error prefix", func(c *Config) { c.Prefix = "!{timestamp:yyyy}/" }, "ErrorOutputPrefix is empty"},
		{"prefix: timestamp", func(c *Config) {
			c.Prefix, c.ErrorOutputPrefix = "y=!{timestamp:yyyy}/", "err/!{firehose:error-output-type}/"
		}, ""},
		{"prefix: unknown namespace", func(c *Config) { c.Prefix = "!{foo:bar}/" }, "unknown expression !{foo:bar}"},
		{"prefix: unknown firehose value", func(c *Config) { c.Prefix = "!{firehose:shard}/" }, "unknown expression"},
		{"prefix: not namespace:value", func(c *Config) { c.Prefix = "!{timestamp}/" }, "not !{namespace:value}"},
		{"prefix: unterminated", func(c *Config) { c.Prefix = "a/!{timestamp:yyyy" }, "unterminated"},
		{"prefix: bad pattern", func(c *Config) { c.Prefix = "!{timestamp:EEE}/" }, `"EEE" is not supported`},
		{"prefix: error type", func(c *Config) {
			c.Prefix, c.ErrorOutputPrefix = "!{firehose:error-output-type}/", "e/!{firehose:error-output-type}/"
		}, "allowed only in ErrorOutputPrefix"},
		{"error prefix without type", func(c *Config) { c.ErrorOutputPrefix = "e/!{timestamp:yyyy}/" }, "no !{firehose:error-output-type}"},
		{"error prefix literal", func(c *Config) { c.ErrorOutputPrefix = "errors/" }, ""},
		{"prefix escapes", func(c *Config) { c.Prefix = "../up/" }, "does not make a relative path"},
		{"prefix absolute", func(c *Config) { c.Prefix = "/abs/" }, "does not make a relative path"},
		{"error prefix escapes", func(c *Config) { c.ErrorOutputPrefix = "a/../../!{firehose:error-output-type}" }, "does not make a relative path"},

		{"partitioning: key without enabling", func(c *Config) {
			c.Prefix, c.ErrorOutputPrefix = "!{kinesis:partition-key}/", "e/!{firehose:error-output-type}/"
		}, "need DynamicPartitioning.Enabled"},
		{"partitioning: query without enabling", func(c *Config) {
			c.DynamicPartitioning.MetadataExtractionQuery = map[string]string{"c": ".c"}
		}, "not enabled"},
		{"partitioning: enabled", func(c *Config) {
			c.Prefix, c.ErrorOutputPrefix = "c=!{partitionKeyFromQuery:c}/", "e/!{firehose:error-output-type}/"
			c.DynamicPartitioning = DynamicPartitioning{Enabled: true, MetadataExtractionQuery: map[string]string{"c": ".customer.id"}}
		}, ""},
		{"partitioning: zero buffering", func(c *Config) {
			c.Prefix, c.ErrorOutputPrefix = "c=!{kinesis:partition-key}/", "e/!{firehose:error-output-type}/"
			c.DynamicPartitioning.Enabled = true
			c.BufferingHints = BufferingHints{Int(64), Int(0)}
		}, "IntervalInSeconds: 0 (zero buffering) is not available with dynamic partitioning"},
		{"partitioning: 1 s, 1 MiB", func(c *Config) {
			c.Prefix, c.ErrorOutputPrefix = "c=!{kinesis:partition-key}/", "e/!{firehose:error-output-type}/"
			c.DynamicPartitioning.Enabled = true
			c.BufferingHints = BufferingHints{Int(1), Int(1)}
		}, ""},
		{"partitioning: no error prefix", func(c *Config) {
			c.Prefix = "c=!{kinesis:partition-key}/"
			c.DynamicPartitioning.Enabled = true
		}, "ErrorOutputPrefix is required"},
		{"partitioning: prefix without key", func(c *Config) {
			c.Prefix, c.ErrorOutputPrefix = "static/", "e/!{firehose:error-output-type}/"
			c.DynamicPartitioning.Enabled = true
		}, "uses no partition key"},
		{"partitioning: undefined query key", func(c *Config) {
			c.Prefix, c.ErrorOutputPrefix = "c=!{partitionKeyFromQuery:c}/", "e/!{firehose:error-output-type}/"
			c.DynamicPartitioning.Enabled = true
		}, "has no query"},
		{"partitioning: lambda key without transform", func(c *Config) {
			c.Prefix, c.ErrorOutputPrefix = "c=!{partitionKeyFromLambda:c}/", "e/!{firehose:error-output-type}/"
			c.DynamicPartitioning.Enabled = true
		}, "needs a Transform"},
		{"partitioning: bad query", func(c *Config) {
			c.Prefix, c.ErrorOutputPrefix = "c=!{partitionKeyFromQuery:c}/", "e/!{firehose:error-output-type}/"
			c.DynamicPartitioning = DynamicPartitioning{Enabled: true, MetadataExtractionQuery: map[string]string{"c": ".a | .b"}}
		}, "unsupported syntax"},
		{"partitioning: key in error prefix", func(c *Config) {
			c.Prefix, c.ErrorOutputPrefix = "c=!{kinesis:partition-key}/", "e/!{firehose:error-output-type}/!{kinesis:partition-key}/"
			c.DynamicPartitioning.Enabled = true
		}, "partition keys (kinesis:partition-key) are not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig()
			tt.edit(&c)
			_, err := New(c)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("New: %v", err)
			case tt.want != "" && err == nil:
				t.Fatalf("New accepted the config, want an error with %q", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Fatalf("New: %v\nwant an error with %q", err, tt.want)
			}
		})
	}
}

// wrapper is a Destination wrapping another, as a user's would (to count
// deliveries, say): it passes the optional interfaces on.
type wrapper struct {
	Destination
	calls atomic.Int64
}

func wrap(d Destination) *wrapper { return &wrapper{Destination: d} }

func (w *wrapper) Deliver(ctx context.Context, b *Batch) error {
	w.calls.Add(1)
	return w.Destination.Deliver(ctx, b)
}

func (w *wrapper) Limits() DestinationLimits { return limitsOf(w.Destination) }

func (w *wrapper) SetDefaultClock(c kds.Clock) {
	if d, ok := w.Destination.(ClockedDestination); ok {
		d.SetDefaultClock(c)
	}
}

// TestWrappedHTTPEndpointLimits: a wrapped HTTP endpoint keeps its
// 10,000-record batches, and its clock defaults to the stream's.
func TestWrappedHTTPEndpointLimits(t *testing.T) {
	httpDest, err := NewHTTPEndpointDestination(HTTPEndpointConfig{URL: "https://example.com/ingest"})
	if err != nil {
		t.Fatal(err)
	}
	c := validConfig()
	clock := kds.NewManualClock(epoch)
	c.Destination, c.ErrorOutput, c.Clock = wrap(httpDest), &recorder{}, clock
	ds, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	if ds.cfg.maxRecords != 10000 {
		t.Errorf("batches of at most %d records, want 10000", ds.cfg.maxRecords)
	}
	if got := httpDest.currentClock(); got != clock {
		t.Errorf("the HTTP endpoint's clock is %T, want the stream's ManualClock", got)
	}
}

func TestConfigDefaults(t *testing.T) {
	ds, err := New(validConfig())
	if err != nil {
		t.Fatal(err)
	}
	s := ds.cfg
	if s.bufferBytes != 5<<20 || s.interval != 300 {
		t.Errorf("buffering = %d bytes, %d s; want Firehose's 5 MiB, 300 s", s.bufferBytes, s.interval)
	}
	if s.transformBytes != 1<<20 {
		t.Errorf("transform calls of %d bytes, want Firehose's 1 MiB", s.transformBytes)
	}
	if s.DeliveryStreamVersion != 1 {
		t.Errorf("DeliveryStreamVersion = %d, want 1", s.DeliveryStreamVersion)
	}
	if s.initial.String() != consumergroup.Latest().String() {
		t.Errorf("InitialPosition = %v, want LATEST as Firehose", s.initial)
	}
	if s.ErrorOutput != s.Destination {
		t.Errorf("ErrorOutput does not default to Destination")
	}
	if _, ok := s.Clock.(kds.RealClock); !ok {
		t.Errorf("Clock = %T, want kds.RealClock", s.Clock)
	}
}

// TestConfigReportsEveryProblem: New reports all the problems at once.
func TestConfigReportsEveryProblem(t *testing.T) {
	_, err := New(Config{BufferingHints: BufferingHints{SizeInMBs: Int(500), IntervalInSeconds: Int(-5)}})
	if err == nil {
		t.Fatal("New accepted an empty Config")
	}
	for _, want := range []string{"DeliveryStreamName", "StreamName", "Client", "Store", "Destination", "SizeInMBs 500", "IntervalInSeconds -5"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %s:\n%v", want, err)
		}
	}
}
