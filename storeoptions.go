package kds

import (
	"errors"
	"fmt"
	"time"
)

// WithDataDir keeps the Service's streams, their records and its keys in
// the directory dir, created if missing, so that they outlive the
// process: a Service opened on the same directory later has them all
// back, sequence numbers and shard iterators included. Sealed segments
// are read back from their files on demand (see
// [WithSegmentCacheBytes]), so the retention window can hold more than
// memory. One Service at a time may have a directory open; [Service.Close]
// releases it. Default: no directory; everything is kept in memory.
func WithDataDir(dir string) Option {
	return optionFunc(func(c *config) {
		if dir == "" {
			c.errs = append(c.errs, errors.New("kds: WithDataDir: directory name is empty"))
		}
		c.dataDir = dir
	})
}

// SyncPolicy says when records written to a data directory are forced to
// stable storage (see [WithSync]). Whatever the policy, a put is
// acknowledged only after its records are written to their files, so a
// process that is killed loses nothing acknowledged; the policies differ
// in what a power failure or operating system crash can take.
type SyncPolicy struct {
	mode     syncMode
	interval time.Duration
}

type syncMode uint8

const (
	syncEveryWrite syncMode = iota
	syncInterval
	syncByOS
)

// SyncEveryWrite acknowledges a put only once its records are on stable
// storage (fdatasync), so nothing acknowledged is lost even to a power
// failure. Puts that arrive while a shard's file is being synced share
// the next sync (group commit). It is the default.
func SyncEveryWrite() SyncPolicy { return SyncPolicy{mode: syncEveryWrite} }

// SyncInterval syncs every file with new records every d, from 1ms to 1m.
// A power failure can take the records acknowledged in the last d (plus
// the time a sync takes) before it.
func SyncInterval(d time.Duration) SyncPolicy { return SyncPolicy{mode: syncInterval, interval: d} }

// SyncByOS leaves writing records back to the operating system, and syncs
// a segment's file only when it is sealed and at [Service.Close]. A power
// failure can take what the kernel had not written back (on Linux, by
// default, up to about 30 seconds of records).
func SyncByOS() SyncPolicy { return SyncPolicy{mode: syncByOS} }

// String names the policy as kds serve's --sync flag does: "always", "os"
// or the interval.
func (p SyncPolicy) String() string {
	switch p.mode {
	case syncInterval:
		return p.interval.String()
	case syncByOS:
		return "os"
	}
	return "always"
}

// WithSync sets when a data directory's records reach stable storage.
// Default: [SyncEveryWrite]. It needs [WithDataDir].
func WithSync(p SyncPolicy) Option {
	return optionFunc(func(c *config) {
		if p.mode == syncInterval && (p.interval < time.Millisecond || p.interval > time.Minute) {
			c.errs = append(c.errs, fmt.Errorf("kds: SyncInterval: %v is outside [1ms, 1m]", p.interval))
		}
		c.sync, c.syncSet = p, true
	})
}

// DefaultSegmentCacheBytes is how much memory a data directory's cache of
// sealed segments may use unless [WithSegmentCacheBytes] says otherwise.
const DefaultSegmentCacheBytes = 256 << 20

// WithSegmentCacheBytes bounds the memory that sealed segments read back
// from a data directory may take, at least 16 MiB. The open segment of
// every shard (up to 1 MiB each) is held apart from it. Default:
// [DefaultSegmentCacheBytes]. It needs [WithDataDir].
func WithSegmentCacheBytes(n int64) Option {
	return optionFunc(func(c *config) {
		if n < 16<<20 {
			c.errs = append(c.errs, fmt.Errorf("kds: WithSegmentCacheBytes: %d is below 16 MiB", n))
		}
		c.cacheBytes = n
	})
}

// checkStore reports the storage options that make no sense together.
func (c *config) checkStore() {
	if c.dataDir == "" && c.syncSet {
		c.errs = append(c.errs, errors.New("kds: WithSync needs WithDataDir"))
	}
	if c.dataDir == "" && c.cacheBytes != 0 {
		c.errs = append(c.errs, errors.New("kds: WithSegmentCacheBytes needs WithDataDir"))
	}
	if c.cacheBytes == 0 {
		c.cacheBytes = DefaultSegmentCacheBytes
	}
	if c.dataDir != "" && c.janitor == 0 {
		// Expired segments' files are deleted when their shard seals
		// another; the janitor deletes those of idle shards too.
		c.janitor = time.Minute
	}
}
