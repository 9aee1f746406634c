package kds

import (
	"context"
	"time"

	"github.com/kdsgo/kds/internal/coral"
)

// IncreaseStreamRetentionPeriodInput is the input of
// [Service.IncreaseStreamRetentionPeriod].
type IncreaseStreamRetentionPeriodInput struct {
	StreamName string
	StreamARN  string
	// RetentionPeriodHours is the new period, 24 to 8760, at least the
	// current one.
	RetentionPeriodHours int
}

// IncreaseStreamRetentionPeriodOutput is the (empty) output of
// [Service.IncreaseStreamRetentionPeriod].
type IncreaseStreamRetentionPeriodOutput struct{}

// IncreaseStreamRetentionPeriod lengthens how long records stay readable.
// Records that had already left the old window do not come back.
func (svc *Service) IncreaseStreamRetentionPeriod(ctx context.Context, in IncreaseStreamRetentionPeriodInput) (IncreaseStreamRetentionPeriodOutput, error) {
	return run(svc, ctx, opIncreaseStreamRetentionPeriod, in, (*Service).increaseStreamRetentionPeriod)
}

// increaseStreamRetentionPeriod is the body of [Service.IncreaseStreamRetentionPeriod].
func (svc *Service) increaseStreamRetentionPeriod(ctx context.Context, in IncreaseStreamRetentionPeriodInput) (IncreaseStreamRetentionPeriodOutput, error) {
	err := svc.changeRetention(streamRef{in.StreamName, in.StreamARN}, in.RetentionPeriodHours, true)
	return IncreaseStreamRetentionPeriodOutput{}, err
}

// DecreaseStreamRetentionPeriodInput is the input of
// [Service.DecreaseStreamRetentionPeriod].
type DecreaseStreamRetentionPeriodInput struct {
	StreamName string
	StreamARN  string
	// RetentionPeriodHours is the new period, 24 to 8760, at most the
	// current one.
	RetentionPeriodHours int
}

// DecreaseStreamRetentionPeriodOutput is the (empty) output of
// [Service.DecreaseStreamRetentionPeriod].
type DecreaseStreamRetentionPeriodOutput struct{}

// DecreaseStreamRetentionPeriod shortens how long records stay readable;
// records older than the new period become unreadable at once.
func (svc *Service) DecreaseStreamRetentionPeriod(ctx context.Context, in DecreaseStreamRetentionPeriodInput) (DecreaseStreamRetentionPeriodOutput, error) {
	return run(svc, ctx, opDecreaseStreamRetentionPeriod, in, (*Service).decreaseStreamRetentionPeriod)
}

// decreaseStreamRetentionPeriod is the body of [Service.DecreaseStreamRetentionPeriod].
func (svc *Service) decreaseStreamRetentionPeriod(ctx context.Context, in DecreaseStreamRetentionPeriodInput) (DecreaseStreamRetentionPeriodOutput, error) {
	err := svc.changeRetention(streamRef{in.StreamName, in.StreamARN}, in.RetentionPeriodHours, false)
	return DecreaseStreamRetentionPeriodOutput{}, err
}

// changeRetention is Increase- (increase true) or
// DecreaseStreamRetentionPeriod.
func (svc *Service) changeRetention(ref streamRef, hours int, increase bool) error {
	var v violations
	switch {
	case hours == 0:
		v.add("null", "retentionPeriodHours", coral.MustNotBeNull)
	case hours < 0:
		v.add(quote(itoa(hours)), "retentionPeriodHours", coral.ValueAtLeast(1))
	}
	s, now, err := svc.resolve(v, ref)
	if err != nil {
		return err
	}
	switch {
	case hours < MinRetentionPeriodHours:
		return newError(codeInvalidArgument, "Minimum allowed retention period is %d hours. Requested retention period (%d hours) is too short.", MinRetentionPeriodHours, hours)
	case hours > MaxRetentionPeriodHours:
		return newError(codeInvalidArgument, "Maximum allowed retention period is %d hours. Requested retention period (%d hours) is too long.", MaxRetentionPeriodHours, hours)
	}
	if err := s.requireActive(now); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	current := int(s.retentionHours.Load())
	switch {
	case increase && hours < current:
		return newError(codeInvalidArgument, "Requested retention period (%d hours) for stream %s can not be shorter than existing retention period (%d hours). Use DecreaseRetentionPeriod API.", hours, s.name, current)
	case !increase && hours > current:
		return newError(codeInvalidArgument, "Requested retention period (%d hours) for stream %s can not be longer than existing retention period (%d hours). Use IncreaseRetentionPeriod API.", hours, s.name, current)
	}
	// What has left the window stays gone: the window may grow only
	// forward from here.
	s.trimFloorMs.Store(s.cutoffMs(now))
	s.retentionHours.Store(int32(hours))
	s.meter.shards(now, s.openShardCount(), hours)
	return s.saveLocked()
}

