package trigger

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/consumergroup"
	"github.com/kdsgo/kds/internal/awsarn"
)

// Lambda's defaults and limits for a Kinesis event source mapping.
const (
	// DefaultBatchSize is BatchSize's default.
	DefaultBatchSize = 100
	// MaxBatchSize is BatchSize's maximum.
	MaxBatchSize = 10000
	// MaxBatchingWindowInSeconds is MaximumBatchingWindowInSeconds's
	// maximum (its default is 0).
	MaxBatchingWindowInSeconds = 300
	// MaxParallelizationFactor is ParallelizationFactor's maximum (its
	// default is 1).
	MaxParallelizationFactor = 10
	// MaxRetryAttempts is MaximumRetryAttempts's maximum (its default,
	// -1, retries until the records expire).
	MaxRetryAttempts = 10000
	// MinRecordAgeInSeconds is MaximumRecordAgeInSeconds's minimum
	// other than -1, its default (no limit).
	MinRecordAgeInSeconds = 60
	// MaxRecordAgeInSeconds is MaximumRecordAgeInSeconds's maximum, a
	// week.
	MaxRecordAgeInSeconds = 604800
	// MaxTumblingWindowInSeconds is TumblingWindowInSeconds's maximum.
	MaxTumblingWindowInSeconds = 900
	// MaxPayloadBytes caps the JSON of one invocation's event, as
	// Lambda's 6 MB (6,291,456 bytes) limit on a synchronous
	// invocation's payload does: a batch stops growing before its event
	// — the records, and with a tumbling window the window and its state
	// — would pass it. A single record bigger than that is invoked alone,
	// and the final invocation of a window ended early carries the state
	// that was too big, whatever its size.
	MaxPayloadBytes = 6 << 20
	// MaxWindowStateBytes is the most a tumbling window's state may hold
	// (as JSON); a handler returning more ends the window early.
	MaxWindowStateBytes = 1 << 20
)

// StartingPosition is where a mapping starts reading a shard it has no
// checkpoint for: Lambda's StartingPosition.
type StartingPosition string

// The starting positions of a Kinesis event source mapping.
const (
	// TrimHorizon starts with the oldest record in the stream.
	TrimHorizon StartingPosition = "TRIM_HORIZON"
	// Latest starts with records put after the mapping starts.
	Latest StartingPosition = "LATEST"
	// AtTimestamp starts with the first record that arrived at or after
	// Config.StartingPositionTimestamp.
	AtTimestamp StartingPosition = "AT_TIMESTAMP"
)

// FunctionResponseType enables a kind of handler response, as the values
// of Lambda's FunctionResponseTypes do.
type FunctionResponseType string

// ReportBatchItemFailures makes the mapping read a response's
// BatchItemFailures (partial batch response).
const ReportBatchItemFailures FunctionResponseType = "ReportBatchItemFailures"

// DestinationConfig says where discarded batches are reported, as
// Lambda's DestinationConfig does.
type DestinationConfig struct {
	// OnFailure receives an [OnFailureRecord] for each discarded batch.
	// Nil discards batches silently.
	OnFailure Destination
}

