package kds

import "time"

// Units the cost model uses when it turns a [Usage] into dollars.
const (
	// bytesPerGB is the gigabyte Kinesis bills by: 10^9 bytes, not 2^30.
	bytesPerGB = 1e9
	// hoursPerMonth is the month that GB-month prices are spread over:
	// 730 hours (8,760 hours a year / 12), as AWS's price examples use.
	hoursPerMonth = 730
)

// PriceTable holds Kinesis Data Streams prices in US dollars.
// [DefaultPrices] returns us-east-1's published prices as last checked on
// 2026-11-26 (see [PriceTable.AsOf]).
//
// It is a plain struct: to price another region, a negotiated rate or a
// what-if, copy DefaultPrices() and change the fields, or build a table
// from scratch. A zero field makes its line item free.
//
// Gigabytes are 10^9 bytes, not 2^30, and a month is 730 hours (8,760
// hours a year / 12) throughout.
type PriceTable struct {
	// Provisioned mode.

	// ShardHour is the price, in dollars, of one shard open for one hour.
	ShardHour float64
	// PutPayloadUnitsMillion is the price, in dollars, of 1,000,000 PUT
	// payload units; a record costs ceil(size/25 KiB) units
	// ([PutPayloadUnitBytes]).
	PutPayloadUnitsMillion float64
	// ExtendedRetentionShardHour is the price, in dollars, of one
	// shard-hour during which the stream's retention period is above 24
	// hours (the extended-retention charge, for retention up to 7 days).
	// It is charged on top of ShardHour.
	ExtendedRetentionShardHour float64
	// EnhancedFanOutConsumerShardHour is the price, in dollars, of one
	// enhanced fan-out consumer registered for one hour, per shard.
	EnhancedFanOutConsumerShardHour float64
	// EnhancedFanOutGB is the price, in dollars, of one GB delivered to
	// enhanced fan-out consumers in provisioned mode.
	EnhancedFanOutGB float64

	// On-demand (Standard) mode.

	// OnDemandStreamHour is the price, in dollars, of one on-demand stream
	// existing for one hour.
	OnDemandStreamHour float64
	// OnDemandIngestGB is the price, in dollars, of one GB written, each
	// record rounded up to 1 KiB ([OnDemandBillingRoundBytes]).
	OnDemandIngestGB float64
	// OnDemandRetrievalGB is the price, in dollars, of one GB read with
	// shared-throughput reads (GetRecords), each record rounded up to 1 KiB.
	OnDemandRetrievalGB float64
	// OnDemandExtendedRetentionGBMonth is the price, in dollars, of one GB
	// kept for one month beyond 24 hours and up to 7 days.
	OnDemandExtendedRetentionGBMonth float64
	// OnDemandEnhancedFanOutGB is the price, in dollars, of one GB
	// delivered to enhanced fan-out consumers in on-demand mode (there is
	// no consumer-hour charge in that mode), each record rounded up to
	// 1 KiB.
	OnDemandEnhancedFanOutGB float64

	// Both modes.

	// LongTermRetentionGBMonth is the price, in dollars, of one GB kept
	// for one month beyond 7 days.
	LongTermRetentionGBMonth float64
	// LongTermRetrievalGB is the price, in dollars, of one GB read that
	// was older than 7 days. [Usage] does not tell such reads apart yet,
	// so [PriceTable.Bill] charges nothing for it; the price is kept for
	// when it does.
	LongTermRetrievalGB float64

	// Region is the AWS region the prices are for, such as "us-east-1".
	Region string
	// AsOf is the date the prices were published or last checked.
	AsOf time.Time
}

// DefaultPrices returns the on-demand Standard and provisioned prices of
// Kinesis Data Streams in us-east-1 (US East, N. Virginia), in US dollars,
// as published on AWS's pricing page
// (https://aws.amazon.com/kinesis/data-streams/pricing/) and recorded on
// 2026-11-26:
//
//	Provisioned                       On-demand Standard
//	$0.015  per shard-hour            $0.04  per stream-hour
//	$0.014  per 1M PUT payload units  $0.08  per GB ingested
//	(shared reads included)           $0.04  per GB retrieved
//	$0.02   per extended-retention    $0.10  per GB-month, 24 h to 7 days
//	        shard-hour (24 h to 7 d)
//	$0.015  per EFO consumer-shard-hour
//	$0.013  per EFO GB                $0.05  per EFO GB
//	Both: $0.023 per GB-month stored beyond 7 days, $0.023 per GB of it read
//
// The copy of the page consulted that day did not show the figures
// themselves: the provisioned shard-hour, extended-retention and enhanced
// fan-out rates were corroborated by a third-party summary, the others
// were not, and the on-demand extended-retention, long-term retention and
// retrieval, and on-demand enhanced fan-out rates are the least certain. On-demand Advantage (no stream-hour
// fee, lower per-GB rates, a throughput commitment) is not modelled.
// Prices change: check the page before relying on them, and replace the
// table if they differ.
func DefaultPrices() PriceTable {
	return PriceTable{
		ShardHour:                       0.015,
		PutPayloadUnitsMillion:          0.014,
		ExtendedRetentionShardHour:      0.02,
		EnhancedFanOutConsumerShardHour: 0.015,
		EnhancedFanOutGB:                0.013,

		OnDemandStreamHour:               0.04,
		OnDemandIngestGB:                 0.08,
		OnDemandRetrievalGB:              0.04,
		OnDemandExtendedRetentionGBMonth: 0.10,
		OnDemandEnhancedFanOutGB:         0.05,

		LongTermRetentionGBMonth: 0.023,
		LongTermRetrievalGB:      0.023,

		Region: "us-east-1",
		AsOf:   time.Date(2026, time.November, 26, 0, 0, 0, 0, time.UTC),
	}
}

