package kds

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/kdsgo/kds/internal/coral"
)

// Resharding limits of Kinesis.
const (
	// MaxShardsPerStreamByUpdate is the most shards UpdateShardCount will
	// scale a stream to.
	MaxShardsPerStreamByUpdate = 10000
	// MaxScalingsPerDay is how many UpdateShardCount calls a stream takes
	// in any rolling 24 hours.
	MaxScalingsPerDay = 10
)

// pendingUpdate is a change (a reshard, or a change of encryption) that
// was accepted but not yet applied: the stream is UPDATING until due (see
// [StatusDelays]).
type pendingUpdate struct {
	due    time.Time
	delta  int // how the open shard count will change
	change streamChange
}

// streamChange is a change of a stream that takes its UPDATING time. It
// names what it changes by shard index and key ID, so that a data
// directory can keep it while it is pending.
type streamChange struct {
	kind     changeKind
	shard    uint32  // split: the shard to split; merge: the one whose range comes first
	adjacent uint32  // merge: the other shard
	at       HashKey // split: where the second child's range starts
	target   int     // scale: the open shard count wanted
	keyID    string  // start- and stop-encryption: the KMS key
}

// changeKind says what a streamChange does.
type changeKind string

// The kinds of streamChange, as a data directory names them.
const (
	changeSplit           changeKind = "split"
	changeMerge           changeKind = "merge"
	changeScale           changeKind = "scale"
	changeStartEncryption changeKind = "start-encryption"
	changeStopEncryption  changeKind = "stop-encryption"
)

// settle applies a pending change whose delay has passed, and reports
// whether one is still pending. The caller must not hold s.mu.
func (s *Stream) settle(now time.Time) bool {
	p := s.pending.Load()
	if p == nil {
		return false
	}
	if now.Before(p.due) {
		return true
	}
	s.mu.Lock()
	if s.pending.Load() == p {
		// The metadata saved while applying leaves the change out, as if
		// it were no longer pending; except for UpdateShardCount, which
		// takes many steps, each saved: if the process dies part way, the
		// change is still pending when the directory is opened again, and
		// is carried on from the layout reached (it goes from any layout).
		// A failed save has failed the data directory, which reports it
		// from then on.
		s.applyingPending = p.change.kind != changeScale
		_ = s.applyLocked(p.change, p.due)
		s.applyingPending = false
		s.pending.Store(nil)
		if p.change.kind == changeScale {
			_ = s.saveLocked()
		}
	}
	s.mu.Unlock()
	return false
}

// scheduleLocked makes change c, which changes the open shard count by
// delta, at once when the Service has no status delay, and otherwise
// leaves the stream UPDATING until the delay has passed. Either way the
// stream's metadata is saved. The caller holds s.mu.
func (s *Stream) scheduleLocked(now time.Time, delta int, c streamChange) error {
	if d := s.svc.cfg.delays.Update; d > 0 {
		s.pending.Store(&pendingUpdate{due: now.Add(d), delta: delta, change: c})
		return s.saveLocked()
	}
	return s.applyLocked(c, now)
}

// applyLocked makes change c at time at, and saves the stream's metadata.
// The caller holds s.mu.
func (s *Stream) applyLocked(c streamChange, at time.Time) error {
	var err error
	switch c.kind {
	case changeSplit:
		err = s.splitLocked(s.shards[c.shard], c.at, at)
	case changeMerge:
		err = s.mergeLocked(s.shards[c.shard], s.shards[c.adjacent], at)
	case changeScale:
		err = s.scaleLocked(c.target, at)
	case changeStartEncryption:
		s.encryption.Store(&encryption{keyID: c.keyID})
	case changeStopEncryption:
		// Only the encryption the request named: a Start that switched
		// keys meanwhile stands.
		if e := s.encryption.Load(); e != nil && e.keyID == c.keyID {
			s.encryption.Store(nil)
		}
	}
	if err != nil {
		return err
	}
	return s.saveLocked()
}

