package trigger

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/consumergroup"
)

func nopHandler(context.Context, KinesisEvent) (KinesisEventResponse, error) {
	return KinesisEventResponse{}, nil
}

// TestInt checks that Int makes a new pointer to its value each time.
func TestInt(t *testing.T) {
	p, q := Int(7), Int(7)
	if *p != 7 || p == q {
		t.Errorf("Int(7) = %p -> %d, then %p", p, *p, q)
	}
}

// TestConfigRanges checks every knob's range at its edges, and the
// defaults.
func TestConfigRanges(t *testing.T) {
	svc, err := kds.NewService()
	if err != nil {
		t.Fatal(err)
	}
	const arn = "arn:aws:kinesis:eu-west-1:123456789012:stream/orders"
	valid := func() Config {
		return Config{
			EventSourceArn:   arn,
			FunctionName:     "fn",
			Handler:          nopHandler,
			StartingPosition: TrimHorizon,
			Client:           svc,
			Store:            consumergroup.NewMemStore(),
		}
	}
	for _, tc := range []struct {
		name   string
		change func(*Config)
		want   []string // substrings of the error; none means valid
	}{
		{"defaults", func(*Config) {}, nil},
		{"batch size 1", func(c *Config) { c.BatchSize = 1 }, nil},
		{"batch size 10000", func(c *Config) { c.BatchSize = 10000 }, nil},
		{"batch size 10001", func(c *Config) { c.BatchSize = 10001 }, []string{"BatchSize: 10001"}},
		{"batch size -1", func(c *Config) { c.BatchSize = -1 }, []string{"BatchSize: -1"}},
		{"batching window 300", func(c *Config) { c.MaximumBatchingWindowInSeconds = 300 }, nil},
		{"batching window 301", func(c *Config) { c.MaximumBatchingWindowInSeconds = 301 }, []string{"MaximumBatchingWindowInSeconds: 301"}},
		{"batching window -1", func(c *Config) { c.MaximumBatchingWindowInSeconds = -1 }, []string{"MaximumBatchingWindowInSeconds: -1"}},
		{"parallelization 10", func(c *Config) { c.ParallelizationFactor = 10 }, nil},
		{"parallelization 11", func(c *Config) { c.ParallelizationFactor = 11 }, []string{"ParallelizationFactor: 11"}},
		{"parallelization -1", func(c *Config) { c.ParallelizationFactor = -1 }, []string{"ParallelizationFactor: -1"}},
		{"latest", func(c *Config) { c.StartingPosition = Latest }, nil},
		{"at timestamp", func(c *Config) {
			c.StartingPosition, c.StartingPositionTimestamp = AtTimestamp, time.Unix(1700000000, 0)
		}, nil},
		{"no starting position", func(c *Config) { c.StartingPosition = "" }, []string{"StartingPosition is required"}},
		{"bad starting position", func(c *Config) { c.StartingPosition = "OLDEST" }, []string{`StartingPosition: "OLDEST"`}},
		{"at timestamp without time", func(c *Config) { c.StartingPosition = AtTimestamp }, []string{"StartingPositionTimestamp: required"}},
		{"time without at timestamp", func(c *Config) { c.StartingPositionTimestamp = time.Unix(1, 0) }, []string{"StartingPositionTimestamp: set with StartingPosition TRIM_HORIZON"}},
		{"retries -1", func(c *Config) { c.MaximumRetryAttempts = Int(-1) }, nil},
		{"retries 0", func(c *Config) { c.MaximumRetryAttempts = Int(0) }, nil},
		{"retries 10000", func(c *Config) { c.MaximumRetryAttempts = Int(10000) }, nil},
		{"retries 10001", func(c *Config) { c.MaximumRetryAttempts = Int(10001) }, []string{"MaximumRetryAttempts: 10001"}},
		{"retries -2", func(c *Config) { c.MaximumRetryAttempts = Int(-2) }, []string{"MaximumRetryAttempts: -2"}},
		{"record age -1", func(c *Config) { c.MaximumRecordAgeInSeconds = -1 }, nil},
		{"record age 60", func(c *Config) { c.MaximumRecordAgeInSeconds = 60 }, nil},
		{"record age 604800", func(c *Config) { c.MaximumRecordAgeInSeconds = 604800 }, nil},
		{"record age 59", func(c *Config) { c.MaximumRecordAgeInSeconds = 59 }, []string{"MaximumRecordAgeInSeconds: 59"}},
		{"record age 604801", func(c *Config) { c.MaximumRecordAgeInSeconds = 604801 }, []string{"MaximumRecordAgeInSeconds: 604801"}},
		{"record age -2", func(c *Config) { c.MaximumRecordAgeInSeconds = -2 }, []string{"MaximumRecordAgeInSeconds: -2"}},
		{"report failures", func(c *Config) { c.FunctionResponseTypes = []FunctionResponseType{ReportBatchItemFailures} }, nil},
		{"bad response type", func(c *Config) { c.FunctionResponseTypes = []FunctionResponseType{"ReportEverything"} }, []string{`FunctionResponseTypes: "ReportEverything"`}},
		{"tumbling 900", func(c *Config) { c.TumblingWindowInSeconds = 900 }, nil},
		{"tumbling 901", func(c *Config) { c.TumblingWindowInSeconds = 901 }, []string{"TumblingWindowInSeconds: 901"}},
		{"tumbling -1", func(c *Config) { c.TumblingWindowInSeconds = -1 }, []string{"TumblingWindowInSeconds: -1"}},
		{"no arn", func(c *Config) { c.EventSourceArn = "" }, []string{"EventSourceArn"}},
		{"not a stream arn", func(c *Config) { c.EventSourceArn = "arn:aws:sqs:eu-west-1:123456789012:queue" }, []string{"EventSourceArn"}},
		{"bad stream name", func(c *Config) { c.EventSourceArn = "arn:aws:kinesis:eu-west-1:123456789012:stream/a b" }, []string{"EventSourceArn"}},
		{"no region", func(c *Config) { c.EventSourceArn = "arn:aws:kinesis::123456789012:stream/orders" }, []string{"EventSourceArn"}},
		{"bad account", func(c *Config) { c.EventSourceArn = "arn:aws:kinesis:eu-west-1:acct:stream/orders" }, []string{"EventSourceArn"}},
		{"consumer arn", func(c *Config) { c.EventSourceArn = arn + "/consumer/app:1700000000" }, []string{"enhanced fan-out"}},
		{"no function", func(c *Config) { c.FunctionName = "" }, []string{"FunctionName"}},
		{"bad function", func(c *Config) { c.FunctionName = "fn.v2" }, []string{"FunctionName"}},
		{"long function", func(c *Config) { c.FunctionName = strings.Repeat("f", 65) }, []string{"FunctionName"}},
		{"no handler", func(c *Config) { c.Handler = nil }, []string{"Handler is nil"}},
		{"no client", func(c *Config) { c.Client = nil }, []string{"Client is nil"}},
		{"no store", func(c *Config) { c.Store = nil }, []string{"Store is nil"}},
		{"everything wrong", func(c *Config) { *c = Config{BatchSize: -1, TumblingWindowInSeconds: 1000} }, []string{
			"EventSourceArn", "FunctionName", "Handler", "BatchSize", "StartingPosition", "TumblingWindowInSeconds", "Client", "Store"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := valid()
			tc.change(&c)
			m, err := New(c)
			if len(tc.want) == 0 {
				if err != nil || m == nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("New accepted the config")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}

	m, err := New(valid())
	if err != nil {
		t.Fatal(err)
	}
	s := m.s
	if s.BatchSize != 100 || s.MaximumBatchingWindowInSeconds != 0 || s.ParallelizationFactor != 1 ||
		s.retries != -1 || s.MaximumRecordAgeInSeconds != -1 || s.TumblingWindowInSeconds != 0 || s.reportItems ||
		s.BisectBatchOnFunctionError || s.Clock != (kds.RealClock{}) {
		t.Errorf("defaults: %+v", s)
	}
	if want := "arn:aws:iam::123456789012:role/fn-role"; s.Role != want {
		t.Errorf("Role: got %q, want %q", s.Role, want)
	}
	if want := "arn:aws:lambda:eu-west-1:123456789012:function:fn"; s.functionArn != want {
		t.Errorf("function ARN: got %q, want %q", s.functionArn, want)
	}
	if s.region != "eu-west-1" || s.stream != "orders" {
		t.Errorf("region %q, stream %q", s.region, s.stream)
	}
	c := valid()
	c.EventSourceArn += "/consumer/app:1"
	if _, err := New(c); !errors.Is(err, ErrEnhancedFanOut) {
		t.Errorf("consumer ARN: got %v, want ErrEnhancedFanOut", err)
	}
}
