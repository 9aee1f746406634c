package kds

import (
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/kdsgo/kds/internal/awsarn"
)

// Option configures a [Service] (through [NewService]) or a standalone
// stream (through [NewStream]).
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	clock          Clock
	accountID      string
	region         string
	shardLimit     int
	onDemandCap    int
	delays         StatusDelays
	partitioner    Partitioner
	limits         ThroughputLimits
	limitsSet      bool // WithThroughputLimits was given
	janitor        time.Duration
	metricsMinutes int         // minutes of per-minute metrics kept
	shards         int         // NewStream only; 0 = unset
	hooks          []callHook  // around every operation: access control, audit
	dataHooked     bool        // a hook observes data-plane calls; set by newConfig
	keyProvider    KeyProvider // nil: the Service's own KeyService
	dataDir        string      // WithDataDir; "" keeps everything in memory
	sync           SyncPolicy
	syncSet        bool // WithSync was given
	cacheBytes     int64
	errs           []error
}

func defaultConfig() config {
	return config{
		clock:          RealClock{},
		accountID:      "000000000000",
		region:         "us-east-1",
		shardLimit:     DefaultShardLimit,
		onDemandCap:    DefaultOnDemandStreamCountLimit,
		partitioner:    PartitionerMD5,
		limits:         KinesisLimits(),
		metricsMinutes: int(DefaultMetricsWindow / time.Minute),
	}
}

var regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)

func newConfig(opts []Option) (config, error) {
	c := defaultConfig()
	for _, o := range opts {
		o.apply(&c)
	}
	if c.clock == nil {
		c.errs = append(c.errs, errors.New("kds: WithClock: clock is nil"))
	}
	if !awsarn.IsAccountID(c.accountID) {
		c.errs = append(c.errs, fmt.Errorf("kds: WithAccountID: %q is not 12 digits", c.accountID))
	}
	if !regionPattern.MatchString(c.region) {
		c.errs = append(c.errs, fmt.Errorf("kds: WithRegion: %q is not a region name like us-east-1", c.region))
	}
	if c.shardLimit < 1 || c.shardLimit > maxShardLimit {
		c.errs = append(c.errs, fmt.Errorf("kds: WithShardLimit: %d is outside [1, %d]", c.shardLimit, maxShardLimit))
	}
	if c.onDemandCap < 1 {
		c.errs = append(c.errs, fmt.Errorf("kds: WithOnDemandStreamLimit: %d is below 1", c.onDemandCap))
	}
	if d := c.delays; d.Create < 0 || d.Delete < 0 || d.Update < 0 {
		c.errs = append(c.errs, fmt.Errorf("kds: status delays %+v: a delay is negative", d))
	}
	if c.partitioner != PartitionerMD5 && c.partitioner != PartitionerXXHash {
		c.errs = append(c.errs, fmt.Errorf("kds: WithPartitioner: unknown partitioner %d", c.partitioner))
	}
	c.checkStore()
	for _, h := range c.hooks {
		c.dataHooked = c.dataHooked || h.observesData()
	}
	return c, errors.Join(c.errs...)
}

// WithClock sets the clock every time-dependent behaviour reads: arrival
// times, iterator expiry, retention, status delays. Default: [RealClock].
// Pass a [ManualClock] for deterministic tests and simulations.
func WithClock(c Clock) Option { return optionFunc(func(cfg *config) { cfg.clock = c }) }

// WithAccountID sets the 12-digit AWS account ID used in ARNs and error
// messages. Default: "000000000000".
func WithAccountID(id string) Option { return optionFunc(func(c *config) { c.accountID = id }) }

// WithRegion sets the region used in ARNs and error messages.
// Default: "us-east-1".
func WithRegion(region string) Option { return optionFunc(func(c *config) { c.region = region }) }

// maxShardLimit bounds WithShardLimit, so that no quota lets one call
// allocate more shards than a machine can hold.
const maxShardLimit = 1_000_000

// WithShardLimit sets the account's shard quota: the most open shards all
// streams may have together. Default: [DefaultShardLimit] (20,000); valid
// from 1 to 1,000,000.
func WithShardLimit(n int) Option { return optionFunc(func(c *config) { c.shardLimit = n }) }

// WithOnDemandStreamLimit sets the account's quota of on-demand streams.
// Default: [DefaultOnDemandStreamCountLimit] (50); must be at least 1.
func WithOnDemandStreamLimit(n int) Option {
	return optionFunc(func(c *config) { c.onDemandCap = n })
}