// quotaShardCount returns the open shards the stream counts against the
// account's shard quota: those open now, plus those a pending reshard
// will open.
func (s *Stream) quotaShardCount() int {
	n := s.openShardCount()
	if p := s.pending.Load(); p != nil {
		n += p.delta
	}
	return n
}

// beginReshard checks that the stream can be resharded now (ACTIVE and
// provisioned), locks it, and checks again that no other reshard got in
// first. On success the caller holds s.mu and must unlock it.
func (s *Stream) beginReshard(op string, now time.Time) error {
	if err := s.requireActive(now); err != nil {
		return err
	}
	if s.streamMode() == StreamModeOnDemand {
		return newError(codeValidation, "%s is not supported for stream %s under account %s because it is in ON_DEMAND capacity mode.", op, s.name, s.svc.cfg.accountID)
	}
	s.mu.Lock()
	if s.pending.Load() != nil {
		s.mu.Unlock()
		return s.notActive(StreamStatusUpdating)
	}
	return nil
}

// openShardLocked finds an open shard for SplitShard or MergeShards.
func (s *Stream) openShardLocked(id string) (*shard, error) {
	if index, ok := parseShardIndex(id); ok && int64(index) < int64(len(s.shards)) {
		if sh := s.shards[index]; sh.closure.Load() == nil {
			return sh, nil
		}
	}
	return nil, newError(codeResourceNotFound, "Could not find shard %s in stream %s under account %s.", normalShardID(id), s.name, s.svc.cfg.accountID)
}

// checkShardQuota returns LimitExceededException if opening more shards
// would take the account past its shard quota.
func (svc *Service) checkShardQuota(more int, now time.Time) error {
	svc.mu.RLock()
	defer svc.mu.RUnlock()
	if open := svc.openShardCountLocked(now); more > svc.cfg.shardLimit-open {
		return svc.shardLimitError(open, more)
	}
	return nil
}

// SplitShardInput is the input of [Service.SplitShard].
type SplitShardInput struct {
	StreamName string
	StreamARN  string
	// ShardToSplit is the open shard to split.
	ShardToSplit string
	// NewStartingHashKey is where the second child's range starts; it must
	// lie strictly inside the shard's range, above its start plus one.
	NewStartingHashKey string
}

// SplitShardOutput is the (empty) output of [Service.SplitShard].
type SplitShardOutput struct{}

// SplitShard closes an open shard and opens two children that share its
// hash key range, split at NewStartingHashKey. The parent keeps its records
// (no data is copied) and stays readable until they leave the retention
// window; new records go to the children.
func (svc *Service) SplitShard(ctx context.Context, in SplitShardInput) (SplitShardOutput, error) {
	return run(svc, ctx, opSplitShard, in, (*Service).splitShard)
}

// splitShard is the body of [Service.SplitShard].
func (svc *Service) splitShard(ctx context.Context, in SplitShardInput) (SplitShardOutput, error) {
	var v violations
	if in.NewStartingHashKey == "" {
		v.add("null", "newStartingHashKey", coral.MustNotBeNull)
	} else if !isCanonicalDecimal(in.NewStartingHashKey, 39) {
		v.add(quote(in.NewStartingHashKey), "newStartingHashKey", matchPattern(hashKeyPattern))
	}
	v.checkRequiredShardID(in.ShardToSplit, "shardToSplit")
	s, now, err := svc.resolve(v, streamRef{in.StreamName, in.StreamARN})
	if err != nil {
		return SplitShardOutput{}, err
	}
	if err := s.beginReshard("SplitShard", now); err != nil {
		return SplitShardOutput{}, err
	}
	defer s.mu.Unlock()
	parent, err := s.openShardLocked(in.ShardToSplit)
	if err != nil {
		return SplitShardOutput{}, err
	}
	if err := svc.checkShardQuota(1, now); err != nil {
		return SplitShardOutput{}, err
	}
	at, err := ParseHashKey(in.NewStartingHashKey)
	r := parent.hashRange
	if err != nil || !r.splitsAt(at) {
		return SplitShardOutput{}, newError(codeInvalidArgument, "NewStartingHashKey %s used in SplitShard() on shard %s in stream %s under account %s is not both greater than one plus the shard's StartingHashKey %s and less than the shard's EndingHashKey %s.",
			in.NewStartingHashKey, parent.id, s.name, svc.cfg.accountID, r.StartingHashKey, r.EndingHashKey)
	}
	err = s.scheduleLocked(now, 1, streamChange{kind: changeSplit, shard: parent.index, at: at})
	return SplitShardOutput{}, err
}

