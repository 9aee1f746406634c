package metricmap

import "github.com/kdsgo/kds"

// Scope is what a metric is about: a stream, one of its shards (the
// shard-level metrics of enhanced monitoring) or one of its consumers
// (the SubscribeToShard metrics). It decides the labels of a series.
type Scope int

// The scopes of Kinesis's metrics.
const (
	Stream Scope = iota
	Shard
	Consumer
)

// ScopeOf returns the scope of a series with dimensions d.
func ScopeOf(d kds.MetricDimensions) Scope {
	switch {
	case d.ShardId != "":
		return Shard
	case d.ConsumerName != "":
		return Consumer
	}
	return Stream
}

// String names the scope in words.
func (s Scope) String() string {
	return [...]string{"stream", "shard", "consumer"}[s]
}

// A Prometheus label and an OpenTelemetry attribute key for each
// dimension, in the order values returns them. The stream's key is
// OpenTelemetry's semantic convention; the others follow its pattern.
const (
	LabelStream       = "stream_name"
	LabelShard        = "shard_id"
	LabelConsumer     = "consumer_name"
	AttributeStream   = "aws.kinesis.stream_name"
	AttributeShard    = "aws.kinesis.shard_id"
	AttributeConsumer = "aws.kinesis.consumer_name"
)

// Labels returns the Prometheus label names of the scope's series.
func (s Scope) Labels() []string {
	return s.pick(LabelStream, LabelShard, LabelConsumer)
}

// Attributes returns the OpenTelemetry attribute keys of the scope's
// series, in the order of [Scope.Labels].
func (s Scope) Attributes() []string {
	return s.pick(AttributeStream, AttributeShard, AttributeConsumer)
}

// Values returns the label values of dimensions d, in the order of
// [Scope.Labels].
func (s Scope) Values(d kds.MetricDimensions) []string {
	return s.pick(d.StreamName, d.ShardId, d.ConsumerName)
}

// pick returns stream and, for a shard or consumer scope, the one of
// shard and consumer that applies.
func (s Scope) pick(stream, shard, consumer string) []string {
	switch s {
	case Shard:
		return []string{stream, shard}
	case Consumer:
		return []string{stream, consumer}
	}
	return []string{stream}
}
