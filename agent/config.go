package agent

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"time"

	"github.com/kdsgo/kds"
)

// Defaults of [Config], the Kinesis Agent's where it has one.
const (
	// DefaultPollInterval is how often [Agent.Run] looks for new files and
	// new data (the agent's minTimeBetweenFilePollsMillis, 100 ms).
	DefaultPollInterval = 100 * time.Millisecond
	// DefaultCheckpointInterval is the least time between two checkpoint
	// writes while the agent runs.
	DefaultCheckpointInterval = time.Second
	// DefaultIncompleteRecordTimeout is how long an incomplete record (an
	// unterminated last line, or a multi-line record no start line has
	// closed yet) waits for more bytes before it is sent as it is.
	DefaultIncompleteRecordTimeout = 5 * time.Second
	// DefaultRetryInitialBackoff and DefaultRetryMaxBackoff bound the
	// pause before a failed record is sent again (the agent's
	// retryInitialBackoffMillis and retryMaxBackoffMillis).
	DefaultRetryInitialBackoff = 100 * time.Millisecond
	DefaultRetryMaxBackoff     = 10 * time.Second
	// DefaultMaxInFlightBytes bounds the data handed to the sink and not
	// yet confirmed; reading pauses above it.
	DefaultMaxInFlightBytes = 32 << 20
	// DefaultMaxRecordBytes is the largest record, partition key included:
	// Kinesis's default 1 MiB.
	DefaultMaxRecordBytes = kds.DefaultMaxRecordSizeInKiB << 10
	// DefaultTruncatedRecordTerminator ends a record cut to MaxRecordBytes.
	DefaultTruncatedRecordTerminator = "\n"
	// FingerprintBytes is how many leading bytes of a file its fingerprint
	// covers (see the package documentation on file identity).
	FingerprintBytes = 512
)

// InitialPosition says where the agent starts reading a file it finds when
// it starts, for which it has no checkpoint.
type InitialPosition string

// The initial positions of the Kinesis Agent.
const (
	// EndOfFile skips what the file already holds: only bytes appended
	// later are sent. It is the default, as in the Kinesis Agent.
	EndOfFile InitialPosition = "END_OF_FILE"
	// StartOfFile sends the file from its first byte.
	StartOfFile InitialPosition = "START_OF_FILE"
)

// PartitionKeyOption says how the agent chooses each record's partition
// key when neither Config.PartitionKey nor Config.PartitionKeyFunc is set.
type PartitionKeyOption string

// The Kinesis Agent's partition key options.
const (
	// Random keys are random decimal numbers below 1,000,000 (with a
	// fraction), spreading records over all shards. The default.
	Random PartitionKeyOption = "RANDOM"
	// Deterministic keys are the hex MD5 digest of the record's data, so
	// equal records go to the same shard.
	Deterministic PartitionKeyOption = "DETERMINISTIC"
)

// The option names of [ProcessingOption], as the Kinesis Agent spells them.
const (
	SingleLine = "SINGLELINE"
	CSVToJSON  = "CSVTOJSON"
	LogToJSON  = "LOGTOJSON"
)

// The log formats of LOGTOJSON, as the Kinesis Agent spells them.
const (
	CommonApacheLog   = "COMMONAPACHELOG"
	CombinedApacheLog = "COMBINEDAPACHELOG"
	ApacheErrorLog    = "APACHEERRORLOG"
	Syslog            = "SYSLOG"
	RFC3339Syslog     = "RFC3339SYSLOG"
)

// ProcessingOption is one entry of the Kinesis Agent's
// dataProcessingOptions: a conversion applied to every record, in the
// order given. The field names are the agent's JSON keys.
type ProcessingOption struct {
	// OptionName is [SingleLine], [CSVToJSON] or [LogToJSON].
	OptionName string
	// CustomFieldNames names the JSON fields. Required for CSVTOJSON; for
	// LOGTOJSON it renames the format's fields (same count) or, with
	// MatchPattern, names the pattern's groups (one per group).
	CustomFieldNames []string
	// Delimiter separates CSVTOJSON columns. Default ",". Unlike the Java
	// agent, which reads it as a regular expression, it is a plain string.
	Delimiter string
	// LogFormat is the LOGTOJSON input format: [CommonApacheLog],
	// [CombinedApacheLog], [ApacheErrorLog], [Syslog] or [RFC3339Syslog].
	// Required for LOGTOJSON.
	LogFormat string
	// MatchPattern replaces the format's regular expression (Go RE2
	// syntax); it must match a whole record and needs CustomFieldNames.
	MatchPattern string
}

