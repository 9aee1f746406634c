package kds

// metricDef publishes one CloudWatch metric from the tallies a metricLog
// keeps: directly from one of them, or derived from several.
type metricDef struct {
	name   string
	unit   MetricUnit
	derive func(ts []tally) tally
	// perUnit divides stored values to give the published unit (latencies
	// are kept in microseconds and published in milliseconds).
	perUnit float64
}

// statistics converts a tally to the published statistics.
func (d metricDef) statistics(t tally) Statistics {
	if t.count == 0 {
		return Statistics{}
	}
	div := d.perUnit
	if div == 0 {
		div = 1
	}
	return Statistics{SampleCount: t.count, Sum: float64(t.sum) / div, Minimum: float64(t.min) / div, Maximum: float64(t.max) / div}
}

// direct publishes stored metric i as it is.
func direct(i int) func([]tally) tally {
	return func(ts []tally) tally { return ts[i] }
}

// The metrics a stream stores, indexes into its metricLog. Each put or
// read call adds one sample to those that concern it.
const (
	mPutRecordBytes = iota
	mPutRecordLatency
	mPutRecordSuccess // 1 per stored record, 0 per throttled call
	mPutRecordsBytes
	mPutRecordsLatency
	mPutRecordsSuccess // 1 per call that stored a record, else 0
	mPutRecordsTotalRecords
	mPutRecordsSuccessfulRecords
	mPutRecordsThrottledRecords
	mPutRecordsStoredRecords // SuccessfulRecords of the calls that stored any
	mGetRecordsBytes
	mGetRecordsRecords
	mGetRecordsLatency
	mGetRecordsSuccess // 1 per answered call, 0 per throttled call
	mGetRecordsIteratorAge
	mReadThrottled // 1 per throttled GetRecords call, 0 per answered one
	streamMetricCount
)

// streamMetrics are the stream-level metrics of Kinesis (dimension
// StreamName), in the order CloudWatch's documentation lists them.
var streamMetrics = []metricDef{
	// A sample per put call that stored a record (CloudWatch: the bytes
	// and records "successfully put" in one operation).
	{name: "IncomingBytes", unit: UnitBytes, derive: func(ts []tally) tally {
		return ts[mPutRecordBytes].merge(ts[mPutRecordsBytes])
	}},
	{name: "IncomingRecords", unit: UnitCount, derive: func(ts []tally) tally {
		// A stored PutRecord is a put of one record.
		n := ts[mPutRecordSuccess].sum
		return ones(n).merge(ts[mPutRecordsStoredRecords])
	}},
	{name: "PutRecord.Bytes", unit: UnitBytes, derive: direct(mPutRecordBytes)},
	{name: "PutRecord.Latency", unit: UnitMilliseconds, derive: direct(mPutRecordLatency), perUnit: 1000},
	{name: "PutRecord.Success", unit: UnitCount, derive: direct(mPutRecordSuccess)},
	{name: "PutRecords.Bytes", unit: UnitBytes, derive: direct(mPutRecordsBytes)},
	{name: "PutRecords.Latency", unit: UnitMilliseconds, derive: direct(mPutRecordsLatency), perUnit: 1000},
	{name: "PutRecords.Success", unit: UnitCount, derive: direct(mPutRecordsSuccess)},
	{name: "PutRecords.TotalRecords", unit: UnitCount, derive: direct(mPutRecordsTotalRecords)},
	{name: "PutRecords.SuccessfulRecords", unit: UnitCount, derive: direct(mPutRecordsSuccessfulRecords)},
	{name: "PutRecords.FailedRecords", unit: UnitCount, derive: func(ts []tally) tally {
		// kds has no internal failures: every call fails 0 records that way.
		return zeros(ts[mPutRecordsTotalRecords].count)
	}},
	{name: "PutRecords.ThrottledRecords", unit: UnitCount, derive: direct(mPutRecordsThrottledRecords)},
	{name: "GetRecords.Bytes", unit: UnitBytes, derive: direct(mGetRecordsBytes)},
	{name: "GetRecords.Records", unit: UnitCount, derive: direct(mGetRecordsRecords)},
	{name: "GetRecords.Latency", unit: UnitMilliseconds, derive: direct(mGetRecordsLatency), perUnit: 1000},
	{name: "GetRecords.Success", unit: UnitCount, derive: direct(mGetRecordsSuccess)},
	{name: "GetRecords.IteratorAgeMilliseconds", unit: UnitMilliseconds, derive: direct(mGetRecordsIteratorAge)},
	{name: "ReadProvisionedThroughputExceeded", unit: UnitCount, derive: direct(mReadThrottled)},
	{name: "WriteProvisionedThroughputExceeded", unit: UnitCount, derive: func(ts []tally) tally {
		// A PutRecord call that was not stored was throttled: one record.
		return complement(ts[mPutRecordSuccess]).merge(ts[mPutRecordsThrottledRecords])
	}},
}

