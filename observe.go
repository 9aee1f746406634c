package kds

import "time"

// This file holds the calls the put, read and subscribe paths make to
// record CloudWatch metrics (see metricdefs.go for what each means). A
// call adds one sample to each metric it concerns, into the minute it
// started in.

// metricsWindow returns how many minutes of statistics logs keep.
func (svc *Service) metricsWindow() int { return svc.cfg.metricsMinutes }

// streamStats returns the stream's stats of the minute now falls in.
func (s *Stream) streamStats(now time.Time) []stat {
	return s.stats.get(streamMetricCount, s.svc.metricsWindow()).minute(now)
}

// latencyEvery is how many calls of an operation share one latency
// sample: reading the clock a second time costs a PutRecord call a third
// more on some machines, so only the first call of each minute and every
// latencyEvery-th after it are timed.
const latencyEvery = 16

// timeLatency reports whether the n-th call of a minute is timed.
func timeLatency(n int64) bool { return (n-1)%latencyEvery == 0 }

// latencyMicros is how long a call that started at start has taken.
func (s *Stream) latencyMicros(start time.Time) int64 {
	return max(s.svc.clock.Now().Sub(start).Microseconds(), 0)
}

// observePutRecord records a PutRecord call that reached the stream:
// stored in sh with size bytes of key and data, or throttled by sh.
func (s *Stream) observePutRecord(start time.Time, sh *shard, size int, stored bool) {
	st := s.streamStats(start)
	n := st[mPutRecordSuccess].add(boolSample(stored))
	if stored {
		st[mPutRecordBytes].add(int64(size))
	}
	if timeLatency(n) {
		st[mPutRecordLatency].add(s.latencyMicros(start))
	}
	if stored {
		s.observeShardWrites(start, shardWrites{{sh, batch{records: 1, bytes: int64(size)}}})
	} else {
		s.observeShardWrites(start, shardWrites{{sh, batch{throttled: 1}}})
	}
}

// observePutRecords records a PutRecords call that reached the stream,
// with the outcome b of its records. Incoming* and PutRecords.Bytes count
// only calls that stored a record, as PutRecord's do.
func (s *Stream) observePutRecords(start time.Time, b batch) {
	st := s.streamStats(start)
	n := st[mPutRecordsTotalRecords].add(b.records + b.throttled)
	st[mPutRecordsSuccess].add(boolSample(b.records > 0))
	st[mPutRecordsSuccessfulRecords].add(b.records)
	st[mPutRecordsThrottledRecords].add(b.throttled)
	if b.records > 0 {
		st[mPutRecordsBytes].add(b.bytes)
		st[mPutRecordsStoredRecords].add(b.records)
	}
	if timeLatency(n) {
		st[mPutRecordsLatency].add(s.latencyMicros(start))
	}
}

// enhanced returns the shard-level metrics that are on.
func (s *Stream) enhanced() metricSet { return metricSet(s.metrics.Load()) }

// shardWrite is what one put call did to one shard.
type shardWrite struct {
	sh *shard
	b  batch
}

// shardWrites gathers a put call's records by shard, for the shard-level
// metrics: one sample per call and shard.
type shardWrites []shardWrite

// add counts a record of size bytes bound for sh, stored or throttled.
func (w *shardWrites) add(sh *shard, size int, stored bool) {
	i := len(*w) - 1
	for i >= 0 && (*w)[i].sh != sh {
		i--
	}
	if i < 0 {
		*w = append(*w, shardWrite{sh: sh})
		i = len(*w) - 1
	}
	b := &(*w)[i].b
	if stored {
		b.records++
		b.bytes += int64(size)
	} else {
		b.throttled++
	}
}

// observeShardWrites records, if enhanced monitoring is on, what one put
// call did to each shard it wrote to: IncomingBytes and IncomingRecords
// if it stored records there, WriteProvisionedThroughputExceeded always.
func (s *Stream) observeShardWrites(now time.Time, writes shardWrites) {
	on := s.enhanced()
	if on == 0 {
		return
	}
	for _, w := range writes {
		which := metricSet(1 << mShardWriteThrottled)
		if w.b.records > 0 {
			which |= 1<<mShardIncomingBytes | 1<<mShardIncomingRecords
		}
		s.observeShard(now, w.sh, on, [shardMetricCount]int64{
			mShardIncomingBytes:   w.b.bytes,
			mShardIncomingRecords: w.b.records,
			mShardWriteThrottled:  w.b.throttled,
		}, which)
	}
}