// Config configures a [Mapping]. The knobs carry the names, ranges and
// defaults of Lambda's CreateEventSourceMapping; the zero value of an
// optional knob means Lambda's default. Required: EventSourceArn,
// FunctionName, Handler, StartingPosition, Client and Store.
type Config struct {
	// EventSourceArn is the ARN of the stream to read,
	// arn:aws:kinesis:<region>:<account>:stream/<name>. The mapping reads
	// the stream named there through Client; the region goes into each
	// record's awsRegion. A stream consumer's ARN (enhanced fan-out) is
	// refused: records are read with GetRecords.
	EventSourceArn string
	// FunctionName names the handler, 1-64 characters of
	// [a-zA-Z0-9_-]: it makes the function ARN of on-failure records and,
	// with the stream name, the consumer group (and so the checkpoints) of
	// the mapping.
	FunctionName string
	// Handler is invoked with each batch.
	Handler Handler
	// Role is the ARN the records' invokeIdentityArn carries, the
	// function's execution role. Default:
	// arn:aws:iam::<account>:role/<FunctionName>-role.
	Role string

	// BatchSize is the most records of one invocation, 1 to 10,000,
	// counted as the handler gets them: each user record of a KPL
	// aggregate counts as one. Default: 100. A batch also stops before its event's JSON would
	// pass [MaxPayloadBytes].
	BatchSize int
	// MaximumBatchingWindowInSeconds is how long, 0 to 300, a batch waits
	// for more records after its first one was read before it is invoked
	// short of BatchSize. Default: 0, invoke at once.
	MaximumBatchingWindowInSeconds int
	// ParallelizationFactor is how many batches of one shard run at once,
	// 1 to 10. Records are spread over that many lanes by a hash of their
	// partition key, so one key's records stay in order. Default: 1.
	ParallelizationFactor int
	// StartingPosition is where shards without a checkpoint start.
	// Required.
	StartingPosition StartingPosition
	// StartingPositionTimestamp is the time for [AtTimestamp], and must
	// be zero with the other positions.
	StartingPositionTimestamp time.Time
	// BisectBatchOnFunctionError splits a failing batch in two halves and
	// retries each on its own, which does not count as a retry.
	BisectBatchOnFunctionError bool
	// MaximumRetryAttempts is how many times a failing batch is retried
	// before it is discarded: -1 (until the records expire) or 0 to
	// 10,000. Nil means the default, -1; [Int] makes the pointer.
	MaximumRetryAttempts *int
	// MaximumRecordAgeInSeconds discards records older than this before
	// invoking them: -1 (no limit) or 60 to 604,800. Default (0): -1.
	MaximumRecordAgeInSeconds int
	// FunctionResponseTypes may hold [ReportBatchItemFailures].
	FunctionResponseTypes []FunctionResponseType
	// DestinationConfig says where discarded batches are reported.
	DestinationConfig DestinationConfig
	// TumblingWindowInSeconds, 0 to 900, groups records into tumbling
	// windows of that many seconds by arrival time, with a state carried
	// between invocations. Default: 0, no windows.
	TumblingWindowInSeconds int

	// Client reads the stream: a [*kds.Service], or an adapter over the
	// AWS SDK.
	Client consumergroup.Client
	// Store keeps the mapping's leases and checkpoints.
	Store consumergroup.CheckpointStore
	// WorkerID identifies this process among the workers sharing Store
	// for the mapping. Default: a random ID.
	WorkerID string
	// Clock is the source of time for batching windows, retries, record
	// ages and windows, and of the consumer group's polling. It should be
	// the stream's clock. Default: [kds.RealClock].
	Clock kds.Clock
}

// Int returns a pointer to v, for Config.MaximumRetryAttempts.
func Int(v int) *int { return &v }

var functionNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// settings is a Config with its defaults applied and its ARN taken apart.
type settings struct {
	Config
	retries                            int // MaximumRetryAttempts, -1 for no limit
	reportItems                        bool
	partition, region, account, stream string
	functionArn                        string
}

// ErrEnhancedFanOut is returned by [New] for an EventSourceArn naming a
// stream consumer: enhanced fan-out is not implemented.
var ErrEnhancedFanOut = errors.New("trigger: enhanced fan-out consumers are not supported; give the stream's ARN")

