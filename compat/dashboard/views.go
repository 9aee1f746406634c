package dashboard

import (
	"strconv"
	"time"

	"github.com/kdsgo/kds"
)

// Overview is every stream of the Service: the index page, and the JSON
// of /api/streams.
type Overview struct {
	Time    time.Time       `json:"time"`
	Streams []StreamSummary `json:"streams"`
}

// StreamSummary is one stream's line in the [Overview].
type StreamSummary struct {
	Name           string  `json:"name"`
	Status         string  `json:"status"`
	Mode           string  `json:"mode"`
	OpenShards     int     `json:"openShards"`
	RetentionHours int     `json:"retentionHours"`
	Consumers      int     `json:"consumers"`
	Traffic        Traffic `json:"traffic"`
}

// Traffic is a stream's throughput and throttling over the last minute
// (see the package documentation for how the window is read).
type Traffic struct {
	// Put is IncomingRecords and IncomingBytes.
	Put Rate `json:"put"`
	// Get is GetRecords.Records and GetRecords.Bytes: polling readers.
	Get Rate `json:"get"`
	// FanOut is SubscribeToShardEvent.Records and .Bytes of every
	// registered consumer together.
	FanOut Rate `json:"fanOut"`
	// WriteThrottled is WriteProvisionedThroughputExceeded: records
	// refused.
	WriteThrottled float64 `json:"writeThrottledRecords"`
	// ReadThrottled is ReadProvisionedThroughputExceeded: GetRecords calls
	// refused.
	ReadThrottled float64 `json:"readThrottledCalls"`
}

// Read is everything read from the stream: Get and FanOut together.
func (t Traffic) Read() Rate {
	return Rate{t.Get.RecordsPerSecond + t.FanOut.RecordsPerSecond, t.Get.BytesPerSecond + t.FanOut.BytesPerSecond}
}

// Rate is a throughput in records and bytes per second.
type Rate struct {
	RecordsPerSecond float64 `json:"recordsPerSecond"`
	BytesPerSecond   float64 `json:"bytesPerSecond"`
}

// StreamDetail is one stream: its page, and the JSON of
// /api/stream?name=NAME.
type StreamDetail struct {
	Time time.Time `json:"time"`
	StreamSummary
	ARN     string    `json:"arn"`
	Created time.Time `json:"created"`
	// EnhancedMonitoring lists the shard-level metrics turned on.
	EnhancedMonitoring []string `json:"enhancedMonitoring"`
	Tags               []Tag    `json:"tags"`
	// Shards lists every shard ListShards returns, open and closed, in
	// shard ID order.
	Shards []ShardInfo `json:"shards"`
	// Readers are the polling readers (all GetRecords callers together)
	// followed by each registered consumer.
	Readers []Reader `json:"readers"`
	// ShardCounts is the open shard count over time, oldest first; the
	// last entry is now.
	ShardCounts []ShardCount `json:"shardCounts"`
}

// Tag is one of a stream's tags.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// ShardInfo is one shard: its place in the hash key space, its lineage,
// and with enhanced monitoring its traffic.
type ShardInfo struct {
	ID                    string `json:"shardId"`
	ParentShardID         string `json:"parentShardId,omitempty"`
	AdjacentParentShardID string `json:"adjacentParentShardId,omitempty"`
	StartingHashKey       string `json:"startingHashKey"`
	EndingHashKey         string `json:"endingHashKey"`
	Open                  bool   `json:"open"`
	// Span places the hash key range on the 128-bit space.
	Span Span `json:"-"`
	// Traffic is nil unless the shard has shard-level metrics.
	Traffic *ShardTraffic `json:"traffic,omitempty"`
}

// Span is part of the hash key space, as percentages of all of it.
type Span struct {
	Start, Width float64
}

// End is where the span ends.
func (s Span) End() float64 { return s.Start + s.Width }

// minDrawnWidth is the narrowest a span is drawn, in percent, so that a
// tiny shard still shows.
const minDrawnWidth = 0.25

// DrawnWidth is the width to draw the span with: Width, or a sliver when
// it is too narrow to see.
func (s Span) DrawnWidth() float64 {
	return max(s.Width, minDrawnWidth)
}

// ShardTraffic is one shard's throughput and throttling over the last
// minute, from the shard-level metrics that are turned on.
type ShardTraffic struct {
	Incoming       Rate    `json:"incoming"`
	Outgoing       Rate    `json:"outgoing"`
	WriteThrottled float64 `json:"writeThrottledRecords"`
	ReadThrottled  float64 `json:"readThrottledCalls"`
}

// Reader is who reads a stream: its polling readers together, or one
// registered (enhanced fan-out) consumer.
type Reader struct {
	// Consumer is the consumer's name; empty for the polling readers.
	Consumer string `json:"consumer,omitempty"`
	// Status is the consumer's status; empty for the polling readers.
	Status string `json:"status,omitempty"`
	// IteratorAgeMilliseconds is GetRecords.IteratorAgeMilliseconds for
	// polling readers and SubscribeToShardEvent.MillisBehindLatest for a
	// consumer; nil without recent samples.
	IteratorAgeMilliseconds *float64 `json:"iteratorAgeMilliseconds"`
	Rate
}

// ShardCount is a stream's open shard count at a time.
type ShardCount struct {
	Time       time.Time `json:"time"`
	OpenShards int       `json:"openShards"`
}

// hashSpace is the size of the 128-bit hash key space.
const hashSpace = 0x1p128

// spanOf places r on the hash key space.
func spanOf(r kds.HashKeyRange) Span {
	start, end := hashFloat(r.StartingHashKey), hashFloat(r.EndingHashKey)
	return Span{Start: 100 * start / hashSpace, Width: 100 * (end - start + 1) / hashSpace}
}

// hashFloat is h as a float64, close enough to draw with.
func hashFloat(h kds.HashKey) float64 {
	f, _ := strconv.ParseFloat(h.String(), 64) // a decimal integer
	return f
}
