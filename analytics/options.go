package analytics

import (
	"errors"
	"fmt"
	"time"

	"github.com/kdsgo/kds"
)

// DefaultTickInterval is how often [Windows.Run] re-reads the Clock for
// idle inputs and checkpoints.
const DefaultTickInterval = time.Second

// Option configures a [Windows].
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// config holds the options' values.
type config struct {
	key       func(kds.Record) string
	eventTime func(kds.Record) (time.Time, error)
	bound     time.Duration
	lateness  time.Duration
	idle      time.Duration
	tick      time.Duration
	clock     kds.Clock
	onError   func(error)
	onLate    func(kds.Record)
	errs      []error
}

func defaultConfig() config {
	return config{
		key:       func(r kds.Record) string { return r.PartitionKey },
		eventTime: func(r kds.Record) (time.Time, error) { return r.ApproximateArrivalTimestamp, nil },
		tick:      DefaultTickInterval,
		clock:     kds.RealClock{},
		onError:   func(error) {},
		onLate:    func(kds.Record) {},
	}
}

// duration checks a duration option against [0, MaxDuration], or
// (0, MaxDuration] when positive.
func (c *config) duration(name string, d time.Duration, positive bool) time.Duration {
	if d < 0 || d > MaxDuration || positive && d == 0 {
		low := "at least 0"
		if positive {
			low = "more than 0"
		}
		c.errs = append(c.errs, fmt.Errorf("analytics: %s %v: must be %s and at most %v", name, d, low, MaxDuration))
	}
	return d
}

// WithKey sets the function that groups records: each key has its own
// windows. Default: the record's partition key. Keys are compared as
// strings; the empty string is a key like any other.
func WithKey(key func(kds.Record) string) Option {
	return optionFunc(func(c *config) {
		if key == nil {
			c.errs = append(c.errs, errors.New("analytics: WithKey(nil)"))
			return
		}
		c.key = key
	})
}

// WithEventTime sets the function that reads a record's event time.
// Default: its ApproximateArrivalTimestamp. A record whose function fails,
// or whose time lies outside the years 1824 to 2116, goes to the error
// handler as a [*RecordError] and counts in no window.
func WithEventTime(eventTime func(kds.Record) (time.Time, error)) Option {
	return optionFunc(func(c *config) {
		if eventTime == nil {
			c.errs = append(c.errs, errors.New("analytics: WithEventTime(nil)"))
			return
		}
		c.eventTime = eventTime
	})
}

// WithOutOfOrderness sets how far behind the latest event time seen a
// record may be and still be on time: the watermark is the latest event
// time minus this bound (Flink's bounded out-of-orderness). Default 0
// (records are expected in order); 0 to [MaxDuration].
func WithOutOfOrderness(d time.Duration) Option {
	return optionFunc(func(c *config) { c.bound = c.duration("out-of-orderness", d, false) })
}

// WithAllowedLateness sets how long after its end a window that has fired
// keeps its state: a record for it arriving while the watermark is before
// end + lateness updates it and re-emits its result as an update. Default
// 0 (state is dropped when the window fires); 0 to [MaxDuration].
func WithAllowedLateness(d time.Duration) Option {
	return optionFunc(func(c *config) { c.lateness = c.duration("allowed lateness", d, false) })
}

// WithIdleTimeout sets how long an input may go without records, on the
// Clock, before its watermark starts following the Clock (see the package
// doc). Default 0: never, so the watermark moves only with records, and
// with several shards an empty one holds every window open; 0 to
// [MaxDuration].
func WithIdleTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.idle = c.duration("idle timeout", d, false) })
}

// WithTickInterval sets how often [Windows.Run] calls [Windows.Tick] and
// checkpoints. Default [DefaultTickInterval] (1 s); more than 0 and at
// most [MaxDuration].
func WithTickInterval(d time.Duration) Option {
	return optionFunc(func(c *config) { c.tick = c.duration("tick interval", d, true) })
}

// WithClock sets the clock idle timeouts are measured on, and the clock of
// the consumer group [Windows.Run] starts. Default [kds.RealClock].
func WithClock(clock kds.Clock) Option {
	return optionFunc(func(c *config) {
		if clock == nil {
			c.errs = append(c.errs, errors.New("analytics: WithClock(nil)"))
			return
		}
		c.clock = clock
	})
}

// WithErrorHandler sets the function that receives errors: a
// [*RecordError] for a record whose event time or aggregate failed, and
// the errors of the sink, of checkpoints and of listing shards. Default:
// errors are dropped (Stats still counts failed records). It is called
// with no lock held, one call at a time, and must not call back into the
// Windows.
func WithErrorHandler(f func(error)) Option {
	return optionFunc(func(c *config) {
		if f == nil {
			c.errs = append(c.errs, errors.New("analytics: WithErrorHandler(nil)"))
			return
		}
		c.onError = f
	})
}

// WithLateHandler sets the function that receives records too late for
// all of their windows (see the package doc). Default: they are dropped,
// and counted in Stats.Late either way. It is called like the error
// handler.
func WithLateHandler(f func(kds.Record)) Option {
	return optionFunc(func(c *config) {
		if f == nil {
			c.errs = append(c.errs, errors.New("analytics: WithLateHandler(nil)"))
			return
		}
		c.onLate = f
	})
}
