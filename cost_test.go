package kds_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/kdsgo/kds"
)

// approxEqual reports whether got is want to within a billionth (relative,
// or absolute for amounts below a dollar).
func approxEqual(got, want float64) bool {
	return math.Abs(got-want) <= 1e-9*math.Max(1, math.Abs(want))
}

// checkModeBill compares every line of got with want, Total included.
func checkModeBill(t *testing.T, mode string, got, want kds.ModeBill) {
	t.Helper()
	lines := []struct {
		name      string
		got, want float64
	}{
		{"Capacity", got.Capacity, want.Capacity},
		{"Writes", got.Writes, want.Writes},
		{"Reads", got.Reads, want.Reads},
		{"ExtendedRetention", got.ExtendedRetention, want.ExtendedRetention},
		{"LongTermRetention", got.LongTermRetention, want.LongTermRetention},
		{"Total", got.Total, want.Total},
	}
	for _, l := range lines {
		if !approxEqual(l.got, l.want) {
			t.Errorf("%s.%s = %.12g, want %.12g", mode, l.name, l.got, l.want)
		}
	}
}

// checkBill compares both modes of got with the wanted bills.
func checkBill(t *testing.T, got kds.Bill, prov, od kds.ModeBill) {
	t.Helper()
	checkModeBill(t, "Provisioned", got.Provisioned, prov)
	checkModeBill(t, "OnDemand", got.OnDemand, od)
}

func TestDefaultPrices(t *testing.T) {
	p := kds.DefaultPrices()
	prices := []struct {
		name      string
		got, want float64
	}{
		{"ShardHour", p.ShardHour, 0.015},
		{"PutPayloadUnitsMillion", p.PutPayloadUnitsMillion, 0.014},
		{"ExtendedRetentionShardHour", p.ExtendedRetentionShardHour, 0.02},
		{"EnhancedFanOutConsumerShardHour", p.EnhancedFanOutConsumerShardHour, 0.015},
		{"EnhancedFanOutGB", p.EnhancedFanOutGB, 0.013},
		{"OnDemandStreamHour", p.OnDemandStreamHour, 0.04},
		{"OnDemandIngestGB", p.OnDemandIngestGB, 0.08},
		{"OnDemandRetrievalGB", p.OnDemandRetrievalGB, 0.04},
		{"OnDemandExtendedRetentionGBMonth", p.OnDemandExtendedRetentionGBMonth, 0.10},
		{"OnDemandEnhancedFanOutGB", p.OnDemandEnhancedFanOutGB, 0.05},
		{"LongTermRetentionGBMonth", p.LongTermRetentionGBMonth, 0.023},
		{"LongTermRetrievalGB", p.LongTermRetrievalGB, 0.023},
	}
	for _, pr := range prices {
		if pr.got != pr.want {
			t.Errorf("DefaultPrices().%s = %v, want %v", pr.name, pr.got, pr.want)
		}
	}
	if p.Region != "us-east-1" {
		t.Errorf("Region = %q, want us-east-1", p.Region)
	}
	if want := time.Date(2026, time.November, 26, 0, 0, 0, 0, time.UTC); !p.AsOf.Equal(want) {
		t.Errorf("AsOf = %v, want %v", p.AsOf, want)
	}
	// DefaultPrices returns a fresh value: changing one copy leaves the
	// next call alone.
	p.ShardHour = 99
	if kds.DefaultPrices().ShardHour != 0.015 {
		t.Error("changing a returned PriceTable changed DefaultPrices")
	}
}

func TestBillZeroUsage(t *testing.T) {
	b := kds.DefaultPrices().Bill(kds.Usage{})
	checkBill(t, b, kds.ModeBill{}, kds.ModeBill{})
}