// splitsAt reports whether SplitShard may split a shard with range r at
// key at: above its start plus one, and below its end.
func (r HashKeyRange) splitsAt(at HashKey) bool {
	return r.StartingHashKey.addUint64(1).Less(at) && r.StartingHashKey.Less(at) && at.Less(r.EndingHashKey)
}

// MergeShardsInput is the input of [Service.MergeShards].
type MergeShardsInput struct {
	StreamName string
	StreamARN  string
	// ShardToMerge is the open shard whose range comes first.
	ShardToMerge string
	// AdjacentShardToMerge is the open shard whose range starts right
	// after ShardToMerge's ends.
	AdjacentShardToMerge string
}

// MergeShardsOutput is the (empty) output of [Service.MergeShards].
type MergeShardsOutput struct{}

// MergeShards closes two open shards with adjacent hash key ranges and
// opens one child covering both. The parents keep their records.
func (svc *Service) MergeShards(ctx context.Context, in MergeShardsInput) (MergeShardsOutput, error) {
	return run(svc, ctx, opMergeShards, in, (*Service).mergeShards)
}

// mergeShards is the body of [Service.MergeShards].
func (svc *Service) mergeShards(ctx context.Context, in MergeShardsInput) (MergeShardsOutput, error) {
	var v violations
	v.checkRequiredShardID(in.ShardToMerge, "shardToMerge")
	v.checkRequiredShardID(in.AdjacentShardToMerge, "adjacentShardToMerge")
	s, now, err := svc.resolve(v, streamRef{in.StreamName, in.StreamARN})
	if err != nil {
		return MergeShardsOutput{}, err
	}
	if err := s.beginReshard("MergeShards", now); err != nil {
		return MergeShardsOutput{}, err
	}
	defer s.mu.Unlock()
	a, err := s.openShardLocked(in.ShardToMerge)
	if err != nil {
		return MergeShardsOutput{}, err
	}
	b, err := s.openShardLocked(in.AdjacentShardToMerge)
	if err != nil {
		return MergeShardsOutput{}, err
	}
	if !a.hashRange.precedes(b.hashRange) {
		return MergeShardsOutput{}, newError(codeInvalidArgument, "Shards %s and %s in stream %s under account %s are not an adjacent pair of shards eligible for merging", a.id, b.id, s.name, svc.cfg.accountID)
	}
	err = s.scheduleLocked(now, -1, streamChange{kind: changeMerge, shard: a.index, adjacent: b.index})
	return MergeShardsOutput{}, err
}

// precedes reports whether range b starts right after r ends, so that
// shards with these ranges can merge.
func (r HashKeyRange) precedes(b HashKeyRange) bool {
	return r.EndingHashKey != MaxHashKey && r.EndingHashKey.addUint64(1) == b.StartingHashKey
}

// ScalingType is how UpdateShardCount reshapes a stream.
type ScalingType string

// ScalingTypeUniformScaling is the only scaling type: the stream ends with
// shards of equal hash key ranges, as CreateStream makes them.
const ScalingTypeUniformScaling ScalingType = "UNIFORM_SCALING"

// UpdateShardCountInput is the input of [Service.UpdateShardCount].
type UpdateShardCountInput struct {
	StreamName string
	StreamARN  string
	// TargetShardCount is the number of open shards wanted: between half
	// and double the current count, and at most 10,000.
	TargetShardCount int
	// ScalingType must be UNIFORM_SCALING.
	ScalingType ScalingType
}