// Config configures an [Agent]: one flow of the Kinesis Agent, that is one
// file pattern feeding one sink. Required: FilePattern and Sink; the zero
// value of every other field means its default.
type Config struct {
	// FilePattern selects the files to tail, in [filepath.Match] syntax
	// (no "**"). Directories are ignored.
	FilePattern string
	// Sink receives the records, e.g. [StreamSink] or an adapter over a
	// producer.
	Sink Sink

	// PartitionKeyOption chooses generated keys: [Random] (default) or
	// [Deterministic].
	PartitionKeyOption PartitionKeyOption
	// PartitionKey, if set, is the partition key of every record
	// (1-256 characters).
	PartitionKey string
	// PartitionKeyFunc, if set, derives each record's partition key from
	// its data (after conversion). An empty result means a random key.
	// It is called from the goroutine that calls [Agent.Poll] and must not
	// keep data. At most one of PartitionKey and PartitionKeyFunc is set.
	PartitionKeyFunc func(data []byte) string

	// InitialPosition is where files the agent finds at its first poll
	// start, when it has no checkpoint file to go by: [EndOfFile]
	// (default) or [StartOfFile]. Files that appear later, and files of an
	// agent restarting from a checkpoint file, start at their beginning.
	InitialPosition InitialPosition
	// SkipHeaderLines is how many lines at the start of each file are not
	// sent (e.g. a CSV header). It applies again when a file is truncated
	// and starts over. Default 0.
	SkipHeaderLines int
	// MultiLineStartPattern, if set, is a regular expression (Go RE2) that
	// matches the start of a line beginning a record; a record then runs
	// up to the next such line. Lines before the first match form a record
	// of their own. Default: one record per line.
	MultiLineStartPattern string
	// TruncatedRecordTerminator replaces the last bytes of a record cut to
	// MaxRecordBytes. Default "\n"; shorter than MaxRecordBytes.
	TruncatedRecordTerminator string
	// MaxRecordBytes is the most bytes of partition key plus data a record
	// may have; longer records are cut. Default [DefaultMaxRecordBytes]
	// (1 MiB); at most [kds.MaxDataBytes] (10 MiB), for streams whose
	// record size limit was raised.
	MaxRecordBytes int
	// DataProcessingOptions are applied to every record in order.
	DataProcessingOptions []ProcessingOption

	// CheckpointFile is where the agent keeps how far it got in each
	// file; it is written atomically (temporary file and rename). Empty:
	// no checkpoints, and a restarted agent starts over by
	// InitialPosition.
	CheckpointFile string
	// CheckpointInterval is the least time between checkpoint writes
	// during [Agent.Run]. Default [DefaultCheckpointInterval] (1 s).
	CheckpointInterval time.Duration

	// PollInterval is how often [Agent.Run] polls. Default
	// [DefaultPollInterval] (100 ms).
	PollInterval time.Duration
	// IncompleteRecordTimeout is how long an incomplete record may wait for
	// more bytes before it is sent as it is. Default
	// [DefaultIncompleteRecordTimeout] (5 s); negative: wait for ever.
	IncompleteRecordTimeout time.Duration
	// RetryInitialBackoff and RetryMaxBackoff bound the pause before a
	// failed record is sent again; it doubles with every failure of the
	// same record. Defaults 100 ms and 10 s.
	RetryInitialBackoff time.Duration
	RetryMaxBackoff     time.Duration
	// MaxInFlightBytes bounds the record bytes handed to the sink and not
	// yet confirmed (including those waiting to be retried); reading
	// pauses above it. Default [DefaultMaxInFlightBytes] (32 MiB).
	MaxInFlightBytes int

	// Clock paces polls, timeouts and retries. Default [kds.RealClock].
	Clock kds.Clock
	// OnError, if set, is told of every problem the agent works around:
	// records the sink failed (they are retried), files it could not read,
	// checkpoints it could not write. It is called without the agent's
	// locks held, possibly from the sink's goroutines.
	OnError func(error)
}