// TestBillLineItems bills each billed quantity alone at the default
// prices, against values computed by hand.
func TestBillLineItems(t *testing.T) {
	tests := []struct {
		name     string
		usage    kds.Usage
		prov, od kds.ModeBill
	}{
		{
			// 1 shard for 730 h = 730 × $0.015; on-demand has no shards.
			name:  "one shard for a month",
			usage: kds.Usage{ShardHours: 730},
			prov:  kds.ModeBill{Capacity: 10.95, Total: 10.95},
		},
		{
			// 1 stream for 730 h = 730 × $0.04; provisioned has no
			// stream-hour fee.
			name:  "one stream for a month",
			usage: kds.Usage{StreamHours: 730},
			od:    kds.ModeBill{Capacity: 29.20, Total: 29.20},
		},
		{
			// 1,000,000 units = 1 × $0.014.
			name:  "one million PUT payload units",
			usage: kds.Usage{PutPayloadUnits: 1_000_000},
			prov:  kds.ModeBill{Writes: 0.014, Total: 0.014},
		},
		{
			// 250,000 units = 0.25 × $0.014 = $0.0035: units are prorated,
			// not rounded up to a million.
			name:  "a quarter of a million PUT payload units",
			usage: kds.Usage{PutPayloadUnits: 250_000},
			prov:  kds.ModeBill{Writes: 0.0035, Total: 0.0035},
		},
		{
			// 10^9 bytes = 1 GB × $0.08.
			name:  "one GB ingested on demand",
			usage: kds.Usage{BilledIngestBytes: 1_000_000_000},
			od:    kds.ModeBill{Writes: 0.08, Total: 0.08},
		},
		{
			// 2^30 bytes is 1.073741824 GB, not 1: × $0.08 =
			// $0.08589934592.
			name:  "one GiB ingested on demand",
			usage: kds.Usage{BilledIngestBytes: 1 << 30},
			od:    kds.ModeBill{Writes: 0.08589934592, Total: 0.08589934592},
		},
		{
			// 10^9 bytes = 1 GB × $0.04 on demand; shared reads are
			// included in provisioned shard-hours.
			name:  "one GB retrieved",
			usage: kds.Usage{BilledRetrievedBytes: 1_000_000_000},
			od:    kds.ModeBill{Reads: 0.04, Total: 0.04},
		},
		{
			// 730 shard-hours above 24 h retention = 730 × $0.02.
			name:  "extended retention for a shard-month",
			usage: kds.Usage{ExtendedRetentionShardHours: 730},
			prov:  kds.ModeBill{ExtendedRetention: 14.60, Total: 14.60},
		},
		{
			// 730 GB-hours = 1 GB-month × $0.10.
			name:  "extended retention of a GB-month on demand",
			usage: kds.Usage{ExtendedRetentionGBHours: 730},
			od:    kds.ModeBill{ExtendedRetention: 0.10, Total: 0.10},
		},
		{
			// 1 GB kept 6 extra days = 144 GB-hours = 144/730 GB-month
			// × $0.10 = $0.019726027397260274.
			name:  "extended retention of a GB for six days on demand",
			usage: kds.Usage{ExtendedRetentionGBHours: 144},
			od: kds.ModeBill{
				ExtendedRetention: 0.019726027397260274,
				Total:             0.019726027397260274,
			},
		},
		{
			// 730 GB-hours = 1 GB-month × $0.023, the same in both modes.
			name:  "long-term retention of a GB-month",
			usage: kds.Usage{LongTermRetentionGBHours: 730},
			prov:  kds.ModeBill{LongTermRetention: 0.023, Total: 0.023},
			od:    kds.ModeBill{LongTermRetention: 0.023, Total: 0.023},
		},
		{
			// Raw counts, throttling and the period are not billing units:
			// only their billed counterparts cost anything.
			name: "unbilled quantities",
			usage: kds.Usage{
				From:             time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
				To:               time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC),
				Records:          1e9,
				Bytes:            1e12,
				RetrievedBytes:   1e12,
				ThrottledRecords: 1e6,
				ThrottledReads:   1e6,
			},
		},
	}
	p := kds.DefaultPrices()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkBill(t, p.Bill(tt.usage), tt.prov, tt.od)
		})
	}
}