// observeShard adds samples v[i] of the shard metrics in both which and
// on.
func (s *Stream) observeShard(now time.Time, sh *shard, on metricSet, v [shardMetricCount]int64, which metricSet) {
	which &= on
	if which == 0 {
		return
	}
	st := sh.stats.get(shardMetricCount, s.svc.metricsWindow()).minute(now)
	for i := range v {
		if which&(1<<i) != 0 {
			st[i].add(v[i])
		}
	}
}

// observeRead records a read of shard sh that returned records, by a
// GetRecords call that started at start (call) or by a Go-native reader,
// which counts as a GetRecords call without a latency. age is the
// iterator age to report: how old the last record returned is, or how
// far behind the reader is if none was.
func (s *Stream) observeRead(start time.Time, sh *shard, records []Record, age int64, call bool) {
	bytes, n := int64(recordBytes(records)), int64(len(records))
	st := s.streamStats(start)
	calls := st[mGetRecordsSuccess].add(1)
	st[mGetRecordsBytes].add(bytes)
	st[mGetRecordsRecords].add(n)
	st[mGetRecordsIteratorAge].add(age)
	if call {
		st[mReadThrottled].add(0)
		if timeLatency(calls) {
			st[mGetRecordsLatency].add(s.latencyMicros(start))
		}
	}
	if on := s.enhanced(); on != 0 {
		s.observeShard(start, sh, on, [shardMetricCount]int64{
			mShardOutgoingBytes:   bytes,
			mShardOutgoingRecords: n,
			mShardIteratorAge:     age,
		}, readMetrics(call))
	}
}

// readMetrics are the shard metrics a read concerns: a Go-native reader
// is never throttled, so only a call samples ReadProvisionedThroughputExceeded.
func readMetrics(call bool) metricSet {
	m := metricSet(1<<mShardOutgoingBytes | 1<<mShardOutgoingRecords | 1<<mShardIteratorAge)
	if call {
		m |= 1 << mShardReadThrottled
	}
	return m
}

// observeReadThrottled records a GetRecords call on sh refused for
// exceeding the shard's read limits.
func (s *Stream) observeReadThrottled(start time.Time, sh *shard) {
	st := s.streamStats(start)
	calls := st[mGetRecordsSuccess].add(0)
	st[mReadThrottled].add(1)
	if timeLatency(calls) {
		st[mGetRecordsLatency].add(s.latencyMicros(start))
	}
	if on := s.enhanced(); on != 0 {
		s.observeShard(start, sh, on, [shardMetricCount]int64{mShardReadThrottled: 1}, 1<<mShardReadThrottled)
	}
}

// iteratorAge is the age, at now, of the last of records; or behind, the
// reader's lag, if there are none.
func iteratorAge(now time.Time, records []Record, behind int64) int64 {
	if len(records) == 0 {
		return behind
	}
	return max(now.Sub(records[len(records)-1].ApproximateArrivalTimestamp).Milliseconds(), 0)
}

// consumerStats returns c's stats of the minute now falls in.
func (c *consumer) consumerStats(now time.Time) []stat {
	return c.stats.get(consumerMetricCount, c.stream.svc.metricsWindow()).minute(now)
}

// observeSubscribe records a SubscribeToShard call of c: successful, or
// refused, rateExceeded telling whether for coming too soon.
func (c *consumer) observeSubscribe(now time.Time, ok, rateExceeded bool) {
	st := c.consumerStats(now)
	st[mSubscribeSuccess].add(boolSample(ok))
	st[mSubscribeRateExceeded].add(boolSample(rateExceeded))
}

// observeEvent records an event pushed to c from shard sh.
func (c *consumer) observeEvent(now time.Time, sh *shard, ev SubscribeToShardEvent) {
	bytes, n := int64(recordBytes(ev.Records)), int64(len(ev.Records))
	st := c.consumerStats(now)
	st[mEventBytes].add(bytes)
	st[mEventRecords].add(n)
	st[mEventSuccess].add(1)
	st[mEventMillisBehind].add(ev.MillisBehindLatest)
	s := c.stream
	if on := s.enhanced(); on != 0 {
		s.observeShard(now, sh, on, [shardMetricCount]int64{
			mShardOutgoingBytes:   bytes,
			mShardOutgoingRecords: n,
		}, 1<<mShardOutgoingBytes|1<<mShardOutgoingRecords)
	}
}

// boolSample is 1 for true, 0 for false.
func boolSample(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