// cutoffMs returns the Unix ms before which records have left the
// retention window at now.
func (s *Stream) cutoffMs(now time.Time) int64 {
	return max(now.Add(-time.Duration(s.retentionHours.Load())*time.Hour).UnixMilli(), s.trimFloorMs.Load())
}

// TrimExpired frees the memory of records that have left their stream's
// retention window, in whole segments, in every stream, and forgets the
// data keys of encrypted streams that may no longer be used without the
// key provider. Reads never return expired records whether or not this
// runs; it releases memory, which otherwise happens as shards fill new
// segments (and as puts and reads need new data keys) or when the janitor
// runs (see [WithJanitor]).
func (svc *Service) TrimExpired() {
	now := svc.clock.Now()
	for _, s := range svc.sortedStreams() {
		cutoff := s.cutoffMs(now)
		for _, sh := range s.allShards() {
			sh.trimExpired(cutoff)
		}
		s.pruneDataKeys(now)
	}
}

// trimExpired drops the segments of the shard whose records all arrived
// before cutoffMs, including an idle tail.
func (sh *shard) trimExpired(cutoffMs int64) {
	if !sh.snapshot().holdsExpired(cutoffMs) {
		return
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	v := sh.view.Load()
	if n := v.tail.count.Load(); n > 0 && v.tail.headers[n-1].arrival < cutoffMs {
		sh.sealLocked(v, -1, cutoffMs) // the next append opens a real tail
		return
	}
	sealed := v.sealed.Clone()
	sh.dropLocked(dropExpired(sealed, cutoffMs))
	sh.view.Store(&logView{sealed: sealed, tail: v.tail})
}

// holdsExpired reports whether v has a segment whose records all arrived
// before cutoffMs.
func (v *logView) holdsExpired(cutoffMs int64) bool {
	if r, ok := v.sealed.Min(); ok {
		return r.seg.lastArrival < cutoffMs
	}
	n := v.tail.count.Load()
	return n > 0 && v.tail.headers[n-1].arrival < cutoffMs
}

// janitor runs TrimExpired every interval on the Service's clock until
// stop is closed.
func (svc *Service) janitor(interval time.Duration, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	for {
		select {
		case <-svc.clock.After(interval):
			svc.TrimExpired()
		case <-stop:
			return
		}
	}
}

// Close stops the Service's background janitor, if [WithJanitor] started
// one, and waits for it, and writes out the events its audit trails (see
// [WithAuditTrail]) still hold. With a data directory (see [WithDataDir])
// it also makes every record durable, marks the directory as closed
// cleanly and releases it; after that, reads still work but writes and
// changes fail with InternalFailureException. Without one the Service
// stays usable. Close is idempotent.
func (svc *Service) Close() error {
	var err error
	svc.closeOnce.Do(func() {
		if svc.stopJanitor != nil {
			close(svc.stopJanitor)
			<-svc.janitorDone
		}
		for _, h := range svc.cfg.hooks {
			if c, ok := h.(interface{ close() }); ok {
				c.close()
			}
		}
		if svc.store != nil {
			err = svc.store.close()
		}
	})
	return err
}
