package kds

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kdsgo/kds/iam"
)

// StreamStatus is a stream's lifecycle state.
type StreamStatus string

// The stream states Kinesis reports.
const (
	StreamStatusCreating StreamStatus = "CREATING"
	StreamStatusDeleting StreamStatus = "DELETING"
	StreamStatusActive   StreamStatus = "ACTIVE"
	StreamStatusUpdating StreamStatus = "UPDATING"
)

// StreamMode is a stream's capacity mode.
type StreamMode string

// The capacity modes. The zero value means PROVISIONED in inputs.
const (
	StreamModeProvisioned StreamMode = "PROVISIONED"
	StreamModeOnDemand    StreamMode = "ON_DEMAND"
)

// StreamModeDetails carries a stream's capacity mode.
type StreamModeDetails struct {
	StreamMode StreamMode
}

// Stream is one Kinesis data stream: its shards, their logs and its
// settings. Get one from [NewStream] (a stream with a private Service) or
// [Service.Stream]. Its methods are the everyday Go face of the stream; the
// Kinesis operations are on [Service]. A Stream is safe for concurrent use.
type Stream struct {
	svc         *Service
	name        string
	arn         string
	id          uint64 // unique per incarnation within the Service
	created     time.Time
	readyAt     time.Time // CREATING until then
	partitioner Partitioner
	// incarnationSecs and incarnationTag identify this incarnation of the
	// stream in its shards' sequence numbers.
	incarnationSecs int64
	incarnationTag  uint8

	routes         atomic.Pointer[routeTable] // open shards, for the put path
	onDemand       atomic.Bool                // capacity mode is ON_DEMAND
	demand         demand                     // write peaks, for on-demand scaling
	ready          atomic.Bool                // latched once CREATING has ended
	goneAt         atomic.Pointer[time.Time]  // when deletion completes; nil if not deleting
	isGone         atomic.Bool                // latched once deletion has completed
	retentionHours atomic.Int32
	maxRecordKiB   atomic.Int32
	metrics        atomic.Uint32                 // enhanced (shard-level) monitoring, a metricSet
	arrived        signal                        // notified after appends to any shard and reshards
	pending        atomic.Pointer[pendingUpdate] // a change waiting for its UPDATING delay
	topology       atomic.Uint64                 // counts reshards, so readers notice new shards

	meter       *meter       // usage, for the cost model
	stats       lazyLog      // stream-level CloudWatch metrics
	trimFloorMs atomic.Int64 // records before this Unix ms stay expired (after retention grew)

	// policy is the stream's resource policy (see
	// [Service.PutResourcePolicy]); nil if it has none.
	policy atomic.Pointer[iam.Policy]

	encryption atomic.Pointer[encryption] // server-side encryption; nil when off
	keyCache   dataKeyCache               // data keys in use, for encryption at rest

	mu           sync.RWMutex
	shards       []*shard // every shard, indexed by shard index
	tags         map[string]string
	scalings     []time.Time          // recent UpdateShardCount calls, for their rate limit
	modeSwitches []time.Time          // recent UpdateStreamMode switches, for their rate limit
	keyStarts    []time.Time          // recent StartStreamEncryption calls, for their rate limit
	keyStops     []time.Time          // recent StopStreamEncryption calls, for theirs
	limits       ThroughputLimits     // per-shard limits of every shard
	consumers    map[string]*consumer // registered consumers by name
	// applyingPending is set while settle applies the pending change, so
	// that the metadata saved meanwhile leaves it out.
	applyingPending bool
}

// NewStream returns a standalone stream with its own [Service]: the
// one-line way to get an ordered, replayable stream in a Go program. It has
// one shard unless [WithShards] says otherwise. With the default options it
// is ACTIVE at once and has no throughput limits (see
// [WithThroughputLimits]). With [WithDataDir], a stream of that name the
// directory already holds is opened as it was (WithShards does not
// apply to it); otherwise the stream is created there.
func NewStream(name string, opts ...Option) (*Stream, error) {
	c, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	if !c.limitsSet {
		c.limits = NoLimits
	}
	svc, err := newService(c)
	if err != nil {
		return nil, err
	}
	s, err := svc.openOrCreate(name, max(c.shards, 1))
	if err != nil {
		return nil, errors.Join(err, svc.Close())
	}
	return s, nil
}

// openOrCreate returns the stream called name, creating it with the
// given number of shards if the Service has none of that name.
func (svc *Service) openOrCreate(name string, shards int) (*Stream, error) {
	if s, ok := svc.Stream(name); ok {
		return s, nil
	}
	_, err := svc.CreateStream(context.Background(), CreateStreamInput{StreamName: name, ShardCount: shards})
	if err != nil {
		return nil, err
	}
	s, _ := svc.Stream(name)
	return s, nil
}

// saveLocked saves the stream's metadata, if the Service has a data
// directory. The caller holds s.mu for writing (or owns s).
func (s *Stream) saveLocked() error {
	st := s.svc.store
	if st == nil {
		return nil
	}
	if err := st.saveStream(s.metaLocked()); err != nil {
		return storeError()
	}
	return nil
}

// Name returns the stream's name.
func (s *Stream) Name() string { return s.name }