// The metrics a shard stores while enhanced monitoring is on: index i is
// bit i of a metricSet, so these follow shardLevelMetricNames.
const (
	mShardIncomingBytes = iota
	mShardIncomingRecords
	mShardOutgoingBytes
	mShardOutgoingRecords
	mShardWriteThrottled
	mShardReadThrottled
	mShardIteratorAge
	shardMetricCount
)

// shardMetrics are the shard-level metrics (dimensions StreamName and
// ShardId).
var shardMetrics = []metricDef{
	{name: "IncomingBytes", unit: UnitBytes, derive: direct(mShardIncomingBytes)},
	{name: "IncomingRecords", unit: UnitCount, derive: direct(mShardIncomingRecords)},
	{name: "OutgoingBytes", unit: UnitBytes, derive: direct(mShardOutgoingBytes)},
	{name: "OutgoingRecords", unit: UnitCount, derive: direct(mShardOutgoingRecords)},
	{name: "WriteProvisionedThroughputExceeded", unit: UnitCount, derive: direct(mShardWriteThrottled)},
	{name: "ReadProvisionedThroughputExceeded", unit: UnitCount, derive: direct(mShardReadThrottled)},
	{name: "IteratorAgeMilliseconds", unit: UnitMilliseconds, derive: direct(mShardIteratorAge)},
}

// The metrics a registered consumer stores.
const (
	mSubscribeRateExceeded = iota
	mSubscribeSuccess
	mEventBytes
	mEventRecords
	mEventSuccess
	mEventMillisBehind
	consumerMetricCount
)

// consumerMetrics are the enhanced fan-out metrics (dimensions StreamName
// and ConsumerName).
var consumerMetrics = []metricDef{
	{name: "SubscribeToShard.RateExceeded", unit: UnitCount, derive: direct(mSubscribeRateExceeded)},
	{name: "SubscribeToShard.Success", unit: UnitCount, derive: direct(mSubscribeSuccess)},
	{name: "SubscribeToShardEvent.Bytes", unit: UnitBytes, derive: direct(mEventBytes)},
	{name: "SubscribeToShardEvent.Records", unit: UnitCount, derive: direct(mEventRecords)},
	{name: "SubscribeToShardEvent.Success", unit: UnitCount, derive: direct(mEventSuccess)},
	{name: "SubscribeToShardEvent.MillisBehindLatest", unit: UnitMilliseconds, derive: direct(mEventMillisBehind)},
}

// ones is the tally of n samples of 1.
func ones(n int64) tally {
	if n == 0 {
		return emptyTally
	}
	return tally{count: n, sum: n, min: 1, max: 1}
}

// zeros is the tally of n samples of 0.
func zeros(n int64) tally {
	if n == 0 {
		return emptyTally
	}
	return tally{count: n}
}

// complement turns a tally of 0/1 samples into the tally of their
// opposites.
func complement(t tally) tally {
	if t.count == 0 {
		return emptyTally
	}
	return tally{count: t.count, sum: t.count - t.sum, min: 1 - t.max, max: 1 - t.min}
}