// UpdateShardCountOutput reports the shard count before and after.
type UpdateShardCountOutput struct {
	StreamName        string
	StreamARN         string
	CurrentShardCount int
	TargetShardCount  int
}

// UpdateShardCount reshapes a provisioned stream to TargetShardCount open
// shards with uniform hash key ranges, by splitting and merging the open
// shards (which may create short-lived intermediate shards, as on AWS). A
// stream takes at most [MaxScalingsPerDay] calls in any 24 hours.
func (svc *Service) UpdateShardCount(ctx context.Context, in UpdateShardCountInput) (UpdateShardCountOutput, error) {
	return run(svc, ctx, opUpdateShardCount, in, (*Service).updateShardCount)
}

// updateShardCount is the body of [Service.UpdateShardCount].
func (svc *Service) updateShardCount(ctx context.Context, in UpdateShardCountInput) (UpdateShardCountOutput, error) {
	var v violations
	switch {
	case in.TargetShardCount == 0:
		v.add("null", "targetShardCount", coral.MustNotBeNull)
	case in.TargetShardCount < 0:
		v.add(quote(itoa(in.TargetShardCount)), "targetShardCount", coral.ValueAtLeast(1))
	}
	switch in.ScalingType {
	case "":
		v.add("null", "scalingType", coral.MustNotBeNull)
	case ScalingTypeUniformScaling:
	default:
		v.add(quote(string(in.ScalingType)), "scalingType", enumValues(string(ScalingTypeUniformScaling)))
	}
	s, now, err := svc.resolve(v, streamRef{in.StreamName, in.StreamARN})
	if err != nil {
		return UpdateShardCountOutput{}, err
	}
	if err := s.beginReshard("UpdateShardCount", now); err != nil {
		return UpdateShardCountOutput{}, err
	}
	defer s.mu.Unlock()
	current, target := s.openShardCount(), in.TargetShardCount
	acct := svc.cfg.accountID
	switch {
	case target > 2*current:
		return UpdateShardCountOutput{}, newError(codeInvalidArgument, "UpdateShardCount on stream %s under account %s cannot scale to %d shards: more than double the current %d open shards.", s.name, acct, target, current)
	case 2*target < current:
		return UpdateShardCountOutput{}, newError(codeInvalidArgument, "UpdateShardCount on stream %s under account %s cannot scale to %d shards: less than half the current %d open shards.", s.name, acct, target, current)
	case target > MaxShardsPerStreamByUpdate:
		return UpdateShardCountOutput{}, newError(codeInvalidArgument, "UpdateShardCount on stream %s under account %s cannot scale beyond %d shards.", s.name, acct, MaxShardsPerStreamByUpdate)
	}
	s.scalings = lastDay(s.scalings, now)
	if len(s.scalings) >= MaxScalingsPerDay {
		return UpdateShardCountOutput{}, newError(codeLimitExceeded, "UpdateShardCount on stream %s under account %s exceeds the limit of %d scaling operations in a rolling 24-hour period.", s.name, acct, MaxScalingsPerDay)
	}
	if err := svc.checkShardQuota(target-current, now); err != nil {
		return UpdateShardCountOutput{}, err
	}
	s.scalings = append(s.scalings, now)
	if target != current {
		err = s.scheduleLocked(now, target-current, streamChange{kind: changeScale, target: target})
	} else {
		err = s.saveLocked()
	}
	if err != nil {
		return UpdateShardCountOutput{}, err
	}
	return UpdateShardCountOutput{StreamName: s.name, StreamARN: s.arn, CurrentShardCount: current, TargetShardCount: target}, nil
}

// lastDay returns the times in ts that lie in the 24 hours before now,
// reusing ts: the calls a rolling daily rate limit still counts.
func lastDay(ts []time.Time, now time.Time) []time.Time {
	recent := ts[:0]
	for _, t := range ts {
		if now.Sub(t) < 24*time.Hour {
			recent = append(recent, t)
		}
	}
	return recent
}

