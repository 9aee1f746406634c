package main

import "github.com/kdsgo/kds"

// result is what a simulation produced, at full scale.
type result struct {
	// Days is how many days were simulated.
	Days int
	// Prices is the price table the bills use.
	Prices kds.PriceTable
	// Hours holds one entry per simulated hour, in order.
	Hours []hour
}

// hour is one simulated hour's figures.
type hour struct {
	// Hour counts hours since the start, from 1.
	Hour int
	// Offered is how many records the producers sent during the hour, to
	// each of the two streams.
	Offered int64
	// PeakRate is the records per second offered in the hour's busiest
	// minute.
	PeakRate float64
	// OnDemand and Provisioned are the two streams' figures.
	OnDemand, Provisioned streamHour
}

// streamHour is one stream's figures for an hour.
type streamHour struct {
	// Shards is the open shard count at the end of the hour.
	Shards int
	// Capacity is the least records per second the stream's open shards
	// took at the start of a minute of the hour.
	Capacity float64
	// MinutesOver counts the minutes of the hour that offered more
	// records per second than the stream's capacity at their start.
	MinutesOver int
	// Throttled is how many of the hour's records the stream refused.
	Throttled int64
	// Bill prices the stream's usage from the start to the end of the
	// hour in both modes.
	Bill kds.Bill
}

// mode names one of the two streams by its capacity mode.
type mode int

const (
	onDemandMode mode = iota
	provisionedMode
)

// modes lists both streams, on-demand first.
var modes = []mode{onDemandMode, provisionedMode}

// String returns the stream's name.
func (m mode) String() string {
	if m == onDemandMode {
		return "on-demand"
	}
	return "provisioned"
}

// of returns the stream's figures in h.
func (m mode) of(h hour) streamHour {
	if m == onDemandMode {
		return h.OnDemand
	}
	return h.Provisioned
}

// cost returns what the stream's usage up to s costs in the stream's own
// capacity mode.
func (m mode) cost(s streamHour) float64 {
	if m == onDemandMode {
		return s.Bill.OnDemand.Total
	}
	return s.Bill.Provisioned.Total
}

// totals sums up one stream's hours.
type totals struct {
	// Offered is the records sent to the stream, Accepted those it took
	// and Throttled those it refused.
	Offered, Accepted, Throttled int64
	// MinutesOver counts the minutes that offered more than the stream's
	// capacity.
	MinutesOver int
	// Cost is what the stream cost over the whole run, in its own mode.
	Cost float64
	// Shards is the open shard count at the end.
	Shards int
}

// total sums up the hours of the stream m.
func (r result) total(m mode) totals {
	var t totals
	for _, h := range r.Hours {
		t.Offered += h.Offered
		t.Throttled += m.of(h).Throttled
		t.MinutesOver += m.of(h).MinutesOver
	}
	t.Accepted = t.Offered - t.Throttled
	if n := len(r.Hours); n > 0 {
		last := m.of(r.Hours[n-1])
		t.Cost, t.Shards = m.cost(last), last.Shards
	}
	return t
}
