package kds

import (
	"sync"
	"time"
)

// Billing units of Kinesis.
const (
	// PutPayloadUnitBytes is the size of one PUT payload unit: a record is
	// billed ceil(size/25 KiB) units in provisioned mode.
	PutPayloadUnitBytes = 25 << 10
	// OnDemandBillingRoundBytes is what on-demand mode rounds each record
	// up to when it bills ingested and retrieved data.
	OnDemandBillingRoundBytes = 1 << 10
	standardRetentionHours    = 24
	longTermRetentionHours    = 7 * 24
)

// Usage is what a stream has consumed since it was created, in the units
// Kinesis bills, whatever its capacity mode: [PriceTable.Bill] prices it
// for provisioned and for on-demand mode alike.
type Usage struct {
	// From and To bound the period the usage covers.
	From, To time.Time
	// StreamHours is how long the stream existed.
	StreamHours float64
	// ShardHours sums, over time, the shards that were open.
	ShardHours float64
	// ExtendedRetentionShardHours is the part of ShardHours during which
	// the retention period was above 24 hours.
	ExtendedRetentionShardHours float64
	// Records and Bytes count what was put successfully (key plus data).
	Records, Bytes int64
	// PutPayloadUnits counts 25 KiB units, each record rounded up.
	PutPayloadUnits int64
	// BilledIngestBytes counts put bytes with each record rounded up to
	// 1 KiB, as on-demand mode bills them.
	BilledIngestBytes int64
	// RetrievedBytes counts key plus data bytes returned by GetRecords and
	// the Go-native readers; BilledRetrievedBytes rounds each record up to
	// 1 KiB.
	RetrievedBytes, BilledRetrievedBytes int64
	// EnhancedFanOutConsumerShardHours sums, over time, registered
	// enhanced fan-out consumers times open shards.
	EnhancedFanOutConsumerShardHours float64
	// EnhancedFanOutBytes counts key plus data bytes pushed to
	// SubscribeToShard subscriptions; BilledEnhancedFanOutBytes rounds each
	// record up to 1 KiB.
	EnhancedFanOutBytes, BilledEnhancedFanOutBytes int64
	// ThrottledRecords counts records refused for exceeding a shard's
	// write limits; ThrottledReads counts refused GetRecords calls.
	ThrottledRecords, ThrottledReads int64
	// ExtendedRetentionGBHours and LongTermRetentionGBHours are the
	// gigabyte-hours (10^9 bytes) of data kept beyond 24 hours, up to 7
	// days and beyond 7 days, for the retention period in force when
	// each record was put.
	ExtendedRetentionGBHours, LongTermRetentionGBHours float64
}

// meter accumulates a stream's usage. Put and read paths add to it once
// per call, not per record.
type meter struct {
	mu    sync.Mutex
	u     Usage
	since time.Time // when ShardHours was last brought up to date
	open  int       // open shards since then
	efo   int       // registered consumers since then
	ext   bool      // retention above 24 hours since then
}

func newMeter(now time.Time, open int) *meter {
	return &meter{u: Usage{From: now}, since: now, open: open}
}

// advanceLocked brings the time-based quantities up to now. The caller
// holds m.mu.
func (m *meter) advanceLocked(now time.Time) {
	if !now.After(m.since) {
		return
	}
	h := now.Sub(m.since).Hours()
	m.u.StreamHours += h
	m.u.ShardHours += h * float64(m.open)
	m.u.EnhancedFanOutConsumerShardHours += h * float64(m.open*m.efo)
	if m.ext {
		m.u.ExtendedRetentionShardHours += h * float64(m.open)
	}
	m.since = now
}

// shards records that from now on open shards are open and retention is
// retentionHours.
func (m *meter) shards(now time.Time, open, retentionHours int) {
	m.mu.Lock()
	m.advanceLocked(now)
	m.open, m.ext = open, retentionHours > standardRetentionHours
	m.mu.Unlock()
}

// consumers records that from now on n consumers are registered.
func (m *meter) consumers(now time.Time, n int) {
	m.mu.Lock()
	m.advanceLocked(now)
	m.efo = n
	m.mu.Unlock()
}

// batch is the usage of one call, gathered without locking and added to
// the meter at the end.
type batch struct {
	records, bytes, units, billed, throttled int64
}

// add counts one record of size bytes (key plus data).
func (b *batch) add(size int) {
	b.records++
	b.bytes += int64(size)
	b.units += int64((size + PutPayloadUnitBytes - 1) / PutPayloadUnitBytes)
	b.billed += onDemandBilledBytes(size)
}

// onDemandBilledBytes is a record of n bytes as on-demand mode bills it:
// rounded up to a whole KiB, at least one.
func onDemandBilledBytes(n int) int64 {
	return int64(max((n+OnDemandBillingRoundBytes-1)/OnDemandBillingRoundBytes, 1) * OnDemandBillingRoundBytes)
}

// put adds the usage of a put call, made while retention was
// retentionHours.
func (m *meter) put(b batch, retentionHours int) {
	gb := float64(b.bytes) / 1e9
	ext := float64(min(retentionHours, longTermRetentionHours) - standardRetentionHours)
	long := float64(max(retentionHours-longTermRetentionHours, 0))
	m.mu.Lock()
	m.u.Records += b.records
	m.u.Bytes += b.bytes
	m.u.PutPayloadUnits += b.units
	m.u.BilledIngestBytes += b.billed
	m.u.ThrottledRecords += b.throttled
	m.u.ExtendedRetentionGBHours += gb * max(ext, 0)
	m.u.LongTermRetentionGBHours += gb * long
	m.mu.Unlock()
}

// read adds the usage of a shared-throughput read: the records it
// returned, or a refused call.
func (m *meter) read(records []Record, throttled bool) {
	bytes, billed := readBytes(records)
	if bytes == 0 && !throttled {
		return
	}
	m.mu.Lock()
	m.u.RetrievedBytes += bytes
	m.u.BilledRetrievedBytes += billed
	if throttled {
		m.u.ThrottledReads++
	}
	m.mu.Unlock()
}

// push adds the usage of records pushed to an enhanced fan-out consumer.
func (m *meter) push(records []Record) {
	bytes, billed := readBytes(records)
	if bytes == 0 {
		return
	}
	m.mu.Lock()
	m.u.EnhancedFanOutBytes += bytes
	m.u.BilledEnhancedFanOutBytes += billed
	m.mu.Unlock()
}

// readBytes returns the key plus data bytes of records, exact and as
// on-demand mode bills them.
func readBytes(records []Record) (bytes, billed int64) {
	for i := range records {
		n := len(records[i].PartitionKey) + len(records[i].Data)
		bytes += int64(n)
		billed += onDemandBilledBytes(n)
	}
	return bytes, billed
}

// usage returns the usage up to now.
func (m *meter) usage(now time.Time) Usage {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.advanceLocked(now)
	u := m.u
	u.To = now
	return u
}

// recordBytes returns the key plus data bytes of records.
func recordBytes(records []Record) int {
	n := 0
	for i := range records {
		n += len(records[i].PartitionKey) + len(records[i].Data)
	}
	return n
}

// Usage returns what the stream has consumed from its creation until now,
// on the Service's clock. Price it with [PriceTable.Bill].
func (s *Stream) Usage() Usage {
	return s.meter.usage(s.svc.clock.Now())
}
