package kds

import (
	"math"
	"time"

	"golang.org/x/time/rate"
)

// ThroughputLimits are the per-shard throughput limits a stream enforces.
// A zero field leaves that dimension unlimited; the zero value turns
// limits off entirely, which costs nothing on the put and get paths.
type ThroughputLimits struct {
	// WriteBytesPerSecond bounds key plus data bytes put per second.
	WriteBytesPerSecond float64
	// WriteRecordsPerSecond bounds records put per second.
	WriteRecordsPerSecond float64
	// ReadBytesPerSecond bounds bytes returned by GetRecords per second,
	// shared by all polling readers of the shard. One call may return up
	// to 10 MiB; the shard's next calls are refused until the debt is
	// repaid (5 s after a 10 MiB read at 2 MiB/s).
	ReadBytesPerSecond float64
	// ReadCallsPerSecond bounds GetRecords calls per second.
	ReadCallsPerSecond float64
	// Window is how much time's worth of capacity a shard's buckets hold,
	// and so the span over which bursts even out. Default (0): one second,
	// as on Kinesis. A simulation that puts a minute's traffic at once
	// sets a minute.
	Window time.Duration
}

// KinesisLimits returns Kinesis's per-shard limits: writes of 1 MiB/s and
// 1,000 records/s, reads of 2 MiB/s and 5 GetRecords calls/s.
func KinesisLimits() ThroughputLimits {
	return ThroughputLimits{
		WriteBytesPerSecond:   1 << 20,
		WriteRecordsPerSecond: 1000,
		ReadBytesPerSecond:    2 << 20,
		ReadCallsPerSecond:    5,
	}
}

// NoLimits turns throughput limits off.
var NoLimits = ThroughputLimits{}

// shardLimiters are one shard's token buckets, fed the Clock's time. A
// nil limiter leaves its dimension unlimited.
type shardLimiters struct {
	writeBytes, writeRecords, readBytes, readCalls *rate.Limiter
}

// newShardLimiters returns the buckets for l, or nil if l limits nothing.
func newShardLimiters(l ThroughputLimits) *shardLimiters {
	if l.WriteBytesPerSecond <= 0 && l.WriteRecordsPerSecond <= 0 && l.ReadBytesPerSecond <= 0 && l.ReadCallsPerSecond <= 0 {
		return nil
	}
	return &shardLimiters{
		writeBytes:   l.bucket(l.WriteBytesPerSecond),
		writeRecords: l.bucket(l.WriteRecordsPerSecond),
		readBytes:    l.bucket(l.ReadBytesPerSecond),
		readCalls:    l.bucket(l.ReadCallsPerSecond),
	}
}

// bucket returns a token bucket filling at perSecond and holding l's
// window of it, or nil (unlimited) if perSecond is not positive.
func (l ThroughputLimits) bucket(perSecond float64) *rate.Limiter {
	if perSecond <= 0 {
		return nil
	}
	window := l.Window.Seconds()
	if window <= 0 {
		window = 1
	}
	return rate.NewLimiter(rate.Limit(perSecond), max(int(math.Ceil(perSecond*window)), 1))
}

// tokens returns what lim holds at t, or +Inf if lim is unlimited.
func tokens(lim *rate.Limiter, t time.Time) float64 {
	if lim == nil {
		return math.Inf(1)
	}
	return lim.TokensAt(t)
}

// writeBudget is what a shard's write buckets allow at one instant. The
// shard's writer draws it down record by record while holding the shard
// lock, so no one else takes write tokens meanwhile, and then commits what
// it used: a batch pays two bucket operations, not two per record.
type writeBudget struct {
	lim            *shardLimiters // nil: unlimited
	at             time.Time
	bytes, records float64
	usedBytes      int
	usedRecords    int
}

// budget returns the write budget of l at t.
func (l *shardLimiters) budget(t time.Time) writeBudget {
	if l == nil {
		return writeBudget{}
	}
	return writeBudget{lim: l, at: t, bytes: tokens(l.writeBytes, t), records: tokens(l.writeRecords, t)}
}