// workedMonth is a realistic month: a 4-shard stream with 24-hour
// retention takes 100 records a second of 2 KiB each (partition key plus
// data) for 30 days, and one GetRecords consumer reads everything once.
//
//	hours            = 30 × 24                 = 720
//	records          = 100 × 86,400 × 30       = 259,200,000
//	bytes            = 259,200,000 × 2,048     = 530,841,600,000 (530.8416 GB)
//	PUT payload units: 2 KiB ≤ 25 KiB, 1 each  = 259,200,000
//	billed bytes: 2 KiB is whole KiB, so in and out = 530,841,600,000
//
// Provisioned:
//
//	shards  4 × 720 h × $0.015       = $43.20
//	PUTs    259.2 M × $0.014         =  $3.6288
//	reads   included                 =  $0
//	total                            = $46.8288
//
// On-demand:
//
//	stream  720 h × $0.04            = $28.80
//	in      530.8416 GB × $0.08      = $42.467328
//	out     530.8416 GB × $0.04      = $21.233664
//	total                            = $92.500992
func workedMonth() kds.Usage {
	from := time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC)
	return kds.Usage{
		From:                 from,
		To:                   from.Add(720 * time.Hour),
		StreamHours:          720,
		ShardHours:           4 * 720,
		Records:              259_200_000,
		Bytes:                530_841_600_000,
		PutPayloadUnits:      259_200_000,
		BilledIngestBytes:    530_841_600_000,
		RetrievedBytes:       530_841_600_000,
		BilledRetrievedBytes: 530_841_600_000,
	}
}

func TestBillWorkedMonth(t *testing.T) {
	p := kds.DefaultPrices()

	t.Run("24-hour retention", func(t *testing.T) {
		checkBill(t, p.Bill(workedMonth()),
			kds.ModeBill{Capacity: 43.20, Writes: 3.6288, Total: 46.8288},
			kds.ModeBill{Capacity: 28.80, Writes: 42.467328, Reads: 21.233664, Total: 92.500992})
	})

	// The same month with 7-day retention throughout. Each GB put is kept
	// 168 − 24 = 144 hours beyond the first day.
	//
	//	provisioned: 2,880 shard-hours × $0.02            = $57.60
	//	             total $46.8288 + $57.60              = $104.4288
	//	on-demand:   530.8416 GB × 144 h = 76,441.1904 GB-hours
	//	             / 730 = 104.71395945205479 GB-months × $0.10
	//	                                                  = $10.471395945205479
	//	             total $92.500992 + $10.471395945205479 = $102.97238794520548
	t.Run("7-day retention", func(t *testing.T) {
		u := workedMonth()
		u.ExtendedRetentionShardHours = u.ShardHours
		u.ExtendedRetentionGBHours = 530.8416 * 144
		checkBill(t, p.Bill(u),
			kds.ModeBill{Capacity: 43.20, Writes: 3.6288, ExtendedRetention: 57.60, Total: 104.4288},
			kds.ModeBill{
				Capacity: 28.80, Writes: 42.467328, Reads: 21.233664,
				ExtendedRetention: 10.471395945205479, Total: 102.97238794520548,
			})
	})
}

