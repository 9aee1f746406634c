// Package kds is Amazon Kinesis Data Streams as an embeddable Go library:
// streams of shards, partition-key routing, sequence numbers, shard
// iterators and a retention window with replay, all inside one process.
//
// It has two faces over one engine:
//
//   - [Service] has one method per Kinesis operation (CreateStream,
//     PutRecords, GetShardIterator, GetRecords, ListShards, ...), taking
//     and returning structs whose fields carry the API's own names, with
//     Kinesis's limits, validation and error messages.
//   - [Stream] is the everyday Go face: [NewStream] makes one in a line,
//     [Stream.Put] writes, and [Stream.Records] and [Stream.Replay] read
//     with range-over-func iterators from a [StartPosition].
//
// # What is emulated
//
// Stream lifecycle (CREATING, ACTIVE, DELETING, with delays on the
// [Clock]), the account shard quota and the limit on streams being created
// at once, MD5 routing that places records exactly where AWS would,
// 56-digit sequence numbers that encode their shard and stream incarnation,
// opaque tamper-evident shard iterators that expire after five minutes,
// GetRecords limits (10,000 records, 10 MiB), the 24-hour retention window,
// per-stream maximum record size, tags, paging of every list call, and
// resharding (SplitShard, MergeShards, UpdateShardCount) with shard lineage,
// ChildShards and every ListShards filter.
//
// Per-shard throughput limits on token buckets fed the Clock's time,
// on-demand mode that scales to double the 30-day write peak,
// UpdateStreamMode, retention changes with memory released in whole
// segments, and a usage meter with a Kinesis price table ([PriceTable]).
//
// Enhanced fan-out: registered consumers with their lifecycle and limits,
// and [Service.SubscribeToShard] pushing events for five minutes against
// a read budget per consumer and shard. The KPL aggregated record format
// ([AppendAggregate], [Deaggregate]); the Go-native readers deaggregate.
// KCL-style consumer groups are in the consumergroup subpackage. A
// KPL-style [Producer] batches, aggregates and retries puts in per-key
// order; the agent subpackage tails log files into a stream. The
// trigger, delivery and analytics subpackages stand in for Lambda event
// source mappings, Firehose delivery streams and windowed analytics.
//
// CloudWatch metrics under Kinesis's names ([Service.Metrics]): the
// stream-level ones always, the shard-level ones while
// [Service.EnableEnhancedMonitoring] has them on, and the SubscribeToShard
// ones per consumer, as per-minute statistics on the Clock.
//
// Server-side encryption ([Service.StartStreamEncryption]): records put
// while it is on are stored AES-256-GCM-encrypted under data keys from a
// [KeyProvider], by default the Service's in-process [KeyService] with
// KMS-style keys, states and aliases ([Service.Keys]); unusable keys
// raise Kinesis's KMS* exceptions on puts and reads. The envelope
// subpackage encrypts on the client side instead. See docs/encryption.md.
//
// # Not yet emulated
//
// Warm throughput and account settings, resource policies and StreamId
// inputs are separate pieces of work; until they land their
// operations do not exist here. The wire server is the compat module's
// kinesisapi package.
//
// # Error wording
//
// Messages follow Kinesis's wording where it is known (recorded by
// emulators that were tested against AWS). Where it is not, kds words the
// message itself, with Kinesis's exception type: a missing StreamName and
// StreamARN, a StreamARN that disagrees with the StreamName, a record above
// the stream's MaxRecordSizeInKiB, invalid or expired NextTokens, the limit
// on streams being created at once, resharding on an on-demand stream, the
// bounds and rate limit of UpdateShardCount, the rate limit of
// UpdateStreamMode, and every message about registered consumers and
// subscriptions (duplicate, missing or inactive consumers, the per-stream
// and CREATING limits, DeleteStream without EnforceConsumerDeletion, and a
// subscription that is too soon, taken over or ended by deregistration).
//
// # Memory of reads
//
// Records returned by reads share the stream's storage: Data slices point
// into segments that the stream never writes again once a record is
// published, so a reader's view never changes under it. Callers must treat
// them as read-only.
//
// # Time
//
// Everything reads time from the [Clock] given with [WithClock]. A
// [ManualClock] makes a run deterministic: iterator expiry, retention and
// status delays all move only when the clock does.
//
// # Concurrency
//
// Every type is safe for concurrent use. Each shard has one writer at a
// time; readers never wait for writers, because records live in
// append-only segments that never change once published.
package kds
