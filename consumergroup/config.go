package consumergroup

import (
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/internal/awsarn"
)

// Defaults of [Config], KCL's where KCL has one.
const (
	// DefaultLeaseDuration is how long a lease may go unrenewed before
	// other workers take it (KCL's failoverTimeMillis).
	DefaultLeaseDuration = 10 * time.Second
	// DefaultShardSyncInterval is how often a worker lists the stream's
	// shards to create leases for new ones (KCL's shardSyncIntervalMillis).
	DefaultShardSyncInterval = 60 * time.Second
	// DefaultIdleTimeBetweenReads is the pause after each GetRecords call
	// of a shard consumer.
	DefaultIdleTimeBetweenReads = time.Second
	// DefaultMaxRecords is the Limit of each GetRecords call, Kinesis's
	// maximum.
	DefaultMaxRecords = kds.MaxGetRecordsLimit
)

// Config configures a [Worker]. Required: ApplicationName, StreamName,
// Client, Store and NewProcessor; the zero value of every other field
// means its default.
type Config struct {
	// ApplicationName names the group: workers with the same name share
	// the stream's shards and checkpoints. 1-255 characters of
	// [a-zA-Z0-9_.-].
	ApplicationName string
	// StreamName is the stream to consume.
	StreamName string
	// WorkerID identifies this worker in lease ownership; it must be
	// unique in the group. Default: a random ID.
	WorkerID string
	// Client reads the stream, e.g. a [*kds.Service].
	Client Client
	// Store keeps the group's leases and checkpoints; every worker of the
	// group must use the same one.
	Store CheckpointStore
	// NewProcessor returns the Processor for one shard lease. It is called
	// from the worker's goroutines, one call per lease taken.
	NewProcessor func(shardID string) Processor
	// InitialPosition is where shards the group has never processed start
	// (see [Worker]). Default: [TrimHorizon].
	InitialPosition InitialPosition
	// LeaseDuration is how long a lease's counter may stand still before
	// other workers treat it as expired and take it. Leases are renewed
	// every third of it. Default: [DefaultLeaseDuration] (10 s); at least
	// 3 ms.
	LeaseDuration time.Duration
	// ShardSyncInterval is how often the worker lists the stream's shards
	// to create leases for new ones. The children of a shard a worker
	// finishes get their leases at once, without waiting for a sync.
	// Default: [DefaultShardSyncInterval] (60 s).
	ShardSyncInterval time.Duration
	// IdleTimeBetweenReads is the pause after each GetRecords call.
	// Default: [DefaultIdleTimeBetweenReads] (1 s).
	IdleTimeBetweenReads time.Duration
	// MaxRecords is the most records one GetRecords call returns, 1 to
	// 10,000. Default: [DefaultMaxRecords] (10,000).
	MaxRecords int
	// Clock is the source of time for lease expiry, renewal, shard syncs,
	// pauses and backoff. Default: [kds.RealClock].
	Clock kds.Clock
}

// minLeaseDuration is the shortest LeaseDuration, so that the renewal
// interval is at least a millisecond.
const minLeaseDuration = 3 * time.Millisecond

// withDefaults returns c with every unset field at its default, or all
// the reasons c is invalid.
func (c Config) withDefaults() (Config, error) {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("consumergroup: Config."+format, args...))
	}
	if !groupNamePattern.MatchString(c.ApplicationName) {
		bad("ApplicationName: %q is not 1-255 characters of [a-zA-Z0-9_.-]", c.ApplicationName)
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
	if c.NewProcessor == nil {
		bad("NewProcessor is nil")
	}
	if c.InitialPosition.checkpoint == CheckpointAtTimestamp && c.InitialPosition.at.IsZero() {
		bad("InitialPosition: AtTimestamp with a zero time")
	}
	if c.LeaseDuration != 0 && c.LeaseDuration < minLeaseDuration {
		bad("LeaseDuration: %v is below %v", c.LeaseDuration, minLeaseDuration)
	}
	if c.ShardSyncInterval < 0 {
		bad("ShardSyncInterval: %v is negative", c.ShardSyncInterval)
	}
	if c.IdleTimeBetweenReads < 0 {
		bad("IdleTimeBetweenReads: %v is negative", c.IdleTimeBetweenReads)
	}
	if c.MaxRecords < 0 || c.MaxRecords > kds.MaxGetRecordsLimit {
		bad("MaxRecords: %d is outside [1, %d]", c.MaxRecords, kds.MaxGetRecordsLimit)
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, err
	}
	if c.WorkerID == "" {
		c.WorkerID = rand.Text()
	}
	if c.LeaseDuration == 0 {
		c.LeaseDuration = DefaultLeaseDuration
	}
	if c.ShardSyncInterval == 0 {
		c.ShardSyncInterval = DefaultShardSyncInterval
	}
	if c.IdleTimeBetweenReads == 0 {
		c.IdleTimeBetweenReads = DefaultIdleTimeBetweenReads
	}
	if c.MaxRecords == 0 {
		c.MaxRecords = DefaultMaxRecords
	}
	if c.Clock == nil {
		c.Clock = kds.RealClock{}
	}
	return c, nil
}