// withDefaults returns c with every unset field at its default and the
// compiled conversions, or all the reasons c is invalid.
func (c Config) withDefaults() (Config, []converter, *regexp.Regexp, error) {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("agent: Config."+format, args...))
	}
	if c.FilePattern == "" {
		bad("FilePattern is empty")
	} else if _, err := filepath.Match(c.FilePattern, ""); err != nil {
		bad("FilePattern: %q: %v", c.FilePattern, err)
	}
	if c.Sink == nil {
		bad("Sink is nil")
	}
	switch c.PartitionKeyOption {
	case "", Random, Deterministic:
	default:
		bad("PartitionKeyOption: %q is not RANDOM or DETERMINISTIC", c.PartitionKeyOption)
	}
	if c.PartitionKey != "" && c.PartitionKeyFunc != nil {
		bad("PartitionKey and PartitionKeyFunc are both set")
	}
	if n := len([]rune(c.PartitionKey)); n > kds.MaxPartitionKeyLength {
		bad("PartitionKey: %d characters, more than %d", n, kds.MaxPartitionKeyLength)
	}
	switch c.InitialPosition {
	case "", EndOfFile, StartOfFile:
	default:
		bad("InitialPosition: %q is not START_OF_FILE or END_OF_FILE", c.InitialPosition)
	}
	if c.SkipHeaderLines < 0 {
		bad("SkipHeaderLines: %d is negative", c.SkipHeaderLines)
	}
	var start *regexp.Regexp
	if c.MultiLineStartPattern != "" {
		var err error
		if start, err = regexp.Compile(`^(?:` + c.MultiLineStartPattern + `)`); err != nil {
			bad("MultiLineStartPattern: %v", err)
		}
	}
	if c.MaxRecordBytes < 0 || c.MaxRecordBytes > kds.MaxDataBytes {
		bad("MaxRecordBytes: %d is outside [1, %d]", c.MaxRecordBytes, kds.MaxDataBytes)
	}
	if c.MaxRecordBytes == 0 {
		c.MaxRecordBytes = DefaultMaxRecordBytes
	}
	if c.TruncatedRecordTerminator == "" {
		c.TruncatedRecordTerminator = DefaultTruncatedRecordTerminator
	}
	if len(c.TruncatedRecordTerminator)+kds.MaxPartitionKeyLength >= c.MaxRecordBytes {
		bad("TruncatedRecordTerminator: %d bytes leave no room for data in %d-byte records", len(c.TruncatedRecordTerminator), c.MaxRecordBytes)
	}
	convs := make([]converter, 0, len(c.DataProcessingOptions))
	for i, o := range c.DataProcessingOptions {
		conv, err := newConverter(o)
		if err != nil {
			bad("DataProcessingOptions[%d]: %v", i, err)
			continue
		}
		convs = append(convs, conv)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"CheckpointInterval", c.CheckpointInterval},
		{"PollInterval", c.PollInterval},
		{"RetryInitialBackoff", c.RetryInitialBackoff},
		{"RetryMaxBackoff", c.RetryMaxBackoff},
	} {
		if d.v < 0 {
			bad("%s: %v is negative", d.name, d.v)
		}
	}
	if c.MaxInFlightBytes < 0 {
		bad("MaxInFlightBytes: %d is negative", c.MaxInFlightBytes)
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, nil, nil, err
	}
	if c.PartitionKeyOption == "" {
		c.PartitionKeyOption = Random
	}
	if c.InitialPosition == "" {
		c.InitialPosition = EndOfFile
	}
	if c.CheckpointInterval == 0 {
		c.CheckpointInterval = DefaultCheckpointInterval
	}
	if c.PollInterval == 0 {
		c.PollInterval = DefaultPollInterval
	}
	if c.IncompleteRecordTimeout == 0 {
		c.IncompleteRecordTimeout = DefaultIncompleteRecordTimeout
	}
	if c.RetryInitialBackoff == 0 {
		c.RetryInitialBackoff = DefaultRetryInitialBackoff
	}
	if c.RetryMaxBackoff == 0 {
		c.RetryMaxBackoff = DefaultRetryMaxBackoff
	}
	if c.RetryMaxBackoff < c.RetryInitialBackoff {
		c.RetryMaxBackoff = c.RetryInitialBackoff
	}
	if c.MaxInFlightBytes == 0 {
		c.MaxInFlightBytes = DefaultMaxInFlightBytes
	}
	if c.Clock == nil {
		c.Clock = kds.RealClock{}
	}
	return c, convs, start, nil
}