// settle checks c and applies its defaults, or returns every reason c is
// invalid.
func (c Config) settle() (settings, error) {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("trigger: Config."+format, args...))
	}
	s := settings{Config: c, retries: -1}
	var isStream bool
	s.partition, s.region, s.account, s.stream, isStream = awsarn.ParseStream(c.EventSourceArn)
	switch {
	case strings.Contains(c.EventSourceArn, "/consumer/"):
		errs = append(errs, fmt.Errorf("%w: %q", ErrEnhancedFanOut, c.EventSourceArn))
	case !isStream || s.region == "": // the region goes into every record
		bad("EventSourceArn: %q is not a Kinesis stream ARN (arn:aws:kinesis:<region>:<account>:stream/<name>)", c.EventSourceArn)
	}
	if !functionNamePattern.MatchString(c.FunctionName) {
		bad("FunctionName: %q is not 1-64 characters of [a-zA-Z0-9_-]", c.FunctionName)
	}
	if c.Handler == nil {
		bad("Handler is nil")
	}
	if c.BatchSize < 0 || c.BatchSize > MaxBatchSize {
		bad("BatchSize: %d is outside [1, %d]", c.BatchSize, MaxBatchSize)
	}
	if c.MaximumBatchingWindowInSeconds < 0 || c.MaximumBatchingWindowInSeconds > MaxBatchingWindowInSeconds {
		bad("MaximumBatchingWindowInSeconds: %d is outside [0, %d]", c.MaximumBatchingWindowInSeconds, MaxBatchingWindowInSeconds)
	}
	if c.ParallelizationFactor < 0 || c.ParallelizationFactor > MaxParallelizationFactor {
		bad("ParallelizationFactor: %d is outside [1, %d]", c.ParallelizationFactor, MaxParallelizationFactor)
	}
	switch c.StartingPosition {
	case TrimHorizon, Latest:
		if !c.StartingPositionTimestamp.IsZero() {
			bad("StartingPositionTimestamp: set with StartingPosition %s; it is only valid with %s", c.StartingPosition, AtTimestamp)
		}
	case AtTimestamp:
		if c.StartingPositionTimestamp.IsZero() {
			bad("StartingPositionTimestamp: required with StartingPosition %s", AtTimestamp)
		}
	case "":
		bad("StartingPosition is required: %s, %s or %s", TrimHorizon, Latest, AtTimestamp)
	default:
		bad("StartingPosition: %q is not %s, %s or %s", c.StartingPosition, TrimHorizon, Latest, AtTimestamp)
	}
	if r := c.MaximumRetryAttempts; r != nil {
		if *r < -1 || *r > MaxRetryAttempts {
			bad("MaximumRetryAttempts: %d is not -1 or in [0, %d]", *r, MaxRetryAttempts)
		}
		s.retries = *r
	}
	if a := c.MaximumRecordAgeInSeconds; a != 0 && a != -1 && (a < MinRecordAgeInSeconds || a > MaxRecordAgeInSeconds) {
		bad("MaximumRecordAgeInSeconds: %d is not -1 or in [%d, %d]", a, MinRecordAgeInSeconds, MaxRecordAgeInSeconds)
	}
	for _, t := range c.FunctionResponseTypes {
		if t != ReportBatchItemFailures {
			bad("FunctionResponseTypes: %q is not %s", t, ReportBatchItemFailures)
		}
		s.reportItems = true
	}
	if c.TumblingWindowInSeconds < 0 || c.TumblingWindowInSeconds > MaxTumblingWindowInSeconds {
		bad("TumblingWindowInSeconds: %d is outside [0, %d]", c.TumblingWindowInSeconds, MaxTumblingWindowInSeconds)
	}
	if c.Client == nil {
		bad("Client is nil")
	}
	if c.Store == nil {
		bad("Store is nil")
	}
	if err := errors.Join(errs...); err != nil {
		return settings{}, err
	}
	if s.BatchSize == 0 {
		s.BatchSize = DefaultBatchSize
	}
	if s.ParallelizationFactor == 0 {
		s.ParallelizationFactor = 1
	}
	if s.MaximumRecordAgeInSeconds == 0 {
		s.MaximumRecordAgeInSeconds = -1
	}
	if s.Role == "" {
		s.Role = fmt.Sprintf("arn:%s:iam::%s:role/%s-role", s.partition, s.account, s.FunctionName)
	}
	if s.Clock == nil {
		s.Clock = kds.RealClock{}
	}
	s.functionArn = fmt.Sprintf("arn:%s:lambda:%s:%s:function:%s", s.partition, s.region, s.account, s.FunctionName)
	return s, nil
}

// maxQueued is how many delivered records may wait for the handler before
// the shard stops being read: room for full batches on every lane, and at
// least one GetRecords page.
func (s *settings) maxQueued() int {
	return max(2*s.BatchSize*s.ParallelizationFactor, consumergroup.DefaultMaxRecords)
}
