package delivery

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/consumergroup"
	"github.com/kdsgo/kds/internal/awsarn"
)

// Firehose's buffering hints: ranges and defaults.
const (
	// MinSizeInMBs is the smallest BufferingHints.SizeInMBs.
	MinSizeInMBs = 1
	// MaxSizeInMBs is the largest BufferingHints.SizeInMBs, unless the
	// destination's limits lower it.
	MaxSizeInMBs = 128
	// DefaultSizeInMBs is BufferingHints.SizeInMBs's default.
	DefaultSizeInMBs = 5
	// MinIntervalInSeconds is the smallest BufferingHints.IntervalInSeconds.
	MinIntervalInSeconds = 0
	// MaxIntervalInSeconds is the largest BufferingHints.IntervalInSeconds.
	MaxIntervalInSeconds = 900
	// DefaultIntervalInSeconds is BufferingHints.IntervalInSeconds's
	// default.
	DefaultIntervalInSeconds = 300
)

// The range and default of Config.TransformBufferSizeInMBs, those of the
// BufferSizeInMBs parameter of Firehose's Lambda processor.
const (
	// MinTransformBufferSizeInMBs is the smallest TransformBufferSizeInMBs.
	MinTransformBufferSizeInMBs = 0.2
	// MaxTransformBufferSizeInMBs is the largest TransformBufferSizeInMBs.
	MaxTransformBufferSizeInMBs = 3
	// DefaultTransformBufferSizeInMBs is TransformBufferSizeInMBs's
	// default.
	DefaultTransformBufferSizeInMBs = 1
)

// Config configures a [DeliveryStream]. Required: DeliveryStreamName,
// StreamName, Client, Store and Destination; the zero value of every
// other field means its default.
type Config struct {
	// DeliveryStreamName names the delivery stream, its objects and its
	// consumer group (the ApplicationName of its leases in Store): 1-64
	// characters of [a-zA-Z0-9_.-].
	DeliveryStreamName string
	// DeliveryStreamVersion is the version in object names; Firehose
	// starts at 1 and adds one per configuration change. Default 1.
	DeliveryStreamVersion int
	// StreamName is the Kinesis stream to read.
	StreamName string
	// Client reads the stream: a [*kds.Service], or the AWS SDK's Kinesis
	// client through compat/awsadapter.
	Client consumergroup.Client
	// Store keeps the shards' leases and checkpoints. With a
	// [consumergroup.FileStore] a restarted delivery stream carries on
	// where the last one stopped.
	Store consumergroup.CheckpointStore
	// InitialPosition is where shards the delivery stream has never read
	// start. Default (nil): [consumergroup.Latest], where Firehose starts.
	InitialPosition *consumergroup.InitialPosition

	// BufferingHints says when a buffer is delivered.
	BufferingHints BufferingHints
	// Transform, if set, transforms the records before they are
	// buffered; see [TransformFunc].
	Transform TransformFunc
	// TransformBufferSizeInMBs is the most record data, in MiB, that one
	// Transform call gets: the BufferSizeInMBs parameter of Firehose's
	// Lambda processor, 0.2-3, and only with a Transform. Default (0): 1.
	// A call never gets more than a buffer holds (BufferingHints.SizeInMBs).
	TransformBufferSizeInMBs float64
	// RecordDelimiter is appended to every record's data before it is
	// buffered, like Firehose's AppendDelimiterToRecord processor (e.g.
	// "\n"). Default: none, records are concatenated as they are.
	RecordDelimiter string
	// DynamicPartitioning groups records into objects by keys taken from
	// each record; see [DynamicPartitioning].
	DynamicPartitioning DynamicPartitioning
	// Prefix is the start of every object's key; see the package
	// documentation for its expressions. Default: yyyy/MM/dd/HH/ of the
	// object's timestamp.
	Prefix string
	// ErrorOutputPrefix is the start of the keys of error output
	// objects; it must contain !{firehose:error-output-type} if it has
	// any expression. Default: Prefix, the error output type, "/" and
	// yyyy/MM/dd/HH/ (allowed only when Prefix has no expressions).
	ErrorOutputPrefix string

	// Destination receives the buffers.
	Destination Destination
	// ErrorOutput receives the records that fail, one [ErrorRecord]
	// each. Default: Destination. Required when the [DestinationLimits]
	// of Destination say that it gives batches up, as those of an
	// [HTTPEndpointDestination] do: Firehose requires an S3 backup there.
	ErrorOutput Destination

	// Clock is the source of time for buffering, the consumer group and
	// retries, and of the destinations that take one (see
	// [ClockedDestination]). Default: [kds.RealClock].
	Clock kds.Clock
	// OnError, if set, is told about every failure that the stream
	// handles by retrying: a delivery that will be retried, a transform
	// call that failed, a checkpoint that could not be stored. It must
	// not block.
	OnError func(error)
}