// splitLocked closes parent and opens two children split at key at. The
// caller holds s.mu.
func (s *Stream) splitLocked(parent *shard, at HashKey, t time.Time) error {
	r := parent.hashRange
	parents := []*shard{parent}
	left, err1 := s.newChildLocked(HashKeyRange{StartingHashKey: r.StartingHashKey, EndingHashKey: at.subUint64(1)}, parents, t)
	right, err2 := s.newChildLocked(HashKeyRange{StartingHashKey: at, EndingHashKey: r.EndingHashKey}, parents, t)
	err3 := s.replaceLocked([]*shard{parent}, []*shard{left, right}, t)
	return cmp.Or(err1, err2, err3)
}

// mergeLocked closes a and b, whose ranges are adjacent with a's first,
// and opens one child covering both. The caller holds s.mu.
func (s *Stream) mergeLocked(a, b *shard, t time.Time) error {
	r := HashKeyRange{StartingHashKey: a.hashRange.StartingHashKey, EndingHashKey: b.hashRange.EndingHashKey}
	parents := []*shard{a, b}
	child, err := s.newChildLocked(r, parents, t)
	return cmp.Or(err, s.replaceLocked(parents, []*shard{child}, t))
}

// scaleLocked reshapes the open shards into target shards with the
// ranges CreateStream would give them: first it splits every open shard
// that straddles a boundary of the new layout, then it merges the pieces
// inside each new range from left to right. It goes on after a step whose
// metadata could not be saved, so that the shards stay consistent in
// memory, and returns the first such error. The caller holds s.mu.
func (s *Stream) scaleLocked(target int, t time.Time) error {
	var errs []error
	layout := splitHashSpace(target)
	for _, r := range layout[1:] {
		if sh := s.routes.Load().lookup(r.StartingHashKey); sh.hashRange.StartingHashKey != r.StartingHashKey {
			errs = append(errs, s.splitLocked(sh, r.StartingHashKey, t))
		}
	}
	for _, r := range layout {
		for {
			first := s.routes.Load().lookup(r.StartingHashKey)
			if first.hashRange.EndingHashKey == r.EndingHashKey {
				break
			}
			errs = append(errs, s.mergeLocked(first, s.routes.Load().lookup(first.hashRange.EndingHashKey.addUint64(1)), t))
		}
	}
	return cmp.Or(errs...)
}

// newChildLocked makes the next shard of the stream, and gives it its
// journal if the Service has a data directory; if that fails, the shard
// is made all the same, with the error. The caller holds s.mu.
func (s *Stream) newChildLocked(r HashKeyRange, parents []*shard, t time.Time) (*shard, error) {
	sh := newShard(uint32(len(s.shards)), r, t, s.incarnationSecs, s.incarnationTag)
	err := s.attachShard(sh)
	sh.parents = parents
	sh.limiters.Store(newShardLimiters(s.limits))
	s.shards = append(s.shards, sh)
	if err != nil {
		return sh, storeError()
	}
	return sh, nil
}

// replaceLocked closes parents and hands their hash keys to children in
// one step for writers: it holds every parent's lock while it closes them
// and publishes the new routing table, so a put either lands in a parent
// before it closes or finds it closed and routes again. The stream's
// metadata is saved before the table is published, so that the children
// are on record before any of their records can be written; if the save
// fails, the table is published all the same (the data directory has
// failed, and takes no more records) and the error returned. The caller
// holds s.mu.
func (s *Stream) replaceLocked(parents, children []*shard, t time.Time) error {
	for _, p := range parents {
		p.mu.Lock()
	}
	open := make([]*shard, 0, s.openShardCount()+len(children))
	for _, sh := range s.routes.Load().shards {
		if !slices.Contains(parents, sh) {
			open = append(open, sh)
		}
	}
	for _, p := range parents {
		p.closeLocked(t, children)
	}
	err := s.saveLocked()
	s.routes.Store(newRouteTable(append(open, children...)))
	s.meter.shards(t, len(open)+len(children), int(s.retentionHours.Load()))
	for _, p := range parents {
		p.mu.Unlock()
	}
	s.topology.Add(1)
	s.arrived.notify()
	return err
}
