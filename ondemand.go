package kds

import (
	"context"
	"math"
	"sync"
	"time"

	"github.com/kdsgo/kds/internal/coral"
)

// On-demand capacity of Kinesis.
const (
	// OnDemandInitialShards is the shard count of a new on-demand stream:
	// 4 MiB/s and 4,000 records/s of writes.
	OnDemandInitialShards = 4
	// OnDemandMaxShards bounds how far on-demand scaling goes.
	OnDemandMaxShards = MaxShardsPerStreamByUpdate
	// onDemandPeakWindow is how far back the peak write throughput counts.
	onDemandPeakWindow = 30 * 24 * time.Hour
	// MaxModeSwitchesPerDay is how many UpdateStreamMode calls a stream
	// takes in any rolling 24 hours.
	MaxModeSwitchesPerDay = 2
)

// demand tracks the write throughput of an on-demand stream: the bytes and
// records written in the current minute, and the peak per-second rate of
// each day, kept for the last 30 days. Kinesis sizes an on-demand stream
// for double that peak.
type demand struct {
	mu               sync.Mutex
	minute           int64 // Unix minute being counted
	bytes, records   int64
	peaks            []dayPeak // newest last, none older than the window
	floorBytesPerSec float64   // capacity carried over from provisioned mode
	floorUntil       time.Time
}

// dayPeak is the highest per-second write rate of one day, averaged over
// each minute.
type dayPeak struct {
	day                        int64 // Unix day
	bytesPerSec, recordsPerSec float64
}

// add counts a put call's writes at now and reports whether a minute has
// ended since the last call, which is when scaling is reconsidered.
func (d *demand) add(now time.Time, bytes, records int64) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	minute := now.Unix() / 60
	rolled := minute != d.minute
	if rolled {
		d.foldLocked()
		d.minute = minute
	}
	d.bytes += bytes
	d.records += records
	return rolled
}

// foldLocked turns the finished minute into a per-second rate and keeps it
// if it is its day's peak.
func (d *demand) foldLocked() {
	if d.bytes == 0 && d.records == 0 {
		return
	}
	day := d.minute / (24 * 60)
	b, r := float64(d.bytes)/60, float64(d.records)/60
	if n := len(d.peaks); n > 0 && d.peaks[n-1].day == day {
		d.peaks[n-1].bytesPerSec = max(d.peaks[n-1].bytesPerSec, b)
		d.peaks[n-1].recordsPerSec = max(d.peaks[n-1].recordsPerSec, r)
	} else {
		d.peaks = append(d.peaks, dayPeak{day: day, bytesPerSec: b, recordsPerSec: r})
	}
	d.bytes, d.records = 0, 0
}

// target returns the shard count that takes double the peak write rate of
// the last 30 days at now, never below the initial capacity, for shards
// with the given limits (Kinesis's for the dimensions they leave unset).
func (d *demand) target(now time.Time, perShard ThroughputLimits) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	oldest := now.Add(-onDemandPeakWindow).Unix() / (24 * 60 * 60)
	kept := d.peaks[:0]
	var bytes, records float64
	for _, p := range d.peaks {
		if p.day >= oldest {
			kept = append(kept, p)
			bytes, records = max(bytes, p.bytesPerSec), max(records, p.recordsPerSec)
		}
	}
	d.peaks = kept
	if now.Before(d.floorUntil) {
		bytes = max(bytes, d.floorBytesPerSec)
	}
	kinesis := KinesisLimits()
	if perShard.WriteBytesPerSecond <= 0 {
		perShard.WriteBytesPerSecond = kinesis.WriteBytesPerSecond
	}
	if perShard.WriteRecordsPerSecond <= 0 {
		perShard.WriteRecordsPerSecond = kinesis.WriteRecordsPerSecond
	}
	need := max(math.Ceil(2*bytes/perShard.WriteBytesPerSecond), math.Ceil(2*records/perShard.WriteRecordsPerSecond))
	return min(max(int(need), OnDemandInitialShards), OnDemandMaxShards)
}

// carryOver makes the tracker keep shards open shards of bytesPerShard
// each for the next 30 days, as a stream switched from provisioned mode
// keeps its capacity.
func (d *demand) carryOver(now time.Time, shards int, bytesPerShard float64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.floorBytesPerSec = float64(shards) * bytesPerShard / 2
	d.floorUntil = now.Add(onDemandPeakWindow)
}