// ARN returns the stream's ARN.
func (s *Stream) ARN() string { return s.arn }

// Service returns the Service the stream belongs to.
func (s *Stream) Service() *Service { return s.svc }

// Status transitions happen when they are first observed at or after
// their time, and are latched: a clock stepped backwards does not undo
// them.

// gone reports whether the stream's deletion has completed at now.
func (s *Stream) gone(now time.Time) bool {
	if s.isGone.Load() {
		return true
	}
	g := s.goneAt.Load()
	if g == nil || now.Before(*g) {
		return false
	}
	s.isGone.Store(true)
	return true
}

// serving reports whether puts and reads are accepted at now: Kinesis
// serves data while ACTIVE, UPDATING and DELETING, but not while CREATING.
func (s *Stream) serving(now time.Time) bool {
	if s.ready.Load() {
		return true
	}
	if now.Before(s.readyAt) {
		return false
	}
	s.ready.Store(true)
	return true
}

// status returns the stream's state at now.
func (s *Stream) status(now time.Time) StreamStatus {
	switch {
	case s.goneAt.Load() != nil:
		return StreamStatusDeleting
	case !s.serving(now):
		return StreamStatusCreating
	case s.settle(now):
		return StreamStatusUpdating
	}
	return StreamStatusActive
}

// requireActive returns ResourceInUseException unless the stream is ACTIVE.
func (s *Stream) requireActive(now time.Time) error {
	if st := s.status(now); st != StreamStatusActive {
		return s.notActive(st)
	}
	return nil
}

// requireActiveOrUpdating is requireActive for operations that an
// UPDATING stream also serves, such as those of registered consumers.
func (s *Stream) requireActiveOrUpdating(now time.Time) error {
	if st := s.status(now); st != StreamStatusActive && st != StreamStatusUpdating {
		return s.notActive(st)
	}
	return nil
}

// notActive is the ResourceInUseException of a stream in state st.
func (s *Stream) notActive(st StreamStatus) error {
	return newError(codeResourceInUse, "Stream %s under account %s not ACTIVE, instead in state %s", s.name, s.svc.cfg.accountID, st)
}

// openShardCount returns how many shards accept writes.
func (s *Stream) openShardCount() int { return len(s.routes.Load().shards) }

// shard returns the shard with the given index, if it exists.
func (s *Stream) shard(index uint32) (*shard, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if int64(index) >= int64(len(s.shards)) {
		return nil, false
	}
	return s.shards[index], true
}

// allShards returns a copy of the shard list, by index.
func (s *Stream) allShards() []*shard {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]*shard(nil), s.shards...)
}

// Put writes one record, routed by the MD5 hash of partitionKey as Kinesis
// routes it. data is copied. It returns the shard and sequence number the
// record got, or the error PutRecord would return. For access control and
// the audit trail it is a PutRecord call on the stream's ARN, made by the
// [Caller] of ctx.
func (s *Stream) Put(ctx context.Context, partitionKey string, data []byte) (PutRecordOutput, error) {
	if !s.svc.cfg.dataHooked {
		return s.put(ctx, partitionKey, data)
	}
	in := PutRecordInput{StreamARN: s.arn, PartitionKey: partitionKey, Data: data}
	return run(s.svc, ctx, opPutRecord, in, func(_ *Service, ctx context.Context, _ PutRecordInput) (PutRecordOutput, error) {
		return s.put(ctx, partitionKey, data)
	})
}

// put is Put without the hooks.
func (s *Stream) put(ctx context.Context, partitionKey string, data []byte) (PutRecordOutput, error) {
	var v violations
	v.checkEntry(partitionKey, "", data, 0)
	if err := v.err(); err != nil {
		return PutRecordOutput{}, err
	}
	now := s.svc.clock.Now()
	s.settle(now)
	return s.putRecord(ctx, now, partitionKey, "", "", data)
}

// lookupShard finds a shard by a possibly loose ID ("shardId-1", "1").
func (s *Stream) lookupShard(id string, now time.Time) (*shard, error) {
	acct := s.svc.cfg.accountID
	index, ok := parseShardIndex(id)
	if !ok {
		return nil, newError(codeResourceNotFound, "Could not find shard %s in stream %s under account %s.", id, s.name, acct)
	}
	sh, ok := s.shard(index)
	if !ok || !s.serving(now) || sh.expired(s.cutoffMs(now)) {
		return nil, newError(codeResourceNotFound, "Shard %s in stream %s under account %s does not exist", shardID(index), s.name, acct)
	}
	return sh, nil
}

// normalShardID returns a loose shard ID ("shardId-1", "1") in the
// 12-digit form Kinesis's messages use, or id itself if it has no index.
func normalShardID(id string) string {
	if index, ok := parseShardIndex(id); ok {
		return shardID(index)
	}
	return id
}

// parseShardIndex reads the index from a shard ID: the digits after the
// first '-', or the whole ID if it has none.
func parseShardIndex(id string) (uint32, bool) {
	if _, digits, found := strings.Cut(id, "-"); found {
		id = digits
	}
	if id == "" || strings.TrimLeft(id, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseUint(id, 10, 31)
	return uint32(n), err == nil
}