// BufferingHints are Firehose's buffering hints: a buffer is delivered
// once it holds SizeInMBs MiB of data or IntervalInSeconds have passed
// since its first record arrived, whichever comes first, and never
// before. Setting one requires setting the other; leaving both nil means
// the defaults (5 MiB, 300 s). [Int] makes the pointers.
type BufferingHints struct {
	// SizeInMBs is 1-128, or less if the destination's
	// [DestinationLimits] say so (1-64 for an HTTP endpoint). Default 5.
	SizeInMBs *int
	// IntervalInSeconds is 0-900; 0 delivers every batch read at once,
	// and is refused with dynamic partitioning, as Firehose refuses it.
	// Default 300.
	IntervalInSeconds *int
}

// Int returns a pointer to v, for the optional fields of BufferingHints
// and RetryOptions.
func Int(v int) *int { return &v }

// DynamicPartitioning is Firehose's dynamic partitioning: records are
// buffered and delivered separately by the values of the partition keys
// that Prefix uses, so each object holds one combination of them. Records
// whose keys cannot be found go to the error output as
// partitioning-failed.
type DynamicPartitioning struct {
	// Enabled turns dynamic partitioning on. It requires
	// ErrorOutputPrefix, and a Prefix that uses a partition key.
	Enabled bool
	// MetadataExtractionQuery maps each key of
	// !{partitionKeyFromQuery:key} to its query, Firehose's inline JSON
	// parsing: a jq path such as .customer.id (see the package
	// documentation for the supported subset).
	MetadataExtractionQuery map[string]string
}

var deliveryStreamNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,64}$`)

// settings is a validated Config with its parsed parts.
type settings struct {
	Config
	initial        consumergroup.InitialPosition
	bufferBytes    int
	transformBytes int // the most record data of one Transform call
	interval       int // seconds
	maxRecords     int // per batch; 0: no limit
	prefix         *prefix
	errorPrefix    *prefix
	queries        map[string]query // by key name
}

// validate checks c and fills in its defaults, or returns every reason it
// is invalid.
func (c Config) validate() (*settings, error) {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("delivery: Config."+format, args...))
	}
	s := &settings{Config: c, queries: map[string]query{}}
	if !deliveryStreamNamePattern.MatchString(c.DeliveryStreamName) {
		bad("DeliveryStreamName: %q is not 1-64 characters of [a-zA-Z0-9_.-]", c.DeliveryStreamName)
	}
	if c.DeliveryStreamVersion < 0 {
		bad("DeliveryStreamVersion: %d is negative", c.DeliveryStreamVersion)
	}
	if !awsarn.IsStreamName(c.StreamName) {
		bad("StreamName: %q is not 1-128 characters of [a-zA-Z0-9_.-]", c.StreamName)
	}
	if c.Client == nil {
		bad("Client is nil")
	}
	if c.Store == nil {
		bad("Store is nil")
	}
	if c.Destination == nil {
		bad("Destination is nil")
	}
	limits := limitsOf(c.Destination)
	if limits.NeedsErrorOutput && c.ErrorOutput == nil {
		bad("ErrorOutput is nil: a destination that gives batches up, such as an HTTP endpoint, needs a backup destination for failed records")
	}
	if limitsOf(c.ErrorOutput).NeedsErrorOutput {
		bad("ErrorOutput: a destination that gives batches up, such as an HTTP endpoint, cannot be the error output")
	}

	size, interval, err := c.BufferingHints.resolve(limits.MaxSizeInMBs)
	if err != nil {
		bad("BufferingHints: %v", err)
	}
	s.bufferBytes, s.interval, s.maxRecords = size<<20, interval, limits.MaxRecords
	// "Zero buffering feature is not available for dynamic partitioning"
	// (Amazon Data Firehose Developer Guide, "Buffer data for dynamic
	// partitioning"). Neither that page nor the BufferingHints API
	// reference sets a larger minimum SizeInMBs with dynamic partitioning,
	// so SizeInMBs keeps its 1-128 range.
	if c.DynamicPartitioning.Enabled && err == nil && interval == 0 {
		bad("BufferingHints.IntervalInSeconds: 0 (zero buffering) is not available with dynamic partitioning")
	}

	s.transformBytes = DefaultTransformBufferSizeInMBs << 20
	if v := c.TransformBufferSizeInMBs; v != 0 {
		switch {
		case c.Transform == nil:
			bad("TransformBufferSizeInMBs is set without a Transform")
		case !(v >= MinTransformBufferSizeInMBs && v <= MaxTransformBufferSizeInMBs):
			bad("TransformBufferSizeInMBs: %v is outside [%v, %v]", v, MinTransformBufferSizeInMBs, MaxTransformBufferSizeInMBs)
		}
		s.transformBytes = int(v * (1 << 20))
	}

	var perr error
	if s.prefix, perr = parsePrefix(c.Prefix, true); perr != nil {
		bad("Prefix: %v", perr)
	}
	if c.ErrorOutputPrefix != "" {
		if s.errorPrefix, perr = parsePrefix(c.ErrorOutputPrefix, false); perr != nil {
			bad("ErrorOutputPrefix: %v", perr)
		}
	}
	for key, q := range c.DynamicPartitioning.MetadataExtractionQuery {
		parsed, err := parseQuery(q)
		if err != nil {
			bad("DynamicPartitioning.MetadataExtractionQuery[%q]: %v", key, err)
		}
		s.queries[key] = parsed
	}
	if s.prefix != nil {
		errs = append(errs, s.checkPrefixes()...)
	}

	if c.InitialPosition != nil {
		s.initial = *c.InitialPosition
	} else {
		s.initial = consumergroup.Latest()
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if s.DeliveryStreamVersion == 0 {
		s.DeliveryStreamVersion = 1
	}
	if s.ErrorOutput == nil {
		s.ErrorOutput = s.Destination
	}
	if s.Clock == nil {
		s.Clock = kds.RealClock{}
	}
	if s.errorPrefix == nil {
		s.errorPrefix = errorPrefixFor(c.Prefix)
	}
	return s, nil
}

// resolve returns the hints' size (MiB) and interval (s), with defaults;
// maxSize, if not 0, lowers the largest size allowed.
func (h BufferingHints) resolve(maxSize int) (size, interval int, err error) {
	switch {
	case h.SizeInMBs == nil && h.IntervalInSeconds == nil:
		return DefaultSizeInMBs, DefaultIntervalInSeconds, nil
	case h.SizeInMBs == nil:
		return 0, 0, errors.New("IntervalInSeconds is set without SizeInMBs: set both or neither")
	case h.IntervalInSeconds == nil:
		return 0, 0, errors.New("SizeInMBs is set without IntervalInSeconds: set both or neither")
	}
	size, interval = *h.SizeInMBs, *h.IntervalInSeconds
	if maxSize == 0 {
		maxSize = MaxSizeInMBs
	}
	var errs []error
	if size < MinSizeInMBs || size > maxSize {
		errs = append(errs, fmt.Errorf("SizeInMBs %d is outside [%d, %d]", size, MinSizeInMBs, maxSize))
	}
	if interval < MinIntervalInSeconds || interval > MaxIntervalInSeconds {
		errs = append(errs, fmt.Errorf("IntervalInSeconds %d is outside [%d, %d]", interval, MinIntervalInSeconds, MaxIntervalInSeconds))
	}
	return size, interval, errors.Join(errs...)
}

// checkPrefixes applies Firehose's rules to Prefix and ErrorOutputPrefix
// and to the partition keys they use.
func (s *settings) checkPrefixes() []error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("delivery: Config."+format, args...))
	}
	p, dp := s.prefix, s.DynamicPartitioning
	if !p.relative() {
		bad("Prefix: %q does not make a relative path (no leading '/', no escaping '..')", s.Prefix)
	}
	if e := s.errorPrefix; e != nil && !e.relative() {
		bad("ErrorOutputPrefix: %q does not make a relative path (no leading '/', no escaping '..')", s.ErrorOutputPrefix)
	}
	if p.hasErrorType {
		bad("Prefix: !{firehose:error-output-type} is allowed only in ErrorOutputPrefix")
	}
	if e := s.errorPrefix; e != nil {
		if e.hasExpr && !e.hasErrorType {
			bad("ErrorOutputPrefix: %q has expressions but no !{firehose:error-output-type}", s.ErrorOutputPrefix)
		}
		if len(e.keys) > 0 {
			bad("ErrorOutputPrefix: partition keys (%s) are not allowed", strings.Join(e.keys, ", "))
		}
	} else if p.hasExpr {
		bad("ErrorOutputPrefix is empty, which requires a Prefix without expressions")
	}
	if !dp.Enabled {
		if len(p.keys) > 0 {
			bad("Prefix: partition keys (%s) need DynamicPartitioning.Enabled", strings.Join(p.keys, ", "))
		}
		if len(dp.MetadataExtractionQuery) > 0 {
			bad("DynamicPartitioning.MetadataExtractionQuery is set but dynamic partitioning is not enabled")
		}
		return errs
	}
	if s.ErrorOutputPrefix == "" {
		bad("ErrorOutputPrefix is required with dynamic partitioning")
	}
	if len(p.keys) == 0 {
		bad("Prefix: %q uses no partition key, which dynamic partitioning requires", s.Prefix)
	}
	for _, k := range p.keys {
		ns, name, _ := strings.Cut(k, ":")
		switch {
		case ns == nsFromQuery && !hasKey(dp.MetadataExtractionQuery, name):
			bad("Prefix: !{%s} has no query in DynamicPartitioning.MetadataExtractionQuery", k)
		case ns == nsFromLambda && s.Transform == nil:
			bad("Prefix: !{%s} needs a Transform to return partition keys", k)
		}
	}
	return errs
}

func hasKey(m map[string]string, k string) bool {
	_, ok := m[k]
	return ok
}