// WithStatusDelay sets every status delay (see [StatusDelays]) to d.
// Default: 0, so streams are usable at once; Kinesis emulators commonly
// use 500ms.
func WithStatusDelay(d time.Duration) Option {
	return WithStatusDelays(StatusDelays{Create: d, Delete: d, Update: d})
}

// StatusDelays are how long, on the clock, resources stay in their
// transitional states.
type StatusDelays struct {
	// Create is how long a stream stays CREATING after CreateStream, and a
	// consumer CREATING after RegisterStreamConsumer.
	Create time.Duration
	// Delete is how long a stream stays DELETING after DeleteStream, and a
	// consumer DELETING after DeregisterStreamConsumer.
	Delete time.Duration
	// Update is how long a stream stays UPDATING after a reshard
	// (SplitShard, MergeShards, UpdateShardCount).
	Update time.Duration
}

// WithStatusDelays sets the create, delete and update delays separately.
// Default: all 0.
func WithStatusDelays(d StatusDelays) Option {
	return optionFunc(func(c *config) { c.delays = d })
}

// WithPartitioner chooses how partition keys map to hash keys. Default:
// [PartitionerMD5], which places records exactly as Kinesis does.
func WithPartitioner(p Partitioner) Option { return optionFunc(func(c *config) { c.partitioner = p }) }

// WithThroughputLimits sets the per-shard throughput limits of new
// streams. Default: [KinesisLimits] for a [Service], so puts and reads over
// a shard's limits fail as on Kinesis; [NoLimits] for a stream made by
// [NewStream], which is an in-process log first. [Stream.SetThroughputLimits]
// changes one stream's limits later. Negative rates are invalid.
func WithThroughputLimits(l ThroughputLimits) Option {
	return optionFunc(func(c *config) {
		if l.WriteBytesPerSecond < 0 || l.WriteRecordsPerSecond < 0 || l.ReadBytesPerSecond < 0 || l.ReadCallsPerSecond < 0 || l.Window < 0 {
			c.errs = append(c.errs, fmt.Errorf("kds: WithThroughputLimits: negative rate in %+v", l))
		}
		c.limits, c.limitsSet = l, true
	})
}

// WithJanitor starts a background goroutine that frees expired records
// (see [Service.TrimExpired]) every interval on the clock; [Service.Close]
// stops it. Default: no janitor, and memory is released as shards seal
// segments or when TrimExpired is called. interval must be positive.
func WithJanitor(interval time.Duration) Option {
	return optionFunc(func(c *config) {
		if interval <= 0 {
			c.errs = append(c.errs, fmt.Errorf("kds: WithJanitor: interval %v is not positive", interval))
		}
		c.janitor = interval
	})
}

// WithMetricsWindow sets how much per-minute history [Service.Metrics]
// keeps, rounded up to whole minutes, from 1 minute to 31 days. Default:
// [DefaultMetricsWindow]. Totals cover all time whatever the window. Each
// stream that records metrics keeps about 500 bytes per minute of window,
// and each shard with enhanced monitoring on about 250.
func WithMetricsWindow(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d <= 0 || d > maxMetricsWindow {
			c.errs = append(c.errs, fmt.Errorf("kds: WithMetricsWindow: %v is not in (0, %v]", d, maxMetricsWindow))
			return
		}
		c.metricsMinutes = int((d + time.Minute - 1) / time.Minute)
	})
}

// maxMetricsWindow is the longest window WithMetricsWindow takes.
const maxMetricsWindow = 31 * 24 * time.Hour

// WithKeyProvider makes the Service take the data keys of encrypted
// streams from kp, such as an adapter to AWS KMS or a [KeyService] shared
// with other Services, instead of its own [KeyService]. kp must not be
// nil.
func WithKeyProvider(kp KeyProvider) Option {
	return optionFunc(func(c *config) {
		if kp == nil {
			c.errs = append(c.errs, errors.New("kds: WithKeyProvider: provider is nil"))
		}
		c.keyProvider = kp
	})
}

// WithShards sets the shard count of a stream made by [NewStream].
// Default: 1. [NewService] rejects it.
func WithShards(n int) Option {
	return optionFunc(func(c *config) {
		if n < 1 {
			c.errs = append(c.errs, fmt.Errorf("kds: WithShards: %d is below 1", n))
		}
		c.shards = n
	})
}