// autoscale reshapes an on-demand stream to the shard count its recent
// peak calls for. It runs after a put that ended a minute, without locks
// held; a stream busy with another reshard, or an account out of shard
// quota, is left as it is until the next minute. With a data directory,
// it saves the stream's metadata either way, for the day's peak.
func (s *Stream) autoscale(now time.Time) {
	if s.streamMode() != StreamModeOnDemand {
		return
	}
	target := s.demand.target(now, s.ThroughputLimits())
	if target == s.openShardCount() && s.svc.store == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// Errors are dropped: a failed save has failed the data directory,
	// which reports it from then on.
	current := s.openShardCount()
	if s.pending.Load() != nil || target == current || s.svc.checkShardQuota(target-current, now) != nil {
		_ = s.saveLocked()
		return
	}
	_ = s.applyLocked(streamChange{kind: changeScale, target: target}, now)
}

// UpdateStreamModeInput is the input of [Service.UpdateStreamMode].
type UpdateStreamModeInput struct {
	// StreamARN is required.
	StreamARN string
	// StreamModeDetails carries the new mode, PROVISIONED or ON_DEMAND.
	StreamModeDetails StreamModeDetails
}

// UpdateStreamModeOutput is the (empty) output of [Service.UpdateStreamMode].
type UpdateStreamModeOutput struct{}

// UpdateStreamMode switches an ACTIVE stream between provisioned and
// on-demand capacity, keeping its shards: a stream that becomes on-demand
// keeps its capacity for 30 days and then scales to its traffic; one that
// becomes provisioned keeps the shards it had. A stream may switch
// [MaxModeSwitchesPerDay] times in any 24 hours.
func (svc *Service) UpdateStreamMode(ctx context.Context, in UpdateStreamModeInput) (UpdateStreamModeOutput, error) {
	return run(svc, ctx, opUpdateStreamMode, in, (*Service).updateStreamMode)
}

// updateStreamMode is the body of [Service.UpdateStreamMode].
func (svc *Service) updateStreamMode(ctx context.Context, in UpdateStreamModeInput) (UpdateStreamModeOutput, error) {
	var v violations
	if in.StreamARN == "" {
		v.add("null", "streamARN", coral.MustNotBeNull)
	}
	mode := in.StreamModeDetails.StreamMode
	switch mode {
	case "":
		v.add("null", "streamModeDetails.streamMode", coral.MustNotBeNull)
	case StreamModeProvisioned, StreamModeOnDemand:
	default:
		v.add(quote(string(mode)), "streamModeDetails.streamMode", enumValues(string(StreamModeProvisioned), string(StreamModeOnDemand)))
	}
	s, now, err := svc.resolve(v, streamRef{arn: in.StreamARN})
	if err != nil {
		return UpdateStreamModeOutput{}, err
	}
	if err := s.requireActive(now); err != nil {
		return UpdateStreamModeOutput{}, err
	}
	if mode == StreamModeOnDemand && s.streamMode() != StreamModeOnDemand {
		if err := svc.checkOnDemandQuota(now); err != nil {
			return UpdateStreamModeOutput{}, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if mode == s.streamMode() {
		return UpdateStreamModeOutput{}, nil
	}
	s.modeSwitches = lastDay(s.modeSwitches, now)
	if len(s.modeSwitches) >= MaxModeSwitchesPerDay {
		return UpdateStreamModeOutput{}, newError(codeLimitExceeded, "Stream %s under account %s cannot switch capacity mode more than %d times in a rolling 24-hour period.", s.name, svc.cfg.accountID, MaxModeSwitchesPerDay)
	}
	s.modeSwitches = append(s.modeSwitches, now)
	if mode == StreamModeOnDemand {
		s.demand.carryOver(now, s.openShardCount(), s.writeBytesPerShard())
	}
	s.onDemand.Store(mode == StreamModeOnDemand)
	return UpdateStreamModeOutput{}, s.saveLocked()
}

// checkOnDemandQuota returns LimitExceededException if the account has as
// many on-demand streams as its quota allows.
func (svc *Service) checkOnDemandQuota(now time.Time) error {
	svc.mu.RLock()
	defer svc.mu.RUnlock()
	n := 0
	for _, s := range svc.streams {
		if !s.gone(now) && s.streamMode() == StreamModeOnDemand {
			n++
		}
	}
	if n >= svc.cfg.onDemandCap {
		return newError(codeLimitExceeded, "Limit for on-demand streams has been reached")
	}
	return nil
}

// writeBytesPerShard returns the write capacity of one of the stream's
// shards, Kinesis's if its limits leave it unset. The caller holds s.mu.
func (s *Stream) writeBytesPerShard() float64 {
	if s.limits.WriteBytesPerSecond > 0 {
		return s.limits.WriteBytesPerSecond
	}
	return KinesisLimits().WriteBytesPerSecond
}

// streamMode returns the stream's capacity mode.
func (s *Stream) streamMode() StreamMode {
	if s.onDemand.Load() {
		return StreamModeOnDemand
	}
	return StreamModeProvisioned
}
