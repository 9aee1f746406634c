package kds

import (
	"cmp"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// stat accumulates the samples of one metric in one minute. Adding a
// sample is two atomic additions, plus a compare-and-swap only when the
// sample is a new minimum or maximum. A sample's sum, minimum and maximum
// are in before its count, and readers load the count first, so a reader
// that counts a sample also sees its minimum and maximum.
type stat struct {
	count, sum, min, max atomic.Int64
}

// add records one sample and returns how many s holds with it.
func (s *stat) add(v int64) int64 {
	s.sum.Add(v)
	for cur := s.max.Load(); v > cur && !s.max.CompareAndSwap(cur, v); cur = s.max.Load() {
	}
	for cur := s.min.Load(); v < cur && !s.min.CompareAndSwap(cur, v); cur = s.min.Load() {
	}
	return s.count.Add(1)
}

// reset empties s.
func (s *stat) reset() {
	s.count.Store(0)
	s.sum.Store(0)
	s.min.Store(math.MaxInt64)
	s.max.Store(math.MinInt64)
}

// load returns what s holds. A sample being added while it loads may be
// in the sum but not yet in the count.
func (s *stat) load() tally {
	n := s.count.Load()
	return tally{count: n, sum: s.sum.Load(), min: s.min.Load(), max: s.max.Load()}.sane()
}

// take empties s and returns what it held. A sample being added meanwhile
// ends up whole in s or in the result, or with its count on one side and
// its value on the other, so the two together always hold every sample.
func (s *stat) take() tally {
	n := s.count.Swap(0)
	return tally{count: n, sum: s.sum.Swap(0), min: s.min.Swap(math.MaxInt64), max: s.max.Swap(math.MinInt64)}.sane()
}

// tally is a plain copy of a stat, or a merge of several. min and max are
// meaningless while count is 0.
type tally struct {
	count, sum, min, max int64
}

// emptyTally is the tally of no samples, ready to merge into.
var emptyTally = tally{min: math.MaxInt64, max: math.MinInt64}

// sane returns t, or for a tally without samples emptyTally, or for one
// whose samples' values went elsewhere (see stat.take) its mean as minimum
// and maximum.
func (t tally) sane() tally {
	switch {
	case t.count == 0:
		return emptyTally
	case t.min > t.max:
		t.min, t.max = t.sum/t.count, t.sum/t.count
	}
	return t
}

// merge returns the statistics of t's samples and u's together.
func (t tally) merge(u tally) tally {
	if u.count == 0 {
		return t
	}
	if t.count == 0 {
		return u
	}
	return tally{count: t.count + u.count, sum: t.sum + u.sum, min: min(t.min, u.min), max: max(t.max, u.max)}
}

// minuteStats holds one minute's stats of a metricLog.
type minuteStats struct {
	minute atomic.Int64 // Unix minute the stats belong to; unusedMinute if none
	stats  []stat
}

// unusedMinute marks a ring slot that holds no minute yet.
const unusedMinute = math.MinInt64

// metricLog keeps per-minute statistics of a fixed set of metrics (width
// of them, indexed 0 to width-1) for a window of recent minutes, and
// totals since it was made. It is a ring: a minute's stats are reused, and
// folded into the totals, when a minute window-many minutes later comes.
// Recording is lock-free except once per minute, when a minute's stats are
// taken over.
type metricLog struct {
	ring []minuteStats
	// late takes the samples of minutes older than their ring slot's (a
	// call that started before the minute turned, recording after another
	// took the slot over): they count in the totals only.
	late []stat

	mu      sync.Mutex // serialises taking over a minute and reading
	retired []tally    // totals of the minutes that left the ring
}

// newMetricLog returns an empty log of width metrics over window minutes.
func newMetricLog(width, window int) *metricLog {
	l := &metricLog{ring: make([]minuteStats, window), retired: make([]tally, width)}
	stats := make([]stat, width*(window+1))
	for i := range stats {
		stats[i].reset()
	}
	l.late = stats[width*window:]
	for i := range l.ring {
		l.ring[i].minute.Store(unusedMinute)
		l.ring[i].stats = stats[i*width : (i+1)*width : (i+1)*width]
	}
	for i := range l.retired {
		l.retired[i] = emptyTally
	}
	return l
}

// unixMinute returns the minute t falls in, counted from the Unix epoch.
func unixMinute(t time.Time) int64 {
	s := t.Unix()
	if s < 0 {
		return (s - 59) / 60
	}
	return s / 60
}

// minute returns the stats of the minute now falls in, taking over the
// ring slot of an older minute if need be; or the late stats if the slot
// holds a later minute already.
func (l *metricLog) minute(now time.Time) []stat {
	m := unixMinute(now)
	b := &l.ring[uint64(m)%uint64(len(l.ring))]
	if b.minute.Load() == m {
		return b.stats
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch cur := b.minute.Load(); {
	case cur == m:
	case cur > m:
		return l.late
	default:
		for i := range b.stats {
			l.retired[i] = l.retired[i].merge(b.stats[i].take())
		}
		b.minute.Store(m)
	}
	return b.stats
}

// add records sample v of metric i at now.
func (l *metricLog) add(now time.Time, i int, v int64) {
	l.minute(now)[i].add(v)
}

// minutePoint is one minute's tallies of every metric of a log.
type minutePoint struct {
	minute int64
	stats  []tally
}

// read returns the log's totals and its minutes that have samples, oldest
// first.
func (l *metricLog) read() (totals []tally, minutes []minutePoint) {
	l.mu.Lock()
	defer l.mu.Unlock()
	totals = append([]tally(nil), l.retired...)
	for i := range l.late {
		totals[i] = totals[i].merge(l.late[i].load())
	}
	for i := range l.ring {
		b := &l.ring[i]
		m := b.minute.Load()
		if m == unusedMinute {
			continue
		}
		p := minutePoint{minute: m, stats: make([]tally, len(b.stats))}
		for j := range b.stats {
			p.stats[j] = b.stats[j].load()
			totals[j] = totals[j].merge(p.stats[j])
		}
		minutes = append(minutes, p)
	}
	slices.SortFunc(minutes, func(a, b minutePoint) int { return cmp.Compare(a.minute, b.minute) })
	return totals, minutes
}

// lazyLog is a metricLog made on first use, so streams, shards and
// consumers that record nothing cost nothing.
type lazyLog struct {
	p atomic.Pointer[metricLog]
}

// get returns the log, making it with width metrics over window minutes
// if this is the first use.
func (z *lazyLog) get(width, window int) *metricLog {
	if l := z.p.Load(); l != nil {
		return l
	}
	z.p.CompareAndSwap(nil, newMetricLog(width, window))
	return z.p.Load()
}

// load returns the log, or nil if nothing has been recorded.
func (z *lazyLog) load() *metricLog { return z.p.Load() }