// Bill is what a [Usage] costs, in US dollars, in each capacity mode: the
// same traffic priced as if the stream had been provisioned throughout and
// as if it had been on-demand throughout.
type Bill struct {
	// Provisioned prices the usage in provisioned mode.
	Provisioned ModeBill
	// OnDemand prices the usage in on-demand Standard mode.
	OnDemand ModeBill
}

// ModeBill itemises one capacity mode's cost, in US dollars. Lines are not
// rounded to cents.
type ModeBill struct {
	// Capacity is the hourly charge: shard-hours in provisioned mode,
	// stream-hours in on-demand mode.
	Capacity float64
	// Writes is the charge for data put: PUT payload units in provisioned
	// mode, GB ingested (records rounded up to 1 KiB) in on-demand mode.
	Writes float64
	// Reads is the charge for shared-throughput reads: zero in provisioned
	// mode, where they are included in the shard-hour, GB retrieved
	// (records rounded up to 1 KiB) in on-demand mode.
	Reads float64
	// ExtendedRetention is the charge for retention above 24 hours and up
	// to 7 days: per shard-hour in provisioned mode, per GB-month stored in
	// on-demand mode.
	ExtendedRetention float64
	// LongTermRetention is the charge for data stored beyond 7 days, per
	// GB-month in both modes.
	LongTermRetention float64
	// EnhancedFanOut is the charge for enhanced fan-out: consumer-shard
	// hours plus GB pushed in provisioned mode, GB pushed (records rounded
	// up to 1 KiB) in on-demand mode.
	EnhancedFanOut float64
	// Total is the sum of the lines above.
	Total float64
}

// Bill prices u in both capacity modes, in US dollars, using GB = 10^9
// bytes and a 730-hour month:
//
//	Provisioned = ShardHours × ShardHour
//	            + PutPayloadUnits / 10^6 × PutPayloadUnitsMillion
//	            + ExtendedRetentionShardHours × ExtendedRetentionShardHour
//	            + LongTermRetentionGBHours / 730 × LongTermRetentionGBMonth
//	            + EnhancedFanOutConsumerShardHours × EnhancedFanOutConsumerShardHour
//	            + EnhancedFanOutBytes / 10^9 × EnhancedFanOutGB
//	OnDemand    = StreamHours × OnDemandStreamHour
//	            + BilledIngestBytes / 10^9 × OnDemandIngestGB
//	            + BilledRetrievedBytes / 10^9 × OnDemandRetrievalGB
//	            + ExtendedRetentionGBHours / 730 × OnDemandExtendedRetentionGBMonth
//	            + LongTermRetentionGBHours / 730 × LongTermRetentionGBMonth
//	            + BilledEnhancedFanOutBytes / 10^9 × OnDemandEnhancedFanOutGB
//
// Shared-throughput reads are free in provisioned mode. Long-term
// retrieval is not charged because u does not record it.
func (p PriceTable) Bill(u Usage) Bill {
	longTerm := u.LongTermRetentionGBHours / hoursPerMonth * p.LongTermRetentionGBMonth
	prov := ModeBill{
		Capacity:          u.ShardHours * p.ShardHour,
		Writes:            float64(u.PutPayloadUnits) / 1e6 * p.PutPayloadUnitsMillion,
		ExtendedRetention: u.ExtendedRetentionShardHours * p.ExtendedRetentionShardHour,
		LongTermRetention: longTerm,
		EnhancedFanOut:    u.EnhancedFanOutConsumerShardHours*p.EnhancedFanOutConsumerShardHour + float64(u.EnhancedFanOutBytes)/bytesPerGB*p.EnhancedFanOutGB,
	}
	od := ModeBill{
		Capacity:          u.StreamHours * p.OnDemandStreamHour,
		Writes:            float64(u.BilledIngestBytes) / bytesPerGB * p.OnDemandIngestGB,
		Reads:             float64(u.BilledRetrievedBytes) / bytesPerGB * p.OnDemandRetrievalGB,
		ExtendedRetention: u.ExtendedRetentionGBHours / hoursPerMonth * p.OnDemandExtendedRetentionGBMonth,
		LongTermRetention: longTerm,
		EnhancedFanOut:    float64(u.BilledEnhancedFanOutBytes) / bytesPerGB * p.OnDemandEnhancedFanOutGB,
	}
	prov.Total = prov.sum()
	od.Total = od.sum()
	return Bill{Provisioned: prov, OnDemand: od}
}

// sum adds up the line items of b, leaving out Total.
func (b ModeBill) sum() float64 {
	return b.Capacity + b.Writes + b.Reads + b.ExtendedRetention + b.LongTermRetention + b.EnhancedFanOut
}