func TestBillCustomPriceTable(t *testing.T) {
	u := workedMonth()
	u.ExtendedRetentionShardHours = 100
	u.ExtendedRetentionGBHours = 1460
	u.LongTermRetentionGBHours = 2190

	t.Run("one price changed", func(t *testing.T) {
		// Doubling the shard-hour price doubles provisioned capacity only.
		p := kds.DefaultPrices()
		p.ShardHour = 0.03
		def := kds.DefaultPrices().Bill(u)
		got := p.Bill(u)
		if !approxEqual(got.Provisioned.Capacity, 2*def.Provisioned.Capacity) {
			t.Errorf("Provisioned.Capacity = %v, want twice %v", got.Provisioned.Capacity, def.Provisioned.Capacity)
		}
		if !approxEqual(got.Provisioned.Total, def.Provisioned.Total+43.20) {
			t.Errorf("Provisioned.Total = %v, want %v + 43.20", got.Provisioned.Total, def.Provisioned.Total)
		}
		if got.OnDemand != def.OnDemand {
			t.Errorf("OnDemand = %+v, want it unchanged: %+v", got.OnDemand, def.OnDemand)
		}
	})

	t.Run("round prices", func(t *testing.T) {
		// Every price $1 (EFO and long-term retrieval too: they are not
		// billed, so they must not show up):
		//	provisioned: 2,880 + 259.2 + 100 + 2,190/730 = 3,242.2
		//	on-demand:   720 + 530.8416 + 530.8416 + 1,460/730 + 3
		//	           = 1,786.6832
		p := kds.PriceTable{
			ShardHour: 1, PutPayloadUnitsMillion: 1, ExtendedRetentionShardHour: 1,
			EnhancedFanOutConsumerShardHour: 1, EnhancedFanOutGB: 1,
			OnDemandStreamHour: 1, OnDemandIngestGB: 1, OnDemandRetrievalGB: 1,
			OnDemandExtendedRetentionGBMonth: 1, OnDemandEnhancedFanOutGB: 1,
			LongTermRetentionGBMonth: 1, LongTermRetrievalGB: 1,
			Region: "test",
		}
		checkBill(t, p.Bill(u),
			kds.ModeBill{Capacity: 2880, Writes: 259.2, ExtendedRetention: 100, LongTermRetention: 3, Total: 3242.2},
			kds.ModeBill{
				Capacity: 720, Writes: 530.8416, Reads: 530.8416,
				ExtendedRetention: 2, LongTermRetention: 3, Total: 1786.6832,
			})
	})

	t.Run("zero table", func(t *testing.T) {
		checkBill(t, kds.PriceTable{}.Bill(u), kds.ModeBill{}, kds.ModeBill{})
	})
}

func TestBillTotalIsSumOfLines(t *testing.T) {
	full := workedMonth()
	full.ExtendedRetentionShardHours = 1234.5
	full.ExtendedRetentionGBHours = 6789.25
	full.LongTermRetentionGBHours = 31415.9
	usages := map[string]kds.Usage{
		"zero":         {},
		"worked month": workedMonth(),
		"every line":   full,
		"odd amounts": {
			StreamHours: 0.37, ShardHours: 1.11, ExtendedRetentionShardHours: 0.5,
			PutPayloadUnits: 7, BilledIngestBytes: 1025, BilledRetrievedBytes: 3 << 10,
			ExtendedRetentionGBHours: 1e-6, LongTermRetentionGBHours: 2e-6,
		},
	}
	for name, u := range usages {
		b := kds.DefaultPrices().Bill(u)
		for mode, m := range map[string]kds.ModeBill{"Provisioned": b.Provisioned, "OnDemand": b.OnDemand} {
			sum := m.Capacity + m.Writes + m.Reads + m.ExtendedRetention + m.LongTermRetention
			if !approxEqual(m.Total, sum) {
				t.Errorf("%s: %s.Total = %.12g, sum of lines = %.12g", name, mode, m.Total, sum)
			}
			if name == "every line" && (m.Capacity == 0 || m.Writes == 0 || m.ExtendedRetention == 0 || m.LongTermRetention == 0) {
				t.Errorf("%s: %s has a zero line: %+v", name, mode, m)
			}
		}
		if b.Provisioned.Reads != 0 {
			t.Errorf("%s: Provisioned.Reads = %v, want 0 (shared reads are included)", name, b.Provisioned.Reads)
		}
	}
}

// A 4-shard stream taking 100 records a second of 2 KiB for 30 days, read
// once by one consumer, priced at us-east-1's default prices in both
// capacity modes.
func ExamplePriceTable_Bill() {
	const records = 100 * 86_400 * 30 // 259,200,000
	u := kds.Usage{
		StreamHours:          720,
		ShardHours:           4 * 720,
		Records:              records,
		Bytes:                records * 2048,
		PutPayloadUnits:      records, // 2 KiB is one 25 KiB unit
		BilledIngestBytes:    records * 2048,
		RetrievedBytes:       records * 2048,
		BilledRetrievedBytes: records * 2048,
	}
	b := kds.DefaultPrices().Bill(u)
	fmt.Printf("provisioned: $%.2f\n", b.Provisioned.Total)
	fmt.Printf("on-demand:   $%.2f\n", b.OnDemand.Total)
	// Output:
	// provisioned: $46.83
	// on-demand:   $92.50
}