// take reports whether a record of size bytes fits the budget, and if so
// counts it. A record larger than the whole write-bytes bucket (a large
// record, up to 10 MiB) fits only a full bucket, and borrows the rest: the
// shard takes no more bytes until the debt is repaid at the write rate.
func (b *writeBudget) take(size int) bool {
	if b.lim == nil {
		return true
	}
	room := b.bytes - float64(b.usedBytes)
	if wb := b.lim.writeBytes; wb != nil && size > wb.Burst() {
		if room < float64(wb.Burst()) {
			return false
		}
	} else if float64(size) > room {
		return false
	}
	if float64(b.usedRecords+1) > b.records {
		return false
	}
	b.usedBytes += size
	b.usedRecords++
	return true
}

// commit takes from the buckets what the budget handed out so far; a
// second commit takes only what was handed out since the first.
func (b *writeBudget) commit() {
	if b.lim == nil || b.usedRecords == 0 {
		return
	}
	charge(b.lim.writeBytes, b.at, b.usedBytes)
	charge(b.lim.writeRecords, b.at, b.usedRecords)
	b.bytes -= float64(b.usedBytes)
	b.records -= float64(b.usedRecords)
	b.usedBytes, b.usedRecords = 0, 0
}

// admitRead reports whether a GetRecords call may run at t: the shard has
// a call token left and owes no bytes from earlier large reads.
func (l *shardLimiters) admitRead(t time.Time) bool {
	if l == nil {
		return true
	}
	if tokens(l.readBytes, t) <= 0 {
		return false
	}
	return l.readCalls == nil || l.readCalls.AllowN(t, 1)
}

// readDelay returns how long after t the shard can next serve a read: once
// it has a call token and owes no read bytes. Zero means at once.
func (l *shardLimiters) readDelay(t time.Time) time.Duration {
	if l == nil {
		return 0
	}
	return max(untilTokens(l.readBytes, t, 1), untilTokens(l.readCalls, t, 1))
}

// untilTokens returns how long after t lim holds at least n tokens: zero
// if it does already (or lim is nil), and otherwise at least a millisecond,
// so that a waiter never spins on rounding error.
func untilTokens(lim *rate.Limiter, t time.Time, n float64) time.Duration {
	if lim == nil {
		return 0
	}
	have := lim.TokensAt(t)
	if have >= n {
		return 0
	}
	return max(time.Duration(math.Ceil((n-have)/float64(lim.Limit())*float64(time.Second))), time.Millisecond)
}

// chargeRead charges the bytes a GetRecords call returned to the read
// bucket. A read larger than the whole bucket earns no credit from idle
// time, as on Kinesis: the shard's next call waits until all of it is paid
// for at the read rate (5 s after a 10 MiB read at 2 MiB/s).
func (l *shardLimiters) chargeRead(t time.Time, bytes int) {
	if l == nil || l.readBytes == nil || bytes == 0 {
		return
	}
	if bytes > l.readBytes.Burst() {
		bytes += int(max(l.readBytes.TokensAt(t), 0))
	}
	charge(l.readBytes, t, bytes)
}

// charge takes n tokens from lim at t, going into debt if it holds fewer.
func charge(lim *rate.Limiter, t time.Time, n int) {
	if lim == nil {
		return
	}
	for burst := lim.Burst(); n > 0; n -= burst {
		lim.ReserveN(t, min(n, burst))
	}
}

// throttleMessage is Kinesis's message for a throttled put or read.
func (s *Stream) throttleMessage(sh *shard) string {
	return "Rate exceeded for shard " + sh.id + " in stream " + s.name + " under account " + s.svc.cfg.accountID + "."
}

// SetThroughputLimits replaces the stream's per-shard limits (see
// [WithThroughputLimits] for the default). Every shard starts again with
// full buckets. With a data directory, the limits are kept there; if that
// fails, the Service's [Service.StorageProblems] say so.
func (s *Stream) SetThroughputLimits(l ThroughputLimits) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits = l
	s.applyLimitsLocked()
	_ = s.saveLocked() // a failed save has failed the data directory, which reports it
}

// ThroughputLimits returns the stream's per-shard limits.
func (s *Stream) ThroughputLimits() ThroughputLimits {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.limits
}

// applyLimitsLocked gives every shard fresh buckets for the stream's
// limits. The caller holds s.mu.
func (s *Stream) applyLimitsLocked() {
	for _, sh := range s.shards {
		sh.limiters.Store(newShardLimiters(s.limits))
	}
}
